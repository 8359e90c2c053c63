// The write-ahead journal as one step sees it (ARCHITECTURE decision 3):
// intent before a request is sent, the ids of its answer on arrival, and
// the step's rows written together with the close of its entries.
#pragma once

#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "resources/runner.h"
#include "state/state.h"

namespace cph::engine {

using Json = nlohmann::json;

// The journal as one step sees it (resources::StepJournal), over the state
// store: remembers the entries the step opened so that they are closed
// together with the step's rows, or left open for the next run when the
// outcome is unknown.
class StepJournal final : public resources::StepJournal {
 public:
  StepJournal(state::StateStore& store, std::string run_id, std::string actor, int64_t resumed_entry = 0);
  int64_t intent(const std::string& address, const std::string& operation, const std::string& request_body,
                 const Json& idempotency) override;
  void answered(int64_t entry, const Json& response) override;
  // Success: the first entry is closed with the rows in one transaction.
  void finish(const std::vector<resources::InstanceResult>& put, const std::vector<std::string>& remove) override;
  // Failure: an entry the service refused did nothing and is closed as
  // failed; entries with ids recorded, or whose request may or may not have
  // arrived, stay open for the next run to resume or reconcile.
  void abandon(std::exception_ptr error);
  // A final failure: writes the rows of what the operation made (servers an
  // order left abnormal included: they exist and are paid for), then closes
  // the operation's entry as failed with `outcome`, recorded in history.
  void close_failed(const std::string& outcome, const std::vector<resources::InstanceResult>& made);
  // The provider instance the rows this journal writes belong to
  // (state::ResourceRow::provider; "" for the provider named after its type).
  void own_rows(std::string provider) { provider_ = std::move(provider); }
  // True once the step journaled a mutating call (every mutating call is
  // journaled first): a step that never did changed nothing in the cloud.
  bool called() const override { return intents_ > 0; }

 private:
  state::ResourceRow row_of(const resources::InstanceResult& r);
  struct Entry {
    int64_t id;
    bool answered;
  };
  state::StateStore& store_;
  std::string run_id_;
  std::string actor_;
  std::vector<Entry> entries_;
  int intents_ = 0;
  std::string provider_;
};

// The state's key for write-only digests (resources/write_only.h), made and
// stored on first use.
std::string write_only_key(state::StateStore& store);

// The state as a runner reads it (resources::Records): the store's rows.
class StoreRecords final : public resources::Records {
 public:
  explicit StoreRecords(state::StateStore& store) : store_(store) {}
  std::optional<resources::InstanceResult> find(const std::string& address) const override;
  std::string write_only_key() const override;

 private:
  state::StateStore& store_;
};

}  // namespace cph::engine

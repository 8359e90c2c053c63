#include "engine/step_journal.h"

#include "cloud/service_error.h"
#include "common/crypto.h"
#include "engine/executor.h"
#include "resources/schema.h"
#include "resources/write_only.h"

namespace cph::engine {

StepJournal::StepJournal(state::StateStore& store, std::string run_id, std::string actor, int64_t resumed_entry)
    : store_(store), run_id_(std::move(run_id)), actor_(std::move(actor)) {
  if (resumed_entry) entries_.push_back({resumed_entry, true});
}

int64_t StepJournal::intent(const std::string& address, const std::string& operation, const std::string& request_body,
                            const Json& idempotency) {
  Json intent = idempotency;
  intent["by"] = actor_;  // who, for history; not part of the request digest
  int64_t id = store_.journal_intent(run_id_, address, operation, crypto::sha256_hex(request_body), intent);
  entries_.push_back({id, false});
  ++intents_;
  return id;
}

void StepJournal::answered(int64_t entry, const Json& response) {
  store_.journal_answered(entry, response);
  for (auto& e : entries_)
    if (e.id == entry) e.answered = true;
}

void StepJournal::finish(const std::vector<resources::InstanceResult>& given, const std::vector<std::string>& remove) {
  std::vector<state::ResourceRow> put;
  for (const resources::InstanceResult& r : given) put.push_back(row_of(r));
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (i == 0)
      store_.journal_done(entries_[i].id, put, remove);
    else
      store_.journal_done(entries_[i].id, {}, {});
  }
  if (entries_.empty() && (!put.empty() || !remove.empty())) {
    for (const auto& row : put) store_.put_resource(row);
    for (const auto& a : remove) store_.remove_resource(a);
  }
  entries_.clear();  // a later finish of the same step (tags after a purchase) writes its rows directly
}

void StepJournal::abandon(std::exception_ptr error) {
  // Only a documented refusal (CloudError::refused: a 4xx with a well-formed
  // error body) means the service did nothing. Anything else - a 5xx, a 4xx
  // without such a body, a malformed 2xx, a lost answer - may come after the
  // work was done: the entry stays open and the next plan reconciles it
  // against the live inventory before anything is sent again.
  bool rejected = false;
  try {
    std::rethrow_exception(error);
  } catch (const resources::OperationFailed& e) {
    return close_failed(e.what(), e.made);
  } catch (const cloud::ServiceError& e) {
    rejected = e.refused();
  } catch (...) {
  }
  for (const auto& e : entries_)
    if (!e.answered && rejected) store_.journal_failed(e.id, describe_error(error));
}

void StepJournal::close_failed(const std::string& outcome, const std::vector<resources::InstanceResult>& made) {
  // Rows first: a crash before the entry closes resumes it, which ends the
  // same way and writes the same rows.
  for (const resources::InstanceResult& r : made) store_.put_resource(row_of(r));
  // The operation's own entry carries the outcome; what it led to (renames,
  // payment) was answered and is done.
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (i == 0)
      store_.journal_failed(entries_[i].id, outcome);
    else
      store_.journal_done(entries_[i].id, {}, {});
  }
  entries_.clear();
}

// Whatever a runner hands over, a row never holds a write-only value: the
// one place every row of a run passes turns such values into digests.
state::ResourceRow StepJournal::row_of(const resources::InstanceResult& r) {
  state::ResourceRow row{r.address, r.type, r.cloud_id, r.attributes, {}, "", provider_};
  if (const resources::ResourceSchema* schema = resources::find_schema(r.type))
    if (!resources::write_only_attributes(*schema).empty())
      row.attributes = resources::with_write_only_digests(*schema, std::move(row.attributes), write_only_key(store_));
  return row;
}

std::string write_only_key(state::StateStore& store) {
  const std::string setting(resources::kWriteOnlyKeySetting);
  if (std::optional<std::string> key = store.setting(setting); key && !key->empty()) return *key;
  const std::string key = resources::new_write_only_key();
  store.put_setting(setting, key);
  return key;
}

std::string StoreRecords::write_only_key() const { return engine::write_only_key(store_); }

std::optional<resources::InstanceResult> StoreRecords::find(const std::string& address) const {
  std::optional<state::ResourceRow> row = store_.resource(address);
  if (!row) return std::nullopt;
  return resources::InstanceResult{row->address, row->cloud_id, std::move(row->attributes), row->type};
}

}  // namespace cph::engine

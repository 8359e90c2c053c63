// The CPH provider (resources/provider.h): refresh through the list APIs
// (servers and bandwidths 100 a page, tags 1,000 a page, key pairs in one
// call), the live attributes of each type, and the model checks of a plan
// against the service's catalog (cph-api.md 3.12).
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "resources/cph/cph_client.h"
#include "resources/provider.h"

namespace cph::resources {

// What CPH has now. Bandwidths, key pairs and tags are read only when the
// scope involves them (read_* true); servers always.
struct CphInventory final : Inventory {
  std::unordered_map<std::string, cloud::Server> servers;            // by server id
  std::unordered_map<std::string, cloud::BandWidthInfo> bandwidths;  // by band_width_id
  std::unordered_map<std::string, cloud::Keypair> keypairs;          // by name
  std::unordered_map<std::string, Json> server_tags;                 // server id -> {key: value}
  // Phones by server id, each server's in phone id order (the order of
  // ${phone.index}); read only when the scope involves [phones] blocks.
  std::unordered_map<std::string, std::vector<cloud::Phone>> phones;
  bool read_bandwidths = false, read_keypairs = false, read_tags = false, read_phones = false;

  bool reads(const std::string& type) const override;
  std::optional<Json> refreshed(const std::string& type, const std::string& cloud_id, const Json& recorded,
                                Overlay overlay = Overlay::all) const override;
  std::optional<FoundObject> find_created(const std::string& type, const std::set<std::string>& names,
                                          const std::set<std::string>& claimed, const Json& asked) const override;
  size_t size() const override { return servers.size(); }
  std::string noun() const override { return "servers"; }
  Json unmanaged(const std::set<std::string>& managed, const UnmanagedFilter& filter) const override;
};

// Reads what `scope` involves: servers always, the rest only when needed.
boost::asio::awaitable<std::unique_ptr<CphInventory>> read_inventory(cloud::CphClient& cloud,
                                                                      const RefreshScope& scope);

// A shared bandwidth in manifest terms (size, charge_mode, name).
Json bandwidth_live_attributes(const cloud::BandWidthInfo& b);

// Model changes within one generation, to a phone model of the new server
// model with as many phones (cph-api.md 3.12), checked against the
// service's server-models and phone-models lists.
boost::asio::awaitable<std::vector<std::string>> check_model_changes(cloud::CphClient& cloud,
                                                                    const std::vector<PlannedChange>& changes);

class CphProvider final : public Provider {
 public:
  CphProvider(std::unique_ptr<cloud::CphClient> cloud, std::string description)
      : cloud_(std::move(cloud)), description_(std::move(description)) {}

  std::string type() const override { return "cph"; }
  std::string description() const override { return description_; }
  void set_parallelism(int n) override { cloud_->set_parallelism(n); }
  boost::asio::awaitable<std::unique_ptr<Inventory>> refresh(const RefreshScope& scope) override;
  int64_t list_calls() const override;
  boost::asio::awaitable<std::vector<std::string>> check_changes(const std::vector<PlannedChange>& changes) override;
  // steps.cc.
  std::unique_ptr<StepRunner> runner(RunPlan plan, const Records& records, RunObserver& progress,
                                     PollPolicy poll) override;
  // cph_import.cc: servers only.
  boost::asio::awaitable<ImportedObject> read_object(const std::string& type, const std::string& cloud_id) override;
  boost::asio::awaitable<std::vector<ImportedObject>> list_objects(const std::string& type) override;
  boost::asio::awaitable<std::string> generated_block(const std::string& type, const std::string& label,
                                                      const std::string& name, std::optional<int> count,
                                                      const ImportedObject& sample) override;
  // phone_details.cc: the [phones] rows of imported servers' phones.
  boost::asio::awaitable<DependentImport> import_dependents(const std::vector<ImportedSet>& imported,
                                                            const std::vector<DependentBlock>& declared) override;
  // phone_details.cc: phone properties (5.2, one call per phone) against the rows.
  boost::asio::awaitable<DetailDrift> detail_drift(const std::vector<RecordedObject>& rows, bool read) override;

 private:
  std::unique_ptr<cloud::CphClient> cloud_;
  std::string description_;
};

}  // namespace cph::resources

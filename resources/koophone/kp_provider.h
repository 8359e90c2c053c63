// The koophone provider (issue 15; cph-api.md 14): KooPhone instances are
// bought outside the API and no call lists them, so a set is adopted by id
// and a refresh reads the status of exactly the ids the rows and blocks
// name (RefreshScope::adopted), 32 a call (14.6). Video settings cannot be
// read back: the state is the record of what was applied.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "resources/koophone/connect.h"
#include "resources/koophone/kp_client.h"
#include "resources/koophone/kp_status.h"
#include "resources/provider.h"

namespace cph::resources {

class KooPhoneProvider final : public Provider {
 public:
  KooPhoneProvider(std::unique_ptr<koophone::KooPhoneClient> client, std::string description);
  std::string type() const override { return "koophone"; }
  std::string description() const override { return description_; }
  void set_parallelism(int n) override { client_->set_parallelism(n); }
  boost::asio::awaitable<std::unique_ptr<Inventory>> refresh(const RefreshScope& scope) override;
  // Status queries (14.6): a refresh of N instances makes ceil(N/32).
  int64_t list_calls() const override;
  boost::asio::awaitable<std::vector<std::string>> check_changes(const std::vector<PlannedChange>& changes) override;
  std::unique_ptr<StepRunner> runner(RunPlan plan, const Records& records, RunObserver& progress,
                                     PollPolicy poll) override;
  // import koophone_instances.NAME ID1,ID2,...: the set of those instances,
  // each of which the status query must return.
  boost::asio::awaitable<ImportedObject> read_object(const std::string& type, const std::string& cloud_id) override;
  boost::asio::awaitable<std::vector<ImportedObject>> list_objects(const std::string& type) override;
  boost::asio::awaitable<std::string> generated_block(const std::string& type, const std::string& label,
                                                      const std::string& name, std::optional<int> count,
                                                      const ImportedObject& sample) override;
  koophone::KooPhoneClient& client() { return *client_; }

 private:
  std::unique_ptr<koophone::KooPhoneClient> client_;
  std::string description_;
  StatusBook statuses_;
};

// Throws cloud::CredentialError when no authentication applies.
std::unique_ptr<KooPhoneProvider> connect_koophone(boost::asio::any_io_executor executor,
                                                   koophone::ConnectSettings settings);

}  // namespace cph::resources

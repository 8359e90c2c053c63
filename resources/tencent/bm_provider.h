// The tencent_bm provider (issue 16; cph-api.md 13.3): Tencent Cloud bare
// metal, API 2.0. Its one resource type, bm_root_password, has nothing the
// API can read back (13.3 has no query of passwords, and DescribeDeviceList
// is not part of the seeds), so a refresh reads nothing and makes no call:
// the record is the truth, there is no drift, and import has nothing to
// import.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "cloud/http.h"
#include "cloud/proxy.h"
#include "resources/provider.h"
#include "resources/tencent/bm_client.h"

namespace cph::resources {

class TencentBmProvider final : public Provider {
 public:
  TencentBmProvider(std::unique_ptr<tencent::BmClient> client, std::string description);
  std::string type() const override { return "tencent_bm"; }
  std::string description() const override { return description_; }
  void set_parallelism(int) override {}  // one call per batch, steps one at a time per set
  boost::asio::awaitable<std::unique_ptr<Inventory>> refresh(const RefreshScope& scope) override;
  int64_t list_calls() const override { return 0; }
  boost::asio::awaitable<std::vector<std::string>> check_changes(const std::vector<PlannedChange>&) override;
  std::unique_ptr<StepRunner> runner(RunPlan plan, const Records& records, RunObserver& progress,
                                     PollPolicy poll) override;
  boost::asio::awaitable<ImportedObject> read_object(const std::string& type, const std::string& cloud_id) override;
  boost::asio::awaitable<std::vector<ImportedObject>> list_objects(const std::string& type) override;
  boost::asio::awaitable<std::string> generated_block(const std::string& type, const std::string& label,
                                                      const std::string& name, std::optional<int> count,
                                                      const ImportedObject& sample) override;
  tencent::BmClient& client() { return *client_; }

 private:
  std::unique_ptr<tencent::BmClient> client_;
  std::string description_;
};

// How cphform reaches the bare-metal API: the neutral settings the engine
// builds from a [provider] table of type tencent_bm.
struct TencentBmSettings {
  // "" -> https://bm.api.qcloud.com; else an http(s) URL (the emulator's).
  std::string endpoint;
  std::string region;  // "" -> TENCENTCLOUD_REGION; required
  // Set: these keys (the provider block's secret_id and secret_key, or the
  // embedded emulator's); else TENCENTCLOUD_SECRET_ID and
  // TENCENTCLOUD_SECRET_KEY, the names Tencent's own tools read.
  std::string secret_id;
  std::string secret_key;
  std::string key_source = "the provider block's secret_id";  // for people: where the given keys come from
  cloud::HttpOptions http;
  cloud::ProxySettings proxy;
};

// Throws std::runtime_error naming what is missing (credentials, region).
std::unique_ptr<TencentBmProvider> connect_tencent_bm(boost::asio::any_io_executor executor, TencentBmSettings settings);

}  // namespace cph::resources

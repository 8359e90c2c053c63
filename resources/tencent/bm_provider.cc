#include "resources/tencent/bm_provider.h"

#include <cstdlib>
#include <stdexcept>

#include "resources/tencent/bm_api.h"
#include "resources/tencent/bm_runner.h"

namespace cph::resources {

namespace {

// Nothing read: every record stays as it is.
class BmInventory final : public Inventory {
 public:
  bool reads(const std::string&) const override { return false; }
  std::optional<Json> refreshed(const std::string&, const std::string&, const Json& recorded, Overlay) const override {
    return recorded;
  }
  std::optional<FoundObject> find_created(const std::string&, const std::set<std::string>&,
                                          const std::set<std::string>&, const Json&) const override {
    return std::nullopt;
  }
  size_t size() const override { return 0; }
  std::string noun() const override { return "devices"; }
  Json unmanaged(const std::set<std::string>&, const UnmanagedFilter&) const override { return Json::array(); }
};

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

[[noreturn]] void no_import(const std::string& type) {
  throw std::runtime_error(type + " cannot be imported: nothing reads a password back (Tencent bare metal API). Declare "
                           "the block and apply it, which sets the password on its devices.");
}

}  // namespace

TencentBmProvider::TencentBmProvider(std::unique_ptr<tencent::BmClient> client, std::string description)
    : client_(std::move(client)), description_(std::move(description)) {}

boost::asio::awaitable<std::unique_ptr<Inventory>> TencentBmProvider::refresh(const RefreshScope&) {
  co_return std::make_unique<BmInventory>();
}

boost::asio::awaitable<std::vector<std::string>> TencentBmProvider::check_changes(const std::vector<PlannedChange>&) {
  co_return std::vector<std::string>{};
}

std::unique_ptr<StepRunner> TencentBmProvider::runner(RunPlan plan, const Records& records, RunObserver& progress,
                                                      PollPolicy poll) {
  return bm_step_runner(*client_, records, plan, progress, poll);
}

boost::asio::awaitable<ImportedObject> TencentBmProvider::read_object(const std::string& type, const std::string&) {
  no_import(type);
}

boost::asio::awaitable<std::vector<ImportedObject>> TencentBmProvider::list_objects(const std::string& type) {
  no_import(type);
}

boost::asio::awaitable<std::string> TencentBmProvider::generated_block(const std::string& type, const std::string&,
                                                                       const std::string&, std::optional<int>,
                                                                       const ImportedObject&) {
  no_import(type);
}

std::unique_ptr<TencentBmProvider> connect_tencent_bm(boost::asio::any_io_executor executor, TencentBmSettings s) {
  tencent::BmSettings bm;
  bm.endpoint = cloud::parse_url(s.endpoint.empty() ? "https://" + std::string(tencent::kBmHost) : s.endpoint);
  bm.region = s.region.empty() ? env("TENCENTCLOUD_REGION") : s.region;
  if (bm.region.empty())
    throw std::runtime_error("tencent_bm provider: no region; set region in its [provider] table or "
                             "TENCENTCLOUD_REGION (the common parameter Region, e.g. \"ap-guangzhou\")");
  std::string source = s.key_source;
  if (s.secret_id.empty()) {
    s.secret_id = env("TENCENTCLOUD_SECRET_ID");
    s.secret_key = env("TENCENTCLOUD_SECRET_KEY");
    source = "environment (TENCENTCLOUD_SECRET_ID)";
  }
  if (s.secret_id.empty() || s.secret_key.empty())
    throw std::runtime_error("tencent_bm provider: no credentials; set TENCENTCLOUD_SECRET_ID and "
                             "TENCENTCLOUD_SECRET_KEY");
  bm.secret_id = std::move(s.secret_id);
  bm.secret_key = std::move(s.secret_key);
  const std::string description = bm.endpoint.to_string() + " (region " + bm.region + ", credentials: " + source + ")";
  cloud::use_proxy_settings(s.proxy);
  auto transport = cloud::make_http_transport(executor, bm.endpoint, s.http);
  auto client = std::make_unique<tencent::BmClient>(std::move(transport), std::move(bm));
  return std::make_unique<TencentBmProvider>(std::move(client), description);
}

}  // namespace cph::resources

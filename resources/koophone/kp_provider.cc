#include "resources/koophone/kp_provider.h"

#include <stdexcept>

#include "resources/koophone/kp_runner.h"
#include "resources/koophone/kp_schema.h"

namespace cph::resources {

namespace {

constexpr const char* kType = "koophone_instances";

class KpInventory final : public Inventory {
 public:
  KpInventory(const StatusBook& statuses, bool read) : statuses_(statuses), read_(read) {}
  bool reads(const std::string& type) const override { return read_ && type == kType; }
  // A set never vanishes (its instances are not ours to release); its
  // `unavailable` is what the refresh saw of its recorded instances.
  std::optional<Json> refreshed(const std::string&, const std::string&, const Json& recorded, Overlay) const override {
    Json live = recorded;
    live["unavailable"] = statuses_.unavailable(instance_ids_of(recorded));
    return live;
  }
  std::optional<FoundObject> find_created(const std::string&, const std::set<std::string>&,
                                          const std::set<std::string>&, const Json&) const override {
    return std::nullopt;
  }
  size_t size() const override { return statuses_.asked.size(); }
  std::string noun() const override { return "instances"; }
  // No API lists instances: there is nothing unmanaged to report.
  Json unmanaged(const std::set<std::string>&, const UnmanagedFilter&) const override { return Json::array(); }
  // Adopted instances that are not running (a set's drift says the same of
  // recorded sets; this reaches a first plan too).
  std::vector<std::string> notices() const override {
    const std::vector<std::string> asked(statuses_.asked.begin(), statuses_.asked.end());
    const Json down = statuses_.unavailable(asked);
    if (down.empty()) return {};
    std::string list;
    size_t shown = 0;
    for (const auto& [id, status] : down.items()) {
      if (shown++ == 10) {
        list += ", and " + std::to_string(down.size() - 10) + " more";
        break;
      }
      list += (list.empty() ? "" : ", ") + id + " (" + status.get<std::string>() + ")";
    }
    return {std::to_string(down.size()) + " of " + std::to_string(asked.size()) +
            " KooPhone instances are not running: " + list +
            " (KooPhone API: Batch instance status query). They stay in their sets; drift reports them once recorded."};
  }

 private:
  const StatusBook& statuses_;
  bool read_;
};

std::vector<std::string> split_ids(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

void only_sets(const std::string& type) {
  if (type != kType) throw std::runtime_error("the koophone provider has no resource type " + type);
}

}  // namespace

KooPhoneProvider::KooPhoneProvider(std::unique_ptr<koophone::KooPhoneClient> client, std::string description)
    : client_(std::move(client)), description_(std::move(description)) {}

boost::asio::awaitable<std::unique_ptr<Inventory>> KooPhoneProvider::refresh(const RefreshScope& scope) {
  auto found = scope.adopted.find(kType);
  const bool involved = scope.involves(kType);
  if (involved && found != scope.adopted.end()) {
    std::vector<std::string> ids(found->second.begin(), found->second.end());
    const std::map<std::string, int> answer = co_await client_->query_status(ids);
    statuses_.add(ids, answer);
  }
  co_return std::make_unique<KpInventory>(statuses_, involved);
}

int64_t KooPhoneProvider::list_calls() const { return client_->calls("POST /v1/instances/batch-query-status"); }

// An id the status query did not return is not the tenant's (or does not
// exist): every call naming it would be refused whole (401
// KOOPHONE.API.1001), so the plan is refused before any call.
boost::asio::awaitable<std::vector<std::string>> KooPhoneProvider::check_changes(
    const std::vector<PlannedChange>& changes) {
  std::vector<std::string> problems;
  for (const PlannedChange& c : changes) {
    if (!c.after || !c.after->is_object()) continue;
    std::vector<std::string> unknown;
    for (const std::string& id : instance_ids_of(*c.after))
      if (statuses_.unknown(id)) unknown.push_back(id);
    if (unknown.empty()) continue;
    std::string list;
    for (const std::string& id : unknown) list += (list.empty() ? "" : ", ") + id;
    problems.push_back(c.address + ": KooPhone does not know instance" + (unknown.size() == 1 ? " " : "s ") + list +
                       " (the status query does not return " + (unknown.size() == 1 ? "it" : "them") +
                       ": not this account's, or no such instance; KooPhone API: Batch instance status query)");
  }
  co_return problems;
}

std::unique_ptr<StepRunner> KooPhoneProvider::runner(RunPlan plan, const Records& records, RunObserver& progress,
                                                     PollPolicy poll) {
  return koophone_step_runner(*client_, statuses_, records, plan, progress, poll);
}

boost::asio::awaitable<ImportedObject> KooPhoneProvider::read_object(const std::string& type, const std::string& cloud_id) {
  only_sets(type);
  const std::vector<std::string> ids = split_ids(cloud_id);
  if (ids.empty()) throw std::runtime_error("give the instance ids of the set, separated by commas: kp01,kp02");
  const std::map<std::string, int> answer = co_await client_->query_status(ids);
  statuses_.add(ids, answer);
  std::vector<std::string> unknown;
  for (const std::string& id : ids)
    if (statuses_.unknown(id)) unknown.push_back(id);
  if (!unknown.empty()) {
    std::string list;
    for (const std::string& id : unknown) list += (list.empty() ? "" : ", ") + id;
    throw std::runtime_error("KooPhone does not know instance " + list + " (KooPhone API: Batch instance status query)");
  }
  ImportedObject o;
  o.cloud_id = ids.front();
  o.attributes = {{"instance_ids", ids}, {"unavailable", statuses_.unavailable(ids)}};
  co_return o;
}

boost::asio::awaitable<std::vector<ImportedObject>> KooPhoneProvider::list_objects(const std::string& type) {
  only_sets(type);
  throw std::runtime_error("no KooPhone API lists instances, so import -filter cannot find them: import a set by its "
                           "ids, cphform import koophone_instances.NAME ID1,ID2,...");
}

boost::asio::awaitable<std::string> KooPhoneProvider::generated_block(const std::string& type, const std::string& label,
                                                                      const std::string&, std::optional<int>,
                                                                      const ImportedObject& sample) {
  only_sets(type);
  co_return "[" + type + "." + label + "]\ninstance_ids = " + sample.attributes.value("instance_ids", Json::array()).dump() +
      "\n# TODO: video_settings cannot be read back (KooPhone API); declare the ones you want applied\n";
}

std::unique_ptr<KooPhoneProvider> connect_koophone(boost::asio::any_io_executor executor,
                                                   koophone::ConnectSettings settings) {
  koophone::Connection c = koophone::connect(executor, std::move(settings));
  return std::make_unique<KooPhoneProvider>(std::move(c.client), c.description);
}

}  // namespace cph::resources

// ADB commands: cph-api.md 7.0 (common rules), 7.1-7.4 (push, install,
// uninstall, asynchronous shell: one job per phone) and 7.5 (synchronous
// shell: finished jobs answered inline).
#include <nlohmann/json.hpp>

#include "emulator/api.h"
#include "emulator/batch_validate.h"
#include "emulator/phone_validate.h"

namespace cph::emulator {
namespace {
using nlohmann::json;
using ojson = nlohmann::ordered_json;

// Phones reached through server_ids in one call (CPS.0190, A-46: emulator's limit).
constexpr size_t kMaxAdbPhones = 2000;
constexpr size_t kMaxApks = 50;  // 7.2 install-multiple

// 7.0: letters, digits, _ . / : - and the space.
bool content_chars(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '/' || c == ':' || c == '-' || c == ' ';
  });
}

std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

// obs://bucket/path: the bucket follows the 3.7 rule and the path is not empty.
bool obs_url(std::string_view s) {
  if (s.substr(0, 6) != "obs://") return false;
  std::string_view rest = s.substr(6);
  size_t slash = rest.find('/');
  return slash != std::string_view::npos && valid_bucket_name(rest.substr(0, slash)) && slash + 1 < rest.size();
}

// 7.0-7.4 command/content rules; nullopt when valid.
std::optional<ApiError> check_command(const std::string& command, const std::string& content) {
  const size_t max = command == "install-multiple" ? 8100 : 1024;
  if (content.empty() || content.size() > max || !content_chars(content) || words(content).empty())
    return ApiError::cps("CPS.0118");
  if (command == "push") {  // exactly one obs://bucket/path.tar
    std::vector<std::string> w = words(content);
    if (w.size() != 1 || !obs_url(w[0]) || !w[0].ends_with(".tar")) return ApiError::cps("CPS.0118");
  } else if (command == "install" || command == "install-multiple") {
    // adb install options ("-t -r") and the OBS URLs of the APKs.
    size_t urls = 0;
    for (const std::string& w : words(content)) {
      if (w.front() == '-') continue;
      if (!obs_url(w)) return ApiError::cps("CPS.0118");
      if (!w.ends_with(".apk")) return ApiError::cps("CPS.0119");
      ++urls;
    }
    if (urls == 0 || (command == "install" && urls != 1) || urls > kMaxApks) return ApiError::cps("CPS.0118");
  }
  return std::nullopt;
}

struct Targets {
  std::vector<std::string> phone_ids;
  std::vector<std::string> unknown_servers;  // answered per item with CPS.0015
};

// 7.0 target selection: phone_ids wins; else every phone of server_ids.
std::variant<Targets, ApiError> targets(const ApiCall& c, const json& body) {
  Targets t;
  if (member(body, "phone_ids")) {
    auto ids = parse_phone_ids(body, "phone_ids");
    if (auto* e = std::get_if<ApiError>(&ids)) return *e;
    t.phone_ids = std::get<std::vector<std::string>>(ids);
    return t;
  }
  if (!member(body, "server_ids")) return ApiError::cps("CPS.0081");
  auto ids = parse_server_ids(body);
  if (auto* e = std::get_if<ApiError>(&ids)) return *e;
  for (const std::string& id : std::get<std::vector<std::string>>(ids)) {
    const Server* s = c.world.find_server(c.caller.project_id, id);
    if (!s) {
      t.unknown_servers.push_back(id);
      continue;
    }
    for (int i = 0, n = c.world.phone_count(*s); i < n; ++i) {
      t.phone_ids.push_back(c.world.phone_at(*s, i).id);
      if (t.phone_ids.size() > kMaxAdbPhones) return ApiError::cps("CPS.0190");
    }
  }
  return t;
}

// command and content, common to 7.1-7.5; `allowed` lists the commands.
std::variant<std::pair<std::string, std::string>, ApiError> command_and_content(
    const json& body, std::initializer_list<const char*> allowed) {
  const json* command = member(body, "command");
  if (!command || !command->is_string() ||
      std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return *command == a; }))
    return ApiError::cps("CPS.0117");
  const json* content = member(body, "content");
  if (!content || !content->is_string()) return ApiError::cps("CPS.0118");
  if (auto e = check_command(command->get<std::string>(), content->get<std::string>())) return *e;
  return std::make_pair(command->get<std::string>(), content->get<std::string>());
}

// 7.1-7.4 POST /v1/{project_id}/cloud-phone/phones/commands
HttpResponse commands(const ApiCall& c) {
  json body = body_object(c.request);
  auto cc = command_and_content(body, {"push", "install", "install-multiple", "uninstall", "shell"});
  if (auto* e = std::get_if<ApiError>(&cc)) return cps_error(c.request_id, *e);
  auto t = targets(c, body);
  if (auto* e = std::get_if<ApiError>(&t)) return cps_error(c.request_id, *e);
  const auto& [command, content] = std::get<0>(cc);
  std::string op = "adb_" + command;
  if (command == "install-multiple") op = "adb_install_multiple";
  const std::string arg = json{{"content", content}}.dump();
  std::vector<BatchItem> items;
  for (const std::string& id : std::get<Targets>(t).unknown_servers) {
    BatchItem item;
    item.server_id = id;
    item.error = ApiError::cps("CPS.0015");
    items.push_back(std::move(item));
  }
  for (const std::string& id : std::get<Targets>(t).phone_ids) items.push_back(adb_phone_item(c, id, op, arg));
  return batch_jobs_response(c, items);
}

// 7.5 POST /v1/{project_id}/cloud-phone/phones/sync-commands
HttpResponse sync_commands(const ApiCall& c) {
  json body = body_object(c.request);
  auto cc = command_and_content(body, {"shell"});
  if (auto* e = std::get_if<ApiError>(&cc)) return cps_error(c.request_id, *e);
  auto t = targets(c, body);
  if (auto* e = std::get_if<ApiError>(&t)) return cps_error(c.request_id, *e);
  // over the rate limit -> 400 CPS.0042 "System busy." (nothing runs).
  if (!c.world.admit_sync_command(c.caller.access_key)) return cps_error(c.request_id, ApiError::cps("CPS.0042"));
  const std::string& content = std::get<0>(cc).second;
  const std::string arg = json{{"content", content}}.dump();
  std::vector<BatchItem> items;
  for (const std::string& id : std::get<Targets>(t).unknown_servers) {
    BatchItem item;
    item.server_id = id;
    item.error = ApiError::cps("CPS.0015");
    items.push_back(std::move(item));
  }
  for (const std::string& id : std::get<Targets>(t).phone_ids) {
    BatchItem item = adb_phone_item(c, id, "adb_shell_sync", arg);
    if (!item.error) {
      // Finished now: success with the emulated output, or (failure draw)
      // -1 with the example's CPS.0191 "Run command failed.".
      World::JobSpec& j = item.job;
      if (c.world.draw_job_failure()) {
        j.final_status = job_status::failed;
        j.error_code = "CPS.0191";
        j.error_msg = "Run command failed.";
      } else {
        j.final_status = job_status::success;
        j.execute_msg = emulated_shell(*c.world.find_phone(c.caller.project_id, id), content).substr(0, 1024);
      }
    }
    items.push_back(std::move(item));
  }
  std::vector<World::JobSpec> specs;
  for (const BatchItem& i : items)
    if (!i.error) specs.push_back(i.job);
  std::vector<std::string> job_ids = c.world.start_jobs(c.caller.project_id, c.request_id, specs);
  ojson jobs = ojson::array();
  size_t next = 0;
  for (const BatchItem& i : items) {
    ojson item;
    if (i.phone) item["phone_id"] = i.phone_id;
    else item["server_id"] = i.server_id;
    if (i.error) {
      item["error_code"] = i.error->code;
      item["error_msg"] = i.error->message;
    } else {
      item["job_id"] = job_ids.at(next++);
      item["status"] = *i.job.final_status;
      item["error_code"] = i.job.error_code;
      item["error_msg"] = i.job.error_msg;
      item["execute_msg"] = i.job.execute_msg;
    }
    jobs.push_back(std::move(item));
  }
  return json_response(200, ojson{{"request_id", c.request_id}, {"jobs", std::move(jobs)}});
}
}  // namespace

std::vector<RouteDef> adb_routes() {
  return {
      {"POST", "/v1/{project_id}/cloud-phone/phones/commands", commands},
      {"POST", "/v1/{project_id}/cloud-phone/phones/sync-commands", sync_commands},
  };
}

}  // namespace cph::emulator

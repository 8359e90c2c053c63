// Job-producing server endpoints: cph-api.md 3.5 (batch restart), 3.7-3.9
// (shared-storage files), 3.10-3.11 (shared apps) and 6.3 (key pair
// open-access). Request-level problems are 4xx; per-server problems are
// items of `jobs` with error_code/error_msg and no job (11.3).
#include <nlohmann/json.hpp>

#include "emulator/api.h"
#include "emulator/batch_validate.h"

namespace cph::emulator {
namespace {
using nlohmann::json;

// One item per server: unknown (or another project's) server -> CPS.0015;
// unsubscribed or not normal (status 5) -> not_ready_code; else a job.
std::vector<BatchItem> server_items(const ApiCall& c, const std::vector<std::string>& ids, const std::string& operation,
                                    const std::string& argument, std::string_view not_ready_code) {
  std::vector<BatchItem> items;
  for (const std::string& id : ids) {
    BatchItem item;
    item.server_id = id;
    const Server* s = c.world.find_server(c.caller.project_id, id);
    if (!s)
      item.error = ApiError::cps("CPS.0015");
    else if (s->status != 5 || !s->unsubscribe_order_id.empty())
      item.error = ApiError::cps(not_ready_code);
    else if (operation == "restart_server" && c.world.running_job(id, "change_server"))
      item.error = ApiError::cps("CPS.1105");  // restart stopped during server change
    else
      item.job = {id, "", operation, argument, std::nullopt, "", "", ""};
    items.push_back(std::move(item));
  }
  return items;
}

#define TRY_IDS(var, expr)                                                  \
  auto var##_v = (expr);                                                    \
  if (auto* e = std::get_if<ApiError>(&var##_v)) return cps_error(c.request_id, *e); \
  const std::vector<std::string>& var = std::get<std::vector<std::string>>(var##_v)

// A required string member checked with `valid`, else `code`.
std::optional<std::string> checked_string(const json& body, std::string_view name, bool (*valid)(std::string_view)) {
  const json* v = member(body, name);
  if (!v || !v->is_string() || !valid(v->get_ref<const std::string&>())) return std::nullopt;
  return v->get<std::string>();
}

// 3.5 POST /v1/{project_id}/cloud-phone/servers/batch-restart
HttpResponse restart_servers(const ApiCall& c) {
  json body = body_object(c.request);
  TRY_IDS(ids, parse_server_ids(body));
  return batch_jobs_response(c, server_items(c, ids, "restart_server", "", "CPS.0158"));
}

// 3.7 POST .../phones/share-files (bucket_name, object_path, server_ids).
HttpResponse push_share_files(const ApiCall& c, const json& body) {
  auto bucket = checked_string(body, "bucket_name", valid_bucket_name);
  if (!bucket) return cps_error(c.request_id, ApiError::cps("CPS.0134"));
  auto path = checked_string(body, "object_path", valid_object_path);
  if (!path) return cps_error(c.request_id, ApiError::cps("CPS.0135"));
  TRY_IDS(ids, parse_server_ids(body));
  const std::string argument = json{{"bucket_name", *bucket}, {"object_path", *path}}.dump();
  return batch_jobs_response(c, server_items(c, ids, "push_share_files", argument, "CPS.0099"));
}

// 3.9 delete shared-storage files (server_ids, file_paths).
HttpResponse delete_share_files(const ApiCall& c) {
  json body = body_object(c.request);
  TRY_IDS(ids, parse_server_ids(body));
  const json* paths = member(body, "file_paths");
  if (!paths || !paths->is_array() || paths->empty()) return cps_error(c.request_id, ApiError::cps("CPS.0155"));
  std::string joined;
  for (const json& p : *paths) {
    if (!p.is_string() || !valid_file_path(p.get_ref<const std::string&>()))
      return cps_error(c.request_id, ApiError::cps("CPS.0155"));
    joined += (joined.empty() ? "" : ",") + p.get<std::string>();
  }
  return batch_jobs_response(c, server_items(c, ids, "delete_share_files", joined, "CPS.0099"));
}

// 3.7 / 3.9 POST .../phones/share-files: A-5, a body with file_paths is a delete.
HttpResponse post_share_files(const ApiCall& c) {
  json body = body_object(c.request);
  if (member(body, "file_paths")) return delete_share_files(c);
  return push_share_files(c, body);
}

// 3.8 GET /v1/{project_id}/cloud-phone/servers/share-files?path=&server_ids=
HttpResponse query_share_files(const ApiCall& c) {
  QueryParams q(c.request.query());
  std::optional<PageWindow> page = page_window(q);
  if (!page) return cps_error(c.request_id, ApiError::cps("CPS.0002"));
  TRY_IDS(ids, parse_server_id_list(q.get("server_ids")));
  std::optional<std::string> path = q.get("path");
  if (!path || !valid_share_path(*path)) return cps_error(c.request_id, ApiError::cps("CPS.0199"));
  // Paging applies to the servers (one job each).
  std::vector<std::string> window;
  for (int64_t i = page->offset; i < static_cast<int64_t>(ids.size()) && i < page->offset + page->limit; ++i)
    window.push_back(ids[static_cast<size_t>(i)]);
  return batch_jobs_response(c, server_items(c, window, "query_share_files", *path, "CPS.0099"));
}

// 3.10 POST /v1/{project_id}/cloud-phone/phones/share-apps
HttpResponse push_share_apps(const ApiCall& c) {
  json body = body_object(c.request);
  auto package = checked_string(body, "package_name", valid_package_name);
  if (!package) return cps_error(c.request_id, ApiError::cps("CPS.0173"));
  const json* pre = member(body, "pre_install_app");
  if (pre && !(pre->is_number_integer() && (pre->get<int64_t>() == 0 || pre->get<int64_t>() == 1)))
    return cps_error(c.request_id, ApiError::cps("CPS.0148"));
  auto bucket = checked_string(body, "bucket_name", valid_bucket_name);
  if (!bucket) return cps_error(c.request_id, ApiError::cps("CPS.0134"));
  auto path = checked_string(body, "object_path", valid_object_path);
  if (!path) return cps_error(c.request_id, ApiError::cps("CPS.0135"));
  TRY_IDS(ids, parse_server_ids(body));
  // What the job records on each server when it succeeds (server_job_effects.cc).
  const std::string argument = json{{"package_name", *package},
                                    {"bucket_name", *bucket},
                                    {"object_path", *path},
                                    {"pre_install_app", pre ? pre->get<int>() : 0}}
                                   .dump();
  return batch_jobs_response(c, server_items(c, ids, "push_share_apps", argument, "CPS.0099"));
}

// 3.11 DELETE /v1/{project_id}/cloud-phone/phones/share-apps (with a body)
HttpResponse delete_share_apps(const ApiCall& c) {
  json body = body_object(c.request);
  auto package = checked_string(body, "package_name", valid_package_name);
  if (!package) return cps_error(c.request_id, ApiError::cps("CPS.0173"));
  TRY_IDS(ids, parse_server_ids(body));
  return batch_jobs_response(c, server_items(c, ids, "delete_share_apps", *package, "CPS.0099"));
}

// 6.3 PUT /v1/{project_id}/cloud-phone/servers/open-access
HttpResponse open_access(const ApiCall& c) {
  json body = body_object(c.request);
  const json* servers = member(body, "servers");
  if (!servers || !servers->is_array()) return cps_error(c.request_id, ApiError::cps("CPS.0094"));
  if (servers->empty()) return cps_error(c.request_id, ApiError::cps("CPS.0095"));
  if (servers->size() > kMaxBatchServers) return cps_error(c.request_id, ApiError::cps("CPS.0096"));
  std::vector<BatchItem> items;
  for (const json& entry : *servers) {
    if (!entry.is_object()) return cps_error(c.request_id, ApiError::cps("CPS.0094"));
    const json* id = member(entry, "server_id");
    if (!id || !id->is_string() || id->get_ref<const std::string&>().empty() ||
        id->get_ref<const std::string&>().size() > 32)
      return cps_error(c.request_id, ApiError::cps("CPS.0097"));
    const json* key = member(entry, "keypair_name");
    if (!key || !key->is_string() || key->get_ref<const std::string&>().empty())
      return cps_error(c.request_id, ApiError::cps("CPS.0068"));
    // Unknown key pair (KPS): request-level CPS.0067 "Keypair could not found.".
    if (key->get_ref<const std::string&>().size() > 64 ||
        !c.world.find_keypair(c.caller.project_id, key->get_ref<const std::string&>()))
      return cps_error(c.request_id, ApiError::cps("CPS.0067"));
    std::vector<BatchItem> one =
        server_items(c, {id->get<std::string>()}, "open_access", key->get<std::string>(), "CPS.0098");
    items.push_back(std::move(one.front()));
  }
  return batch_jobs_response(c, items);
}
}  // namespace

std::vector<RouteDef> server_jobs_routes() {
  return {
      {"POST", "/v1/{project_id}/cloud-phone/servers/batch-restart", restart_servers},
      {"POST", "/v1/{project_id}/cloud-phone/phones/share-files", post_share_files},
      {"DELETE", "/v1/{project_id}/cloud-phone/phones/share-files", delete_share_files},
      {"GET", "/v1/{project_id}/cloud-phone/servers/share-files", query_share_files},
      {"POST", "/v1/{project_id}/cloud-phone/phones/share-apps", push_share_apps},
      {"DELETE", "/v1/{project_id}/cloud-phone/phones/share-apps", delete_share_apps},
      {"PUT", "/v1/{project_id}/cloud-phone/servers/open-access", open_access},
  };
}

}  // namespace cph::emulator

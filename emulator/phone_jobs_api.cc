// Job-producing phone endpoints: cph-api.md 5.5 (reset), 5.6 (restart), 5.7
// (stop), 5.9 (update properties), 5.10 (export data), 5.11 (restore data)
// and 5.12 (traffic redirection). Request-level problems are 4xx; per-phone
// problems are items of `jobs` with error_code/error_msg and no job (11.3).
#include <nlohmann/json.hpp>

#include "emulator/api.h"
#include "emulator/batch_validate.h"
#include "emulator/phone_validate.h"

namespace cph::emulator {
namespace {
using nlohmann::json;

#define TRY(var, expr)                                                                 \
  auto var##_v = (expr);                                                               \
  if (auto* e = std::get_if<ApiError>(&var##_v)) return cps_error(c.request_id, *e); \
  auto& var = std::get<0>(var##_v)

// Which phone statuses an operation accepts (5.0; 11.2 transitions).
bool accepts(const std::string& op, int status) {
  if (op == "reset_phone") return status == phone_status::running || status == phone_status::stopped;
  if (op == "restart_phone")  // also starts a stopped phone and recovers a failed one (5.6)
    return status == phone_status::running || status == phone_status::stopped || status == phone_status::reset_failed ||
           status == phone_status::restart_failed || status == phone_status::abnormal ||
           status == phone_status::stop_failed;
  return status == phone_status::running;
}

// One item per phone: a phone id that is empty or longer than 32 bytes ->
// CPS.0004; unknown (or another project's) -> CPS.0005; in a status the
// operation does not accept, or on an unsubscribed server -> CPS.0165
// (reset, restart) or CPS.0141 (the others); else a job.
BatchItem phone_item(const ApiCall& c, const std::string& id, const std::string& op, const std::string& argument) {
  BatchItem item;
  item.phone = true;
  item.phone_id = id;
  if (id.empty() || id.size() > 32) {
    item.error = ApiError::cps("CPS.0004");
    return item;
  }
  std::optional<Phone> p = c.world.find_phone(c.caller.project_id, id);
  if (!p) {
    item.error = ApiError::cps("CPS.0005");
    return item;
  }
  const Server* s = c.world.find_server(c.caller.project_id, p->server_id);
  if (!accepts(op, p->status) || !s->unsubscribe_order_id.empty()) {
    item.error = ApiError::cps(op == "reset_phone" || op == "restart_phone" ? "CPS.0165" : "CPS.0141");
    return item;
  }
  item.server_id = p->server_id;
  item.job = {p->server_id, id, op, argument, std::nullopt, "", "", ""};
  return item;
}

// 5.5 / 5.6 / 5.9: {"phones": [{"phone_id", "property"}], "image_id"}.
HttpResponse phones_with_properties(const ApiCall& c, const std::string& op) {
  json body = body_object(c.request);
  std::string image_id;
  if (op != "update_phone_property") {
    if (const json* img = member(body, "image_id")) {
      if (img->is_string() && img->get_ref<const std::string&>().empty())
        return cps_error(c.request_id, ApiError::cps("CPS.0029"));
      if (!img->is_string() || !c.catalog.image(img->get_ref<const std::string&>()))
        return cps_error(c.request_id, ApiError::cps("CPS.0030"));
      image_id = img->get<std::string>();
    }
  }
  const json* phones = member(body, "phones");
  if (!phones || (phones->is_array() && phones->empty())) return cps_error(c.request_id, ApiError::cps("CPS.0081"));
  if (!phones->is_array()) return cps_error(c.request_id, ApiError::cps("CPS.0080"));
  if (phones->size() > kMaxBatchPhones) return cps_error(c.request_id, ApiError::cps("CPS.0209"));
  std::vector<std::pair<std::string, std::string>> wanted;  // phone id, property text
  for (const json& entry : *phones) {
    const json* id = member(entry, "phone_id");
    if (!entry.is_object() || !id || !id->is_string()) return cps_error(c.request_id, ApiError::cps("CPS.0080"));
    const json* prop = member(entry, "property");
    if (!prop && op == "update_phone_property") return cps_error(c.request_id, ApiError::cps("CPS.0078"));
    if (prop)
      if (std::optional<ApiError> e = check_property(*prop)) return cps_error(c.request_id, *e);
    wanted.emplace_back(id->get<std::string>(), prop ? prop->get<std::string>() : std::string());
  }
  std::vector<BatchItem> items;
  std::vector<std::string> seen;
  for (const auto& [id, prop] : wanted) {
    if (std::find(seen.begin(), seen.end(), id) != seen.end()) continue;  // answered once
    seen.push_back(id);
    json arg = {{"property", prop}};
    if (!image_id.empty()) arg["image_id"] = image_id;
    items.push_back(phone_item(c, id, op, arg.dump()));
  }
  return batch_jobs_response(c, items);
}

HttpResponse batch_reset(const ApiCall& c) { return phones_with_properties(c, "reset_phone"); }
HttpResponse restart_phones(const ApiCall& c) { return phones_with_properties(c, "restart_phone"); }
HttpResponse batch_update_property(const ApiCall& c) { return phones_with_properties(c, "update_phone_property"); }

// 5.7 POST .../phones/batch-stop {"phone_ids": [...]}
HttpResponse batch_stop(const ApiCall& c) {
  json body = body_object(c.request);
  TRY(ids, parse_phone_ids(body, "phone_ids"));
  std::vector<BatchItem> items;
  for (const std::string& id : ids) items.push_back(phone_item(c, id, "stop_phone", "{}"));
  return batch_jobs_response(c, items);
}

// 5.12 POST .../phones-traffic {"traffic_type", "phone_ids"}
HttpResponse traffic(const ApiCall& c) {
  json body = body_object(c.request);
  const json* type = member(body, "traffic_type");
  if (!type || !type->is_string() || (*type != "direct" && *type != "routing"))
    return cps_error(c.request_id, ApiError::cps("CPS.0207"));
  TRY(ids, parse_phone_ids(body, "phone_ids"));
  const std::string arg = json{{"traffic_type", *type}}.dump();
  std::vector<BatchItem> items;
  for (const std::string& id : ids) items.push_back(phone_item(c, id, "set_phone_traffic", arg));
  return batch_jobs_response(c, items);
}

// Validates a list member of 5.10/5.11: a non-empty array of objects with a
// string phone_id, at most kMaxBatchPhones entries.
std::optional<ApiError> check_infos(const json* infos, const char* invalid, const char* too_many) {
  if (!infos || !infos->is_array() || infos->empty()) return ApiError::cps(invalid);
  if (infos->size() > kMaxBatchPhones) return ApiError::cps(too_many);
  for (const json& e : *infos) {
    const json* id = member(e, "phone_id");
    if (!e.is_object() || !id || !id->is_string()) return ApiError::cps(invalid);
  }
  return std::nullopt;
}

std::optional<ApiError> check_paths(const json* paths, bool required, const char* code) {
  if (!paths) return required ? std::optional<ApiError>(ApiError::cps(code)) : std::nullopt;
  if (!paths->is_array() || (required && paths->empty())) return ApiError::cps(code);
  for (const json& p : *paths)
    if (!p.is_string() || !valid_export_path(p.get_ref<const std::string&>())) return ApiError::cps(code);
  return std::nullopt;
}

// 5.10 POST .../phones/batch-storage {"storage_infos": [...]}
HttpResponse batch_export(const ApiCall& c) {
  json body = body_object(c.request);
  const json* infos = member(body, "storage_infos");
  if (auto e = check_infos(infos, "CPS.0167", "CPS.0170")) return cps_error(c.request_id, *e);
  std::vector<BatchItem> items;
  for (const json& info : *infos) {
    if (auto e = check_paths(member(info, "include_files"), true, "CPS.0168")) return cps_error(c.request_id, *e);
    if (auto e = check_paths(member(info, "exclude_files"), false, "CPS.0169")) return cps_error(c.request_id, *e);
    const json* bucket = member(info, "bucket_name");
    if (!bucket || !bucket->is_string() || !valid_bucket_name(bucket->get_ref<const std::string&>()))
      return cps_error(c.request_id, ApiError::cps("CPS.0134"));
    const json* path = member(info, "object_path");
    if (!path || !path->is_string() || !valid_export_object_path(path->get_ref<const std::string&>()))
      return cps_error(c.request_id, ApiError::cps("CPS.0135"));
    json arg = {{"bucket_name", *bucket}, {"object_path", *path}, {"include_files", info["include_files"]}};
    items.push_back(phone_item(c, info["phone_id"].get<std::string>(), "export_phone_data", arg.dump()));
  }
  return batch_jobs_response(c, items);
}

// 5.11 POST .../phones/batch-restore {"restore_infos": [...]}
HttpResponse batch_restore(const ApiCall& c) {
  json body = body_object(c.request);
  const json* infos = member(body, "restore_infos");
  if (auto e = check_infos(infos, "CPS.0171", "CPS.0171")) return cps_error(c.request_id, *e);
  std::vector<BatchItem> items;
  for (const json& info : *infos) {
    const json* bucket = member(info, "bucket_name");
    if (!bucket || !bucket->is_string() || !valid_bucket_name(bucket->get_ref<const std::string&>()))
      return cps_error(c.request_id, ApiError::cps("CPS.0134"));
    // No character list is given here (5.11): 1-1024 bytes without control characters.
    const json* path = member(info, "object_path");
    const bool path_ok = path && path->is_string() && !path->get_ref<const std::string&>().empty() &&
                         path->get_ref<const std::string&>().size() <= 1024 &&
                         std::none_of(path->get_ref<const std::string&>().begin(), path->get_ref<const std::string&>().end(),
                                      [](char ch) { return static_cast<unsigned char>(ch) < 0x20; });
    if (!path_ok) return cps_error(c.request_id, ApiError::cps("CPS.0135"));
    json arg = {{"bucket_name", *bucket}, {"object_path", *path}};
    items.push_back(phone_item(c, info["phone_id"].get<std::string>(), "restore_phone_data", arg.dump()));
  }
  return batch_jobs_response(c, items);
}
}  // namespace

// Shared with adb_api.cc.
BatchItem adb_phone_item(const ApiCall& c, const std::string& id, const std::string& op, const std::string& argument) {
  return phone_item(c, id, op, argument);
}

std::vector<RouteDef> phone_jobs_routes() {
  return {
      {"POST", "/v1/{project_id}/cloud-phone/phones/batch-reset", batch_reset},
      {"POST", "/v1/{project_id}/cloud-phone/phones/batch-restart", restart_phones},
      {"POST", "/v1/{project_id}/cloud-phone/phones/batch-stop", batch_stop},
      {"POST", "/v1/{project_id}/cloud-phone/phones/batch-update-property", batch_update_property},
      {"POST", "/v1/{project_id}/cloud-phone/phones/batch-storage", batch_export},
      {"POST", "/v1/{project_id}/cloud-phone/phones/batch-restore", batch_restore},
      {"POST", "/v1/{project_id}/cloud-phone/phones-traffic", traffic},
  };
}

}  // namespace cph::emulator

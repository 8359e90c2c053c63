// Server changes: cph-api.md 3.6 (change/switch a server: one job), 3.12
// (change server model: an order) and 4.2 (shared bandwidth size:
// synchronous).
#include <nlohmann/json.hpp>

#include "emulator/api.h"
#include "emulator/batch_validate.h"
#include "emulator/validate.h"

namespace cph::emulator {
namespace {
using nlohmann::json;
using ojson = nlohmann::ordered_json;

// The generation of a server model: the token after "physical."
// ("physical.rx1.xlarge.special" -> "rx1").
std::string generation(std::string_view model) {
  std::string_view rest = model.substr(model.find('.') == std::string_view::npos ? model.size() : model.find('.') + 1);
  return std::string(rest.substr(0, rest.find('.')));
}

bool allowed(const Options& o, std::string_view model) {
  for (const std::string& m : o.change_model_allow_list)
    if (m == model) return true;
  return false;
}

// 3.6 POST /v2/{project_id}/cloud-phone/servers/{server_id}/change
HttpResponse change_server(const ApiCall& c) {
  const std::string& project = c.caller.project_id;
  // The server first: its model decides which phone models are valid.
  const Server* s = c.world.find_server(project, c.match.param("server_id"));
  if (!s) return cps_error(c.request_id, ApiError::cps("CPS.0015"));
  // Table 5-42 is the purchase table without name/model/count/AZ and with a
  // reduced extend_param: validate it as a purchase of one server of this
  // server's model (same codes).
  json body = body_object(c.request);
  json as_purchase = body;
  as_purchase["server_name"] = "change";
  as_purchase["server_model_name"] = s->server_model_name;
  as_purchase["count"] = 1;
  as_purchase.erase("availability_zone");
  json extend = {{"charging_mode", 0}, {"period_type", 2}, {"period_num", 1}, {"is_auto_pay", 1}};
  if (const json* e = member(body, "extend_param")) {
    if (!e->is_object()) return cps_error(c.request_id, ApiError::cps("CPS.0055"));
    if (const json* ep = member(*e, "enterprise_project_id")) extend["enterprise_project_id"] = *ep;
  }
  as_purchase["extend_param"] = extend;
  auto lookup = [&](std::string_view id) { return c.world.find_bandwidth(project, id); };
  auto validated = validate_purchase(as_purchase, c.catalog, lookup);
  if (auto* e = std::get_if<ApiError>(&validated)) return cps_error(c.request_id, *e);
  const PurchaseRequest& r = std::get<PurchaseRequest>(validated);
  if (!r.keypair_name.empty() && !c.world.find_keypair(project, r.keypair_name))
    return cps_error(c.request_id, ApiError::cps("CPS.0067"));
  // State rules (3.6 related errors).
  if (!s->unsubscribe_order_id.empty()) return cps_error(c.request_id, ApiError::cps("CPS.1104"));
  if (s->status != 5 || c.world.running_job(s->id, "change_server") || c.world.pending_change(s->id))
    return cps_error(c.request_id, ApiError::cps("CPS.1102"));
  const Order* bought = c.world.find_order(project, s->order_id);
  if (!bought || bought->status != order_status::completed) return cps_error(c.request_id, ApiError::cps("CPS.1103"));
  std::string argument = r.phone_model->name + "\n" + r.image->image_id + "\n" + r.keypair_name;
  std::vector<std::string> ids = c.world.start_jobs(project, c.request_id, {{s->id, "", "change_server", argument, std::nullopt, "", "", ""}});
  return json_response(200, ojson{{"request_id", c.request_id}, {"server_id", s->id}, {"job_id", ids.front()}});
}

// A required string: missing/"" -> empty_code; not a string or > 64 bytes -> invalid_code.
std::variant<std::string, ApiError> string_field(const json& body, std::string_view name, std::string_view empty_code,
                                                 std::string_view invalid_code) {
  const json* v = member(body, name);
  if (!v || (v->is_string() && v->get_ref<const std::string&>().empty())) return ApiError::cps(empty_code);
  if (!v->is_string() || v->get_ref<const std::string&>().size() > 64) return ApiError::cps(invalid_code);
  return v->get<std::string>();
}

// 3.12 POST /v1/{project_id}/cloud-phone/servers/change-server-model
HttpResponse change_server_model(const ApiCall& c) {
  const std::string& project = c.caller.project_id;
  json body = body_object(c.request);
  const json* id = member(body, "server_id");
  if (!id || !id->is_string() || id->get_ref<const std::string&>().empty())
    return cps_error(c.request_id, ApiError::cps("CPS.0097"));
  auto model_name = string_field(body, "server_model_name", "CPS.0088", "CPS.0089");
  if (auto* e = std::get_if<ApiError>(&model_name)) return cps_error(c.request_id, *e);
  auto phone_name = string_field(body, "phone_model_name", "CPS.0027", "CPS.0028");
  if (auto* e = std::get_if<ApiError>(&phone_name)) return cps_error(c.request_id, *e);
  bool auto_pay = false;
  if (const json* e = member(body, "extend_param")) {
    if (!e->is_object()) return cps_error(c.request_id, ApiError::cps("CPS.0055"));
    if (const json* p = member(*e, "is_auto_pay")) {
      if (!p->is_number_integer() || (p->get<int64_t>() != 0 && p->get<int64_t>() != 1))
        return cps_error(c.request_id, ApiError::cps("CPS.0060"));
      auto_pay = p->get<int64_t>() == 1;
    }
  }
  const ServerModel* target = c.catalog.server_model(std::get<std::string>(model_name));
  if (!target) return cps_error(c.request_id, ApiError::cps("CPS.0246"));
  const PhoneModel* pm = c.catalog.phone_model(std::get<std::string>(phone_name));
  if (!pm) return cps_error(c.request_id, ApiError::cps("CPS.0028"));
  const Server* s = c.world.find_server(project, id->get_ref<const std::string&>());
  if (!s) return cps_error(c.request_id, ApiError::cps("CPS.0015"));
  if (s->server_model_name == target->name) return cps_error(c.request_id, ApiError::cps("CPS.0250"));
  // the allow-list decides which servers may change and the targets.
  if (!allowed(c.options, s->server_model_name) || s->status != 5 || !s->unsubscribe_order_id.empty() ||
      c.world.pending_change(s->id) || c.world.running_job(s->id, "change_server"))
    return cps_error(c.request_id, ApiError::cps("CPS.0245"));
  if (!allowed(c.options, target->name) || generation(target->name) != generation(s->server_model_name))
    return cps_error(c.request_id, ApiError::cps("CPS.0247"));
  const PhoneModel* current = c.catalog.phone_model(s->phone_model_name);
  if (pm->server_model_name != target->name || pm->status != 1 || !current || current->capacity != pm->capacity)
    return cps_error(c.request_id, ApiError::cps("CPS.0257"));
  World::Purchase o = c.world.change_model(project, *s, *target, *pm, auto_pay);
  return json_response(200, ojson{{"request_id", c.request_id}, {"order_id", o.order_id}, {"product_id", o.product_id}});
}

// 4.2 PUT /v1/{project_id}/cloud-phone/bandwidths/{band_width_id}
HttpResponse resize_bandwidth(const ApiCall& c) {
  json body = body_object(c.request);
  const json* size = member(body, "band_width_size");
  if (!size || !size->is_number_integer() || !valid_bandwidth_size(size->get<int64_t>()))
    return cps_error(c.request_id, ApiError::cps("CPS.0036"));
  const Bandwidth* b = c.world.find_bandwidth(c.caller.project_id, c.match.param("band_width_id"));
  if (!b) return cps_error(c.request_id, ApiError::cps("CPS.0115"));
  if (b->share_type != 1) return cps_error(c.request_id, ApiError::cps("CPS.0160"));
  c.world.resize_bandwidth(*b, static_cast<int>(size->get<int64_t>()));
  return json_response(200, ojson{{"request_id", c.request_id}});
}
}  // namespace

std::vector<RouteDef> server_changes_routes() {
  return {
      {"POST", "/v2/{project_id}/cloud-phone/servers/{server_id}/change", change_server},
      {"POST", "/v1/{project_id}/cloud-phone/servers/change-server-model", change_server_model},
      {"PUT", "/v1/{project_id}/cloud-phone/bandwidths/{band_width_id}", resize_bandwidth},
  };
}

}  // namespace cph::emulator

// Server models and changes to existing servers: cph-api.md 3.3 (models),
// 3.5 (batch restart), 3.6 (change/switch), 3.12 (change model, an order)
// and 6.3 (change key pair, "open-access").
#include "resources/cph/cph_call.h"

namespace cph::cloud {

using namespace detail;

namespace {

ordered_json server_ids_json(const std::vector<std::string>& ids) {
  ordered_json a = ordered_json::array();
  for (const std::string& id : ids) a.push_back(id);
  return a;
}

}  // namespace

asio::awaitable<std::vector<ServerModel>> CphClient::list_server_models(std::optional<int> product_type) {
  Call c = impl_->cph_call("GET", "GET /v1/{project_id}/cloud-phone/server-models",
                           impl_->project_path("v1", "/cloud-phone/server-models"));
  if (product_type) add_query(c.query, "product_type", std::to_string(*product_type));
  const HttpResponse r = co_await impl_->call(c);
  std::vector<ServerModel> out;
  for (const Answer& m : Answer::of(r, c).objects("server_models")) {
    ServerModel s;
    s.server_model_name = m.id("server_model_name");
    s.server_type = m.opt_text("server_type");
    s.cpu = m.opt_integer("cpu");
    s.memory = m.opt_integer("memory");
    s.product_type = m.opt_integer("product_type");
    s.free_size = m.opt_integer("free_size");
    const Answer spec = m.opt_object("extend_spec");  // an object in 3.3 (table 5-21)
    s.spec_cpu = spec.opt_text("cpu");
    s.spec_memory = spec.opt_text("memory");
    s.spec_disk = spec.opt_text("disk");
    s.spec_network_interface = spec.opt_text("network_interface");
    s.spec_gpu = spec.opt_text("gpu");
    s.bms_flavor = spec.opt_text("bms_flavor");
    s.gpu_count = spec.opt_integer("gpu_count");
    s.numa_count = spec.opt_integer("numa_count");
    out.push_back(std::move(s));
  }
  co_return out;
}

asio::awaitable<JobsResult> CphClient::restart_servers(std::vector<std::string> server_ids) {
  ordered_json body;
  body["server_ids"] = server_ids_json(server_ids);
  Call c = impl_->cph_call("POST", "POST /v1/{project_id}/cloud-phone/servers/batch-restart",
                           impl_->project_path("v1", "/cloud-phone/servers/batch-restart"));
  c.body = to_body(body, c.api);
  const HttpResponse r = co_await impl_->call(c);
  co_return parse_jobs_result(Answer::of(r, c));
}

asio::awaitable<ChangeServerResult> CphClient::change_server(std::string server_id, ChangeServerRequest p) {
  // Table 5-42, in the reference's order; optional fields left out when unset.
  ordered_json body;
  body["phone_model_name"] = p.phone_model_name;
  body["image_id"] = p.image_id;
  if (p.keypair_name) body["keypair_name"] = *p.keypair_name;
  if (!p.ports.empty()) body["ports"] = ports_body(p.ports);
  add_network(body, p, ordered_json{{"count", 0}});  // 3.4/3.6: count 0 = no EIP

  Call c = impl_->cph_call("POST", "POST /v2/{project_id}/cloud-phone/servers/{server_id}/change",
                           impl_->project_path("v2", "/cloud-phone/servers/" + encode(server_id) + "/change"));
  c.body = to_body(body, c.api);
  const HttpResponse r = co_await impl_->call(c);
  const Answer j = Answer::of(r, c);
  ChangeServerResult result;
  result.request_id = j.opt_text("request_id");
  result.server_id = j.opt_text("server_id");
  result.job_id = j.id("job_id");
  co_return result;
}

asio::awaitable<ChangeServerModelResult> CphClient::change_server_model(ChangeServerModelRequest p) {
  ordered_json body;
  body["server_id"] = p.server_id;
  body["server_model_name"] = p.server_model_name;
  body["phone_model_name"] = p.phone_model_name;
  body["extend_param"]["is_auto_pay"] = p.is_auto_pay ? 1 : 0;  // an integer (table 5-81)
  Call c = impl_->cph_call("POST", "POST /v1/{project_id}/cloud-phone/servers/change-server-model",
                           impl_->project_path("v1", "/cloud-phone/servers/change-server-model"));
  c.body = to_body(body, c.api);
  const HttpResponse r = co_await impl_->call(c);
  const Answer j = Answer::of(r, c);
  ChangeServerModelResult result;
  result.request_id = j.opt_text("request_id");
  result.order_id = j.id("order_id");
  result.product_id = j.opt_text("product_id");
  co_return result;
}

asio::awaitable<JobsResult> CphClient::change_keypairs(std::vector<ServerKeypair> servers) {
  ordered_json list = ordered_json::array();
  for (const ServerKeypair& s : servers) {
    ordered_json o;
    o["server_id"] = s.server_id;
    o["keypair_name"] = s.keypair_name;
    list.push_back(std::move(o));
  }
  ordered_json body;
  body["servers"] = std::move(list);
  Call c = impl_->cph_call("PUT", "PUT /v1/{project_id}/cloud-phone/servers/open-access",
                           impl_->project_path("v1", "/cloud-phone/servers/open-access"));
  c.body = to_body(body, c.api);
  c.idempotent = true;  // sets each server's key pair
  const HttpResponse r = co_await impl_->call(c);
  co_return parse_jobs_result(Answer::of(r, c));
}

}  // namespace cph::cloud

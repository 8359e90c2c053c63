// Encode servers: cph-api.md 6.4 (list) and 6.5 (batch restart). Each
// server has one encode server, a container derived from it (phones.cc);
// its status follows the server (A-22: the query mapping 0 creating, 1
// running, 2 abnormal, 3 restarting).
#include <nlohmann/json.hpp>

#include "emulator/api.h"
#include "emulator/batch_validate.h"
#include "emulator/json_writer.h"

namespace cph::emulator {
namespace {
using nlohmann::json;

// the emulator's limit on ids per call (CPS.0122).
constexpr size_t kMaxEncodeServers = 100;

void write_encode_server(JsonWriter& w, const World::EncodeServer& e) {
  const Server& s = *e.server;
  const std::string server_ip = s.addresses.empty() ? "" : s.addresses.front().server_ip;
  const std::string eip = s.addresses.empty() ? "" : s.addresses.front().public_ip;
  w.begin_object()
      .field("encode_server_name", e.name)
      .field("encode_server_id", e.id)
      .field("encode_server_ip", e.ip)
      .field("encode_server_ipv6", "")
      .field("server_id", s.id)
      .field("keypair_name", s.keypair_name)
      .field("type", 1)  // a container
      .field("status", e.status);
  // One entry per custom port of the server; for non-public ports public_ip
  // is "" and access_ip repeats the private IP (the 6.4 example).
  w.key("access_infos").begin_array();
  for (const Port& p : s.ports) {
    const std::string pub = iequals(p.internet_accessible, "true") ? eip : "";
    w.begin_object()
        .field("listen_port", p.listen_port)
        .field("access_ip", pub.empty() ? server_ip : pub)
        .field("intranet_ip", server_ip)
        .field("public_ip", pub)
        .field("server_ip", server_ip)
        .field("access_port", p.listen_port)
        .field("type", p.name)
        .field("server_ipv6", "")
        .end_object();
  }
  w.end_array().end_object();
}

// 6.4 GET /v1/{project_id}/cloud-phone/encode-servers
HttpResponse list_encode_servers(const ApiCall& c) {
  QueryParams q(c.request.query());
  std::optional<PageWindow> page = page_window(q);
  if (!page) return cps_error(c.request_id, ApiError::cps("CPS.0002"));
  std::optional<int> type, status;
  if (auto v = q.get("type"); v && !v->empty()) {
    if (*v != "0" && *v != "1") return cps_error(c.request_id, ApiError::cps("CPS.0116"));
    type = *v == "1" ? 1 : 0;
  }
  if (auto v = q.get("status"); v && !v->empty()) {
    // the query enum; 100 and 1014 are other "creating" values (0).
    static const char* kStatuses[] = {"0", "1", "2", "3", "4", "5", "100", "1014"};
    if (std::none_of(std::begin(kStatuses), std::end(kStatuses), [&](const char* s) { return *v == s; }))
      return cps_error(c.request_id, ApiError::cps("CPS.0010"));
    status = (*v == "100" || *v == "1014") ? 0 : std::stoi(*v);
  }
  std::optional<std::string> server_id = q.get("server_id");
  if (server_id && server_id->empty()) server_id.reset();
  JsonWriter w;
  w.begin_object().key("encode_servers").begin_array();
  int64_t index = 0;
  if (!type || *type == 1)
    for (const Server* s : c.world.project_servers(c.caller.project_id)) {
      if (server_id && s->id != *server_id) continue;
      World::EncodeServer e = c.world.encode_server_of(*s);
      if (status && e.status != *status) continue;
      if (index >= page->offset && index < page->offset + page->limit) write_encode_server(w, e);
      ++index;
    }
  w.end_array().field("request_id", c.request_id).end_object();
  return json_response(200, w.take());
}

// 6.5 POST /v1/{project_id}/cloud-phone/encode-servers/batch-restart
HttpResponse restart_encode_servers(const ApiCall& c) {
  json body = body_object(c.request);
  const json* ids = member(body, "encode_server_ids");
  if (!ids || !ids->is_array() || ids->empty() || ids->size() > kMaxEncodeServers)
    return cps_error(c.request_id, ApiError::cps("CPS.0122"));
  std::vector<std::string> unique;
  for (const json& id : *ids) {
    if (!id.is_string() || id.get_ref<const std::string&>().empty() || id.get_ref<const std::string&>().size() > 32)
      return cps_error(c.request_id, ApiError::cps("CPS.0121"));
    if (std::find(unique.begin(), unique.end(), id.get<std::string>()) == unique.end()) unique.push_back(id.get<std::string>());
  }
  std::vector<BatchItem> items;
  for (const std::string& id : unique) {
    BatchItem item;
    item.encode_server_id = id;
    std::optional<World::EncodeServer> e = c.world.find_encode_server(c.caller.project_id, id);
    if (!e)
      item.error = ApiError::cps("CPS.0123");
    else if (e->status == 0)
      item.error = ApiError::cps("CPS.0124");  // creating
    else if (e->status != 1 || !e->server->unsubscribe_order_id.empty())
      item.error = ApiError::cps("CPS.0208");  // not running
    else
      item.job = {e->server->id, "", "restart_encode_server", id, std::nullopt, "", "", ""};
    items.push_back(std::move(item));
  }
  return batch_jobs_response(c, items);
}
}  // namespace

std::vector<RouteDef> encode_routes() {
  return {
      {"GET", "/v1/{project_id}/cloud-phone/encode-servers", list_encode_servers},
      {"POST", "/v1/{project_id}/cloud-phone/encode-servers/batch-restart", restart_encode_servers},
  };
}

}  // namespace cph::emulator

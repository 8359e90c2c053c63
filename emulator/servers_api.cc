// CPH server endpoints: cph-api.md 3.1 (list), 3.2 (detail), 3.3 (server
// models), 3.4 (purchase), 3.13 (rename) and 4.1 (list bandwidths).
// Responses carry every documented field with its documented JSON type.
#include <charconv>

#include "emulator/api.h"
#include "emulator/json_writer.h"

namespace cph::emulator {
namespace {
using ojson = nlohmann::ordered_json;

// ---------------------------------------------------------------- rendering
// Written with JsonWriter, not an nlohmann DOM: list pages are the hot path
// (json_writer.h).

// 3.1 table 5-5: the fields shared by list and detail, into an open object.
void write_server_fields(JsonWriter& w, const Server& s) {
  w.field("server_name", s.name)
      .field("server_id", s.id)
      .field("server_model_name", s.server_model_name)
      .field("phone_model_name", s.phone_model_name)
      .field("keypair_name", s.keypair_name)
      .field("status", s.status)
      .field("vpc_id", s.vpc_id)
      .field("cidr", s.vpc_cidr)
      .field("vpc_cidr", s.vpc_cidr)
      .field("subnet_id", s.subnet_id)
      .field("subnet_cidr", s.subnet_cidr);
  // 1.10 Address: the deprecated and the new names carry the same values.
  w.key("addresses").begin_array();
  for (const Address& a : s.addresses)
    w.begin_object()
        .field("intranet_ip", a.server_ip)
        .field("server_ip", a.server_ip)
        .field("access_ip", a.public_ip)
        .field("public_ip", a.public_ip)
        .end_object();
  w.end_array();
  w.field("resource_project_id", s.project_id);
  // order_id is the order, product_id the product.
  w.key("metadata").begin_object().field("product_id", s.product_id).field("order_id", s.order_id).end_object();
  w.field("availability_zone", s.availability_zone)
      .field("network_version", s.network_version)
      .field("enterprise_project_id", s.enterprise_project_id)
      .field("create_time", api_time(s.create_us))
      .field("update_time", api_time(s.update_us));
}

// 1.10 Bandwidth.
void write_bandwidth(JsonWriter& w, const Bandwidth& b) {
  w.begin_object()
      .field("band_width_name", b.name)
      .field("band_width_id", b.id)
      .field("band_width_size", b.size)
      .field("band_width_charge_mode", b.charge_mode)
      .field("band_width_share_type", b.share_type)
      .field("create_time", api_time(b.create_us))
      .field("update_time", api_time(b.update_us))
      .end_object();
}

// ---------------------------------------------------------------- paging

// 1.8 / A-4: offset >= 0 (default 0); limit 1..max (default max). Anything
// else, including an empty or non-decimal value, is CPS.0002.
std::optional<int64_t> parse_paging(const std::optional<std::string>& raw, int64_t def, int64_t min, int64_t max) {
  if (!raw) return def;
  int64_t v = 0;
  const char* end = raw->data() + raw->size();
  auto [p, ec] = std::from_chars(raw->data(), end, v);
  if (raw->empty() || ec != std::errc() || p != end || v < min || v > max) return std::nullopt;
  return v;
}

struct Paging {
  int64_t offset = 0, limit = 100;
};
std::optional<Paging> paging(const QueryParams& q) {
  auto offset = parse_paging(q.get("offset"), 0, 0, INT64_MAX);
  auto limit = parse_paging(q.get("limit"), 100, 1, 100);
  if (!offset || !limit) return std::nullopt;
  return Paging{*offset, *limit};
}

// ---------------------------------------------------------------- handlers

// 3.1 GET /v1/{project_id}/cloud-phone/servers
HttpResponse list_servers(const ApiCall& c) {
  QueryParams q(c.request.query());
  std::optional<Paging> page = paging(q);
  if (!page) return cps_error(c.request_id, ApiError::cps("CPS.0002"));
  World::ServerQuery query;
  query.offset = page->offset;
  query.limit = page->limit;
  if (auto v = q.get("server_name"); v && !v->empty()) query.name_contains = *v;
  if (auto v = q.get("server_id"); v && !v->empty()) query.server_id = *v;
  if (auto v = q.get("network_version"); v && !v->empty()) {
    // CPS.0240: "v1" or "v2", case-insensitive.
    if (!iequals(*v, "v1") && !iequals(*v, "v2")) return cps_error(c.request_id, ApiError::cps("CPS.0240"));
    query.network_version = *v;
  }
  World::ServerPage result = c.world.list_servers(c.caller.project_id, query);
  JsonWriter w;
  w.begin_object().key("servers").begin_array();
  for (const Server* s : result.servers) {
    w.begin_object();
    write_server_fields(w, *s);
    w.end_object();
  }
  w.end_array().field("request_id", c.request_id).field("count", result.count).end_object();
  return json_response(200, w.take());
}

// 3.2 GET /v1/{project_id}/cloud-phone/servers/{server_id}
HttpResponse show_server(const ApiCall& c) {
  const Server* s = c.world.find_server(c.caller.project_id, c.match.param("server_id"));
  if (!s) return cps_error(c.request_id, ApiError::cps("CPS.0015"));
  JsonWriter w;
  w.begin_object().field("request_id", c.request_id);
  write_server_fields(w, *s);
  w.key("band_widths").begin_array();
  for (const std::string& id : s->bandwidth_ids)
    if (const Bandwidth* b = c.world.find_bandwidth(c.caller.project_id, id)) write_bandwidth(w, *b);
  w.end_array();
  w.key("volumes").begin_array();
  for (const Volume& v : s->volumes)
    w.begin_object()
        .field("volume_name", v.name)
        .field("volume_id", v.id)
        .field("volume_size", v.size_g)
        .field("volume_type", v.type)
        .field("create_time", api_time(v.create_us))
        .field("update_time", api_time(v.update_us))
        .end_object();
  w.end_array();
  w.key("share_volume_info")
      .begin_object()
      .field("volume_type", s->share_volume.type)
      .field("size", s->share_volume.size_g)
      .field("version", s->share_volume.version)
      .end_object();
  w.key("security_groups").begin_array();
  for (const std::string& g : s->security_groups) w.value(g);
  w.end_array().end_object();
  return json_response(200, w.take());
}

// 3.3 GET /v1/{project_id}/cloud-phone/server-models
HttpResponse list_server_models(const ApiCall& c) {
  QueryParams q(c.request.query());
  std::optional<int> product_type;
  if (auto v = q.get("product_type")) {
    if (*v != "0" && *v != "1") return cps_error(c.request_id, ApiError::cps("CPS.0144"));
    product_type = *v == "1" ? 1 : 0;
  }
  ojson models = ojson::array();
  for (const ServerModel& m : c.catalog.server_models()) {
    if (product_type && m.product_type != *product_type) continue;
    models.push_back(ojson{{"server_model_name", m.name},
                           {"server_type", m.server_type},
                           {"cpu", m.cpu},
                           {"memory", m.memory_g},
                           {"extend_spec", ojson{{"cpu", m.spec_cpu},
                                                 {"memory", m.spec_memory},
                                                 {"disk", m.spec_disk},
                                                 {"network_interface", m.spec_network_interface},
                                                 {"gpu", m.spec_gpu},
                                                 {"bms_flavor", m.bms_flavor},
                                                 {"gpu_count", m.gpu_count},
                                                 {"numa_count", m.numa_count}}},
                           {"product_type", m.product_type},
                           {"free_size", m.free_size_g}});
  }
  return json_response(200, ojson{{"request_id", c.request_id}, {"server_models", std::move(models)}});
}

// 3.4 POST /v2/{project_id}/cloud-phone/servers
HttpResponse purchase_servers(const ApiCall& c) {
  const std::string& project = c.caller.project_id;
  auto lookup = [&](std::string_view id) { return c.world.find_bandwidth(project, id); };
  auto validated = validate_purchase(body_object(c.request), c.catalog, lookup);
  if (auto* e = std::get_if<ApiError>(&validated)) return cps_error(c.request_id, *e);
  // KPS: a named key pair must exist in the project (CPS.0067 "Keypair could not found.").
  const std::string& keypair = std::get<PurchaseRequest>(validated).keypair_name;
  if (!keypair.empty() && !c.world.find_keypair(project, keypair)) return cps_error(c.request_id, ApiError::cps("CPS.0067"));
  auto bought = c.world.purchase(project, std::get<PurchaseRequest>(validated));
  if (auto* e = std::get_if<ApiError>(&bought)) return cps_error(c.request_id, *e);
  const World::Purchase& p = std::get<World::Purchase>(bought);
  // exactly `count` server ids.
  return json_response(200, ojson{{"request_id", c.request_id},
                                  {"order_id", p.order_id},
                                  {"product_id", p.product_id},
                                  {"server_ids", p.server_ids}});
}

// 3.13 PUT /v1/{project_id}/cloud-phone/servers/{server_id}
HttpResponse rename_server(const ApiCall& c) {
  auto name = validate_rename(body_object(c.request));
  if (auto* e = std::get_if<ApiError>(&name)) return cps_error(c.request_id, *e);
  if (!c.world.rename_server(c.caller.project_id, c.match.param("server_id"), std::get<std::string>(name)))
    return cps_error(c.request_id, ApiError::cps("CPS.0015"));
  return json_response(200, ojson{{"request_id", c.request_id}});
}

// 4.1 GET /v1/{project_id}/cloud-phone/bandwidths
HttpResponse list_bandwidths(const ApiCall& c) {
  std::optional<Paging> page = paging(QueryParams(c.request.query()));
  if (!page) return cps_error(c.request_id, ApiError::cps("CPS.0002"));
  std::vector<const Bandwidth*> all = c.world.list_bandwidths(c.caller.project_id);
  JsonWriter w;
  w.begin_object().field("request_id", c.request_id).key("band_widths").begin_array();
  for (int64_t i = page->offset; i < static_cast<int64_t>(all.size()) && i < page->offset + page->limit; ++i)
    write_bandwidth(w, *all[static_cast<size_t>(i)]);
  w.end_array().end_object();
  return json_response(200, w.take());
}
}  // namespace

std::vector<RouteDef> servers_routes() {
  return {
      {"GET", "/v1/{project_id}/cloud-phone/servers", list_servers},
      {"GET", "/v1/{project_id}/cloud-phone/servers/{server_id}", show_server},
      {"GET", "/v1/{project_id}/cloud-phone/server-models", list_server_models},
      {"POST", "/v2/{project_id}/cloud-phone/servers", purchase_servers},
      {"PUT", "/v1/{project_id}/cloud-phone/servers/{server_id}", rename_server},
      {"GET", "/v1/{project_id}/cloud-phone/bandwidths", list_bandwidths},
  };
}

}  // namespace cph::emulator

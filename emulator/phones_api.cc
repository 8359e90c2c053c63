// Phone queries and rename: cph-api.md 5.1 (list), 5.2 (detail), 5.8
// (rename). Phones are derived from their servers (phones.cc); responses
// carry every documented field with its documented JSON type.
#include <algorithm>
#include <cstdio>

#include "emulator/api.h"
#include "emulator/json_writer.h"

namespace cph::emulator {
namespace {
using ojson = nlohmann::ordered_json;

// imei is a string of 15 digits, without the example's stray comma;
// derived from the phone id so it is stable.
std::string imei_of(const std::string& phone_id) {
  std::string out = "86";
  for (char c : phone_id) {
    if (out.size() == 15) break;
    out += static_cast<char>('0' + (c >= 'a' ? c - 'a' + 10 : c - '0') % 10);
  }
  return out;
}

std::string image_version(const ApiCall& c, const std::string& image_id) {
  const PhoneImage* img = c.catalog.image(image_id);
  return img ? img->os_name : "";
}

int volume_mode(const ApiCall& c, const Server& s) {
  const PhoneModel* pm = c.catalog.phone_model(s.phone_model_name);
  return pm ? pm->volume_mode : 0;
}

// 5.1 table 5-100 and 5.2: the fields shared by list and detail.
void write_common(JsonWriter& w, const ApiCall& c, const Phone& p, const Server& s) {
  w.field("phone_name", p.name)
      .field("server_id", p.server_id)
      .field("phone_id", p.id)
      .field("phone_model_name", s.phone_model_name)
      .field("image_id", p.image_id)
      .field("image_version", image_version(c, p.image_id))
      .field("vnc_enable", "false")  // a string (5.1); VNC is not emulated
      .field("status", p.status);
}

void write_tail(JsonWriter& w, const ApiCall& c, const Phone& p, const Server& s) {
  w.field("imei", imei_of(p.id))
      .field("traffic_type", p.traffic_type)
      .field("volume_mode", volume_mode(c, s))
      .field("availability_zone", s.availability_zone);
  w.key("metadata").begin_object().field("order_id", s.order_id).field("product_id", s.product_id).end_object();
  w.field("create_time", api_time(s.create_us)).field("update_time", api_time(p.update_us));
}

// The phone's address on its server's internal network: 10.237.x.y from
// index + 2 (docs/emulator.md "Phones").
std::string phone_ip(int index) {
  int host = index + 2;
  return "10.237." + std::to_string((host >> 8) & 255) + "." + std::to_string(host & 255);
}

// 5.2 table 5-105: one entry per custom port of the server (3.4 ports).
void write_access_infos(JsonWriter& w, const Phone& p, const Server& s) {
  w.key("access_infos").begin_array();
  const int per_ip = s.phone_count_per_ip > 0 ? s.phone_count_per_ip : 1;
  const Address* addr = nullptr;
  if (!s.addresses.empty())
    addr = &s.addresses[std::min(s.addresses.size() - 1, static_cast<size_t>(p.index / per_ip))];
  const int slot = p.index % per_ip;
  for (size_t k = 0; k < s.ports.size(); ++k) {
    const Port& port = s.ports[k];
    const bool public_port = iequals(port.internet_accessible, "true");
    const std::string server_ip = addr ? addr->server_ip : "";
    const std::string public_ip = public_port && addr ? addr->public_ip : "";
    w.begin_object()
        .field("type", port.name)
        .field("device_ip", phone_ip(p.index))
        .field("phone_ip", phone_ip(p.index))
        .field("listen_port", port.listen_port)
        .field("access_ip", public_ip.empty() ? server_ip : public_ip)
        .field("public_ip", public_ip)
        .field("intranet_ip", server_ip)
        .field("server_ip", server_ip)
        .field("access_port", 10000 + (slot * static_cast<int>(s.ports.size()) + static_cast<int>(k)) % 50000)
        .field("phone_ipv6", "")
        .field("server_ipv6", "")
        .end_object();
  }
  w.end_array();
}

std::optional<int> parse_int(const std::string& s) {
  if (s.empty() || s.size() > 9) return std::nullopt;
  size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size()) return std::nullopt;
  for (size_t k = i; k < s.size(); ++k)
    if (s[k] < '0' || s[k] > '9') return std::nullopt;
  return std::stoi(s);
}

// 5.1 GET /v1/{project_id}/cloud-phone/phones
HttpResponse list_phones(const ApiCall& c) {
  QueryParams q(c.request.query());
  std::optional<PageWindow> page = page_window(q, 200);  // limit 1..200, default 200
  if (!page) return cps_error(c.request_id, ApiError::cps("CPS.0002"));
  World::PhoneQuery query;
  query.offset = page->offset;
  query.limit = page->limit;
  if (auto v = q.get("phone_name"); v && !v->empty()) query.name_contains = *v;
  if (auto v = q.get("server_id"); v && !v->empty()) query.server_id = *v;
  if (auto v = q.get("status"); v && !v->empty()) {
    // 5.0: the query enum, plus 0 (A-14: accepted on input).
    std::optional<int> st = parse_int(*v);
    static const int kStatuses[] = {0, 1, 2, 3, 4, 6, 7, 8, -5, -6, -7, -8, -9};
    if (!st || std::find(std::begin(kStatuses), std::end(kStatuses), *st) == std::end(kStatuses))
      return cps_error(c.request_id, ApiError::cps("CPS.0010"));
    query.status = *st == 0 ? 1 : *st;  // 0 is the other "creating"
  }
  if (auto v = q.get("type"); v && !v->empty()) {
    if (*v != "0" && *v != "1") return cps_error(c.request_id, ApiError::cps("CPS.0116"));  // 0 and 1
    query.type = *v == "1" ? 1 : 0;
  }
  World::PhonePage result = c.world.list_phones(c.caller.project_id, query);
  JsonWriter w;
  w.begin_object().field("request_id", c.request_id).field("count", result.count).key("phones").begin_array();
  for (const Phone& p : result.phones) {
    const Server* s = c.world.find_server(c.caller.project_id, p.server_id);
    w.begin_object();
    write_common(w, c, p, *s);
    w.field("type", 0);
    write_tail(w, c, p, *s);
    w.end_object();
  }
  w.end_array().end_object();
  return json_response(200, w.take());
}

// 5.2 GET /v1/{project_id}/cloud-phone/phones/{phone_id}
HttpResponse show_phone(const ApiCall& c) {
  std::optional<Phone> p = c.world.find_phone(c.caller.project_id, c.match.param("phone_id"));
  if (!p) return cps_error(c.request_id, ApiError::cps("CPS.0005"));
  const Server& s = *c.world.find_server(c.caller.project_id, p->server_id);
  JsonWriter w;
  w.begin_object().field("request_id", c.request_id);
  write_common(w, c, *p, s);
  write_access_infos(w, *p, s);
  w.field("property", p->property);
  // 5.2 table 5-107: the purchase's per-phone data disk, else the model's disk.
  std::string type = "SSD";
  int size = 0;
  if (const PhoneModel* pm = c.catalog.phone_model(s.phone_model_name)) size = pm->disk_g;
  for (const Volume& v : s.volumes)
    if (v.name.ends_with("-phone-data")) {
      type = v.type;
      const int n = c.world.phone_count(s);
      size = n > 0 ? v.size_g / n : v.size_g;
    }
  w.key("phone_data_volume").begin_object().field("volume_type", type).field("volume_size", size).end_object();
  write_tail(w, c, *p, s);
  w.end_object();
  return json_response(200, w.take());
}

// 5.8 PUT /v1/{project_id}/cloud-phone/phones/{phone_id}
HttpResponse rename_phone(const ApiCall& c) {
  nlohmann::json body = body_object(c.request);
  auto name = body.find("phone_name");
  // 11.5 character class, at most 60 code points (the server-name rule).
  if (name == body.end() || !name->is_string() || !valid_server_name(name->get_ref<const std::string&>()))
    return cps_error(c.request_id, ApiError::cps("CPS.0025"));
  std::optional<Phone> p = c.world.find_phone(c.caller.project_id, c.match.param("phone_id"));
  if (!p) return cps_error(c.request_id, ApiError::cps("CPS.0005"));
  const std::string& wanted = name->get_ref<const std::string&>();
  // names are unique among the phones of one server.
  if (p->name != wanted && c.world.phone_name_taken(*p, wanted)) return cps_error(c.request_id, ApiError::cps("CPS.0026"));
  p->name = wanted;
  c.world.put_phone(*p);
  return json_response(200, ojson{{"request_id", c.request_id}});
}
}  // namespace

std::vector<RouteDef> phones_routes() {
  return {
      {"GET", "/v1/{project_id}/cloud-phone/phones", list_phones},
      {"GET", "/v1/{project_id}/cloud-phone/phones/{phone_id}", show_phone},
      {"PUT", "/v1/{project_id}/cloud-phone/phones/{phone_id}", rename_phone},
  };
}

}  // namespace cph::emulator

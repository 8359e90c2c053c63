// Tags on cloud phone servers: cph-api.md 7.6 (rules), 7.7 (project tags),
// 7.8 (resource tags), 7.9 (resource instances filter/count), 7.10/7.11
// (batch create/delete, 204). resource_type is only "cph-server".
#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "emulator/api.h"
#include "emulator/batch_validate.h"

namespace cph::emulator {
namespace {
using nlohmann::json;
using ojson = nlohmann::ordered_json;
using TagList = std::vector<std::pair<std::string, std::string>>;

// Emulator's limit on tags per resource (the reference states none; A-46).
constexpr size_t kMaxTagsPerResource = 20;
constexpr size_t kMaxFilterKeys = 10, kMaxFilterValues = 10;  // 7.9

// Code points of a JSON string (nlohmann only accepts valid UTF-8).
size_t code_points(std::string_view s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// 7.6: key not empty, at most 127 code points, not "_sys_"-prefixed.
std::string tag_key(const json* k) {
  if (!k || !k->is_string() || k->get_ref<const std::string&>().empty() || code_points(k->get_ref<const std::string&>()) > 127)
    fail("CPS.0304");
  if (k->get_ref<const std::string&>().rfind("_sys_", 0) == 0) fail("CPS.0306");
  return k->get<std::string>();
}

std::string tag_value(const json* v) {
  if (!v || !v->is_string() || code_points(v->get_ref<const std::string&>()) > 255) fail("CPS.0305");
  return v->get<std::string>();
}

bool known_type(const ApiCall& c) { return c.match.param("resource_type") == "cph-server"; }

ojson tags_json(const TagList& tags) {
  ojson out = ojson::array();
  for (const auto& [k, v] : tags) out.push_back(ojson{{"key", k}, {"value", v}});
  return out;
}

// 7.7 GET /v1/{project_id}/{resource_type}/tags
HttpResponse project_tags(const ApiCall& c) {
  if (!known_type(c)) return cps_error(c.request_id, ApiError::cps("CPS.0300"));
  std::map<std::string, std::set<std::string>> by_key;
  for (const Server* s : c.world.project_servers(c.caller.project_id))
    for (const auto& [k, v] : s->tags) by_key[k].insert(v);
  ojson tags = ojson::array();
  for (const auto& [k, values] : by_key) tags.push_back(ojson{{"key", k}, {"values", values}});
  return json_response(200, ojson{{"tags", std::move(tags)}});  // no request_id (7.7)
}

// 7.8 GET /v1/{project_id}/{resource_type}/{resource_id}/tags
HttpResponse resource_tags(const ApiCall& c) {
  if (!known_type(c)) return cps_error(c.request_id, ApiError::cps("CPS.0300"));
  const Server* s = c.world.find_server(c.caller.project_id, c.match.param("resource_id"));
  if (!s) return cps_error(c.request_id, ApiError::cps("CPS.0302"));
  return json_response(200, ojson{{"tags", tags_json(s->tags)}});
}

// 7.10 / 7.11 POST /v1/{project_id}/{resource_type}/{resource_id}/tags/action
// also POST .../tags).
HttpResponse tags_action(const ApiCall& c) {
  if (!known_type(c)) return cps_error(c.request_id, ApiError::cps("CPS.0300"));
  const Server* s = c.world.find_server(c.caller.project_id, c.match.param("resource_id"));
  if (!s) return cps_error(c.request_id, ApiError::cps("CPS.0302"));
  json body = body_object(c.request);
  try {
    const json* action = member(body, "action");
    if (!action || !action->is_string() || (*action != "create" && *action != "delete")) fail("CPS.0047");
    const bool create = *action == "create";
    const json* tags = member(body, "tags");
    if (!tags || !tags->is_array() || tags->empty()) fail("CPS.0303");
    TagList list;
    std::set<std::string> keys;
    for (const json& t : *tags) {
      if (!t.is_object()) fail("CPS.0303");
      std::string key = tag_key(member(t, "key"));
      // Delete: the value is optional and need not match (the key decides).
      std::string value = create || member(t, "value") ? tag_value(member(t, "value")) : std::string();
      if (!keys.insert(key).second) fail("CPS.0303");  // a key twice in one request
      list.emplace_back(std::move(key), std::move(value));
    }
    if (create) {
      size_t after = s->tags.size();
      for (const auto& kv : list)  // not a structured binding: clang 14 cannot capture one
        if (std::none_of(s->tags.begin(), s->tags.end(), [&](const auto& t) { return t.first == kv.first; })) ++after;
      if (after > kMaxTagsPerResource) fail("CPS.0307");
      c.world.put_tags(*s, list);
    } else {
      c.world.delete_tags(*s, std::vector<std::string>(keys.begin(), keys.end()));
    }
  } catch (const Failure& f) {
    return cps_error(c.request_id, f.error);
  }
  HttpResponse r;
  r.status = 204;
  return r;
}

// 7.9 offset/limit: strings (or numbers), offset >= 0 (default 0), limit
// 1..1000 (default 1000); otherwise CPS.0002.
int64_t paging_value(const json* v, int64_t def, int64_t min, int64_t max) {
  if (!v) return def;
  int64_t out = 0;
  if (v->is_number_integer()) {
    out = v->get<int64_t>();
  } else if (v->is_string()) {
    const std::string& s = v->get_ref<const std::string&>();
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size()) fail("CPS.0002");
  } else {
    fail("CPS.0002");
  }
  if (out < min || out > max) fail("CPS.0002");
  return out;
}

// 7.9 POST /v1/{project_id}/{resource_type}/resource_instances/action
HttpResponse resource_instances(const ApiCall& c) {
  if (!known_type(c)) return cps_error(c.request_id, ApiError::cps("CPS.0300"));
  json body = body_object(c.request);
  try {
    const json* action = member(body, "action");
    if (!action || !action->is_string() || (*action != "filter" && *action != "count")) fail("CPS.0047");
    const bool count_only = *action == "count";
    int64_t offset = 0, limit = 1000;
    if (!count_only) {
      offset = paging_value(member(body, "offset"), 0, 0, INT64_MAX);
      limit = paging_value(member(body, "limit"), 1000, 1, 1000);
    }
    bool without_any_tag = false;
    if (const json* w = member(body, "without_any_tag")) {
      if (!w->is_boolean()) fail("CPS.0303");
      without_any_tag = w->get<bool>();
    }
    std::vector<std::pair<std::string, std::set<std::string>>> wanted;  // AND of keys, OR of values
    if (const json* tags = member(body, "tags")) {
      if (!tags->is_array()) fail("CPS.0303");
      if (tags->size() > kMaxFilterKeys) fail("CPS.0309");
      std::set<std::string> keys;
      for (const json& t : *tags) {
        if (!t.is_object()) fail("CPS.0303");
        std::string key = tag_key(member(t, "key"));
        if (!keys.insert(key).second) fail("CPS.0303");
        const json* values = member(t, "values");
        if (!values || !values->is_array()) fail("CPS.0315");
        if (values->size() > kMaxFilterValues) fail("CPS.0310");
        std::set<std::string> set;
        for (const json& v : *values)
          if (!set.insert(tag_value(&v)).second) fail("CPS.0315");
        wanted.emplace_back(std::move(key), std::move(set));
      }
    }
    std::optional<std::string> name;
    if (const json* matches = member(body, "matches")) {
      if (!matches->is_array()) fail("CPS.0311");
      for (const json& m : *matches) {
        if (!m.is_object()) fail("CPS.0312");
        const json* key = member(m, "key");
        if (!key || *key != "resource_name") fail("CPS.0313");
        const json* value = member(m, "value");
        if (!value || !value->is_string()) fail("CPS.0314");
        name = value->get<std::string>();  // exact match (7.9)
      }
    }
    auto matches = [&](const Server& s) {
      if (without_any_tag && !s.tags.empty()) return false;
      if (name && s.name != *name) return false;
      for (const auto& entry : wanted) {  // not a structured binding: clang 14 cannot capture one
        const auto& key = entry.first;
        const auto& values = entry.second;
        auto it = std::find_if(s.tags.begin(), s.tags.end(), [&](const auto& t) { return t.first == key; });
        if (it == s.tags.end() || (!values.empty() && !values.count(it->second))) return false;
      }
      return true;
    };
    int64_t total = 0;
    ojson resources = ojson::array();
    for (const Server* s : c.world.project_servers(c.caller.project_id)) {
      if (!matches(*s)) continue;
      if (!count_only && total >= offset && static_cast<int64_t>(resources.size()) < limit)
        resources.push_back(ojson{{"resource_id", s->id},
                                  {"resource_detail", ""},
                                  {"resource_name", s->name},
                                  {"tags", tags_json(s->tags)}});
      ++total;
    }
    if (count_only) return json_response(200, ojson{{"total_count", total}});
    return json_response(200, ojson{{"resources", std::move(resources)}, {"total_count", total}});
  } catch (const Failure& f) {
    return cps_error(c.request_id, f.error);
  }
}
}  // namespace

std::vector<RouteDef> tags_routes() {
  return {
      {"GET", "/v1/{project_id}/{resource_type}/tags", project_tags},
      {"GET", "/v1/{project_id}/{resource_type}/{resource_id}/tags", resource_tags},
      {"POST", "/v1/{project_id}/{resource_type}/{resource_id}/tags/action", tags_action},
      {"POST", "/v1/{project_id}/{resource_type}/{resource_id}/tags", tags_action},
      {"POST", "/v1/{project_id}/{resource_type}/resource_instances/action", resource_instances},
  };
}

}  // namespace cph::emulator

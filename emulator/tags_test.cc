// Tags: cph-api.md 7.6-7.11 on resource_type cph-server.
#include "emulator/test_support.h"

using namespace cph::emulator;
using namespace cph::emulator::testing;

namespace {
std::string tags_path(const std::string& rest) { return project_path("/cph-server" + rest); }

HttpResponse tag_action(Emulator& emu, const std::string& id, const json& body, const std::string& suffix = "/tags/action") {
  return emu.call("POST", tags_path("/" + id + suffix), body.dump());
}

const char* kCreateExample = R"({"action" : "create", "tags" : [ {"key" : "key1", "value" : "value1"}, {"key" : "key2", "value" : "value2"} ]})";
const char* kDeleteExample = R"({"action" : "delete", "tags" : [ {"key" : "key1", "value" : "value1"}, {"key" : "key2", "value" : "value2"} ]})";
}  // namespace

TEST_CASE("tag examples: create, list, filter, count, delete", "[tags]") {
  Emulator emu;
  json bought = emu.buy(rx1_purchase(2, true));
  const std::string a = bought["server_ids"][0], b = bought["server_ids"][1];
  HttpResponse r = tag_action(emu, a, json::parse(kCreateExample));
  INFO(r.body);
  CHECK(r.status == 204);
  CHECK(r.body.empty());
  CHECK(tag_action(emu, b, {{"action", "create"}, {"tags", {{{"key", "key1"}, {"value", "value2"}}}}}).status == 204);

  json rt = body_of(emu.get(tags_path("/" + a + "/tags")));
  CHECK_FALSE(rt.contains("request_id"));
  REQUIRE(rt["tags"].size() == 2);
  check_fields(rt["tags"][0], {{"key", Kind::string}, {"value", Kind::string}});
  CHECK(rt["tags"][0]["value"] == "value1");

  json pt = body_of(emu.get(tags_path("/tags")));
  REQUIRE(pt["tags"].size() == 2);
  check_fields(pt["tags"][0], {{"key", Kind::string}, {"values", Kind::array}});
  CHECK(pt["tags"][0]["values"] == json({"value1", "value2"}));

  // 7.9 examples (name matches nothing in the emulator, so 0), then real queries.
  const std::string action = tags_path("/resource_instances/action");
  json count = body_of(emu.call("POST", action, R"({"action" : "count", "tags" : [ {"key" : "key1", "values" : [ "value1", "value2" ]},
     {"key" : "key2", "values" : [ "value1", "value2" ]} ], "matches" : [ {"key" : "resource_name", "value" : "resource1"} ]})"));
  check_fields(count, {{"total_count", Kind::integer}});
  CHECK(count["total_count"] == 0);
  json filter = body_of(emu.call("POST", action, R"({"offset" : "100", "limit" : "100", "action" : "filter", "tags" : [ {"key" : "key1", "values" : [ "value1", "value2" ]},
     {"key" : "key2", "values" : [ "value1", "value2" ]} ], "matches" : [ {"key" : "resource_name", "value" : "resource1"} ]})"));
  check_fields(filter, {{"resources", Kind::array}, {"total_count", Kind::integer}});

  json both = body_of(emu.call("POST", action, R"({"action": "filter", "tags": [{"key": "key1", "values": []}]})"));
  CHECK(both["total_count"] == 2);
  REQUIRE(both["resources"].size() == 2);
  check_fields(both["resources"][0], {{"resource_id", Kind::string}, {"resource_detail", Kind::string},
                                      {"resource_name", Kind::string}, {"tags", Kind::array}});
  json and_keys = body_of(emu.call("POST", action, R"({"action": "filter", "tags": [{"key": "key1", "values": ["value1", "value2"]}, {"key": "key2", "values": []}]})"));
  REQUIRE(and_keys["total_count"] == 1);
  CHECK(and_keys["resources"][0]["resource_id"] == a);
  json paged = body_of(emu.call("POST", action, R"({"action": "filter", "offset": 1, "limit": "1"})"));
  CHECK(paged["total_count"] == 2);
  CHECK(paged["resources"].size() == 1);
  json by_name = body_of(emu.call("POST", action, json{{"action", "count"}, {"matches", {{{"key", "resource_name"}, {"value", "cph-kertus-1110-0002"}}}}}.dump()));
  CHECK(by_name["total_count"] == 1);

  // 7.11 example (posted to .../tags, A-6), then untagged queries.
  CHECK(tag_action(emu, a, json::parse(kDeleteExample), "/tags").status == 204);
  CHECK(body_of(emu.get(tags_path("/" + a + "/tags")))["tags"].empty());
  json untagged = body_of(emu.call("POST", action, R"({"action": "count", "without_any_tag": true})"));
  CHECK(untagged["total_count"] == 1);
}

TEST_CASE("tag validation answers the documented code and changes nothing", "[tags][validation]") {
  Emulator emu;
  const std::string id = emu.buy(rx1_purchase())["server_ids"][0];
  REQUIRE(tag_action(emu, id, json::parse(kCreateExample)).status == 204);
  json many = json::array();
  for (int i = 0; i < 19; ++i) many.push_back({{"key", "k" + std::to_string(i)}, {"value", "v"}});
  struct Case {
    std::string id;
    json body;
    int status;
    const char* code;
  };
  const Case cases[] = {
      {"0123456789abcdef0123456789abcdef", json::parse(kCreateExample), 404, "CPS.0302"},
      {id, json::object(), 400, "CPS.0047"},
      {id, {{"action", "update"}, {"tags", {{{"key", "a"}, {"value", "b"}}}}}, 400, "CPS.0047"},
      {id, {{"action", "create"}}, 400, "CPS.0303"},
      {id, {{"action", "create"}, {"tags", json::array()}}, 400, "CPS.0303"},
      {id, {{"action", "create"}, {"tags", {1}}}, 400, "CPS.0303"},
      {id, {{"action", "create"}, {"tags", {{{"value", "b"}}}}}, 400, "CPS.0304"},
      {id, {{"action", "create"}, {"tags", {{{"key", ""}, {"value", "b"}}}}}, 400, "CPS.0304"},
      {id, {{"action", "create"}, {"tags", {{{"key", std::string(128, 'k')}, {"value", "b"}}}}}, 400, "CPS.0304"},
      {id, {{"action", "create"}, {"tags", {{{"key", "_sys_x"}, {"value", "b"}}}}}, 400, "CPS.0306"},
      {id, {{"action", "create"}, {"tags", {{{"key", "a"}}}}}, 400, "CPS.0305"},
      {id, {{"action", "create"}, {"tags", {{{"key", "a"}, {"value", std::string(256, 'v')}}}}}, 400, "CPS.0305"},
      {id, {{"action", "create"}, {"tags", {{{"key", "a"}, {"value", "1"}}, {{"key", "a"}, {"value", "2"}}}}}, 400, "CPS.0303"},
      {id, {{"action", "create"}, {"tags", many}}, 400, "CPS.0307"},  // 2 + 19 > 20
  };
  for (const Case& c : cases) {
    INFO(c.body.dump());
    check_cps_error(tag_action(emu, c.id, c.body), c.status, c.code);
  }
  check_cps_error(emu.get(project_path("/cph-volume/tags")), 400, "CPS.0300");
  check_cps_error(emu.get(project_path("/cph-volume/" + id + "/tags")), 400, "CPS.0300");
  CHECK(body_of(emu.get(tags_path("/" + id + "/tags")))["tags"].size() == 2);

  json eleven = json::array();
  for (int i = 0; i < 11; ++i) eleven.push_back({{"key", "k" + std::to_string(i)}, {"values", json::array()}});
  json eleven_values = json::array();
  for (int i = 0; i < 11; ++i) eleven_values.push_back("v" + std::to_string(i));
  struct FilterCase {
    json body;
    const char* code;
  };
  const FilterCase filters[] = {
      {json::object(), "CPS.0047"},
      {{{"action", "list"}}, "CPS.0047"},
      {{{"action", "filter"}, {"offset", "-1"}}, "CPS.0002"},
      {{{"action", "filter"}, {"offset", "x"}}, "CPS.0002"},
      {{{"action", "filter"}, {"limit", "0"}}, "CPS.0002"},
      {{{"action", "filter"}, {"limit", "1001"}}, "CPS.0002"},
      {{{"action", "filter"}, {"without_any_tag", "yes"}}, "CPS.0303"},
      {{{"action", "filter"}, {"tags", "x"}}, "CPS.0303"},
      {{{"action", "filter"}, {"tags", eleven}}, "CPS.0309"},
      {{{"action", "filter"}, {"tags", {{{"key", "k"}}}}}, "CPS.0315"},
      {{{"action", "filter"}, {"tags", {{{"key", "k"}, {"values", eleven_values}}}}}, "CPS.0310"},
      {{{"action", "filter"}, {"tags", {{{"key", "k"}, {"values", {"a", "a"}}}}}}, "CPS.0315"},
      {{{"action", "filter"}, {"tags", {{{"key", ""}, {"values", json::array()}}}}}, "CPS.0304"},
      {{{"action", "filter"}, {"matches", "x"}}, "CPS.0311"},
      {{{"action", "filter"}, {"matches", {1}}}, "CPS.0312"},
      {{{"action", "filter"}, {"matches", {{{"key", "resource_id"}, {"value", "x"}}}}}, "CPS.0313"},
      {{{"action", "filter"}, {"matches", {{{"key", "resource_name"}, {"value", 1}}}}}, "CPS.0314"},
  };
  for (const FilterCase& f : filters) {
    INFO(f.body.dump());
    check_cps_error(emu.call("POST", tags_path("/resource_instances/action"), f.body.dump()), 400, f.code);
  }
}

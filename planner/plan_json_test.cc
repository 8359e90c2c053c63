// Saved plan files read back (plan_json.h): what the plan fuzz target
// (fuzz/plan_fuzz.cc) found or checks, as plain tests.
#include <catch2/catch.hpp>

#include <string>

#include "planner/plan_json.h"

namespace {

using nlohmann::json;
using cph::planner::plan_from_json;

// A valid one-step plan: one server to create.
json one_create() {
  return json::parse(R"({"cphform_plan":1,"lineage":"l","serial":3,"manifest_digest":"d","destroy":false,
    "vanished":[],"pending":[],"drift":[],
    "actions":[{"kind":"create","address":"server.web","type":"server","block":"server.web","index":-1,
                "cloud_id":"","before":null,"after":{"name":"web"},"changes":[],"reason":"","block_name":"web"}],
    "steps":[{"kind":"purchase","block":"server.web","actions":[0],"after":[]}]})");
}

std::string refusal(const json& j) {
  try {
    plan_from_json(j);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a saved plan reads back as it was saved", "[plan_json]") {
  json j = one_create();
  cph::planner::Plan p = plan_from_json(j);
  CHECK(p.serial == 3);
  CHECK(p.actions.at(0).index == -1);
  CHECK(cph::planner::plan_to_json(p) == plan_to_json(plan_from_json(cph::planner::plan_to_json(p))));
}

TEST_CASE("a plan file with numbers out of range is refused, not converted", "[plan_json]") {
  json j = one_create();
  j["actions"][0]["index"] = 1e300;  // get<int>() of this is undefined behaviour
  CHECK(refusal(j).find("action index is not an integer in range") != std::string::npos);
  j = one_create();
  j["serial"] = 1.5;
  CHECK(refusal(j).find("serial is not an integer in range") != std::string::npos);
  j = one_create();
  j["steps"][0]["actions"] = json::array({-1});
  CHECK(refusal(j).find("step action is not an integer in range") != std::string::npos);
  j = one_create();
  j["cphform_plan"] = 1e300;
  CHECK(refusal(j) == "not a cphform plan file");
}

TEST_CASE("a step may only come after an earlier step", "[plan_json]") {
  // The executor waits for `after` steps by index: itself or a later step
  // would never finish, a missing one is out of bounds.
  json j = one_create();
  j["steps"][0]["after"] = json::array({0});
  CHECK(refusal(j).find("step comes after a step that is not before it") != std::string::npos);
  j["steps"][0]["after"] = json::array({7});
  CHECK(refusal(j).find("step comes after a step that is not before it") != std::string::npos);
}

TEST_CASE("show -json lists unchanged instances as no-op and keeps their secrets out", "[plan_json]") {
  json j = one_create();
  j["unchanged"] = json::array({{{"kind", "update"}, {"address", "server.db[0]"}, {"type", "server"},
                                 {"block", "server.db"}, {"index", 0}, {"cloud_id", "c1"},
                                 {"before", {{"name", "db"}, {"tags", {{"owner", "s3cr3t-canary"}}}}},
                                 {"after", {{"name", "db"}, {"tags", {{"owner", "s3cr3t-canary"}}}}},
                                 {"changes", json::array()}, {"reason", ""}, {"block_name", "db"},
                                 {"sensitive", {"tags.owner"}}}});
  j["outputs"] = json::array({{{"name", "pw"}, {"action", "no-op"}, {"before", "s3cr3t-canary"}, {"after", "s3cr3t-canary"},
                               {"after_unknown", false}, {"sensitive", true}, {"removed", false}}});
  const cph::planner::Plan p = plan_from_json(j);
  const json report = cph::planner::plan_report_json(p);
  CHECK(report.dump().find("s3cr3t-canary") == std::string::npos);
  CHECK(cph::planner::plan_to_json(p).dump().find("s3cr3t-canary") == std::string::npos);
  REQUIRE(report["resource_changes"].size() == 2);
  const json& db = report["resource_changes"][0];
  CHECK(db["address"] == "server.db[0]");
  CHECK(db["change"]["actions"] == json{"no-op"});
  CHECK(db["change"]["before"]["id"] == "c1");
  CHECK(db["change"]["after_sensitive"] == json{{"tags", {{"owner", true}}}});
  CHECK(report["resource_changes"][1]["change"]["actions"] == json{"create"});
  CHECK(!report["resource_changes"][1].contains("index"));  // no count: no index, as Terraform
  CHECK(report["output_changes"]["pw"]["after_sensitive"] == true);
  CHECK(report["output_changes"]["pw"]["actions"] == json{"no-op"});
  CHECK(report["output_changes"]["pw"]["after"].is_null());
  CHECK(report["prior_state"]["values"]["root_module"]["resources"].size() == 1);
  CHECK(report["planned_values"]["root_module"]["resources"].size() == 2);
  CHECK(report["cphform"]["steps"][0] ==
        json{{"operation", "purchase"}, {"block", "server.web"}, {"addresses", {"server.web"}}, {"after", json::array()}});
}

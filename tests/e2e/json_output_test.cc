// -json event streams, checked line by line against docs/json-format.md.
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <catch2/catch.hpp>

#include "tests/e2e/harness.h"

using namespace cph::e2e;
using Json = nlohmann::json;

namespace {

bool is_resource(const Json& r) {
  return r.is_object() && r["addr"].is_string() && r["resource_type"] == "server" && r["resource_name"].is_string() &&
         (r["resource_key"].is_null() || r["resource_key"].is_number_integer());
}

bool is_hook(const Json& h) {
  static const std::set<std::string> actions = {"create", "update", "replace", "delete"};
  return h.is_object() && is_resource(h["resource"]) && h["action"].is_string() &&
         actions.count(h["action"].get<std::string>()) && h["elapsed_seconds"].is_number_integer();
}

// Checks one event against the documented schema; returns its type.
std::string check_event(const Json& e) {
  INFO(e.dump());
  REQUIRE(e.is_object());
  REQUIRE((e["@level"] == "info" || e["@level"] == "error"));
  REQUIRE(e["@message"].is_string());
  REQUIRE(e["@module"] == "cphform.ui");
  REQUIRE(std::regex_match(e["@timestamp"].get<std::string>(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
  const std::string type = e["type"].get<std::string>();
  if (type == "version") {
    CHECK(e["ui"] == "1.2");
    CHECK(e["cphform"].is_string());
    CHECK(e["terraform"] == e["cphform"]);
  } else if (type == "refresh_summary") {
    CHECK(e["recorded"].is_number_integer());
    CHECK(e["live"].is_number_integer());
    CHECK(e["list_calls"].is_number_integer());
  } else if (type == "planned_change" || type == "resource_drift") {
    CHECK(is_resource(e["change"]["resource"]));
    CHECK(e["change"]["action"].is_string());
  } else if (type == "change_summary") {
    for (const char* k : {"add", "change", "import", "remove"}) CHECK(e["changes"][k].is_number_integer());
    CHECK(e["changes"]["operation"].is_string());
  } else if (type == "apply_start" || type == "apply_progress" || type == "apply_errored") {
    CHECK(is_hook(e["hook"]));
  } else if (type == "apply_complete") {
    CHECK(is_hook(e["hook"]));
    if (e["hook"].contains("id_key")) CHECK(e["hook"]["id_value"].is_string());
  } else if (type == "diagnostic") {
    CHECK(e["@level"] == "error");
    CHECK(e["diagnostic"]["severity"] == "error");
    CHECK(e["diagnostic"]["summary"].is_string());
  } else if (type == "drift_summary") {
    CHECK(e["has_drift"].is_boolean());
  } else {
    CHECK((type == "log" || type == "resume" || type == "refresh_recorded" || type == "unmanaged_server" ||
           type == "outputs"));
  }
  return type;
}

std::vector<Json> events(const std::string& out) {
  std::vector<Json> list;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) list.push_back(Json::parse(line));
  return list;
}

}  // namespace

TEST_CASE("-json streams documented events for plan, apply, drift and errors", "[e2e]") {
  EmulatorProcess emu;
  TempDir dir;
  dir.write("main.toml", server_manifest(emu.url(), "web", 2));

  auto plan = run_cphform({"plan", "-json", "-detailed-exitcode"}, dir.path(), &emu);
  CHECK(plan.exit_code == 2);
  auto pe = events(plan.out);
  REQUIRE(pe.size() == 5);
  std::vector<std::string> types;
  for (const auto& e : pe) types.push_back(check_event(e));
  CHECK(types == std::vector<std::string>{"version", "refresh_summary", "planned_change", "planned_change",
                                          "change_summary"});
  CHECK(pe[2]["change"]["resource"]["addr"] == "server.web[0]");
  CHECK(pe[2]["change"]["resource"]["resource_key"] == 0);
  CHECK(pe[4]["changes"] == Json{{"add", 2}, {"change", 0}, {"import", 0}, {"remove", 0}, {"operation", "plan"}});

  auto needs_approve = run_cphform({"apply", "-json"}, dir.path(), &emu);
  CHECK(needs_approve.exit_code == 1);
  CHECK(check_event(events(needs_approve.out).back()) == "diagnostic");

  auto apply = run_cphform({"apply", "-json", "-auto-approve"}, dir.path(), &emu);
  REQUIRE(apply.exit_code == 0);
  std::map<std::string, int> count;
  for (const auto& e : events(apply.out)) ++count[check_event(e)];
  CHECK(count["apply_start"] == 2);
  CHECK(count["apply_complete"] == 2);
  CHECK(count["change_summary"] == 2);  // the plan's, then the apply's
  auto last = events(apply.out).back();
  CHECK(last["changes"] == Json{{"add", 2}, {"change", 0}, {"import", 0}, {"remove", 0}, {"operation", "apply"}});

  auto drift = run_cphform({"drift", "-json"}, dir.path(), &emu);
  CHECK(drift.exit_code == 0);
  auto de = events(drift.out);
  for (const auto& e : de) check_event(e);
  CHECK(de.back()["type"] == "drift_summary");
  CHECK(de.back()["has_drift"] == false);

  dir.write("main.toml", server_manifest(emu.url(), "web", -1));
  auto bad = run_cphform({"plan", "-json"}, dir.path(), &emu);
  CHECK(bad.exit_code == 1);
  auto be = events(bad.out);
  REQUIRE(be.size() == 2);
  CHECK(check_event(be[1]) == "diagnostic");
  CHECK(be[1]["diagnostic"]["range"]["start"]["line"] == 6);
  CHECK(be[1]["diagnostic"]["range"]["filename"].get<std::string>().find("main.toml") != std::string::npos);
}

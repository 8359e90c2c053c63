// cphform's JSON read by tools built for Terraform's (issue 12): `show -json`
// and the `-json` event streams must hold every key terraform 1.11 writes for
// a similar plan. The references in tests/data/terraform/ are what
// `terraform show -json` / `terraform plan -json` / `terraform apply -json`
// wrote for the terraform_data resources of tests/data/terraform/change.tf
// (a counted block updated and replaced, a block deleted, an output).
#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>

#include <catch2/catch.hpp>

#include "tests/e2e/harness.h"

using namespace cph::e2e;
using Json = nlohmann::json;

namespace {

std::filesystem::path reference(const std::string& name) {
  const char* src = std::getenv("CPHFORM_SOURCE_DIR");
  REQUIRE(src != nullptr);
  return std::filesystem::path(src) / "tests" / "data" / "terraform" / name;
}

std::vector<Json> lines(const std::string& text) {
  std::vector<Json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(Json::parse(line));
  return out;
}

// Subtrees whose keys are the resource's own attributes (Terraform's
// terraform_data has "input", cphform's server has "name") or a value's
// type: their keys are not part of the format. Outputs are named "first" in
// both configurations, so their keys are compared.
const std::set<std::string> kValueKeys = {"before", "after",  "after_unknown", "before_sensitive", "after_sensitive",
                                          "values", "sensitive_values", "value", "replace_paths", "type"};

// Every key path of `j` ("resource_changes[].change.actions"), not entering
// the value subtrees.
void key_paths(const Json& j, const std::string& at, std::set<std::string>& out) {
  if (j.is_array()) {
    for (const Json& e : j) key_paths(e, at + "[]", out);
    return;
  }
  if (!j.is_object()) return;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string path = at.empty() ? it.key() : at + "." + it.key();
    out.insert(path);
    if (!kValueKeys.count(it.key()) || at.empty()) key_paths(it.value(), path, out);
  }
}

std::set<std::string> key_paths(const Json& j) {
  std::set<std::string> out;
  key_paths(j, "", out);
  return out;
}

// The keys of `terraform` that `ours` lacks, but for `allowed_missing` and
// what lies under those.
std::vector<std::string> missing(const std::set<std::string>& terraform, const std::set<std::string>& ours,
                                 const std::set<std::string>& allowed_missing) {
  std::vector<std::string> out;
  for (const std::string& k : terraform) {
    const bool allowed = std::any_of(allowed_missing.begin(), allowed_missing.end(), [&](const std::string& a) {
      return k == a || (k.rfind(a, 0) == 0 && (k[a.size()] == '.' || k[a.size()] == '['));
    });
    if (!ours.count(k) && !allowed) out.push_back(k);
  }
  return out;
}

// Top-level keys of Terraform's plan that cphform leaves out on purpose
// (docs/json-format.md): `variables` holds sensitive values in clear,
// `configuration` and `relevant_attributes` describe HCL expressions, and a
// plan file records no creation time.
const std::set<std::string> kNotWritten = {"variables", "configuration", "relevant_attributes", "timestamp"};

// A policy written for Terraform's JSON, as OPA/conftest users write it:
// deny every resource change whose actions include "delete".
std::vector<std::string> deny_deletes(const Json& plan) {
  std::vector<std::string> denied;
  for (const Json& rc : plan.at("resource_changes")) {
    const Json& actions = rc.at("change").at("actions");
    if (std::find(actions.begin(), actions.end(), Json("delete")) != actions.end())
      denied.push_back(rc.at("address").get<std::string>());
  }
  return denied;
}

const std::set<std::string> kTerraformActions = {"no-op", "create", "read", "update", "delete", "forget"};

// Two servers under count, one without, and an output.
std::string manifest(const std::string& url, int web_count, const std::string& web_name, int solo_size) {
  std::string m = server_manifest(url, web_name, web_count);
  std::string solo = server_block("solo", "solo", 1);
  solo.erase(solo.find("count = 1\n"), 10);  // no count: an address without index
  const std::string size = "size = 300";
  solo.replace(solo.find(size), size.size(), "size = " + std::to_string(solo_size));
  return m + "\n" + solo + "\n[output.first]\nvalue = \"${server.web[0].id}\"\n";
}

}  // namespace

TEST_CASE("show -json of a saved plan has the keys terraform 1.11 writes", "[e2e][terraform_json]") {
  EmulatorProcess emu;
  TempDir dir;
  dir.write("main.toml", manifest(emu.url(), 2, "web", 300));

  REQUIRE_RUN(run_cphform({"plan", "-out=create.plan"}, dir.path(), &emu), 0);
  auto created = run_cphform({"show", "-json", "create.plan"}, dir.path(), nullptr);
  REQUIRE_RUN(created, 0);
  const Json create = Json::parse(created.out);
  CHECK(deny_deletes(create).empty());  // the policy passes a plan without a destroy
  CHECK(create["format_version"] == "1.2");
  CHECK(create["resource_changes"].size() == 3);
  CHECK(create["output_changes"]["first"]["actions"] == Json{"create"});
  CHECK(create["output_changes"]["first"]["after_unknown"] == true);
  CHECK(create["resource_changes"][0]["change"]["after_unknown"] == Json{{"id", true}});
  REQUIRE_RUN(run_cphform({"apply", "create.plan"}, dir.path(), &emu), 0);

  // web[0] renamed in place, web[1] beyond the count, solo's bandwidth size
  // forces a replacement; nothing else changes.
  dir.write("main.toml", manifest(emu.url(), 1, "game", 200));
  REQUIRE_RUN(run_cphform({"plan", "-out=change.plan"}, dir.path(), &emu), 0);
  auto shown = run_cphform({"show", "-json", "change.plan"}, dir.path(), nullptr);
  REQUIRE_RUN(shown, 0);
  const Json ours = Json::parse(shown.out);
  const Json terraform = Json::parse(slurp(reference("change_plan_show.json")));

  INFO(Json(missing(key_paths(terraform), key_paths(ours), kNotWritten)).dump());
  CHECK(missing(key_paths(terraform), key_paths(ours), kNotWritten).empty());

  std::map<std::string, Json> actions;
  for (const Json& rc : ours["resource_changes"]) {
    for (const Json& a : rc["change"]["actions"]) CHECK(kTerraformActions.count(a.get<std::string>()));
    actions[rc["address"].get<std::string>()] = rc["change"]["actions"];
  }
  CHECK(actions == std::map<std::string, Json>{{"server.solo", {"delete", "create"}},
                                               {"server.web[0]", {"update"}},
                                               {"server.web[1]", {"delete"}}});
  CHECK(ours["resource_changes"][0]["change"]["replace_paths"] == Json::array({Json::array({"bandwidth"})}));
  CHECK(!ours["resource_changes"][0].contains("index"));  // as Terraform: no index without count
  CHECK(ours["resource_changes"][2]["index"] == 1);
  CHECK(ours["resource_changes"][2]["action_reason"] == "delete_because_count_index");
  CHECK(ours["prior_state"]["values"]["root_module"]["resources"].size() == 3);
  CHECK(ours["planned_values"]["root_module"]["resources"].size() == 2);
  CHECK(ours["output_changes"]["first"]["actions"] == Json{"no-op"});  // web[0] keeps its id
  CHECK(ours["cphform"]["summary"] == Json{{"add", 1}, {"change", 1}, {"destroy", 2}, {"has_changes", true}});
  CHECK(!ours["cphform"]["steps"].empty());

  // The policy denies exactly the deletes, as it does on Terraform's own plan.
  CHECK(deny_deletes(terraform) == std::vector<std::string>{"terraform_data.single", "terraform_data.web[1]"});
  CHECK(deny_deletes(ours) == std::vector<std::string>{"server.solo", "server.web[1]"});

  // A plan that changes nothing lists every instance as a no-op, which the policy passes.
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve", "-allow-data-loss"}, dir.path(), &emu), 0);
  REQUIRE_RUN(run_cphform({"plan", "-out=same.plan"}, dir.path(), &emu), 0);
  auto same = run_cphform({"show", "-json", "same.plan"}, dir.path(), nullptr);
  REQUIRE_RUN(same, 0);
  const Json none = Json::parse(same.out);
  REQUIRE(none["resource_changes"].size() == 2);
  for (const Json& rc : none["resource_changes"]) CHECK(rc["change"]["actions"] == Json{"no-op"});
  CHECK(none["applyable"] == false);
  CHECK(deny_deletes(none).empty());
}

TEST_CASE("plan -json and apply -json stream the messages terraform 1.11 writes", "[e2e][terraform_json]") {
  EmulatorProcess emu;
  TempDir dir;
  dir.write("main.toml", manifest(emu.url(), 2, "web", 300));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu), 0);
  dir.write("main.toml", manifest(emu.url(), 1, "game", 200));

  auto plan = run_cphform({"plan", "-json"}, dir.path(), &emu);
  REQUIRE_RUN(plan, 0);
  auto apply = run_cphform({"apply", "-json", "-auto-approve", "-allow-data-loss"}, dir.path(), &emu);
  REQUIRE_RUN(apply, 0);
  dir.write("main.toml", server_manifest(emu.url(), "web", -1));
  auto bad = run_cphform({"plan", "-json"}, dir.path(), &emu);
  REQUIRE_RUN(bad, 1);

  // Key paths per event type (Terraform reports a replacement as a delete
  // hook and a create hook, cphform as one replace hook: both are actions
  // of its hook format).
  auto kinds = [](const std::vector<Json>& events) {
    std::map<std::string, std::set<std::string>> out;
    for (const Json& e : events) {
      std::set<std::string> keys = key_paths(e);
      out[e["type"].get<std::string>()].insert(keys.begin(), keys.end());
    }
    return out;
  };
  std::vector<Json> ours_events = lines(plan.out), tf_events = lines(slurp(reference("change_plan.jsonl")));
  for (const Json& e : lines(apply.out)) ours_events.push_back(e);
  for (const Json& e : lines(bad.out)) ours_events.push_back(e);
  for (const Json& e : lines(slurp(reference("change_apply.jsonl")))) tf_events.push_back(e);
  for (const Json& e : lines(slurp(reference("diagnostic.jsonl")))) tf_events.push_back(e);
  const auto ours = kinds(ours_events), terraform = kinds(tf_events);

  // cphform refreshes the whole fleet in a few list calls, not resource by
  // resource, and cites no source snippet (docs/json-format.md).
  const std::set<std::string> not_written = {"refresh_start", "refresh_complete"};
  for (const auto& [kind, keys] : terraform) {
    if (not_written.count(kind)) continue;
    INFO(kind);
    REQUIRE(ours.count(kind));
    const std::set<std::string> allowed = {"diagnostic.range.start.byte", "diagnostic.range.end", "diagnostic.snippet"};
    INFO(Json(missing(keys, ours.at(kind), allowed)).dump());
    CHECK(missing(keys, ours.at(kind), allowed).empty());
  }
  for (const Json& e : ours_events) {
    CHECK(e["@module"] == "cphform.ui");
    CHECK(e["@timestamp"].is_string());
  }
  const Json summary = lines(apply.out).back().contains("changes") ? lines(apply.out).back() : lines(apply.out).end()[-2];
  CHECK(summary["changes"] == Json{{"add", 1}, {"change", 1}, {"import", 0}, {"remove", 2}, {"operation", "apply"}});
}

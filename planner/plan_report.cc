// `show -json PLANFILE`: Terraform's JSON plan representation (format 1.2,
// the keys terraform 1.11 writes; tests/e2e/data/terraform_plan_show.json is
// what it wrote for a terraform_data plan), so that tools built for it (policy
// checks, PR commenters, summaries) read cphform's plans. cphform's own facts
// (the execution graph, pending journal work, drift as it reports it, the
// state's lineage) are under "cphform" and under "cphform" in each resource
// change: Terraform tools ignore keys they do not know.
#include <algorithm>

#include "planner/plan_json.h"
#include "planner/planner.h"
#include "planner/sensitive.h"

namespace cph::planner {

using Json = nlohmann::json;

namespace {

// Terraform's provider_name is a source address (hostname/namespace/type);
// cphform's resources are built in, as terraform_data is "terraform.io/builtin/terraform".
constexpr const char* kProviderName = "cphform/builtin/cph";

// The block label of "server.web": "web".
std::string block_label(const std::string& block) {
  auto dot = block.find('.');
  return dot == std::string::npos ? block : block.substr(dot + 1);
}

// An instance's attributes as Terraform values: its cloud id as "id" (unless
// the resource has an attribute of that name), null when there is no object.
Json values(const Json& attributes, const std::string& cloud_id) {
  if (attributes.is_null()) return nullptr;
  Json v = attributes.is_object() ? attributes : Json::object();
  if (!cloud_id.empty() && !v.contains("id")) v["id"] = cloud_id;
  return v;
}

// Terraform's *_sensitive marks, with false for "nothing sensitive" turned
// into {} where Terraform writes an object (sensitive_values).
Json marks_object(const Json& value, const std::vector<std::string>& paths) {
  Json m = sensitive_marks(value, paths);
  return m.is_object() ? m : Json::object();
}

// The keys every resource object of Terraform's JSON starts with.
Json resource_head(const Action& a) {
  Json j = {{"address", a.address}, {"mode", "managed"}, {"type", a.type}, {"name", block_label(a.block)}};
  if (a.index >= 0) j["index"] = a.index;  // Terraform leaves "index" out without count
  j["provider_name"] = kProviderName;
  return j;
}

// A resource of prior_state or planned_values: `shown` its attributes
// redacted, `given` the same unredacted (for the marks).
Json resource_value(const Action& a, const Json& shown, const Json& given) {
  Json j = resource_head(a);
  j["schema_version"] = 0;
  j["values"] = values(shown, a.cloud_id);
  j["sensitive_values"] = marks_object(given, a.sensitive);
  return j;
}

Json terraform_actions(ActionKind k) {
  switch (k) {
    case ActionKind::create: return {"create"};
    case ActionKind::update:
    case ActionKind::switch_phones: return {"update"};  // in place; "cphform.action" tells a switch apart
    case ActionKind::replace: return {"delete", "create"};  // cphform destroys first (no create_before_destroy)
    case ActionKind::remove: return {"delete"};
  }
  return {"no-op"};
}

// Terraform's action_reason, where one of its values says why (a destroy
// plan has none).
Json action_reason(const Action& a, bool destroy) {
  if (a.replace_requested) return "replace_by_request";
  if (a.kind == ActionKind::replace) return "replace_because_cannot_update";
  if (a.kind != ActionKind::remove || destroy) return nullptr;
  // The planner's reason for an instance beyond its block's count (planner.cc).
  return a.reason.rfind("count is now", 0) == 0 ? "delete_because_count_index" : "delete_because_no_resource_config";
}

// `a` redacted, `given` the same action with its values (for the marks only).
Json resource_change(const Action& a, const Action& given, bool no_op, bool destroy) {
  Json paths = Json::array(), new_order_paths = Json::array();
  for (const auto& c : a.changes) {
    if (c.forces_replacement) paths.push_back(Json::array({c.name}));  // a path is a list of steps
    if (c.next_order) new_order_paths.push_back(c.name);
  }
  const bool creates = !no_op && (a.kind == ActionKind::create || a.kind == ActionKind::replace);
  Json after_unknown = Json::object();
  if (creates && !(a.after.is_object() && a.after.contains("id"))) after_unknown["id"] = true;  // the cloud assigns it
  const bool keeps_id = !creates && a.kind != ActionKind::remove;
  Json change = {{"actions", no_op ? Json{"no-op"} : terraform_actions(a.kind)},
                 {"before", values(a.before, a.cloud_id)},
                 {"after", values(a.after, keeps_id ? a.cloud_id : "")},
                 {"after_unknown", after_unknown},
                 {"before_sensitive", sensitive_marks(given.before, a.sensitive)},
                 {"after_sensitive", sensitive_marks(given.after, a.sensitive)}};
  if (!paths.empty()) change["replace_paths"] = paths;
  Json j = resource_head(a);
  j["change"] = change;
  if (!no_op && !action_reason(a, destroy).is_null()) j["action_reason"] = action_reason(a, destroy);
  Json extras = {{"action", no_op ? "no-op" : to_string(a.kind)},
                 {"cloud_id", a.cloud_id.empty() ? Json() : Json(a.cloud_id)},
                 {"reason", a.reason.empty() ? Json() : Json(a.reason)},
                 {"replace_requested", a.replace_requested},
                 {"operations", a.operations},
                 {"applies_to_new_orders_paths", new_order_paths}};
  // What -replace=ADDR[MEMBER] or a requested operation named (docs/semantics.md).
  if (!a.members.empty()) extras["members"] = a.members;
  if (!a.requested.empty()) extras["requested"] = a.requested;
  j["cphform"] = extras;
  return j;
}

// Terraform's resource_drift: a resource change per drifted instance, its
// before and after holding the drifted attributes only (recorded, live).
Json terraform_drift(const Drift& d, const Drift& given) {
  Json before = Json::object(), after = Json::object();
  for (const auto& c : d.changes) {
    before[c.name] = c.before;
    after[c.name] = c.after;
  }
  Action head;
  head.address = d.address;
  head.type = d.address.substr(0, d.address.find('.'));
  const AddressParts parts = address_parts(d.address);
  head.block = parts.block;
  head.index = parts.index;
  Json j = resource_head(head);
  Json given_before = Json::object(), given_after = Json::object();
  for (const auto& c : given.changes) {
    given_before[c.name] = c.before;
    given_after[c.name] = c.after;
  }
  j["change"] = {{"actions", d.deleted ? Json{"delete"} : Json{"update"}},
                 {"before", values(before, d.cloud_id)},
                 {"after", d.deleted ? Json() : values(after, d.cloud_id)},
                 {"after_unknown", Json::object()},
                 {"before_sensitive", sensitive_marks(given_before, d.sensitive)},
                 {"after_sensitive", d.deleted ? Json(false) : sensitive_marks(given_after, d.sensitive)}};
  return j;
}

Json output_change(const OutputChange& o) {
  return {{"actions", Json::array({o.action})},
          {"before", o.before},
          {"after", o.after},
          {"after_unknown", o.after_unknown},
          {"before_sensitive", o.sensitive},
          {"after_sensitive", o.sensitive}};
}

// An output of prior_state or planned_values; the value only when known and not sensitive.
Json output_value(const OutputChange& o, const Json& value) {
  Json j = {{"sensitive", o.sensitive}};
  if (value.is_null()) return j;
  j["value"] = value;
  j["type"] = output_type(value);
  return j;
}

// Terraform's prior_state: what the state recorded (refreshed) before the plan.
Json prior_state(const Plan& p, const Plan& given) {
  std::vector<std::pair<std::string, Json>> resources;
  auto add = [&](const std::vector<Action>& list, const std::vector<Action>& originals) {
    for (size_t i = 0; i < list.size(); ++i)
      if (!list[i].before.is_null())
        resources.emplace_back(list[i].address, resource_value(list[i], list[i].before, originals[i].before));
  };
  add(p.actions, given.actions);
  add(p.unchanged, given.unchanged);
  std::sort(resources.begin(), resources.end(), [](const auto& x, const auto& y) { return address_less(x.first, y.first); });
  Json list = Json::array();
  for (auto& r : resources) list.push_back(std::move(r.second));
  Json outputs = Json::object();
  for (const OutputChange& o : p.outputs)
    if (!o.before.is_null() || o.sensitive) outputs[o.name] = output_value(o, o.before);
  return {{"format_version", "1.0"},
          {"terraform_version", kCphformVersion},
          {"values", {{"outputs", outputs}, {"root_module", {{"resources", list}}}}}};
}

// Terraform's planned_values: the instances as the plan leaves them.
Json planned_values(const Plan& p, const Plan& given) {
  std::vector<std::pair<std::string, Json>> resources;
  for (size_t i = 0; i < p.actions.size(); ++i)
    if (p.actions[i].kind != ActionKind::remove) {
      Action a = p.actions[i];
      if (a.kind != ActionKind::update && a.kind != ActionKind::switch_phones) a.cloud_id.clear();  // a new object
      resources.emplace_back(a.address, resource_value(a, a.after, given.actions[i].after));
    }
  for (size_t i = 0; i < p.unchanged.size(); ++i)
    resources.emplace_back(p.unchanged[i].address,
                           resource_value(p.unchanged[i], p.unchanged[i].after, given.unchanged[i].after));
  std::sort(resources.begin(), resources.end(), [](const auto& x, const auto& y) { return address_less(x.first, y.first); });
  Json list = Json::array();
  for (auto& r : resources) list.push_back(std::move(r.second));
  Json outputs = Json::object();
  for (const OutputChange& o : p.outputs)
    if (!o.removed) outputs[o.name] = output_value(o, o.after);
  return {{"outputs", outputs}, {"root_module", {{"resources", list}}}};
}

// cphform's facts that Terraform's format has no place for.
Json extras(const Plan& p) {
  Json j = {{"format_version", kExtrasFormatVersion}, {"lineage", p.lineage}, {"serial", p.serial},
            {"destroy", p.destroy}, {"vanished", p.vanished}};
  j["resource_drift"] = Json::array();
  for (const Drift& d : p.drift) j["resource_drift"].push_back(drift_json(d));
  j["pending_operations"] = Json::array();
  for (const PendingOperation& op : p.pending)
    j["pending_operations"].push_back({{"operation", op.entry.operation},
                                       {"address", op.entry.address},
                                       {"resolution", op.resolution},
                                       {"description", op.description}});
  j["steps"] = Json::array();
  for (const Step& s : p.steps) {
    Json addresses = Json::array();
    for (size_t i : s.actions) addresses.push_back(p.actions[i].address);
    j["steps"].push_back({{"operation", s.operation}, {"block", s.block}, {"addresses", addresses}, {"after", s.after}});
  }
  j["summary"] = {{"add", p.to_add()}, {"change", p.to_change()}, {"destroy", p.to_destroy()},
                  {"has_changes", p.has_changes()}};
  return j;
}

}  // namespace

std::string output_type(const Json& v) {
  if (v.is_string()) return "string";
  if (v.is_number()) return "number";
  if (v.is_boolean()) return "bool";
  if (v.is_array()) return "list";
  return "map";
}

Json plan_report_json(const Plan& plan) {
  // An unchanged instance is after as it was before (Plan::unchanged).
  Plan given = plan;
  for (Action& a : given.unchanged)
    if (a.after.is_null()) a.after = a.before;
  // Terraform's convention for what must not be shown: the value left out
  // (null), *_sensitive marks where it was.
  const Plan p = redacted(given, nullptr);
  std::vector<std::pair<std::string, Json>> changes;
  for (size_t i = 0; i < p.actions.size(); ++i)
    changes.emplace_back(p.actions[i].address, resource_change(p.actions[i], given.actions[i], false, p.destroy));
  for (size_t i = 0; i < p.unchanged.size(); ++i)
    changes.emplace_back(p.unchanged[i].address, resource_change(p.unchanged[i], given.unchanged[i], true, p.destroy));
  std::sort(changes.begin(), changes.end(), [](const auto& x, const auto& y) { return address_less(x.first, y.first); });
  Json j = {{"format_version", kReportFormatVersion}, {"terraform_version", kCphformVersion}};
  j["planned_values"] = planned_values(p, given);
  j["resource_changes"] = Json::array();
  for (auto& c : changes) j["resource_changes"].push_back(std::move(c.second));
  j["resource_drift"] = Json::array();
  for (size_t i = 0; i < p.drift.size(); ++i) j["resource_drift"].push_back(terraform_drift(p.drift[i], given.drift[i]));
  j["output_changes"] = Json::object();
  for (const OutputChange& o : p.outputs) j["output_changes"][o.name] = output_change(o);
  j["prior_state"] = prior_state(p, given);
  j["applyable"] = p.has_changes();
  j["complete"] = true;
  j["errored"] = false;
  j["cphform"] = extras(p);
  return j;
}

}  // namespace cph::planner

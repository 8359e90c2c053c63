#include "cli/json_events.h"

#include "common/timefmt.h"
#include "planner/plan_json.h"
#include "planner/render.h"
#include "planner/planner.h"
#include "planner/sensitive.h"

namespace cph::engine {

using Json = nlohmann::json;

void JsonEvents::emit(const std::string& type, const std::string& level, const std::string& message, Json fields) {
  Json line = {{"@level", level}, {"@message", message}, {"@module", kJsonUiModule},
               {"@timestamp", iso8601_utc(now_epoch_seconds())}, {"type", type}};
  for (auto it = fields.begin(); it != fields.end(); ++it) line[it.key()] = it.value();
  std::lock_guard lock(mu_);
  out_ << line.dump() << std::endl;
}

Json JsonEvents::resource(const std::string& address) {
  // "server.web[3]" -> type server, name web, key 3
  const planner::AddressParts parts = planner::address_parts(address);
  const auto dot = parts.block.find('.');
  const std::string type(parts.block.substr(0, dot));
  const std::string rest(dot == std::string_view::npos ? std::string_view() : parts.block.substr(dot + 1));
  const Json key = parts.index >= 0 ? Json(parts.index) : Json();
  return {{"addr", address}, {"module", ""}, {"resource", address}, {"implied_provider", "cph"},
          {"resource_type", type}, {"resource_name", rest}, {"resource_key", key}};
}

void JsonEvents::version() {
  // "terraform" is where Terraform's readers look for the writer's version.
  emit("version", "info", std::string("cphform ") + planner::kCphformVersion,
       {{"terraform", planner::kCphformVersion}, {"cphform", planner::kCphformVersion}, {"ui", kJsonUiVersion}});
}

void JsonEvents::refreshed(size_t recorded, size_t live, int64_t list_calls) {
  // Not Terraform's refresh_complete, which is one per resource with a hook.
  emit("refresh_summary", "info",
       "Refreshed " + std::to_string(recorded) + " recorded resources against " + std::to_string(live) + " in the cloud",
       {{"recorded", recorded}, {"live", live}, {"list_calls", list_calls}});
}

namespace {
// Terraform's reason of a planned_change, where one of its values says why.
const char* ui_reason(const planner::Action& a, bool destroy) {
  if (a.replace_requested) return "requested";
  if (a.kind == planner::ActionKind::replace) return "cannot_update";
  if (a.kind != planner::ActionKind::remove || destroy) return nullptr;
  // The planner's reason for an instance beyond its block's count (planner.cc).
  return a.reason.rfind("count is now", 0) == 0 ? "delete_because_count_index" : "delete_because_no_resource_config";
}

// One attribute change of an event; a sensitive one is null with "sensitive": true.
Json change_json(const planner::AttrChange& c, const std::vector<std::string>& sensitive) {
  Json j = {{"attribute", c.name}, {"before", c.before}, {"after", c.after}};
  if (planner::touches_sensitive(sensitive, c.name)) j["sensitive"] = true;
  return j;
}
}  // namespace

void JsonEvents::plan(const planner::Plan& given, const std::string& operation) {
  const planner::Plan plan = planner::redacted(given, nullptr);
  for (const auto& p : plan.pending)
    emit("resume", "info", "resuming: " + p.description,
         {{"operation", p.entry.operation}, {"address", p.entry.address}});
  for (const auto& d : plan.drift) {
    Json changes = Json::array();
    for (const auto& c : d.changes) changes.push_back(change_json(c, d.sensitive));
    emit("resource_drift", "info", d.address + ": " + (d.deleted ? "deleted outside cphform" : "changed outside cphform"),
         {{"change", {{"resource", resource(d.address)}, {"action", d.deleted ? "delete" : "update"},
                      {"changes", changes}}}});
  }
  for (const auto& a : plan.actions) {
    const std::string action = ui_action(a.kind);
    Json change = {{"resource", resource(a.address)}, {"action", action}};
    if (a.kind == planner::ActionKind::switch_phones) change["cphform_action"] = "switch";
    if (const char* why = ui_reason(a, plan.destroy)) change["reason"] = why;
    if (!a.reason.empty()) change["cphform_reason"] = a.reason;
    Json attrs = Json::array();
    for (const auto& c : a.changes) {
      attrs.push_back(change_json(c, a.sensitive));
      attrs.back()["forces_replacement"] = c.forces_replacement;
      attrs.back()["applies_to_new_orders"] = c.next_order;
    }
    if (!attrs.empty()) change["changes"] = attrs;
    if (a.replace_requested) change["replace_requested"] = true;
    emit("planned_change", "info", a.address + ": Plan to " + action, {{"change", change}});
  }
  change_summary(plan.to_add(), plan.to_change(), plan.to_destroy(), operation);
  planned_outputs(plan);
}

void JsonEvents::planned_outputs(const planner::Plan& plan) {
  Json outputs = Json::object();
  for (const auto& o : plan.outputs) {
    outputs[o.name] = {{"sensitive", o.sensitive}, {"action", o.action == "no-op" ? "noop" : o.action}};
  }
  if (!outputs.empty()) emit("outputs", "info", "Outputs: " + std::to_string(outputs.size()), {{"outputs", outputs}});
}

void JsonEvents::outputs(const nlohmann::json& values) {
  if (!values.empty()) emit("outputs", "info", "Outputs: " + std::to_string(values.size()), {{"outputs", values}});
}

std::string JsonEvents::ui_action(planner::ActionKind kind) {
  // A switch changes the server in place (its phones are recreated: cphform_action says so).
  if (kind == planner::ActionKind::switch_phones) return "update";
  return std::string(planner::to_string(kind));
}

void JsonEvents::change_summary(int add, int change, int remove, const std::string& operation) {
  std::string verb = operation == "plan" ? "Plan" : operation == "destroy" ? "Destroy complete" : "Apply complete";
  std::string message = verb + ": " + std::to_string(add) + " to add, " + std::to_string(change) + " to change, " +
                        std::to_string(remove) + " to destroy.";
  if (operation != "plan")
    message = verb + "! Resources: " + std::to_string(add) + " added, " + std::to_string(change) + " changed, " +
              std::to_string(remove) + " destroyed.";
  emit("change_summary", "info", message,
       {{"changes", {{"add", add}, {"change", change}, {"import", 0}, {"remove", remove}, {"operation", operation}}}});
}

void JsonEvents::diagnostic(const std::string& summary, const std::string& detail, const std::string& address,
                            const std::optional<manifest::SourcePos>& where) {
  Json d = {{"severity", "error"}, {"summary", summary}, {"detail", detail}};
  if (!address.empty()) d["address"] = address;
  if (where)
    d["range"] = {{"filename", where->file}, {"start", {{"line", where->line}, {"column", where->column}}}};
  emit("diagnostic", "error", "Error: " + summary, {{"diagnostic", d}});
}

}  // namespace cph::engine

#include "engine/json_events.h"

#include "common/timefmt.h"
#include "planner/render.h"
#include "planner/sensitive.h"

namespace cph::engine {

using Json = nlohmann::json;

void JsonEvents::emit(const std::string& type, const std::string& level, const std::string& message, Json fields) {
  Json line = {{"@level", level}, {"@message", message}, {"@timestamp", iso8601_utc(now_epoch_seconds())},
               {"type", type}};
  for (auto it = fields.begin(); it != fields.end(); ++it) line[it.key()] = it.value();
  std::lock_guard lock(mu_);
  out_ << line.dump() << std::endl;
}

Json JsonEvents::resource(const std::string& address) {
  // "server.web[3]" -> type server, name web, key 3
  auto dot = address.find('.');
  std::string type = address.substr(0, dot);
  std::string rest = dot == std::string::npos ? "" : address.substr(dot + 1);
  Json key;
  auto open = rest.find('[');
  if (open != std::string::npos && rest.back() == ']') {
    key = std::stoi(rest.substr(open + 1, rest.size() - open - 2));
    rest = rest.substr(0, open);
  }
  return {{"addr", address}, {"resource_type", type}, {"resource_name", rest}, {"resource_key", key}};
}

void JsonEvents::version() {
  emit("version", "info", "cphform 0.1.0", {{"cphform", "0.1.0"}, {"ui", kJsonUiVersion}});
}

void JsonEvents::refreshed(size_t recorded, size_t live, int64_t list_calls) {
  emit("refresh_complete", "info",
       "Refreshed " + std::to_string(recorded) + " recorded resources against " + std::to_string(live) + " in the cloud",
       {{"recorded", recorded}, {"live", live}, {"list_calls", list_calls}});
}

namespace {
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
    std::string action(planner::to_string(a.kind));
    Json change = {{"resource", resource(a.address)}, {"action", action}};
    if (!a.reason.empty()) change["reason"] = a.reason;
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
}

void JsonEvents::change_summary(int add, int change, int remove, const std::string& operation) {
  std::string verb = operation == "plan" ? "Plan" : operation == "destroy" ? "Destroy complete" : "Apply complete";
  std::string message = verb + ": " + std::to_string(add) + " to add, " + std::to_string(change) + " to change, " +
                        std::to_string(remove) + " to destroy.";
  if (operation != "plan")
    message = verb + "! Resources: " + std::to_string(add) + " added, " + std::to_string(change) + " changed, " +
              std::to_string(remove) + " destroyed.";
  emit("change_summary", "info", message,
       {{"changes", {{"add", add}, {"change", change}, {"remove", remove}, {"operation", operation}}}});
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

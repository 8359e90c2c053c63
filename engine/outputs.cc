#include "engine/outputs.h"

#include <algorithm>
#include <ostream>
#include <map>
#include <set>

#include "manifest/expression.h"
#include "planner/plan_json.h"

namespace cph::engine {

using nlohmann::json;

std::optional<json> state_value(const std::vector<state::ResourceRow>& rows, const manifest::Reference& ref) {
  std::string address = ref.address();
  auto row = std::find_if(rows.begin(), rows.end(), [&](const state::ResourceRow& r) { return r.address == address; });
  if (row == rows.end()) return std::nullopt;
  if (ref.attribute == "id" && !row->cloud_id.empty()) return json(row->cloud_id);
  if (row->attributes.is_object() && row->attributes.contains(ref.attribute) && !row->attributes[ref.attribute].is_null())
    return row->attributes[ref.attribute];
  return std::nullopt;
}

std::vector<OutputValue> evaluate_outputs(const manifest::Manifest& m, const std::vector<state::ResourceRow>& rows) {
  std::vector<OutputValue> out;
  for (const manifest::Output& o : m.outputs) {
    std::vector<manifest::Reference> unknown;
    json value = manifest::evaluate(
        o.expression, [&](const manifest::Reference& ref) { return state_value(rows, ref); }, &unknown);
    out.push_back(OutputValue{o.name, std::move(value), unknown.empty(), o.sensitive, o.description});
  }
  return out;
}

std::vector<planner::OutputChange> output_changes(const manifest::Manifest& m, const std::vector<state::ResourceRow>& rows,
                                                  const planner::Plan& plan) {
  // The rows as the plan leaves them, as far as known before apply: an
  // instance changed in place keeps its id and computed attributes and takes
  // the attributes asked for; a new or replaced one is not known yet.
  std::map<std::string, const planner::Action*> touched;
  for (const planner::Action& a : plan.actions) touched[a.address] = &a;
  std::vector<state::ResourceRow> kept;
  for (const state::ResourceRow& r : rows) {
    auto it = touched.find(r.address);
    if (it == touched.end()) {
      kept.push_back(r);
    } else if (it->second->kind == planner::ActionKind::update || it->second->kind == planner::ActionKind::switch_phones) {
      kept.push_back(r);
      if (kept.back().attributes.is_object() && it->second->after.is_object()) kept.back().attributes.update(it->second->after);
    }
  }
  const std::vector<OutputValue> before = evaluate_outputs(m, rows), after = evaluate_outputs(m, kept);
  std::vector<planner::OutputChange> out;
  for (size_t i = 0; i < before.size(); ++i) {
    planner::OutputChange o{before[i].name, "", before[i].known ? before[i].value : json(), json(), false,
                            before[i].sensitive, plan.destroy};
    if (!plan.destroy) {
      o.after_unknown = !after[i].known;
      if (after[i].known) o.after = after[i].value;
    }
    o.action = o.removed ? "delete"
               : !before[i].known ? "create"
               : !o.after_unknown && o.before == o.after ? "no-op"
                                                        : "update";
    out.push_back(std::move(o));
  }
  return out;
}

json outputs_json(const std::vector<OutputValue>& outputs) {
  json out = json::object();
  for (const OutputValue& o : outputs)
    if (o.known) out[o.name] = {{"value", o.value}, {"sensitive", o.sensitive}, {"type", planner::output_type(o.value)}};
  return out;
}

json outputs_event(const std::vector<OutputValue>& outputs) {
  json out = json::object();
  for (const OutputValue& o : outputs) {
    if (!o.known) continue;
    out[o.name] = {{"sensitive", o.sensitive}, {"type", planner::output_type(o.value)}};
    if (!o.sensitive) out[o.name]["value"] = o.value;
  }
  return out;
}

void print_outputs(std::ostream& out, const std::vector<OutputValue>& outputs, bool heading) {
  if (outputs.empty()) return;
  if (heading) out << "\nOutputs:\n\n";
  for (const OutputValue& o : outputs) {
    out << o.name << " = ";
    if (o.sensitive) out << "(sensitive)";
    else if (!o.known) out << "(known after apply)";
    else out << o.value.dump();
    out << "\n";
  }
}

}  // namespace cph::engine

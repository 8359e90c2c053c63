#include "engine/outputs.h"

#include <algorithm>
#include <ostream>

#include "manifest/expression.h"

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

std::string value_type(const json& v) {
  if (v.is_string()) return "string";
  if (v.is_number()) return "number";
  if (v.is_boolean()) return "bool";
  if (v.is_array()) return "list";
  return "map";
}

json outputs_json(const std::vector<OutputValue>& outputs) {
  json out = json::object();
  for (const OutputValue& o : outputs)
    if (o.known) out[o.name] = {{"value", o.value}, {"sensitive", o.sensitive}, {"type", value_type(o.value)}};
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

// The manifests' [output.NAME] values, evaluated against the recorded
// state: for `cphform output` and for printing after an apply.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "manifest/expression.h"
#include "manifest/manifest.h"
#include "planner/plan.h"
#include "state/state.h"

namespace cph::engine {

struct OutputValue {
  std::string name;
  nlohmann::json value;   // evaluated; still a template when !known
  bool known = false;     // every reference found in the state
  bool sensitive = false;
  std::string description;
};

// The value of an interpolation from the state rows: `id` is the row's
// cloud_id, any other attribute comes from its recorded attributes; nullopt
// when the instance is not recorded or the attribute is not known.
std::optional<nlohmann::json> state_value(const std::vector<state::ResourceRow>& rows, const manifest::Reference& ref);

// Every output of `m`, in name order.
std::vector<OutputValue> evaluate_outputs(const manifest::Manifest& m, const std::vector<state::ResourceRow>& rows);

// Every output of `m` before and after `plan` (planner::OutputChange):
// before from `rows`, the state the plan was made from; after from the rows
// the plan does not touch, unknown when the output refers to one it does.
std::vector<planner::OutputChange> output_changes(const manifest::Manifest& m, const std::vector<state::ResourceRow>& rows,
                                                  const planner::Plan& plan);

// Terraform's shape: {"NAME": {"value": ..., "sensitive": bool, "type": "string"}};
// outputs not known yet are left out.
nlohmann::json outputs_json(const std::vector<OutputValue>& outputs);

// The outputs event of `apply -json` (Terraform's shape): {"NAME":
// {"sensitive", "type", "value"}}, known outputs only, and no value of a
// sensitive one (an event stream ends up in logs).
nlohmann::json outputs_event(const std::vector<OutputValue>& outputs);

// `name = value` lines for people: strings quoted, sensitive ones shown as
// (sensitive), unknown ones as (known after apply). Prints an "Outputs:"
// heading first when `heading` is set (after an apply); nothing when there
// are no outputs.
void print_outputs(std::ostream& out, const std::vector<OutputValue>& outputs, bool heading = false);

}  // namespace cph::engine

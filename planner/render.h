// Renderings of a Plan for people: Terraform-style diff, the execution
// graph, and the summary line that scripts grep for.
#pragma once

#include <string>

#include "planner/plan.h"

namespace cph::planner {

struct RenderOptions {
  // ANSI colours and bold (common/ansi.h), as Terraform shows a plan on a
  // terminal; the text is otherwise the same.
  bool color = false;
};

// The whole human plan: pending journal work, per-instance diffs, the
// execution graph, and "Plan: N to add, N to change, N to destroy." (or
// "No changes. ..." when there is nothing to do).
std::string render_plan(const Plan& plan, const RenderOptions& options = {});
std::string render_summary(const Plan& plan, bool color = false);
// What changed outside cphform (the refresh-only view): per resource, the
// recorded and live values; ends with a refresh-only summary line.
std::string render_drift(const Plan& plan, const RenderOptions& options = {});
// The execution graph in Graphviz DOT: one node per step (API operation),
// an edge from each step to the steps that wait for it.
std::string render_dot(const Plan& plan);
// A JSON value as it would be written in a manifest ("web", 300, true, {...}).
std::string render_value(const nlohmann::json& value);

}  // namespace cph::planner

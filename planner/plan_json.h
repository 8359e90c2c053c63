// Plans as JSON: the saved plan file (`plan -out=FILE`, read back by
// `apply FILE`) and the machine-readable report (`show -json`). Both hold
// attributes and ids only; no credential ever enters a Plan.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "planner/plan.h"

namespace cph::planner {

inline constexpr int kPlanFileVersion = 1;
// show -json follows Terraform's JSON plan representation, format 1.2 (what
// terraform 1.11 writes); cphform's own facts are under "cphform", whose
// layout has its own version (docs/json-format.md).
inline constexpr const char* kReportFormatVersion = "1.2";
inline constexpr const char* kExtrasFormatVersion = "2.0";
// The version of cphform, in the places Terraform's JSON puts its own.
inline constexpr const char* kCphformVersion = "0.1.0";

// The whole plan, losslessly.
nlohmann::json plan_to_json(const Plan& plan);
// Throws std::runtime_error naming what is wrong (not a plan file, a newer
// format, a missing field).
Plan plan_from_json(const nlohmann::json& j);

// The report of `show -json` (planner/plan_report.cc, documented in
// docs/json-format.md): Terraform's {"format_version", "terraform_version",
// "planned_values", "resource_changes", "resource_drift", "output_changes",
// "prior_state", ...} plus {"cphform": {lineage, serial, steps, pending
// operations, drift, summary}}. No sensitive value: null and *_sensitive marks.
nlohmann::json plan_report_json(const Plan& plan);

// An output value's type as Terraform's JSON names it: "string", "number",
// "bool", "list" or "map".
std::string output_type(const nlohmann::json& value);

// One drift entry: {address, cloud_id, deleted, changes, sensitive?}; `d` already redacted.
nlohmann::json drift_json(const Drift& d);

}  // namespace cph::planner

// Plans as JSON: the saved plan file (`plan -out=FILE`, read back by
// `apply FILE`) and the machine-readable report (`show -json`). Both hold
// attributes and ids only; no credential ever enters a Plan.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "planner/plan.h"

namespace cph::planner {

inline constexpr int kPlanFileVersion = 1;
inline constexpr const char* kReportFormatVersion = "1.0";

// The whole plan, losslessly.
nlohmann::json plan_to_json(const Plan& plan);
// Throws std::runtime_error naming what is wrong (not a plan file, a newer
// format, a missing field).
Plan plan_from_json(const nlohmann::json& j);

// The report of `show -json` (documented in docs/json-format.md):
// {"format_version", "lineage", "serial", "resource_changes": [...],
//  "resource_drift": [...], "pending_operations": [...], "summary": {...}}
nlohmann::json plan_report_json(const Plan& plan);

}  // namespace cph::planner

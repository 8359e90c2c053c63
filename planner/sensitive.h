// Sensitive values in plans (issue 18, D8): attribute paths whose values come
// from `sensitive` variables (manifest::ResourceConfig::sensitive, carried on
// Action::sensitive and Drift::sensitive) never leave the process. People see
// "(sensitive value)"; JSON (show -json, -json events, drift reports) and
// saved plan files get null in their place and Terraform's
// `before_sensitive` / `after_sensitive` marks. A saved plan gets its values
// back at apply time from the variables (engine/cmd_plan.cc: restore_sensitive).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "planner/plan.h"

namespace cph::planner {

// What people-facing renderings print in place of a sensitive value.
inline constexpr const char* kSensitiveText = "(sensitive value)";

// True when `path` ("tags.owner", "name") is, or lies under, one of `paths`.
bool is_sensitive(const std::vector<std::string>& paths, const std::string& path);
// True when `path` is sensitive or holds a sensitive path below it.
bool touches_sensitive(const std::vector<std::string>& paths, const std::string& path);

// `value` (found at `at`, "" for a whole attribute object) with every
// sensitive part replaced by `mark`.
nlohmann::json masked(const nlohmann::json& value, const std::vector<std::string>& paths, const nlohmann::json& mark,
                      const std::string& at = "");
// Terraform's *_sensitive shape for `value`: true for a sensitive value, an
// object/array mirroring the parts that hold one, false when none does.
nlohmann::json sensitive_marks(const nlohmann::json& value, const std::vector<std::string>& paths,
                               const std::string& at = "");

// The plan with every sensitive value of its actions and drift replaced by
// `mark` (ids, kinds, steps and sensitive path lists unchanged).
Plan redacted(const Plan& plan, const nlohmann::json& mark);
// Whether any action or drift of the plan carries a sensitive path.
bool has_sensitive(const Plan& plan);

}  // namespace cph::planner

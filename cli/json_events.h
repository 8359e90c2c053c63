// The machine-readable event stream of `-json` (docs/json-format.md): one
// JSON object per line, each with "@level", "@message", "@module",
// "@timestamp" and a "type". The same events a person sees as text, for CI
// pipelines, in the shape of Terraform's machine-readable UI (ui 1.2:
// tests/e2e/data/terraform_*.jsonl is what terraform 1.11 wrote).
#pragma once

#include <mutex>
#include <optional>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "manifest/manifest.h"
#include "planner/plan.h"

namespace cph::engine {

inline constexpr const char* kJsonUiVersion = "1.2";
inline constexpr const char* kJsonUiModule = "cphform.ui";

class JsonEvents {
 public:
  explicit JsonEvents(std::ostream& out) : out_(out) {}

  // Writes one event line; thread-safe.
  void emit(const std::string& type, const std::string& level, const std::string& message, nlohmann::json fields);

  void version();
  void refreshed(size_t recorded, size_t live, int64_t list_calls);
  // resume, resource_drift and planned_change events, then change_summary
  // and the planned outputs.
  void plan(const planner::Plan& plan, const std::string& operation);
  // {"NAME": {"sensitive", "action"}}: an outputs event when there are any.
  void planned_outputs(const planner::Plan& plan);
  // After an apply: {"NAME": {"sensitive", "type", "value"?}}, no sensitive value.
  void outputs(const nlohmann::json& values);
  // Terraform's word for an action: create, update (a switch too), replace, delete.
  static std::string ui_action(planner::ActionKind kind);
  void change_summary(int add, int change, int remove, const std::string& operation);
  void diagnostic(const std::string& summary, const std::string& detail = "", const std::string& address = "",
                  const std::optional<manifest::SourcePos>& where = std::nullopt);

  // {"addr", "resource_type", "resource_name", "resource_key"} of an address.
  static nlohmann::json resource(const std::string& address);

 private:
  std::ostream& out_;
  std::mutex mu_;
};

}  // namespace cph::engine

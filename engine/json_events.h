// The machine-readable event stream of `-json` (docs/json-format.md): one
// JSON object per line, each with "@level", "@message", "@timestamp" and a
// "type". The same events a person sees as text, for CI pipelines.
#pragma once

#include <mutex>
#include <optional>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "manifest/manifest.h"
#include "planner/plan.h"

namespace cph::engine {

inline constexpr const char* kJsonUiVersion = "1.0";

class JsonEvents {
 public:
  explicit JsonEvents(std::ostream& out) : out_(out) {}

  // Writes one event line; thread-safe.
  void emit(const std::string& type, const std::string& level, const std::string& message, nlohmann::json fields);

  void version();
  void refreshed(size_t recorded, size_t live, int64_t list_calls);
  // planned_change and resource_drift events, then change_summary.
  void plan(const planner::Plan& plan, const std::string& operation);
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

#include "resources/tencent/bm_reset.h"

#include <algorithm>
#include <set>

#include "resources/batches.h"
#include "resources/tencent/bm_schema.h"

namespace cph::resources {

namespace {
std::vector<std::string> ids_of(const nlohmann::json& attributes) {
  std::vector<std::string> out;
  if (attributes.is_object() && attributes.contains("instance_ids") && attributes["instance_ids"].is_array())
    for (const nlohmann::json& id : attributes["instance_ids"])
      if (id.is_string()) out.push_back(id.get<std::string>());
  return out;
}
}  // namespace

ResetScope reset_scope(const nlohmann::json& recorded, const nlohmann::json& wanted, bool same_secret) {
  const std::vector<std::string> had = ids_of(recorded);
  const std::vector<std::string> want = ids_of(wanted);
  const std::set<std::string> had_set(had.begin(), had.end());
  const std::set<std::string> want_set(want.begin(), want.end());
  ResetScope scope;
  for (const std::string& id : want)
    (same_secret && had_set.count(id) ? scope.kept : scope.todo).push_back(id);
  for (const std::string& id : had)
    if (!want_set.count(id)) scope.left.push_back(id);
  return scope;
}

std::vector<std::vector<std::string>> reset_batches(const std::vector<std::string>& todo) {
  return in_batches(todo, kResetBatch);
}

std::string describe_scope(const ResetScope& scope) {
  std::string out;
  const size_t n = scope.todo.size();
  if (n == 0) {
    out = "no call";
  } else {
    const size_t calls = (n + kResetBatch - 1) / kResetBatch;
    out = std::to_string(n) + (n == 1 ? " device" : " devices") + " in " + std::to_string(calls) +
          (calls == 1 ? " call" : " calls") + " of up to " + std::to_string(kResetBatch);
  }
  if (!scope.left.empty()) {
    std::string names;
    for (size_t i = 0; i < scope.left.size() && i < 5; ++i) names += (i ? ", " : "") + scope.left[i];
    if (scope.left.size() > 5) names += " and " + std::to_string(scope.left.size() - 5) + " more";
    out += "; " + names + (scope.left.size() == 1 ? " leaves the set and keeps its" : " leave the set and keep their") +
           " password";
  }
  return out;
}

}  // namespace cph::resources

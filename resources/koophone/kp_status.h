// What the koophone provider knows of its instances' status (14.6), shared
// by its refresh (which fills it, 32 ids a call), its checks and its runner
// (which records a set's `unavailable` from it, asking only for the ids the
// refresh did not cover, such as those of a saved plan applied later).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace cph::resources {

struct StatusBook {
  std::set<std::string> asked;         // ids queried
  std::map<std::string, int> status;   // their answers; an asked id missing here is unknown to the service

  void add(const std::vector<std::string>& ids, const std::map<std::string, int>& answer);
  // The ids of `ids` not asked yet.
  std::vector<std::string> missing(const std::vector<std::string>& ids) const;
  // {id: "shut down" | "going offline" | "unknown" | ...} for every asked id
  // of `ids` that is not running (14.6 status 2).
  nlohmann::json unavailable(const std::vector<std::string>& ids) const;
  // Asked and not returned: not the tenant's, or no such instance.
  bool unknown(const std::string& id) const { return asked.count(id) && !status.count(id); }
};

}  // namespace cph::resources

#include "resources/koophone/kp_status.h"

#include "resources/koophone/kp_client.h"

namespace cph::resources {

void StatusBook::add(const std::vector<std::string>& ids, const std::map<std::string, int>& answer) {
  asked.insert(ids.begin(), ids.end());
  for (const auto& [id, st] : answer) status[id] = st;
}

std::vector<std::string> StatusBook::missing(const std::vector<std::string>& ids) const {
  std::vector<std::string> out;
  for (const std::string& id : ids)
    if (!asked.count(id)) out.push_back(id);
  return out;
}

nlohmann::json StatusBook::unavailable(const std::vector<std::string>& ids) const {
  nlohmann::json out = nlohmann::json::object();
  for (const std::string& id : ids) {
    if (!asked.count(id)) continue;
    auto found = status.find(id);
    if (found == status.end())
      out[id] = "unknown";
    else if (found->second != static_cast<int>(koophone::InstanceStatus::running))
      out[id] = koophone::status_name(found->second);
  }
  return out;
}

}  // namespace cph::resources

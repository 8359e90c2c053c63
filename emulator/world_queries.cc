// World queries (cph-api.md 3.1, 3.2, 4.1 and the BSS order lookups):
// read-only and project-scoped — another project's resources do not exist.
#include <algorithm>

#include "common/strings.h"
#include "emulator/world.h"

namespace cph::emulator {
World::ServerPage World::list_servers(std::string_view project, const ServerQuery& q) const {
  ServerPage page;
  auto matches = [&](const Server& s) {
    if (q.name_contains && s.name.find(*q.name_contains) == std::string::npos) return false;
    if (q.network_version && !ascii_iequals(s.network_version, *q.network_version)) return false;
    return true;
  };
  auto take = [&](const Server& s) {
    if (!matches(s)) return;
    if (page.count >= q.offset && static_cast<int64_t>(page.servers.size()) < q.limit) page.servers.push_back(&s);
    ++page.count;
  };
  if (q.server_id) {
    if (const Server* s = find_server(project, *q.server_id)) take(*s);
    return page;
  }
  auto it = server_index_.find(std::string(project));
  if (it == server_index_.end()) return page;
  for (const IndexKey& k : it->second) take(*k.server);
  return page;
}

const Server* World::find_server(std::string_view project, std::string_view id) const {
  auto it = servers_.find(std::string(id));
  return it != servers_.end() && it->second.project_id == project ? &it->second : nullptr;
}

const Bandwidth* World::find_bandwidth(std::string_view project, std::string_view id) const {
  auto it = bandwidths_.find(std::string(id));
  return it != bandwidths_.end() && it->second.project_id == project ? &it->second : nullptr;
}

std::vector<const Bandwidth*> World::list_bandwidths(std::string_view project) const {
  std::vector<const Bandwidth*> out;
  for (const auto& [id, b] : bandwidths_)
    if (b.project_id == project) out.push_back(&b);
  std::sort(out.begin(), out.end(), [](const Bandwidth* a, const Bandwidth* b) {
    return a->create_us != b->create_us ? a->create_us > b->create_us : a->seq > b->seq;
  });
  return out;
}

const Order* World::find_order(std::string_view project, std::string_view id) const {
  auto it = orders_.find(std::string(id));
  return it != orders_.end() && it->second.project_id == project ? &it->second : nullptr;
}

}  // namespace cph::emulator

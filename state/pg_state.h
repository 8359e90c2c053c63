// Workspace management on PostgreSQL, used by workspaces.cc. Internal to the
// state library; callers use list_workspaces() & co. in state.h.
#pragma once

#include <string>
#include <vector>

namespace cph::state::pg_detail {

std::vector<std::string> list_workspaces(const std::string& conninfo);
void create_workspace(const std::string& conninfo, const std::string& name);
void delete_workspace(const std::string& conninfo, const std::string& name, bool force);

}  // namespace cph::state::pg_detail

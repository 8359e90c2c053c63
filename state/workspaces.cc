// Backend selection and workspaces: which state the engine opens, and how
// states are listed, created and deleted on each backend.
#include <algorithm>
#include <filesystem>

#include "state/pg_state.h"
#include "state/state.h"

namespace cph::state {
namespace {

namespace fs = std::filesystem;

enum class Backend { sqlite, pg };

Backend backend_of(const BackendConfig& config) {
  if (config.type == "sqlite") {
    if (config.sqlite_dir.empty()) throw std::invalid_argument("the sqlite state backend needs a data directory");
    return Backend::sqlite;
  }
  if (config.type == "pg") return Backend::pg;
  throw std::invalid_argument("unknown state backend type \"" + config.type + "\" (expected \"sqlite\" or \"pg\")");
}

// "default" keeps the path every state had before workspaces existed.
fs::path sqlite_path(const BackendConfig& config, const std::string& name) {
  if (name == kDefaultWorkspace) return fs::path(config.sqlite_dir) / "state.db";
  return fs::path(config.sqlite_dir) / "workspaces" / name / "state.db";
}

bool sqlite_exists(const BackendConfig& config, const std::string& name) {
  return name == kDefaultWorkspace || fs::exists(sqlite_path(config, name));
}

std::unique_ptr<StateStore> open_sqlite(const BackendConfig& config, const std::string& name) {
  fs::path path = sqlite_path(config, name);
  fs::create_directories(path.parent_path());
  // The data directory and its workspace directories are owner-only (0700),
  // also when created before cphform made them so; the files get 0600 (sql::Db).
  std::vector<fs::path> dirs{config.sqlite_dir};
  if (name != kDefaultWorkspace) dirs.insert(dirs.end(), {path.parent_path().parent_path(), path.parent_path()});
  for (const fs::path& dir : dirs) fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace);
  return open_sqlite_state(path.string());
}

void delete_sqlite(const BackendConfig& config, const std::string& name, bool force) {
  if (!sqlite_exists(config, name)) throw std::runtime_error("workspace \"" + name + "\" does not exist");
  {
    std::unique_ptr<StateStore> store = open_sqlite(config, name);
    // Held until the files are gone, so nobody starts an apply meanwhile.
    // A lock that is already held throws LockHeld naming its holder.
    ScopedLock held(*store, "workspace delete", "workspace delete", std::chrono::seconds(60),
                    std::chrono::milliseconds(0));
    if (!force) {
      size_t rows = store->resources().size(), open = store->open_journal().size();
      if (rows > 0 || open > 0)
        throw std::runtime_error("workspace \"" + name + "\" still has " + std::to_string(rows) +
                                 " resource(s) and " + std::to_string(open) +
                                 " unfinished journal entr(ies); destroy them first, or force the delete");
    }
  }
  fs::remove_all(sqlite_path(config, name).parent_path());
}

}  // namespace

void validate_workspace_name(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 64 &&
            std::all_of(name.begin(), name.end(), [](char c) {
              return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                     c == '-';
            });
  if (!ok)
    throw std::invalid_argument("invalid workspace name \"" + name +
                                "\": use 1 to 64 letters, digits, '_' or '-'");
}

std::unique_ptr<StateStore> open_state_store(const BackendConfig& config) {
  validate_workspace_name(config.workspace);
  if (backend_of(config) == Backend::pg) return open_pg_state(config.pg_conn, config.workspace);
  return open_sqlite(config, config.workspace);
}

std::vector<std::string> list_workspaces(const BackendConfig& config) {
  if (backend_of(config) == Backend::pg) return pg_detail::list_workspaces(config.pg_conn);
  std::vector<std::string> names{kDefaultWorkspace};
  fs::path dir = fs::path(config.sqlite_dir) / "workspaces";
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name != kDefaultWorkspace && fs::exists(entry.path() / "state.db")) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

void create_workspace(const BackendConfig& config, const std::string& name) {
  validate_workspace_name(name);
  if (backend_of(config) == Backend::pg) return pg_detail::create_workspace(config.pg_conn, name);
  if (sqlite_exists(config, name)) throw std::runtime_error("workspace \"" + name + "\" already exists");
  open_sqlite(config, name);
}

void delete_workspace(const BackendConfig& config, const std::string& name, bool force) {
  validate_workspace_name(name);
  if (name == kDefaultWorkspace) throw std::runtime_error("the \"default\" workspace cannot be deleted");
  if (backend_of(config) == Backend::pg) return pg_detail::delete_workspace(config.pg_conn, name, force);
  delete_sqlite(config, name, force);
}

}  // namespace cph::state

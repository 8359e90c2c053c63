// workspace list | show | new | select | delete, and history: several states
// per manifest directory (e.g. staging and prod) on either backend.
#include <algorithm>
#include <array>
#include <iostream>

#include "cli/command.h"
#include "cli/commands.h"
#include "planner/planner.h"

namespace cph::engine {

int cmd_workspace(Context& ctx, const std::vector<std::string>& args) {
  constexpr const char* usage = "usage: cphform workspace list | show | new NAME | select NAME | delete [-force] NAME";
  if (args.empty()) throw UsageError(usage);
  const std::string sub = args[0];
  Flags flags = parse_command_flags("workspace", {args.begin() + 1, args.end()});
  Workspace ws = load_workspace(ctx);
  state::BackendConfig config = backend_config(ws);
  const std::string current = config.workspace;
  if (sub == "show" && flags.positional.empty()) {
    ctx.out << current << "\n";
    return 0;
  }
  if (sub == "list" && flags.positional.empty()) {
    for (const auto& name : state::list_workspaces(config)) ctx.out << (name == current ? "* " : "  ") << name << "\n";
    return 0;
  }
  if (flags.positional.size() != 1) throw UsageError(usage);
  const std::string name = flags.positional[0];
  state::validate_workspace_name(name);
  if (sub == "new") {
    state::create_workspace(config, name);
    remember_workspace(ws, name);
    ctx.out << "Created and switched to workspace \"" << name << "\". It has no state yet.\n";
    return 0;
  }
  if (sub == "select") {
    auto names = state::list_workspaces(config);
    if (std::find(names.begin(), names.end(), name) == names.end())
      throw std::runtime_error("workspace \"" + name + "\" does not exist; create it with cphform workspace new " + name);
    remember_workspace(ws, name);
    ctx.out << "Switched to workspace \"" << name << "\".\n";
    return 0;
  }
  if (sub == "delete") {
    if (name == current) throw std::runtime_error("cannot delete the selected workspace; select another one first");
    state::delete_workspace(config, name, flags.has("force"));
    ctx.out << "Deleted workspace \"" << name << "\".\n";
    return 0;
  }
  throw UsageError(usage);
}

int cmd_history(Context& ctx, const Flags& flags) {
  int64_t limit = 50;
  if (flags.has("limit")) {
    try {
      limit = std::stoll(flags.get("limit"));
    } catch (const std::exception&) {
      throw UsageError("-limit takes a number");
    }
  }
  Workspace ws = load_workspace(ctx);
  auto store = open_state(ws);
  auto entries = store->history(limit);
  // Newest first, and the rows of one change in instance order (game[2] before game[10]).
  std::stable_sort(entries.begin(), entries.end(), [](const auto& x, const auto& y) {
    return x.serial != y.serial ? x.serial > y.serial : planner::address_less(x.address, y.address);
  });
  // Journal entries name the run and the operation behind each change.
  std::map<int64_t, state::JournalEntry> journal;
  for (auto& e : store->journal(-1)) journal.emplace(e.id, std::move(e));
  ctx.out << "Workspace \"" << current_workspace(ws) << "\", newest first:\n";
  // Columns as wide as their widest value, two spaces apart: long addresses
  // and owners never run into the next column.
  std::vector<std::array<std::string, 7>> rows = {{"TIME", "SERIAL", "RUN", "OPERATION", "CHANGE", "ADDRESS", "BY"}};
  for (const auto& h : entries) {
    std::string run = "-", operation = "-", by = "-";
    if (h.journal_id) {
      auto it = journal.find(*h.journal_id);
      if (it != journal.end()) {
        run = it->second.run_id.substr(0, 8);
        operation = it->second.operation;
        by = it->second.intent.value("by", std::string("-"));
      }
    }
    rows.push_back({h.time, std::to_string(h.serial), run, operation, h.action, h.address, by});
  }
  std::array<size_t, 7> width{};
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  for (const auto& r : rows) {
    for (size_t i = 0; i + 1 < r.size(); ++i) ctx.out << r[i] << std::string(width[i] - r[i].size() + 2, ' ');
    ctx.out << r.back() << "\n";
  }
  return 0;
}

}  // namespace cph::engine

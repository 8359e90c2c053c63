// workspace list | show | new | select | delete, and history: several states
// per manifest directory (e.g. staging and prod) on either backend.
#include <iomanip>
#include <iostream>

#include "engine/command.h"

namespace cph::engine {

int cmd_workspace(Context& ctx, const std::vector<std::string>& args) {
  constexpr const char* usage = "usage: cphform workspace list | show | new NAME | select NAME | delete [-force] NAME";
  if (args.empty()) throw UsageError(usage);
  const std::string sub = args[0];
  Flags flags = parse_flags({args.begin() + 1, args.end()}, {"force"}, {}, 1);
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
  // Journal entries name the run and the operation behind each change.
  std::map<int64_t, state::JournalEntry> journal;
  for (auto& e : store->journal(-1)) journal.emplace(e.id, std::move(e));
  ctx.out << "Workspace \"" << current_workspace(ws) << "\", newest first:\n";
  ctx.out << std::left << std::setw(22) << "TIME" << std::setw(8) << "SERIAL" << std::setw(10) << "RUN"
          << std::setw(14) << "OPERATION" << std::setw(18) << "CHANGE" << std::setw(24) << "ADDRESS" << "BY\n";
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
    ctx.out << std::setw(22) << h.time << std::setw(8) << h.serial << std::setw(10) << run << std::setw(14)
            << operation << std::setw(18) << h.action << std::setw(24) << h.address << by << "\n";
  }
  return 0;
}

}  // namespace cph::engine

// workspace list | show | new | select | delete, and history: several states
// per manifest directory (e.g. staging and prod) on either backend.
#include <algorithm>
#include <array>
#include <iostream>
#include <map>

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

namespace {

// Which run a history row belongs to: its journal entry's run id; rows of
// no run (e.g. a state migrate) each stand alone with their serial.
std::string run_of(const state::HistoryEntry& h, const std::map<int64_t, state::JournalEntry>& journal) {
  if (h.journal_id) {
    auto it = journal.find(*h.journal_id);
    if (it != journal.end() && !it->second.run_id.empty()) return it->second.run_id;
  }
  return "serial " + std::to_string(h.serial);
}

// The rows of the newest `runs` runs (every run when negative), grouped by
// run, newest run first. Within a run, instances in natural order
// (game[2] before game[10]) whatever order their steps finished in, then
// newest change first. Rows are read in pages growing fourfold until they
// hold a run more than asked for (so the last one shown is whole) or the
// history ends: a long history is not read whole for a few runs.
std::vector<state::HistoryEntry> newest_runs(state::StateStore& store,
                                             const std::map<int64_t, state::JournalEntry>& journal, int64_t runs) {
  std::vector<state::HistoryEntry> rows;
  std::map<std::string, size_t> group;  // run -> its rank, newest first
  for (int64_t page = 256;; page *= 4) {
    const int64_t asked = runs < 0 ? -1 : page;
    rows = store.history(asked);
    group.clear();
    for (const auto& h : rows) group.emplace(run_of(h, journal), group.size());
    if (asked < 0 || static_cast<int64_t>(rows.size()) < asked || static_cast<int64_t>(group.size()) > runs) break;
  }
  std::vector<std::pair<size_t, state::HistoryEntry>> ranked;
  for (auto& h : rows) {
    const size_t rank = group.at(run_of(h, journal));
    if (runs < 0 || static_cast<int64_t>(rank) < runs) ranked.emplace_back(rank, std::move(h));
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& x, const auto& y) {
    if (x.first != y.first) return x.first < y.first;
    if (x.second.address != y.second.address) return planner::address_less(x.second.address, y.second.address);
    return x.second.id > y.second.id;
  });
  std::vector<state::HistoryEntry> out;
  for (auto& [rank, h] : ranked) out.push_back(std::move(h));
  return out;
}

}  // namespace

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
  // Journal entries name the run and the operation behind each change.
  std::map<int64_t, state::JournalEntry> journal;
  for (auto& e : store->journal(-1)) journal.emplace(e.id, std::move(e));
  const std::vector<state::HistoryEntry> entries = newest_runs(*store, journal, limit);
  ctx.out << "Workspace \"" << current_workspace(ws) << "\", newest run first:\n";
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

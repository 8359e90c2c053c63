// state list | show | rm | mv, force-unlock, and validate: reading and surgically
// editing the recorded state. Edits take the write lock and go through the
// journal, so each one is a single transaction that bumps the serial.
#include <algorithm>
#include <iostream>

#include "cli/command.h"
#include "cli/commands.h"
#include "planner/planner.h"
#include "planner/render.h"
#include "planner/sensitive.h"
#include "resources/schema.h"

namespace cph::engine {

namespace {

constexpr const char* kStateUsage =
    "usage: cphform state list | show ADDRESS | rm ADDRESS... | mv FROM TO | pull | migrate -to=pg|sqlite [-force]";

// `sensitive`: the manifest block's sensitive paths; an attribute holding one
// is shown as "(sensitive value)" (the state keeps it, people do not see it).
void show_row(std::ostream& out, const state::ResourceRow& row, const std::vector<std::string>& sensitive) {
  out << "# " << row.address << ":\n";
  out << "resource \"" << row.type << "\" \"" << row.address.substr(row.type.size() + 1) << "\" {\n";
  size_t w = 0;
  for (auto it = row.attributes.begin(); it != row.attributes.end(); ++it) w = std::max(w, it.key().size());
  for (auto it = row.attributes.begin(); it != row.attributes.end(); ++it) {
    if (it.value().is_null()) continue;
    out << "    " << it.key() << std::string(w - it.key().size(), ' ') << " = "
        << (planner::touches_sensitive(sensitive, it.key()) ? planner::kSensitiveText : planner::render_value(it.value()))
        << "\n";
  }
  out << "}\n";
}

// The instances of `block` ("server.web" -> server.web[0], server.web[1],
// ...), in natural order.
std::vector<state::ResourceRow> rows_at_block(state::StateStore& store, const std::string& block) {
  std::vector<state::ResourceRow> rows;
  for (state::ResourceRow& row : store.resources())
    if (row.address.size() > block.size() + 1 && row.address.rfind(block + "[", 0) == 0) rows.push_back(std::move(row));
  std::sort(rows.begin(), rows.end(),
            [](const auto& x, const auto& y) { return planner::address_less(x.address, y.address); });
  return rows;
}

// What an address of state rm/mv names, as Terraform reads it: the instance
// recorded under it, or else every instance of the block it names.
std::vector<state::ResourceRow> rows_at(state::StateStore& store, const std::string& address) {
  if (auto row = store.resource(address)) return {*row};
  std::vector<state::ResourceRow> rows = rows_at_block(store, address);
  if (rows.empty()) throw std::runtime_error("no resource " + address + " in the state; nothing was changed");
  return rows;
}

}  // namespace

namespace {

// state migrate -to=pg|sqlite: copies the workspace to the other backend.
int state_migrate(Context& ctx, const Workspace& ws, state::StateStore& store, const Flags& flags) {
  const std::string to = flags.get("to");
  if (to != "pg" && to != "sqlite") throw UsageError("usage: cphform state migrate -to=pg|sqlite [-force]");
  state::BackendConfig target = backend_config(ws, to);
  if (target.type == ws.manifest.backend.type)
    throw std::runtime_error("the state is already on " + to + "; migrate copies it to the other backend");
  auto lock = lock_as_asked(ctx, store, flags, "state migrate");
  auto destination = state::open_state_store(target);
  state::copy_state(store, *destination, flags.has("force"));
  if (lock) lock->release();  // a failure is an error (exit 1), not a silent leftover lock row
  state::Meta meta = destination->meta();
  ctx.out << "Copied workspace \"" << target.workspace << "\" to " << to << ": lineage " << meta.lineage
          << ", serial " << meta.serial << ", " << destination->resources().size()
          << " resource(s), journal and history.\nSet [backend] type = \"" << to
          << "\" in the manifests to use it.\n";
  return 0;
}

// state list: every address, in natural order (with its provider when several).
int state_list(Context& ctx, const Workspace& ws, state::StateStore& store) {
  std::vector<state::ResourceRow> rows = store.resources();
  std::sort(rows.begin(), rows.end(),
            [](const auto& x, const auto& y) { return planner::address_less(x.address, y.address); });
  // With several provider instances, each row says which one owns it
  // (a second, tab-separated column); one provider lists addresses only.
  const bool named = ws.manifest.providers.size() > 1 ||
                     std::any_of(rows.begin(), rows.end(), [](const auto& r) { return !r.provider.empty(); });
  for (const auto& row : rows) {
    ctx.out << row.address;
    if (named) {
      const resources::ResourceSchema* schema = resources::find_schema(row.type);
      ctx.out << "\tprovider." << (row.provider.empty() && schema ? schema->provider_type : row.provider);
    }
    ctx.out << "\n";
  }
  return 0;
}

// state show ADDRESS: one row, sensitive values hidden.
int state_show(Context& ctx, const Workspace& ws, state::StateStore& store, const Flags& flags) {
  if (flags.positional.size() != 1) throw UsageError("usage: cphform state show ADDRESS");
  auto row = store.resource(flags.positional[0]);
  if (!row) throw std::runtime_error("no resource " + flags.positional[0] + " in the state");
  const manifest::ResourceConfig* config = ws.manifest.find(row->address.substr(0, row->address.find('[')));
  show_row(ctx.out, *row, config ? config->sensitive : std::vector<std::string>{});
  return 0;
}

// state rm ADDRESS...: forgets instances (whole blocks too); the cloud keeps them.
int state_rm(Context& ctx, state::StateStore& store, const Flags& flags) {
  if (flags.positional.empty()) throw UsageError("usage: cphform state rm ADDRESS...");
  std::vector<std::string> remove;
  for (const auto& a : flags.positional)
    for (const state::ResourceRow& row : rows_at(store, a))
      if (std::find(remove.begin(), remove.end(), row.address) == remove.end()) remove.push_back(row.address);
  auto lock = lock_as_asked(ctx, store, flags, "state rm");
  commit_state_edit(store, "state rm", flags.positional.front(), {}, remove);
  if (lock) lock->release();
  for (const auto& a : remove) ctx.out << "Removed " << a << "\n";
  ctx.out << "Successfully removed " << remove.size() << " resource instance(s). The servers still "
          << "exist in the cloud; cphform no longer manages them.\n";
  return 0;
}

// state mv FROM TO: renames an instance or a whole block in the state.
int state_mv(Context& ctx, state::StateStore& store, const Flags& flags) {
  if (flags.positional.size() != 2) throw UsageError("usage: cphform state mv FROM TO");
  const std::string& from = flags.positional[0];
  const std::string& to = flags.positional[1];
  std::vector<state::ResourceRow> moved = rows_at(store, from);
  const bool whole_block = moved.front().address != from;
  if (whole_block && to.find('[') != std::string::npos)
    throw std::runtime_error("cannot move the block " + from + " to the instance " + to +
                             ": move it to a block address such as " + moved.front().type + ".NAME");
  if (whole_block && !rows_at_block(store, to).empty())
    throw std::runtime_error(to + " already has instances in the state; nothing was moved");
  std::vector<std::string> removed;
  for (state::ResourceRow& row : moved) {
    removed.push_back(row.address);
    row.address = whole_block ? to + row.address.substr(from.size()) : to;  // server.a[3] -> server.b[3]
    if (row.address.rfind(row.type + ".", 0) != 0)
      throw std::runtime_error("cannot move a " + row.type + " to " + to + ": the address must start with \"" +
                               row.type + ".\"");
    if (store.resource(row.address))
      throw std::runtime_error(row.address + " is already in the state; nothing was moved");
  }
  auto lock = lock_as_asked(ctx, store, flags, "state mv");
  commit_state_edit(store, "state mv", from, moved, removed);
  if (lock) lock->release();
  for (size_t i = 0; i < moved.size(); ++i) ctx.out << "Move \"" << removed[i] << "\" to \"" << moved[i].address << "\"\n";
  ctx.out << "Successfully moved " << moved.size() << " object(s).\n";
  return 0;
}

}  // namespace

int cmd_state(Context& ctx, const std::vector<std::string>& args) {
  if (args.empty()) throw UsageError(kStateUsage);
  const std::string sub = args[0];
  Flags flags = parse_command_flags("state", {args.begin() + 1, args.end()});
  Workspace ws = load_workspace(ctx);
  auto store = open_state(ws);
  if (sub == "pull") {
    ctx.out << state::export_state(*store).dump(2) << "\n";
    return 0;
  }
  if (sub == "migrate") return state_migrate(ctx, ws, *store, flags);
  if (sub == "list") return state_list(ctx, ws, *store);
  if (sub == "show") return state_show(ctx, ws, *store, flags);
  if (sub == "rm") return state_rm(ctx, *store, flags);
  if (sub == "mv") return state_mv(ctx, *store, flags);
  throw UsageError(kStateUsage);
}

int cmd_validate(Context& ctx, const Flags& flags) {
  nlohmann::json diagnostics = nlohmann::json::array();
  try {
    load_workspace(ctx);
  } catch (const manifest::ManifestError& e) {
    if (!flags.has("json")) throw;
    for (const auto& d : e.diagnostics)
      diagnostics.push_back({{"severity", "error"},
                             {"summary", d.message},
                             {"range", {{"filename", d.pos.file}, {"start", {{"line", d.pos.line}, {"column", d.pos.column}}}}}});
  }
  if (flags.has("json")) {
    ctx.out << nlohmann::json{{"format_version", "1.0"},
                              {"valid", diagnostics.empty()},
                              {"error_count", diagnostics.size()},
                              {"diagnostics", diagnostics}}
                   .dump()
            << "\n";
    return diagnostics.empty() ? 0 : 1;
  }
  ctx.out << "Success! The configuration is valid.\n";
  return 0;
}

int cmd_force_unlock(Context& ctx, const Flags& flags) {
  if (flags.positional.size() != 1) throw UsageError("usage: cphform force-unlock [-force] LOCK_ID");
  auto store = open_state(load_workspace(ctx));
  auto current = store->current_lock();
  if (!current) throw std::runtime_error("the state is not locked");
  if (current->id != flags.positional[0])
    throw std::runtime_error("the state is locked with id " + current->id + " (by " + current->holder +
                             "), not " + flags.positional[0]);
  if (!flags.has("force")) {
    ctx.out << "Do you really want to force-unlock the lock of " << current->holder << " (" << current->operation
            << ", since " << current->created_at << ")?\n  Only 'yes' will be accepted to confirm.\n\n  Enter a value: "
            << std::flush;
    std::string answer;
    if (!std::getline(ctx.in, answer) || answer != "yes") {
      ctx.err << "Error: force-unlock cancelled.\n";
      return 1;
    }
  }
  store->unlock(current->id);
  ctx.out << "The state has been unlocked.\n";
  return 0;
}

}  // namespace cph::engine

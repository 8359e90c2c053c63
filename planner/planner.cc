// make_plan: recorded (and refreshed) instances vs the manifest's desired
// instances, diffed attribute by attribute from the descriptors. Pure: no
// call, no write.
#include "planner/planner.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string_view>

#include "manifest/expression.h"
#include "manifest/files.h"
#include "manifest/limits.h"
#include "planner/internal.h"
#include "resources/schema.h"

namespace cph::planner {

namespace res = cph::resources;
using detail::Desired;
using detail::Prior;

namespace {

using detail::block_of;
using detail::diff_attributes;
using detail::drift_of;

// The blocks of a manifest by address: the planner asks once per instance,
// and Manifest::find's scan made that quadratic in blocks.
using BlockIndex = std::map<std::string, const manifest::ResourceConfig*, std::less<>>;

BlockIndex index_blocks(const manifest::Manifest& m) {
  BlockIndex out;
  for (const manifest::ResourceConfig& rc : m.resources) out.emplace(rc.address(), &rc);
  return out;
}

// public_key_file's contents: the loader checked the written name; a name
// that held a reference is known only now, so the same bounds apply again.
std::string read_public_key(const manifest::ResourceConfig& rc, const std::string& file) {
  std::string key = manifest::files::read_named_file(file, rc.pos_of("public_key_file"),
                                                     rc.address() + ": attribute \"public_key_file\"",
                                                     manifest::limits::kMaxKeyFileBytes);
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r' || key.back() == ' ')) key.pop_back();
  return key;
}

// The instances of every block of the manifest, with block references
// resolved to what the cloud calls: a server's keypair "keypair.adb" ->
// that key pair's name; a share's servers -> instance addresses.
std::map<std::string, Desired> expand(const manifest::Manifest& m, const BlockIndex& blocks,
                                      const std::map<std::string, Prior>& prior) {
  std::map<std::string, Desired> out;
  std::map<std::string, std::vector<std::string>> instances_of;  // block -> instance addresses
  for (const auto& rc : m.resources) {
    int n = rc.count.value_or(1);
    for (int i = 0; i < n; ++i) instances_of[rc.address()].push_back(detail::instance_address(rc.address(), rc.count.has_value(), i));
  }
  // ${type.name.attr}: known when recorded (id = the cloud id).
  auto lookup = [&](const manifest::Reference& r) -> std::optional<Json> {
    auto p = prior.find(r.address());
    if (p == prior.end()) return std::nullopt;
    if (r.attribute == "id") return Json(p->second.cloud_id);
    if (p->second.attributes.contains(r.attribute)) return p->second.attributes[r.attribute];
    return std::nullopt;
  };
  for (const auto& rc : m.resources) {
    bool counted = rc.count.has_value();
    const res::ResourceSchema* schema = res::find_schema(rc.type);
    for (int i = 0; i < rc.count.value_or(1); ++i) {
      Json attrs = manifest::evaluate(rc.attributes, lookup);
      std::string block_name;
      if (schema->instance_name) {
        block_name = rc.attributes.at("name").get<std::string>();
        attrs["name"] = schema->instance_name(block_name, counted, i);
      }
      for (const res::Attribute& a : schema->attributes) {
        if (a.reference_to.empty() || !attrs.contains(a.name)) continue;
        Json& v = attrs[a.name];
        if (a.reference_to == "keypair" && v.is_string()) {
          auto ref = manifest::parse_reference(v.get<std::string>(), false);
          if (ref && ref->type == "keypair")
            if (auto kp = blocks.find(ref->block()); kp != blocks.end()) v = kp->second->attributes.at("name");
        }
        if (a.reference_to == "server" && v.is_array()) {
          std::set<std::string> targets;
          for (const Json& e : v) {
            const std::string s = e.get<std::string>();
            if (s.find('[') != std::string::npos) {
              targets.insert(s);
            } else {
              for (const auto& inst : instances_of[s]) targets.insert(inst);
            }
          }
          std::vector<std::string> sorted(targets.begin(), targets.end());
          std::sort(sorted.begin(), sorted.end(), address_less);
          v = Json(sorted);
        }
      }
      if (rc.type == "keypair" && attrs.contains("public_key_file") && attrs["public_key_file"].is_string())
        attrs["public_key"] = read_public_key(rc, attrs["public_key_file"].get<std::string>());
      std::string address = detail::instance_address(rc.address(), counted, i);
      out[address] = {rc.type, rc.address(), counted ? i : -1, attrs, block_name, &rc};
    }
  }
  return out;
}

// The operations of an update, in the order they run. A change that an
// operation running anyway carries along (Attribute::also_carried_by: the
// phone model with a model change) needs no operation of its own.
std::vector<std::string> operations_of(const res::ResourceSchema& schema, const std::vector<AttrChange>& changes) {
  std::set<std::string> own;
  for (const AttrChange& c : changes)
    if (const res::Attribute* a = schema.find(c.name)) own.insert(res::operation_of(*a));
  std::set<std::string> ops;
  for (const AttrChange& c : changes)
    if (const res::Attribute* a = schema.find(c.name))
      ops.insert(!a->also_carried_by.empty() && own.count(a->also_carried_by) ? a->also_carried_by : res::operation_of(*a));
  std::vector<std::string> ordered;
  for (const char* op : {"change_model", "switch", "resize", "rename", "open_access", "tags", "share", "record"})
    if (ops.extract(op)) ordered.push_back(op);
  // Operations of other types (a [phones] block's) after those, by name.
  ordered.insert(ordered.end(), ops.begin(), ops.end());
  return ordered;
}

// What each recorded row refers to, as block addresses.
void recorded_dependencies(const std::vector<state::ResourceRow>& rows, detail::Dependencies& deps) {
  std::map<std::string, std::string> keypair_block;  // key pair name -> block
  for (const auto& row : rows)
    if (row.type == "keypair") keypair_block[row.cloud_id] = block_of(row.address);
  for (const auto& row : rows) {
    const std::string block = block_of(row.address);
    const Json& a = row.attributes;
    if (row.type == "server") {
      if (a.contains("keypair") && a["keypair"].is_string() && keypair_block.count(a["keypair"].get<std::string>()))
        deps.recorded[block].insert(keypair_block[a["keypair"].get<std::string>()]);
      if (a.contains("bandwidth") && a["bandwidth"].is_string()) deps.recorded[block].insert(a["bandwidth"].get<std::string>());
    }
    if ((row.type == "share_app" || row.type == "share_file") && a.contains("servers"))
      for (const Json& s : a["servers"]) deps.recorded[block].insert(block_of(s.get<std::string>()));
  }
}

// A key pair may only go once no server keeps using it: one pass over the
// servers, whatever the number of key pairs. The users are gathered before
// the diff (which moves the attributes into the actions), the check after.
struct KeypairUser {
  std::string where;     // where the manifest sets it; "" for a server only the state has
  std::string address;
  bool recorded_only = false;  // no longer in the manifests: a user unless the plan removes it
};
using KeypairUsers = std::map<std::string, std::vector<KeypairUser>>;  // key pair name -> servers

KeypairUsers keypair_users(const std::map<std::string, Desired>& desired, const std::map<std::string, Prior>& prior) {
  KeypairUsers users;
  for (const auto& [address, d] : desired) {
    const Json k = d.attributes.value("keypair", Json());
    if (d.type != "server" || !k.is_string()) continue;
    users[k.get<std::string>()].push_back({d.config ? d.config->pos_of("keypair").str() + ": " : "", address});
  }
  for (const auto& [address, p] : prior) {
    const Json k = p.attributes.value("keypair", Json());
    if (p.type == "server" && k.is_string() && !desired.count(address))
      users[k.get<std::string>()].push_back({"", address, true});
  }
  return users;
}

void keypairs_in_use(const Plan& plan, const KeypairUsers& users, std::vector<std::string>& problems) {
  std::set<std::string> removed;
  for (const Action& a : plan.actions)
    if (a.kind == ActionKind::remove) removed.insert(a.address);
  for (const Action& a : plan.actions) {
    if (a.type != "keypair" || a.kind != ActionKind::remove) continue;
    auto it = users.find(a.cloud_id);
    if (it == users.end()) continue;
    for (const KeypairUser& u : it->second)
      if (!(u.recorded_only && removed.count(u.address)))
        problems.push_back(u.where + a.address + " cannot be deleted: " + u.address + " still uses key pair \"" +
                           a.cloud_id + "\"");
  }
}

// An object whose computed attribute holds one of its unreachable values
// (Attribute::unreachable_values: a server abnormal, frozen or shut down)
// cannot be reached through the lists that name it, neither to add nor to
// remove it: it is left out of them on both sides until it is replaced
// (plan notes it every time), instead of failing every apply (found by
// convergence_test, seeds 13 and 19). An object -replace renews keeps its
// place in the wanted list: its successor gets it.
bool unreachable(const Prior& p) {
  const res::ResourceSchema* schema = res::find_schema(p.type);
  if (!schema || !p.attributes.is_object()) return false;
  for (const res::Attribute& a : schema->attributes) {
    if (a.unreachable_values.empty() || !p.attributes.contains(a.name)) continue;
    const Json& v = p.attributes[a.name];
    if (std::find(a.unreachable_values.begin(), a.unreachable_values.end(), v) != a.unreachable_values.end())
      return true;
  }
  return false;
}

void hold_lists_from_unreachable(std::map<std::string, Desired>& desired, std::map<std::string, Prior>& prior,
                                 const std::vector<std::string>& replace) {
  std::set<std::string> broken;
  for (const auto& [address, p] : prior)
    if (unreachable(p)) broken.insert(address);
  if (broken.empty()) return;
  auto renewed = [&](const std::string& object) {
    return std::any_of(replace.begin(), replace.end(),
                       [&](const std::string& pattern) { return address_matches(object, pattern); });
  };
  // Every list attribute that names other objects by address.
  auto hold = [&](const std::string& type, Json& attributes, bool wanted) {
    const res::ResourceSchema* schema = res::find_schema(type);
    if (!schema || !attributes.is_object()) return;
    for (const res::Attribute& a : schema->attributes) {
      if (a.reference_to.empty() || a.type != res::AttrType::list || !attributes.contains(a.name) ||
          !attributes[a.name].is_array())
        continue;
      Json kept = Json::array();
      for (const Json& s : attributes[a.name])
        if (!s.is_string() || !broken.count(s.get<std::string>()) || (wanted && renewed(s.get<std::string>())))
          kept.push_back(s);
      attributes[a.name] = std::move(kept);
    }
  };
  for (auto& [address, d] : desired) hold(d.type, d.attributes, true);
  for (auto& [address, p] : prior) hold(p.type, p.attributes, false);
}

// -target as Terraform reads it: a plan pulls in what the targets depend
// on (so they can be made); a destroy plan pulls in what depends on them
// (so nothing is left referring to what goes), never their dependencies.
std::vector<std::string> with_target_closure(std::vector<std::string> targets, const detail::Dependencies& deps,
                                             bool destroy) {
  auto add = [&](const std::string& block) {
    if (std::find(targets.begin(), targets.end(), block) == targets.end()) targets.push_back(block);
  };
  for (size_t i = 0; i < targets.size(); ++i) {
    const std::string block = block_of(targets[i]);
    if (!destroy) {
      auto it = deps.desired.find(block);
      if (it != deps.desired.end())
        for (const std::string& dep : it->second) add(dep);
      continue;
    }
    for (const auto* edges : {&deps.desired, &deps.recorded})
      for (const auto& [user, used] : *edges)
        if (used.count(block)) add(user);
  }
  return targets;
}

}  // namespace

namespace {

// The recorded rows as the cloud has them now: vanished rows and drift go to
// the plan, the rest to `prior`. Rows an open journal entry is releasing are
// the journal's (resolve_journal).
void read_recorded(const PlanInput& in, const detail::JournalReading& journal, Plan& plan,
                   std::map<std::string, Prior>& prior) {
  for (const state::ResourceRow& row : in.rows) {
    if (!res::find_schema(row.type))
      throw std::runtime_error("state holds " + row.address + " of type \"" + row.type +
                               "\", which this version of cphform does not know");
    if (journal.releasing.count(row.address) || journal.superseded.count(row.address)) continue;
    const std::string owner = detail::row_owner(in, row);
    // Drift names its provider when there are several to tell apart.
    const std::string reporter = in.inventories.size() > 1 ? owner : "";
    std::optional<Json> refreshed = detail::inventory_of(in, owner).refreshed(row.type, row.cloud_id, row.attributes);
    if (!refreshed) {
      plan.vanished.push_back(row.address);
      plan.drift.push_back({row.address, row.cloud_id, true, {}, {}, reporter});
      continue;
    }
    const manifest::ResourceConfig* config = in.manifest ? in.manifest->find(block_of(row.address)) : nullptr;
    if (auto d = drift_of(row, *refreshed, config ? config->lifecycle.ignore_changes : std::vector<std::string>{})) {
      d->provider = reporter;
      plan.drift.push_back(std::move(*d));
    }
    prior[row.address] = {row.type, row.cloud_id, std::move(*refreshed), owner};
  }
}

// A share was pushed to the server that vanished, not to the one bought in
// its place (nor to the successor of one replaced with -replace): recorded
// without it, the share is pushed again to the new one.
void forget_shares_of_lost_servers(const PlanInput& in, const std::vector<std::string>& vanished,
                                   std::map<std::string, Prior>& prior) {
  for (auto& [address, p] : prior) {
    if ((p.type != "share_app" && p.type != "share_file") || !p.attributes.contains("servers")) continue;
    Json& servers = p.attributes["servers"];
    Json kept = Json::array();
    for (const Json& s : servers) {
      const std::string server = s.get<std::string>();
      if (!detail::replace_requested(in, server) && std::find(vanished.begin(), vanished.end(), server) == vanished.end())
        kept.push_back(s);
    }
    servers = std::move(kept);
  }
}

// The addresses a plan may act on: with -target, the targets and their
// closure (with_target_closure); never one named by -exclude. A pattern
// names an instance or a whole block (address_matches): both are looked up.
class Selection {
 public:
  Selection(const PlanInput& in, const detail::Dependencies& deps)
      : excluded_(in.excludes.begin(), in.excludes.end()) {
    for (std::string& t : with_target_closure(in.targets, deps, in.destroy)) targeted_.insert(std::move(t));
  }
  bool operator()(const std::string& address) const {
    if (!targeted_.empty() && !listed(targeted_, address)) return false;
    return !listed(excluded_, address);
  }

 private:
  static bool listed(const std::set<std::string>& patterns, const std::string& address) {
    auto open = address.find('[');
    return patterns.count(address) || (open != std::string::npos && patterns.count(address.substr(0, open)));
  }
  std::set<std::string> targeted_, excluded_;
};

// Why an instance the manifest no longer wants is removed.
std::string removal_reason(const PlanInput& in, const Action& a, const manifest::ResourceConfig* config) {
  if (a.type == "bandwidth")
    return "no API deletes a shared bandwidth: it goes with its last server, and leaves the state";
  if (in.destroy) return "";
  if (a.index >= 0 && config) return "count is now " + std::to_string(config->count.value_or(1));
  return "it is no longer in the manifest";
}

// Fills in how a recorded instance the manifest still wants changes: not at
// all (a.changes empty, returns false), in place, by switching its phones,
// or by replacement.
bool diff_kept(const PlanInput& in, const res::ResourceSchema& schema, const manifest::ResourceConfig* config,
               Action& a) {
  std::vector<std::string> ignore;
  if (config) ignore = config->lifecycle.ignore_changes;
  a.changes = diff_attributes(schema, a.before, a.after, ignore, in.write_only_key);
  // Another provider instance cannot take the object over: it is made
  // anew there and released here.
  if (a.provider != a.prior_provider)
    a.changes.push_back({"provider", "provider." + a.prior_provider, "provider." + a.provider, true});
  detail::take_requests(in, a);
  if (a.changes.empty() && !a.replace_requested && a.requested.empty()) return false;
  bool replace = std::any_of(a.changes.begin(), a.changes.end(), [](const AttrChange& c) { return c.forces_replacement; });
  if (replace || a.replace_requested) {
    a.kind = ActionKind::replace;
  } else {
    a.operations = operations_of(schema, a.changes);
    bool destructive = std::find(a.operations.begin(), a.operations.end(), "switch") != a.operations.end();
    a.kind = destructive ? ActionKind::switch_phones : ActionKind::update;
  }
  return true;
}

// The action for one address, recorded (p), wanted (d) or both, taking
// their attributes. Returns false when nothing changes: `a` then belongs
// in Plan::unchanged.
bool diff_instance(const PlanInput& in, const std::string& address, Prior* p, Desired* d,
                   const manifest::ResourceConfig* config, bool vanished, Action& a) {
  a.address = address;
  a.type = p ? p->type : d->type;
  a.block = block_of(address);
  a.index = address_parts(address).index;
  if (d) a.block_name = d->block_name;
  a.provider = d && d->config ? d->config->provider : p->provider;
  a.prior_provider = p ? p->provider : a.provider;
  if (config) a.allow_data_loss = config->lifecycle.allow_data_loss;
  a.sensitive = detail::sensitive_paths(res::find_schema(a.type), config ? config->sensitive : std::vector<std::string>{});
  if (!p) {
    a.kind = ActionKind::create;
    a.after = std::move(d->attributes);
    if (vanished) a.reason = "the recorded " + a.type + " no longer exists in the cloud";
    return true;
  }
  a.cloud_id = p->cloud_id;
  a.before = std::move(p->attributes);
  if (!d) {
    a.kind = ActionKind::remove;
    a.reason = removal_reason(in, a, config);
    return true;
  }
  a.after = std::move(d->attributes);
  if (diff_kept(in, *res::find_schema(a.type), config, a)) return true;
  // What stays recorded (ignore_changes included) is `before`; `after`
  // stays null rather than a second copy of every unchanged instance
  // (Plan::unchanged).
  a.after = Json();
  return false;
}

}  // namespace

Plan make_plan(const PlanInput& in) {
  if (!in.live) throw std::invalid_argument("make_plan needs the refreshed inventory");
  Plan plan;
  plan.lineage = in.meta.lineage;
  plan.serial = in.meta.serial;
  plan.destroy = in.destroy;
  if (in.manifest) plan.manifest_digest = in.manifest->digest;

  detail::JournalReading journal;
  detail::resolve_journal(in, plan, journal);
  std::map<std::string, Prior>& prior = journal.prior;
  read_recorded(in, journal, plan, prior);
  forget_shares_of_lost_servers(in, plan.vanished, prior);

  std::map<std::string, Desired> desired;
  const BlockIndex blocks = in.manifest ? index_blocks(*in.manifest) : BlockIndex{};
  const std::set<std::string> vanished(plan.vanished.begin(), plan.vanished.end());
  detail::Dependencies deps;
  std::map<std::string, bool> create_before_destroy;
  if (in.manifest) {
    for (const auto& rc : in.manifest->resources) {
      deps.desired[rc.address()].insert(rc.depends_on.begin(), rc.depends_on.end());
      deps.where[rc.address()] = rc.pos.str() + ": ";
      create_before_destroy[rc.address()] = rc.lifecycle.create_before_destroy;
    }
    if (!in.destroy) desired = expand(*in.manifest, blocks, prior);
  }
  hold_lists_from_unreachable(desired, prior, in.replace);
  recorded_dependencies(in.rows, deps);

  std::set<std::string, bool (*)(const std::string&, const std::string&)> addresses(address_less);  // game[2] < game[10]
  for (const auto& [a, p] : prior) addresses.insert(a);
  for (const auto& [a, d] : desired) addresses.insert(a);
  const Selection selected(in, deps);

  detail::check_requests(in, prior, desired);
  const KeypairUsers keypairs = keypair_users(desired, prior);
  std::vector<std::string> problems;
  // Each address once: its recorded and wanted attributes move into its
  // action (10,000 unchanged servers are not held twice at the end).
  for (const std::string& address : addresses) {
    if (!selected(address)) continue;
    auto p = prior.find(address);
    auto d = desired.find(address);
    if (journal.being_created.count(address) && p == prior.end()) continue;  // a resumed entry creates it
    auto found = blocks.find(block_of(address));
    const manifest::ResourceConfig* config = found == blocks.end() ? nullptr : found->second;
    Action a;
    if (!diff_instance(in, address, p == prior.end() ? nullptr : &p->second, d == desired.end() ? nullptr : &d->second,
                       config, vanished.count(address) > 0, a)) {
      plan.unchanged.push_back(std::move(a));
      continue;
    }
    if (config && config->lifecycle.prevent_destroy && (a.kind == ActionKind::remove || a.kind == ActionKind::replace))
      problems.push_back(config->pos.str() + ": " + address + " has lifecycle.prevent_destroy set, but this plan would " +
                         (a.kind == ActionKind::remove ? "destroy" : "replace") + " it");
    plan.actions.push_back(std::move(a));
  }

  keypairs_in_use(plan, keypairs, problems);
  if (!problems.empty()) throw PlanError(problems);
  for (Drift& d : plan.drift) {
    const manifest::ResourceConfig* config = in.manifest ? in.manifest->find(block_of(d.address)) : nullptr;
    const std::string type = d.address.substr(0, d.address.find('.'));  // "server.web[0]" -> "server"
    d.sensitive = detail::sensitive_paths(res::find_schema(type),
                                          config ? config->sensitive : std::vector<std::string>{});
  }
  detail::add_steps(plan, deps, create_before_destroy);
  return plan;
}

}  // namespace cph::planner

#include "planner/planner.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

#include "resources/server.h"

namespace cph::planner {

namespace res = cph::resources;

boost::asio::awaitable<Inventory> refresh(cloud::CphClient& cloud) {
  Inventory inv;
  for (cloud::Server& s : co_await cloud.list_all_servers()) {
    std::string id = s.server_id;
    inv.servers.emplace(std::move(id), std::move(s));
  }
  co_return inv;
}

namespace {

// An instance as recorded (state row or journaled purchase), refreshed.
struct Prior {
  std::string cloud_id;
  Json attributes;
};

// An instance as the manifest wants it.
struct Desired {
  std::string block;
  int index = -1;
  Json attributes;
  std::string block_name;
};

std::string instance_address(const std::string& block, bool counted, int index) {
  return counted ? block + "[" + std::to_string(index) + "]" : block;
}

// "server.web[3]" -> ("server.web", 3); "server.web" -> ("server.web", -1).
std::pair<std::string, int> split_address(const std::string& address) {
  auto open = address.find('[');
  if (open == std::string::npos || address.back() != ']') return {address, -1};
  return {address.substr(0, open), std::stoi(address.substr(open + 1, address.size() - open - 2))};
}

bool blank(const Json& v) {
  return v.is_null() || (v.is_string() && v.get_ref<const std::string&>().empty()) ||
         (v.is_array() && v.empty()) || (v.is_object() && v.empty());
}

bool same_value(const Json& a, const Json& b) { return a == b || (blank(a) && blank(b)); }

std::vector<AttrChange> diff_attributes(const res::ResourceSchema& schema, const Json& before, const Json& after) {
  std::vector<AttrChange> changes;
  for (const res::Attribute& attr : schema.attributes) {
    if (attr.update == res::Update::computed) continue;
    Json want = after.contains(attr.name) ? after[attr.name] : Json();
    Json have = before.contains(attr.name) ? before[attr.name] : Json();
    if (attr.computed_if_unset && want.is_null()) continue;
    // An attribute the cloud cannot report and the state never recorded
    // (an imported server's image_id, say) is unknown, not different: the
    // manifest's value is taken as the truth rather than forcing a replacement.
    if (!attr.readable && !before.contains(attr.name)) continue;
    if (same_value(want, have)) continue;
    changes.push_back({attr.name, have, want, attr.update == res::Update::force_new});
  }
  return changes;
}

// Readable attributes whose live value differs from the recorded one, and a
// server that left the normal state (frozen, shut down, abnormal).
std::optional<Drift> drift_of(const state::ResourceRow& row, const Json& refreshed) {
  Drift d{row.address, row.cloud_id, false, {}};
  for (const res::Attribute& attr : res::server_schema().attributes) {
    if (!attr.readable) continue;
    Json recorded = row.attributes.contains(attr.name) ? row.attributes[attr.name] : Json();
    Json live = refreshed.contains(attr.name) ? refreshed[attr.name] : Json();
    if (attr.update == res::Update::computed) {
      // Computed values move on their own; only a normal server leaving
      // the normal state is drift.
      if (attr.name != "status" || recorded != Json(5) || live == Json(5)) continue;
    } else if (same_value(recorded, live)) {
      continue;
    }
    d.changes.push_back({attr.name, recorded, live, false});
  }
  if (d.changes.empty()) return std::nullopt;
  return d;
}

std::string range_address(const std::vector<std::string>& addresses) {
  if (addresses.size() == 1) return addresses.front();
  return addresses.front() + ".." + addresses.back();
}

// Reads the journal: what each unfinished entry means now, which instances
// it stands for, and which cloud ids it claims.
void resolve_journal(const PlanInput& in, Plan& plan, std::map<std::string, Prior>& prior,
                     std::set<std::string>& releasing, std::set<std::string>& claimed) {
  for (const auto& row : in.rows) claimed.insert(row.cloud_id);
  for (const state::JournalEntry& e : in.open_journal) {
    PendingOperation p;
    p.entry = e;
    if (e.operation == "purchase") {
      const Json& instances = e.intent.at("instances");
      std::vector<std::string> addresses;
      for (const Json& i : instances) addresses.push_back(i.at("address").get<std::string>());
      if (e.status == state::JournalStatus::answered && e.response.contains("server_ids")) {
        auto ids = e.response["server_ids"].get<std::vector<std::string>>();
        p.resolution = Resolution::resume_purchase;
        p.description = "purchase of " + range_address(addresses) + " (order " +
                        e.response.value("order_id", std::string("?")) + ")";
        for (size_t i = 0; i < ids.size() && i < instances.size(); ++i) {
          claimed.insert(ids[i]);
          Json attrs = instances[i].at("attributes");
          auto live = in.live->servers.find(ids[i]);
          if (live != in.live->servers.end()) attrs = res::server_refreshed_attributes(attrs, live->second);
          prior[addresses[i]] = {ids[i], attrs};
        }
      } else {
        // Not known whether the order was placed: look for the servers it
        // would have made, under their final or service-given names.
        auto service_names = e.intent.value("service_names", Json::array());
        Json found_instances = Json::array();
        std::vector<std::string> found_ids;
        std::string order_id;
        for (size_t i = 0; i < instances.size(); ++i) {
          std::set<std::string> names = {instances[i].at("name").get<std::string>()};
          if (i < service_names.size()) names.insert(service_names[i].get<std::string>());
          const cloud::Server* match = nullptr;
          for (const auto& [id, s] : in.live->servers)
            if (!claimed.count(id) && names.count(s.server_name) &&
                (!match || s.create_time < match->create_time || (s.create_time == match->create_time && id < match->server_id)))
              match = &s;
          if (!match) continue;
          claimed.insert(match->server_id);
          found_ids.push_back(match->server_id);
          found_instances.push_back(instances[i]);
          order_id = match->order_id;
          prior[addresses[i]] = {match->server_id,
                                 res::server_refreshed_attributes(instances[i].at("attributes"), *match)};
        }
        if (found_ids.empty()) {
          p.resolution = Resolution::purchase_not_placed;
          p.description = "purchase of " + range_address(addresses) +
                          " was interrupted before an answer; no server with the expected names exists, so no "
                          "order was placed";
        } else {
          p.resolution = Resolution::adopt_purchase;
          p.response = {{"order_id", order_id}, {"server_ids", found_ids}, {"instances", found_instances}};
          p.description = "purchase of " + range_address(addresses) + " was interrupted before an answer; found " +
                          std::to_string(found_ids.size()) + " of its servers (order " + order_id + ")";
        }
      }
    } else if (e.operation == "unsubscribe") {
      std::vector<std::string> addresses;
      for (const Json& s : e.intent.at("servers")) addresses.push_back(s.at("address").get<std::string>());
      if (e.status == state::JournalStatus::answered) {
        p.resolution = Resolution::resume_unsubscribe;
        releasing.insert(addresses.begin(), addresses.end());
        p.description = "release of " + range_address(addresses);
      } else {
        p.resolution = Resolution::settle;
        p.description = "release of " + range_address(addresses) + " was interrupted before an answer; planned again";
      }
    } else {
      p.resolution = Resolution::settle;
      p.description = e.operation + " of " + e.address + " was interrupted; the refreshed state shows its effect";
    }
    plan.pending.push_back(std::move(p));
  }
}

void add_steps(Plan& plan) {
  // Creates (and the create half of replacements) by block, in index
  // order, in orders of at most 10 (cph-api.md 3.4). Releases by block.
  std::map<std::string, std::vector<size_t>> creates, removes;
  std::map<std::string, bool> block_replaces;
  for (size_t i = 0; i < plan.actions.size(); ++i) {
    const Action& a = plan.actions[i];
    if (a.kind == ActionKind::create || a.kind == ActionKind::replace) creates[a.block].push_back(i);
    if (a.kind == ActionKind::remove || a.kind == ActionKind::replace) removes[a.block].push_back(i);
    if (a.kind == ActionKind::replace) block_replaces[a.block] = true;
  }
  auto by_index = [&](size_t x, size_t y) { return plan.actions[x].index < plan.actions[y].index; };
  std::map<std::string, std::vector<size_t>> release_steps;
  for (auto& [block, list] : removes) {
    std::sort(list.begin(), list.end(), by_index);
    for (size_t at = 0; at < list.size(); at += 10) {
      Step s{StepKind::unsubscribe, block, {}, {}};
      s.actions.assign(list.begin() + static_cast<long>(at), list.begin() + static_cast<long>(std::min(list.size(), at + 10)));
      release_steps[block].push_back(plan.steps.size());
      plan.steps.push_back(std::move(s));
    }
  }
  for (auto& [block, list] : creates) {
    std::sort(list.begin(), list.end(), by_index);
    for (size_t at = 0; at < list.size(); at += 10) {
      Step s{StepKind::purchase, block, {}, {}};
      s.actions.assign(list.begin() + static_cast<long>(at), list.begin() + static_cast<long>(std::min(list.size(), at + 10)));
      // A replacement keeps its address and name: release the old server first.
      if (block_replaces[block]) s.after = release_steps[block];
      plan.steps.push_back(std::move(s));
    }
  }
  for (size_t i = 0; i < plan.actions.size(); ++i)
    if (plan.actions[i].kind == ActionKind::update) plan.steps.push_back({StepKind::rename, plan.actions[i].block, {i}, {}});
}

}  // namespace

bool address_matches(const std::string& address, const std::string& pattern) {
  return address == pattern || (address.size() > pattern.size() && address.compare(0, pattern.size(), pattern) == 0 &&
                                address[pattern.size()] == '[');
}

Plan make_plan(const PlanInput& in) {
  if (!in.live) throw std::invalid_argument("make_plan needs the refreshed inventory");
  Plan plan;
  plan.lineage = in.meta.lineage;
  plan.serial = in.meta.serial;
  plan.destroy = in.destroy;
  if (in.manifest) plan.manifest_digest = in.manifest->digest;

  std::map<std::string, Prior> prior;
  std::set<std::string> releasing, claimed;
  resolve_journal(in, plan, prior, releasing, claimed);

  for (const state::ResourceRow& row : in.rows) {
    if (!res::find_schema(row.type))
      throw std::runtime_error("state holds " + row.address + " of type \"" + row.type +
                               "\", which this version of cphform does not know");
    if (releasing.count(row.address)) continue;
    auto live = in.live->servers.find(row.cloud_id);
    if (live == in.live->servers.end()) {
      plan.vanished.push_back(row.address);
      plan.drift.push_back({row.address, row.cloud_id, true, {}});
      continue;
    }
    Json refreshed = res::server_refreshed_attributes(row.attributes, live->second);
    if (auto d = drift_of(row, refreshed)) plan.drift.push_back(std::move(*d));
    prior[row.address] = {row.cloud_id, std::move(refreshed)};
  }

  std::map<std::string, Desired> desired;
  if (!in.destroy && in.manifest) {
    for (const manifest::ResourceConfig& rc : in.manifest->resources) {
      bool counted = rc.count.has_value();
      int n = rc.count.value_or(1);
      for (int i = 0; i < n; ++i) {
        Json attrs = rc.attributes;
        attrs["name"] = res::server_instance_name(rc.attributes.at("name").get<std::string>(), counted, i);
        desired[instance_address(rc.address(), counted, i)] = {rc.address(), counted ? i : -1, attrs,
                                                               rc.attributes.at("name").get<std::string>()};
      }
    }
  }

  const res::ResourceSchema& schema = res::server_schema();
  std::set<std::string> addresses;
  for (const auto& [a, p] : prior) addresses.insert(a);
  for (const auto& [a, d] : desired) addresses.insert(a);
  auto selected = [&](const std::string& address) {
    auto match = [&](const std::string& pattern) { return address_matches(address, pattern); };
    if (!in.targets.empty() && std::none_of(in.targets.begin(), in.targets.end(), match)) return false;
    return std::none_of(in.excludes.begin(), in.excludes.end(), match);
  };
  for (const std::string& address : addresses) {
    if (!selected(address)) continue;
    auto p = prior.find(address);
    auto d = desired.find(address);
    auto [block, index] = split_address(address);
    Action a;
    a.address = address;
    a.type = "server";
    a.block = block;
    a.index = index;
    if (d != desired.end()) a.block_name = d->second.block_name;
    if (p == prior.end()) {
      a.kind = ActionKind::create;
      a.after = d->second.attributes;
      if (std::find(plan.vanished.begin(), plan.vanished.end(), address) != plan.vanished.end())
        a.reason = "the recorded server no longer exists in the cloud";
    } else if (d == desired.end()) {
      a.kind = ActionKind::remove;
      a.cloud_id = p->second.cloud_id;
      a.before = p->second.attributes;
      if (in.destroy) {
        a.reason = "";
      } else if (index >= 0 && in.manifest && in.manifest->find(block)) {
        a.reason = "count is now " + std::to_string(in.manifest->find(block)->count.value_or(1));
      } else {
        a.reason = "it is no longer in the manifest";
      }
    } else {
      a.cloud_id = p->second.cloud_id;
      a.before = p->second.attributes;
      a.after = d->second.attributes;
      a.changes = diff_attributes(schema, a.before, a.after);
      if (a.changes.empty()) continue;
      bool replace = std::any_of(a.changes.begin(), a.changes.end(), [](const AttrChange& c) { return c.forces_replacement; });
      a.kind = replace ? ActionKind::replace : ActionKind::update;
    }
    plan.actions.push_back(std::move(a));
  }
  add_steps(plan);
  return plan;
}

}  // namespace cph::planner

// The unfinished journal at the start of a run (ARCHITECTURE decision 3):
// each entry is resumed from its recorded ids, or reconciled against the
// live inventory before anything is sent again. A purchase is never blindly
// retried.
#include <algorithm>
#include <set>

#include "planner/internal.h"

namespace cph::planner::detail {

Json purchased_attributes(const Json& asked) {
  Json a = asked;
  if (a.contains("_bandwidth_block")) {
    a["bandwidth"] = a["_bandwidth_block"];
    a.erase("_bandwidth_block");
  }
  return a;
}

std::set<std::string> bandwidths_being_created(const Plan& plan) {
  std::set<std::string> out;
  for (const PendingOperation& p : plan.pending) {
    if (p.resolution != Resolution::resume_purchase && p.resolution != Resolution::adopt_purchase) continue;
    for (const Json& i : p.entry.intent.value("instances", Json::array())) {
      const Json& a = i.value("attributes", Json::object());
      if (a.contains("_bandwidth_block") && a.contains("bandwidth") && !a["bandwidth"].contains("id"))
        out.insert(a["_bandwidth_block"].get<std::string>());
    }
  }
  return out;
}


namespace {

// The instance addresses an entry is about.
std::vector<std::string> entry_addresses(const state::JournalEntry& e) {
  std::vector<std::string> out;
  if (e.operation == "purchase")
    for (const Json& i : e.intent.value("instances", Json::array())) out.push_back(i.at("address").get<std::string>());
  else if (e.operation == "unsubscribe")
    for (const Json& s : e.intent.value("servers", Json::array())) out.push_back(s.at("address").get<std::string>());
  if (out.empty()) out.push_back(e.address);
  return out;
}

// With -target, only entries of targeted addresses are resumed; -exclude
// leaves an entry alone. Another address's unfinished work never blocks a run.
bool entry_selected(const PlanInput& in, const state::JournalEntry& e) {
  for (const std::string& address : entry_addresses(e)) {
    auto match = [&](const std::string& pattern) { return address_matches(address, pattern); };
    if (std::any_of(in.excludes.begin(), in.excludes.end(), match)) continue;
    if (in.targets.empty() || std::any_of(in.targets.begin(), in.targets.end(), match)) return true;
  }
  return false;
}

// An answer that carries the order and one server id per instance; anything
// less (a malformed answer) is reconciled by the expected names instead.
bool answer_complete(const state::JournalEntry& e) {
  if (e.status != state::JournalStatus::answered) return false;
  const Json& ids = e.response.value("server_ids", Json::array());
  return !e.response.value("order_id", std::string()).empty() && ids.is_array() &&
         ids.size() == e.intent.value("instances", Json::array()).size();
}

// A journaled key pair create whose key pair the refresh found: its
// attributes with the live fingerprint.
std::optional<Json> created_keypair(const state::JournalEntry& e, const resources::Inventory& live) {
  if (e.operation != "create_keypair" || !live.reads("keypair")) return std::nullopt;
  const std::string name = e.intent.value("name", std::string());
  if (name.empty()) return std::nullopt;
  return live.refreshed("keypair", name, e.intent.value("attributes", Json::object()));
}

}  // namespace

void resolve_journal(const PlanInput& in, Plan& plan, std::map<std::string, Prior>& prior,
                     std::set<std::string>& releasing, std::set<std::string>& claimed) {
  for (const auto& row : in.rows) claimed.insert(row.cloud_id);
  for (const state::JournalEntry& e : in.open_journal)  // skipped entries keep their servers
    if (e.operation == "purchase" && !entry_selected(in, e))
      for (const Json& id : e.response.value("server_ids", Json::array())) claimed.insert(id.get<std::string>());
  for (const state::JournalEntry& e : in.open_journal) {
    if (!entry_selected(in, e)) continue;
    PendingOperation p;
    p.entry = e;
    p.provider = address_owner(in, entry_addresses(e).front());
    const resources::Inventory& inventory = inventory_of(in, p.provider);
    if (e.operation == "purchase") {
      const Json& instances = e.intent.at("instances");
      std::vector<std::string> addresses = entry_addresses(e);
      if (answer_complete(e)) {
        auto ids = e.response["server_ids"].get<std::vector<std::string>>();
        p.resolution = Resolution::resume_purchase;
        p.description = "purchase of " + range_address(addresses) + " (order " +
                        e.response.value("order_id", std::string("?")) + ")";
        for (size_t i = 0; i < ids.size() && i < instances.size(); ++i) {
          claimed.insert(ids[i]);
          Json attrs = purchased_attributes(instances[i].at("attributes"));
          // The attributes the create made; a later step sets the rest.
          if (auto live = inventory.refreshed("server", ids[i], attrs, resources::Overlay::object_only)) attrs = *live;
          prior[addresses[i]] = {"server", ids[i], attrs, p.provider};
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
          std::optional<resources::FoundObject> match =
              inventory.find_created("server", names, claimed, purchased_attributes(instances[i].at("attributes")));
          if (!match) continue;
          claimed.insert(match->cloud_id);
          found_ids.push_back(match->cloud_id);
          found_instances.push_back(instances[i]);
          order_id = match->order_id;
          prior[addresses[i]] = {"server", match->cloud_id, std::move(match->attributes), p.provider};
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
      std::vector<std::string> addresses = entry_addresses(e);
      if (e.status == state::JournalStatus::answered) {
        p.resolution = Resolution::resume_unsubscribe;
        releasing.insert(addresses.begin(), addresses.end());
        p.description = "release of " + range_address(addresses);
      } else {
        p.resolution = Resolution::settle;
        p.description = "release of " + range_address(addresses) + " was interrupted before an answer; planned again";
      }
    } else if (std::optional<Json> made = created_keypair(e, inventory)) {
      // The key pair was made but not recorded: record it rather than
      // create it again (KPS would refuse the name).
      const std::string name = e.intent.at("name").get<std::string>();
      Json attrs = std::move(*made);
      p.resolution = Resolution::record;
      p.response = {{"address", e.address}, {"type", "keypair"}, {"cloud_id", name}, {"attributes", attrs}};
      prior[e.address] = {"keypair", name, attrs, p.provider};
      p.description = "creation of " + e.address + " was interrupted; the key pair exists and is recorded";
    } else {
      p.resolution = Resolution::settle;
      p.description = e.operation + " of " + e.address + " was interrupted; the refreshed state shows its effect";
    }
    plan.pending.push_back(std::move(p));
  }
}

}  // namespace cph::planner::detail

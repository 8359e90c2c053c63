// CPH's reading of an unfinished journal entry (ARCHITECTURE decision 3;
// resources/provider_kind.h): a purchase is resumed from its recorded order
// and server ids, or reconciled against the refreshed servers by the names
// it was to give; it is never blindly retried. A release with its order ids
// recorded is followed to its end; a key pair made but not recorded is
// recorded rather than created again (KPS would refuse the name).
#include "resources/cph/plan_steps.h"

namespace cph::resources::cph_steps {
namespace {

// An answer that carries the order and one server id per instance; anything
// less (a malformed answer) is reconciled by the expected names instead.
bool answer_complete(const OpenEntry& e) {
  if (!e.answered) return false;
  const Json& ids = e.response.value("server_ids", Json::array());
  return !e.response.value("order_id", std::string()).empty() && ids.is_array() &&
         ids.size() == e.intent.value("instances", Json::array()).size();
}

// The shared bandwidth a journaled purchase creates, if any (its block).
std::vector<std::string> bandwidths_created(const OpenEntry& e) {
  std::vector<std::string> out;
  for (const Json& i : e.intent.value("instances", Json::array())) {
    const Json& a = i.value("attributes", Json::object());
    if (a.contains("_bandwidth_block") && a.contains("bandwidth") && !a["bandwidth"].contains("id"))
      out.push_back(a["_bandwidth_block"].get<std::string>());
  }
  return out;
}

Reconciled resume_purchase(const OpenEntry& e, const Inventory& live, std::set<std::string>& claimed) {
  const Json& instances = e.intent.at("instances");
  const std::vector<std::string> addresses = entry_addresses(e);
  Reconciled r;
  r.resume = Resume::run;
  r.resolution = "resume_purchase";
  r.description = "purchase of " + range_address(addresses) + " (order " + e.response.value("order_id", std::string("?")) + ")";
  auto ids = e.response["server_ids"].get<std::vector<std::string>>();
  for (size_t i = 0; i < ids.size() && i < instances.size(); ++i) {
    claimed.insert(ids[i]);
    Json attrs = purchased_attributes(instances[i].at("attributes"));
    // The attributes the create made; a later step sets the rest.
    if (auto now = live.refreshed("server", ids[i], attrs, Overlay::object_only)) attrs = *now;
    r.objects.push_back({addresses[i], ids[i], std::move(attrs), "server"});
  }
  r.being_created = bandwidths_created(e);
  return r;
}

// Not known whether the order was placed: look for the servers it would
// have made, under their final or service-given names.
Reconciled find_purchase(const OpenEntry& e, const Inventory& live, std::set<std::string>& claimed) {
  const Json& instances = e.intent.at("instances");
  const std::vector<std::string> addresses = entry_addresses(e);
  const Json service_names = e.intent.value("service_names", Json::array());
  Reconciled r;
  Json found_instances = Json::array();
  std::vector<std::string> found_ids;
  std::string order_id;
  for (size_t i = 0; i < instances.size(); ++i) {
    std::set<std::string> names = {instances[i].at("name").get<std::string>()};
    if (i < service_names.size()) names.insert(service_names[i].get<std::string>());
    std::optional<FoundObject> match = live.find_created("server", names, claimed, purchased_attributes(instances[i].at("attributes")));
    if (!match) continue;
    claimed.insert(match->cloud_id);
    found_ids.push_back(match->cloud_id);
    found_instances.push_back(instances[i]);
    order_id = match->order_id;
    r.objects.push_back({addresses[i], match->cloud_id, std::move(match->attributes), "server"});
  }
  const std::string what = "purchase of " + range_address(addresses) + " was interrupted before an answer; ";
  if (found_ids.empty()) {
    r.resume = Resume::not_placed;
    r.resolution = "purchase_not_placed";
    r.description = what + "no server with the expected names exists, so no order was placed";
    return r;
  }
  r.resume = Resume::run;
  r.resolution = "adopt_purchase";
  r.response = {{"order_id", order_id}, {"server_ids", found_ids}, {"instances", found_instances}};
  r.description = what + "found " + std::to_string(found_ids.size()) + " of its servers (order " + order_id + ")";
  r.being_created = bandwidths_created(e);
  return r;
}

Reconciled release(const OpenEntry& e) {
  const std::vector<std::string> addresses = entry_addresses(e);
  Reconciled r;
  if (e.answered) {
    r.resume = Resume::run;
    r.resolution = "resume_unsubscribe";
    r.releasing = addresses;
    r.description = "release of " + range_address(addresses);
  } else {
    r.description = "release of " + range_address(addresses) + " was interrupted before an answer; planned again";
  }
  return r;
}

// A journaled key pair create whose key pair the refresh found: its
// attributes with the live fingerprint.
std::optional<Json> created_keypair(const OpenEntry& e, const Inventory& live) {
  if (e.operation != "create_keypair" || !live.reads("keypair")) return std::nullopt;
  const std::string name = e.intent.value("name", std::string());
  if (name.empty()) return std::nullopt;
  return live.refreshed("keypair", name, e.intent.value("attributes", Json::object()));
}

}  // namespace

Json purchased_attributes(const Json& asked) {
  Json a = asked;
  if (a.contains("_bandwidth_block")) {
    a["bandwidth"] = a["_bandwidth_block"];
    a.erase("_bandwidth_block");
  }
  return a;
}

std::vector<std::string> entry_addresses(const OpenEntry& e) {
  std::vector<std::string> out;
  if (e.operation == "purchase")
    for (const Json& i : e.intent.value("instances", Json::array())) out.push_back(i.at("address").get<std::string>());
  else if (e.operation == "unsubscribe")
    for (const Json& s : e.intent.value("servers", Json::array())) out.push_back(s.at("address").get<std::string>());
  if (out.empty()) out.push_back(e.address);
  return out;
}

std::vector<std::string> held_ids(const OpenEntry& e) {
  std::vector<std::string> out;
  if (e.operation == "purchase")
    for (const Json& id : e.response.value("server_ids", Json::array())) out.push_back(id.get<std::string>());
  return out;
}

Reconciled reconcile(const OpenEntry& e, const Inventory& live, std::set<std::string>& claimed) {
  if (e.operation == "purchase") return answer_complete(e) ? resume_purchase(e, live, claimed) : find_purchase(e, live, claimed);
  if (e.operation == "unsubscribe") return release(e);
  Reconciled r;
  if (std::optional<Json> made = created_keypair(e, live)) {
    const std::string name = e.intent.at("name").get<std::string>();
    r.resume = Resume::record;
    r.resolution = "record";
    r.response = {{"address", e.address}, {"type", "keypair"}, {"cloud_id", name}, {"attributes", *made}};
    r.objects.push_back({e.address, name, std::move(*made), "keypair"});
    r.description = "creation of " + e.address + " was interrupted; the key pair exists and is recorded";
    return r;
  }
  r.description = e.operation + " of " + e.address + " was interrupted; the refreshed state shows its effect";
  return r;
}

}  // namespace cph::resources::cph_steps

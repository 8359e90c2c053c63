// Refresh: what CPH has now, read in pages (ARCHITECTURE decision 5):
// servers 100 a call, bandwidths 100 a call, tags of every server 1,000 a
// call (7.9), key pairs in one call, phones 200 a call (5.1). Only the kinds the scope involves are
// read.
#include "resources/cph/cph_provider.h"

#include <algorithm>
#include <map>

#include "resources/cph/phone_slots.h"
#include "resources/cph/phone_steps.h"
#include "resources/cph/server.h"

namespace cph::resources {

namespace {

bool has_tags(const Json& tags, const std::vector<std::pair<std::string, std::string>>& wanted) {
  return std::all_of(wanted.begin(), wanted.end(), [&](const auto& kv) {
    return tags.is_object() && tags.contains(kv.first) && tags[kv.first] == kv.second;
  });
}

// "physical.rx1.xlarge.special" -> "rx1" (cph-api.md 3.12: changes only
// within one generation).
std::string generation(const std::string& model) {
  auto dot = model.find('.');
  std::string rest = dot == std::string::npos ? model : model.substr(dot + 1);
  return rest.substr(0, rest.find('.'));
}

}  // namespace

bool CphInventory::reads(const std::string& type) const {
  if (type == "server") return true;
  if (type == "bandwidth") return read_bandwidths;
  if (type == "keypair") return read_keypairs;
  if (type == "phones") return read_phones;
  return false;
}

std::optional<Json> CphInventory::refreshed(const std::string& type, const std::string& cloud_id,
                                            const Json& recorded, Overlay overlay) const {
  Json out = recorded.is_object() ? recorded : Json::object();
  if (type == "server") {
    auto s = servers.find(cloud_id);
    if (s == servers.end()) return std::nullopt;
    out = server_refreshed_attributes(out, s->second);
    if (read_tags && overlay == Overlay::all) {
      auto t = server_tags.find(cloud_id);
      out["tags"] = t == server_tags.end() ? Json::object() : t->second;
    }
  } else if (type == "bandwidth" && read_bandwidths) {
    auto b = bandwidths.find(cloud_id);
    if (b == bandwidths.end()) return std::nullopt;
    out.update(bandwidth_live_attributes(b->second));
  } else if (type == "phones" && read_phones) {
    out = phone_slots::live_overlay(out, phones);
  } else if (type == "keypair" && read_keypairs) {
    auto k = keypairs.find(cloud_id);
    if (k == keypairs.end()) return std::nullopt;
    out["fingerprint"] = k->second.fingerprint;
  }
  return out;
}

std::optional<FoundObject> CphInventory::find_created(const std::string& type, const std::set<std::string>& names,
                                                      const std::set<std::string>& claimed, const Json& asked) const {
  if (type != "server") return std::nullopt;
  // The oldest: a server bought later under the same name is someone else's.
  const cloud::Server* match = nullptr;
  for (const auto& [id, s] : servers)
    if (!claimed.count(id) && names.count(s.server_name) &&
        (!match || s.create_time < match->create_time ||
         (s.create_time == match->create_time && id < match->server_id)))
      match = &s;
  if (!match) return std::nullopt;
  return FoundObject{match->server_id, match->order_id, server_refreshed_attributes(asked, *match)};
}

Json CphInventory::unmanaged(const std::set<std::string>& managed, const UnmanagedFilter& filter) const {
  Json out = Json::array();
  if (!filter.active()) return out;
  for (const auto& [id, s] : servers) {
    auto t = server_tags.find(id);
    Json tags = t == server_tags.end() ? Json::object() : t->second;
    if (!managed.count(id) && s.server_name.rfind(filter.name_prefix, 0) == 0 && has_tags(tags, filter.tags))
      out.push_back({{"server_id", id}, {"server_name", s.server_name}, {"status", s.status}, {"tags", tags}});
  }
  std::sort(out.begin(), out.end(), [](const Json& a, const Json& b) { return a["server_name"] < b["server_name"]; });
  return out;
}

boost::asio::awaitable<std::unique_ptr<CphInventory>> read_inventory(cloud::CphClient& cloud,
                                                                      const RefreshScope& scope) {
  auto inv = std::make_unique<CphInventory>();
  for (cloud::Server& s : co_await cloud.list_all_servers()) {
    std::string id = s.server_id;
    inv->servers.emplace(std::move(id), std::move(s));
  }
  if (scope.involves("bandwidth")) {
    inv->read_bandwidths = true;
    for (cloud::BandWidthInfo& b : co_await cloud.list_all_bandwidths()) {
      std::string id = b.band_width_id;
      inv->bandwidths.emplace(std::move(id), std::move(b));
    }
  }
  if (scope.involves("keypair")) {
    inv->read_keypairs = true;
    for (cloud::Keypair& k : co_await cloud.list_keypairs()) {
      std::string name = k.name;
      inv->keypairs.emplace(std::move(name), std::move(k));
    }
  }
  // Phones (5.1) only for [phones] blocks or their rows: a fleet without
  // them lists none (issue 14).
  if (scope.involves("phones")) {
    inv->read_phones = true;
    for (cloud::Phone& p : co_await cloud.list_all_phones()) {
      std::string server = p.server_id;
      inv->phones[server].push_back(std::move(p));
    }
    for (auto& [server, list] : inv->phones)
      std::sort(list.begin(), list.end(),
                [](const cloud::Phone& a, const cloud::Phone& b) { return a.phone_id < b.phone_id; });
  }
  // Tags: recorded servers may have gained some by hand (drift); new ones
  // only when a block sets tags; every server's for unmanaged filters.
  const bool tags =
      (scope.involves("server") && (scope.has_records || scope.uses("server", "tags"))) || scope.unmanaged;
  if (tags && !inv->servers.empty()) {
    inv->read_tags = true;
    for (const cloud::TaggedResource& r : co_await cloud.list_all_server_tags()) {
      Json values = Json::object();
      for (const cloud::Tag& t : r.tags) values[t.key] = t.value;
      inv->server_tags[r.resource_id] = std::move(values);
    }
  }
  co_return inv;
}

Json bandwidth_live_attributes(const cloud::BandWidthInfo& b) {
  return {{"size", b.band_width_size},
          {"charge_mode", b.band_width_charge_mode == 0 ? "bandwidth" : "traffic"},
          {"name", b.band_width_name}};
}

boost::asio::awaitable<std::vector<std::string>> check_model_changes(cloud::CphClient& cloud,
                                                                    const std::vector<PlannedChange>& planned) {
  std::vector<const PlannedChange*> changes;
  for (const PlannedChange& c : planned)
    if (c.operations && std::find(c.operations->begin(), c.operations->end(), "change_model") != c.operations->end())
      changes.push_back(&c);
  std::vector<std::string> problems;
  if (changes.empty()) co_return problems;
  std::optional<int> any_product;
  std::set<std::string> models;
  for (const cloud::ServerModel& m : co_await cloud.list_server_models(any_product)) models.insert(m.server_model_name);
  std::map<std::string, cloud::PhoneModel> phones;
  for (cloud::PhoneModel& p : co_await cloud.list_phone_models()) {
    std::string name = p.phone_model_name;
    phones.emplace(std::move(name), std::move(p));
  }
  for (const PlannedChange* c : changes) {
    const std::string from = c->before->value("server_model", "");
    const std::string to = c->after->value("server_model", "");
    const std::string phone_from = c->before->value("phone_model", "");
    const std::string phone_to = c->after->value("phone_model", "");
    auto target = phones.find(phone_to);
    auto current = phones.find(phone_from);
    if (!models.count(to)) {
      problems.push_back(c->address + ": server_model \"" + to +
                         "\" is not in the service's server-models list (GET /v1/{project_id}/cloud-phone/server-models)");
    } else if (generation(from) != generation(to)) {
      problems.push_back(c->address + ": server_model can only change within one generation (\"" + from + "\" is " +
                         generation(from) + ", \"" + to + "\" is " + generation(to) + "; CPH API: Change server model)");
    } else if (target == phones.end() || target->second.server_model_name != to) {
      problems.push_back(c->address + ": phone_model \"" + phone_to + "\" is not a phone model of server model \"" + to +
                         "\" (GET /v1/{project_id}/cloud-phone/phone-models; CPH API: Change server model)");
    } else if (current != phones.end() && current->second.phone_capacity != target->second.phone_capacity) {
      problems.push_back(c->address + ": a model change must keep the number of phones (\"" + phone_from + "\" has " +
                         std::to_string(current->second.phone_capacity) + ", \"" + phone_to + "\" has " +
                         std::to_string(target->second.phone_capacity) + "; CPH API: Change server model)");
    }
  }
  co_return problems;
}

boost::asio::awaitable<std::unique_ptr<Inventory>> CphProvider::refresh(const RefreshScope& scope) {
  co_return co_await read_inventory(*cloud_, scope);
}

int64_t CphProvider::list_calls() const {
  cloud::ApiCallCounts counts = cloud_->call_counts();
  auto found = counts.find("GET /v1/{project_id}/cloud-phone/servers");
  return found == counts.end() ? 0 : found->second;
}

// The members a reset, restart or stop of phones names (phone ids, phone
// names, server addresses: phone_slots::names_phone) must name phones of
// the block's recorded servers, listed now (5.1).
boost::asio::awaitable<std::vector<std::string>> check_phone_members(cloud::CphClient& cloud,
                                                                    const std::vector<PlannedChange>& planned) {
  std::vector<std::string> problems;
  for (const PlannedChange& c : planned) {
    if (!c.members || c.members->empty() || !c.before || !c.before->is_object() || !c.after) continue;
    const Json ids = c.before->value("server_ids", Json::object());
    std::set<std::string> server_ids;
    for (const auto& [address, id] : ids.items())
      if (id.is_string()) server_ids.insert(id.get<std::string>());
    const PhonesByServer phones = co_await list_phones_of(cloud, server_ids);
    const std::vector<phone_slots::Slot> all =
        phone_slots::slots(c.after->value("servers", Json::array()), ids, phones);
    for (const std::string& m : phone_slots::unmatched_members(*c.members, all))
      problems.push_back(c.address + ": no phone of its servers has the id or name \"" + m + "\", and no server of it " +
                         "has that address (name a phone by id or name, or a server as server.NAME[INDEX])");
  }
  co_return problems;
}

boost::asio::awaitable<std::vector<std::string>> CphProvider::check_changes(const std::vector<PlannedChange>& changes) {
  std::vector<std::string> problems = co_await check_model_changes(*cloud_, changes);
  std::vector<std::string> members = co_await check_phone_members(*cloud_, changes);
  problems.insert(problems.end(), members.begin(), members.end());
  co_return problems;
}

}  // namespace cph::resources

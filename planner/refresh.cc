// Refresh: what the cloud has now, read in pages (ARCHITECTURE decision 5):
// servers 100 a call, bandwidths 100 a call, tags of every server 1,000 a
// call (7.9), key pairs in one call. Only the kinds the state or the
// manifest involves are read.
#include <algorithm>

#include "planner/planner.h"
#include "resources/cph/server.h"

namespace cph::planner {

RefreshNeeds refresh_needs(const manifest::Manifest* m, const std::vector<state::ResourceRow>& rows) {
  RefreshNeeds n;
  auto note = [&](const std::string& type, const Json& attributes) {
    if (type == "bandwidth") n.bandwidths = true;
    if (type == "keypair") n.keypairs = true;
    if (type == "server" && (!rows.empty() || (attributes.is_object() && attributes.contains("tags")))) n.tags = true;
  };
  for (const auto& row : rows) note(row.type, row.attributes);
  if (m)
    for (const auto& rc : m->resources) note(rc.type, rc.attributes);
  return n;
}

boost::asio::awaitable<Inventory> refresh(cloud::CphClient& cloud, RefreshNeeds needs) {
  Inventory inv;
  for (cloud::Server& s : co_await cloud.list_all_servers()) {
    std::string id = s.server_id;
    inv.servers.emplace(std::move(id), std::move(s));
  }
  if (needs.bandwidths) {
    inv.read_bandwidths = true;
    for (cloud::BandWidthInfo& b : co_await cloud.list_all_bandwidths()) {
      std::string id = b.band_width_id;
      inv.bandwidths.emplace(std::move(id), std::move(b));
    }
  }
  if (needs.keypairs) {
    inv.read_keypairs = true;
    for (cloud::Keypair& k : co_await cloud.list_keypairs()) {
      std::string name = k.name;
      inv.keypairs.emplace(std::move(name), std::move(k));
    }
  }
  if (needs.tags && !inv.servers.empty()) {
    inv.read_tags = true;
    for (const cloud::TaggedResource& r : co_await cloud.list_all_server_tags()) {
      Json tags = Json::object();
      for (const cloud::Tag& t : r.tags) tags[t.key] = t.value;
      inv.server_tags[r.resource_id] = std::move(tags);
    }
  }
  co_return inv;
}

Json bandwidth_live_attributes(const cloud::BandWidthInfo& b) {
  return {{"size", b.band_width_size},
          {"charge_mode", b.band_width_charge_mode == 0 ? "bandwidth" : "traffic"},
          {"name", b.band_width_name}};
}

std::optional<Json> refreshed_attributes(const state::ResourceRow& row, const Inventory& live) {
  Json out = row.attributes.is_object() ? row.attributes : Json::object();
  if (row.type == "server") {
    auto s = live.servers.find(row.cloud_id);
    if (s == live.servers.end()) return std::nullopt;
    out = resources::server_refreshed_attributes(out, s->second);
    if (live.read_tags) {
      auto t = live.server_tags.find(row.cloud_id);
      out["tags"] = t == live.server_tags.end() ? Json::object() : t->second;
    }
  } else if (row.type == "bandwidth" && live.read_bandwidths) {
    auto b = live.bandwidths.find(row.cloud_id);
    if (b == live.bandwidths.end()) return std::nullopt;
    out.update(bandwidth_live_attributes(b->second));
  } else if (row.type == "keypair" && live.read_keypairs) {
    auto k = live.keypairs.find(row.cloud_id);
    if (k == live.keypairs.end()) return std::nullopt;
    out["fingerprint"] = k->second.fingerprint;
  }
  return out;
}

}  // namespace cph::planner

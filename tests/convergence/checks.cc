#include "tests/convergence/checks.h"

#include <algorithm>
#include <regex>
#include <sstream>

namespace cph::convergence {

namespace {
using Json = nlohmann::json;

template <typename C>
std::string joined(const C& c) {
  std::string out;
  for (const auto& s : c) out += (out.empty() ? "" : ",") + std::string(s);
  return "{" + out + "}";
}

std::string tags_text(const Tags& t) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : t) parts.push_back(k + "=" + v);
  return joined(parts);
}

// Share records of the admin views, by server id: sorted package names, or
// sorted "bucket/object".
std::map<std::string, std::vector<std::string>> shares_by_server(const e2e::EmulatorProcess& emu, bool apps) {
  std::map<std::string, std::vector<std::string>> out;
  const Json view = emu.admin(apps ? "/_emulator/share-apps" : "/_emulator/share-files");
  for (const auto& [id, list] : view.at("servers").items()) {
    for (const Json& r : list)
      out[id].push_back(apps ? r.at("package_name").get<std::string>()
                             : r.at("bucket_name").get<std::string>() + "/" + r.at("object_path").get<std::string>());
    std::sort(out[id].begin(), out[id].end());
  }
  return out;
}

void check_server(const ExpectedServer& e, const cloud::Server& s, const Tags& tags,
                  const std::map<std::string, std::vector<std::string>>& apps,
                  const std::map<std::string, std::vector<std::string>>& files,
                  std::map<std::string, std::string>& bandwidth_of_block, Problems& out) {
  const std::string at = e.address + " (" + s.server_name + ", " + s.server_id + "): ";
  if (s.status != 5) out.push_back(at + "status " + std::to_string(s.status) + ", not normal (5)");
  if (s.server_model_name != kServerModel || s.phone_model_name != kPhoneModel)
    out.push_back(at + "models " + s.server_model_name + "/" + s.phone_model_name);
  if (!e.keypair_name.empty() && s.keypair_name != e.keypair_name)
    out.push_back(at + "key pair " + s.keypair_name + ", manifests say " + e.keypair_name);
  if (tags != e.tags) out.push_back(at + "tags " + tags_text(tags) + ", manifests say " + tags_text(e.tags));
  auto shares = [](const std::map<std::string, std::vector<std::string>>& m, const std::string& id) {
    auto it = m.find(id);
    return it == m.end() ? std::vector<std::string>{} : it->second;
  };
  if (shares(apps, s.server_id) != e.share_packages)
    out.push_back(at + "shared apps " + joined(shares(apps, s.server_id)) + ", manifests say " + joined(e.share_packages));
  if (shares(files, s.server_id) != e.share_objects)
    out.push_back(at + "shared files " + joined(shares(files, s.server_id)) + ", manifests say " +
                  joined(e.share_objects));
  if (s.band_widths.size() != 1) {
    out.push_back(at + std::to_string(s.band_widths.size()) + " bandwidths");
    return;
  }
  const cloud::BandWidthInfo& b = s.band_widths.front();
  if (b.band_width_size != e.bandwidth_size)
    out.push_back(at + "bandwidth size " + std::to_string(b.band_width_size) + ", manifests say " +
                  std::to_string(e.bandwidth_size));
  if (b.band_width_share_type != (e.bandwidth_block.empty() ? 0 : 1))
    out.push_back(at + "bandwidth share type " + std::to_string(b.band_width_share_type));
  if (e.bandwidth_block.empty()) return;
  auto [it, first] = bandwidth_of_block.emplace(e.bandwidth_block, b.band_width_id);
  if (!first && it->second != b.band_width_id)
    out.push_back(at + "on bandwidth " + b.band_width_id + ", other servers of bandwidth." + e.bandwidth_block +
                  " on " + it->second);
}
}  // namespace

Problems check_cloud(const Spec& spec, const e2e::EmulatorProcess& emu, const std::set<std::string>& unmanaged) {
  Problems out;
  std::map<std::string, std::vector<cloud::Server>> by_name;
  std::set<std::string> live;
  for (cloud::Server& s : emu.servers()) {
    live.insert(s.server_id);
    if (!unmanaged.count(s.server_id)) by_name[s.server_name].push_back(std::move(s));
  }
  std::map<std::string, Tags> tags;
  for (const cloud::TaggedResource& r : emu.server_tags())
    for (const cloud::Tag& t : r.tags) tags[r.resource_id][t.key] = t.value;
  const auto apps = shares_by_server(emu, true), files = shares_by_server(emu, false);
  std::map<std::string, std::string> bandwidth_of_block;
  for (const ExpectedServer& e : spec.expected()) {
    auto it = by_name.find(e.name);
    if (it == by_name.end() || it->second.empty()) {
      out.push_back(e.address + ": no server named " + e.name + " in the cloud");
      continue;
    }
    if (it->second.size() > 1) out.push_back(e.address + ": " + std::to_string(it->second.size()) + " servers named " + e.name);
    const cloud::Server s = e2e::run_sync([&](boost::asio::any_io_executor ex) -> boost::asio::awaitable<cloud::Server> {
      cloud::CphClient client(ex, cloud::Endpoints{cloud::parse_url(emu.url()), cloud::parse_url(emu.url())},
                              emu.credentials());
      co_return co_await client.show_server(it->second.front().server_id);  // detail: its bandwidth
    });
    check_server(e, s, tags[s.server_id], apps, files, bandwidth_of_block, out);
    it->second.erase(it->second.begin());
  }
  for (const std::string& id : unmanaged)
    if (!live.count(id)) out.push_back("unmanaged server " + id + " (bought outside cphform) is gone");
  for (const auto& [name, left] : by_name)
    for (const cloud::Server& s : left)
      out.push_back("server " + name + " (" + s.server_id + ", status " + std::to_string(s.status) +
                    ") is in the cloud but no manifest declares it");
  return out;
}

std::vector<Json> successful_calls(const Json& calls) {
  std::vector<Json> out;
  for (const Json& c : calls.at("calls")) {
    const int status = c.at("status").get<int>();
    if (status >= 200 && status < 300) out.push_back(c);
  }
  return out;
}

namespace {
const std::string kPurchase = "POST /v2/{project_id}/cloud-phone/servers";
}

int purchased_units(const std::vector<Json>& calls) {
  int units = 0;
  for (const Json& c : calls)
    if (c.at("operation") == kPurchase) units += c.at("body").value("count", 1);
  return units;
}

Problems check_purchases(int units, const std::set<std::string>& before, const e2e::EmulatorProcess& emu,
                         const std::set<std::string>& unmanaged) {
  std::vector<std::string> fresh;
  for (const cloud::Server& s : emu.servers())
    if (!before.count(s.server_id) && !unmanaged.count(s.server_id)) fresh.push_back(s.server_name);
  if (units == static_cast<int>(fresh.size())) return {};
  return {"purchases made " + std::to_string(units) + " servers, " + std::to_string(fresh.size()) +
          " new servers are in the cloud " + joined(fresh) + ": a server was bought twice or lost"};
}

}  // namespace cph::convergence

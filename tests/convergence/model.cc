#include "tests/convergence/model.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace cph::convergence {

std::string instance_name(const ServerBlock& s, int i) {
  if (!s.count) return s.name;
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "-%04d", i + 1);
  return s.name + suffix;
}

namespace {
std::string quoted(const std::string& s) { return "\"" + s + "\""; }

std::string server_list(const std::vector<std::string>& blocks) {
  std::string out = "[";
  for (size_t i = 0; i < blocks.size(); ++i) out += (i ? ", " : "") + quoted("server." + blocks[i]);
  return out + "]";
}

void render_server(std::ostringstream& m, const ServerBlock& s) {
  m << "\n[server." << s.block << "]\nname = " << quoted(s.name) << "\n";
  if (s.count) m << "count = " << *s.count << "\n";
  m << "server_model = " << quoted(kServerModel) << "\nphone_model = " << quoted(kPhoneModel)
    << "\nimage_id = \"${var.image}\"\nvpc_id = " << quoted(kVpc) << "\nsubnet_id = " << quoted(kSubnet) << "\n";
  if (s.bandwidth.empty())
    m << "bandwidth = { share_type = \"dedicated\", charge_mode = \"traffic\", size = " << s.dedicated_size << " }\n";
  else
    m << "bandwidth = " << quoted("bandwidth." + s.bandwidth) << "\n";
  if (!s.keypair.empty()) m << "keypair = " << quoted("keypair." + s.keypair) << "\n";
  if (s.tags) {
    m << "tags = {";
    bool first = true;
    for (const auto& [k, v] : *s.tags) {
      m << (first ? " " : ", ") << k << " = " << quoted(k == "team" && s.team_tag_from_variable ? "${var.team}" : v);
      first = false;
    }
    m << (first ? "}" : " }") << "\n";
  }
}
}  // namespace

std::string Spec::render() const {
  std::ostringstream m;
  m << "[provider]\nendpoint = " << quoted(endpoint) << "\n\n[variables.image]\ntype = \"string\"\ndefault = "
    << quoted(kImage) << "\n\n[variables.team]\ntype = \"string\"\ndefault = " << quoted(team) << "\n";
  for (const KeypairBlock& k : keypairs) m << "\n[keypair." << k.block << "]\nname = " << quoted(k.name) << "\n";
  for (const BandwidthBlock& b : bandwidths)
    m << "\n[bandwidth." << b.block << "]\nsize = " << b.size << "\ncharge_mode = \"bandwidth\"\n";
  for (const ServerBlock& s : servers) render_server(m, s);
  for (const ShareBlock& sh : shares) {
    if (sh.app)
      m << "\n[share_app." << sh.block << "]\npackage_name = " << quoted(sh.package);
    else
      m << "\n[share_file." << sh.block << "]\npaths = [" << quoted(sh.path) << "]";
    m << "\nbucket = " << quoted(sh.bucket) << "\nobject = " << quoted(sh.object)
      << "\nservers = " << server_list(sh.servers) << "\n";
  }
  return m.str();
}

const ServerBlock* Spec::server(const std::string& block) const {
  for (const auto& s : servers)
    if (s.block == block) return &s;
  return nullptr;
}
const KeypairBlock* Spec::keypair(const std::string& block) const {
  for (const auto& k : keypairs)
    if (k.block == block) return &k;
  return nullptr;
}
const BandwidthBlock* Spec::bandwidth(const std::string& block) const {
  for (const auto& b : bandwidths)
    if (b.block == block) return &b;
  return nullptr;
}

std::vector<ExpectedServer> Spec::expected() const {
  std::vector<ExpectedServer> out;
  for (const ServerBlock& s : servers) {
    for (int i = 0; i < instances(s); ++i) {
      ExpectedServer e;
      e.block = s.block;
      e.address = "server." + s.block + (s.count ? "[" + std::to_string(i) + "]" : "");
      e.name = instance_name(s, i);
      if (!s.keypair.empty()) e.keypair_name = keypair(s.keypair)->name;
      if (s.tags) e.tags = *s.tags;
      if (s.team_tag_from_variable) e.tags["team"] = team;
      e.bandwidth_block = s.bandwidth;
      e.bandwidth_size = s.bandwidth.empty() ? s.dedicated_size : bandwidth(s.bandwidth)->size;
      for (const ShareBlock& sh : shares) {
        if (std::find(sh.servers.begin(), sh.servers.end(), s.block) == sh.servers.end()) continue;
        if (sh.app)
          e.share_packages.push_back(sh.package);
        else
          e.share_objects.push_back(sh.bucket + "/" + sh.object);
      }
      std::sort(e.share_packages.begin(), e.share_packages.end());
      std::sort(e.share_objects.begin(), e.share_objects.end());
      out.push_back(std::move(e));
    }
  }
  return out;
}

}  // namespace cph::convergence

#include "tests/convergence/generator.h"

#include <algorithm>
#include <array>
#include <functional>

namespace cph::convergence {

namespace {

constexpr std::array kBlockNames{"web", "api", "db", "game", "qa"};
constexpr std::array kTagKeys{"env", "role", "owner", "tier"};
constexpr std::array kTagValues{"prod", "a", "b", "blue", "green"};
constexpr std::array kSizes{5, 10, 20, 50, 100, 200};
constexpr int kMaxInstances = 4;
int next_id = 0;  // distinct names for renamed and added blocks within a run

Tags random_tags(Rng& rng) {
  Tags t;
  for (int n = rng.between(1, 2); n > 0; --n) t[rng.pick(kTagKeys)] = rng.pick(kTagValues);
  return t;
}

// Blocks referring to a shared bandwidth keep at least one instance: the
// bandwidth is created by a server purchase and goes with its last server.
// count = 0 is refused today (issue 12 allows it).
int min_count(const ServerBlock&) { return 1; }

ServerBlock new_server(Rng& rng, const Spec& spec, const std::string& block) {
  ServerBlock s;
  s.block = block;
  s.name = block;
  if (rng.chance(0.75)) s.count = rng.between(1, 3);
  if (!spec.bandwidths.empty() && rng.chance(0.5)) s.bandwidth = spec.bandwidths.front().block;
  s.dedicated_size = rng.pick(kSizes);
  if (!spec.keypairs.empty() && rng.chance(0.6)) s.keypair = rng.pick(spec.keypairs).block;
  if (rng.chance(0.7)) {
    s.tags = random_tags(rng);
    if (rng.chance(0.5)) {
      (*s.tags)["team"] = "";
      s.team_tag_from_variable = true;
    }
  }
  return s;
}

std::string unused_block(Rng& rng, const Spec& spec) {
  for (int tries = 0; tries < 20; ++tries) {
    std::string b = rng.pick(kBlockNames);
    if (!spec.server(b)) return b;
  }
  return "extra" + std::to_string(++next_id);
}

ShareBlock new_share(Rng& rng, const Spec& spec) {
  ShareBlock sh;
  sh.app = rng.chance(0.5);
  const int n = ++next_id;
  sh.block = (sh.app ? "app" : "file") + std::to_string(n);
  sh.package = "com.example.app" + std::to_string(n);
  sh.bucket = "conv-bucket";
  sh.object = (sh.app ? "apps/app" : "data/file") + std::to_string(n) + ".tar";
  sh.path = "/" + sh.object;  // the emulator unpacks a tar at "/" + its object path (docs/emulator.md)
  for (const ServerBlock& s : spec.servers)
    if (sh.servers.empty() || rng.chance(0.5)) sh.servers.push_back(s.block);
  return sh;
}

// Drops what no longer has a referent: share targets of removed blocks,
// shares with no server, bandwidth blocks no server uses.
void normalize(Spec& spec) {
  for (ShareBlock& sh : spec.shares)
    std::erase_if(sh.servers, [&](const std::string& b) { return !spec.server(b); });
  std::erase_if(spec.shares, [](const ShareBlock& sh) { return sh.servers.empty(); });
  std::erase_if(spec.bandwidths, [&](const BandwidthBlock& b) {
    return std::none_of(spec.servers.begin(), spec.servers.end(),
                        [&](const ServerBlock& s) { return s.bandwidth == b.block; });
  });
}

std::string edit_tags(Rng& rng, ServerBlock& s, Spec& spec) {
  const std::string at = "server." + s.block + ": ";
  if (!s.tags) {
    s.tags = random_tags(rng);
    return at + "tags set";
  }
  switch (rng.between(0, 4)) {
    case 0: {
      std::string k = rng.pick(kTagKeys);
      (*s.tags)[k] = rng.pick(kTagValues);
      if (k == "team") s.team_tag_from_variable = false;
      return at + "tag " + k + " added/changed";
    }
    case 1: {
      if (s.tags->size() <= 1) break;
      auto it = s.tags->begin();
      std::advance(it, rng.between(0, static_cast<int>(s.tags->size()) - 1));
      if (it->first == "team") s.team_tag_from_variable = false;
      std::string k = it->first;
      s.tags->erase(it);
      return at + "tag " + k + " removed";
    }
    case 2:
      s.tags.reset();
      s.team_tag_from_variable = false;
      return at + "tags unset";
    case 3:
      spec.team = spec.team == "platform" ? "games" : "platform";
      return "variable team = " + spec.team;
    default: break;
  }
  (*s.tags)["team"] = "";
  s.team_tag_from_variable = true;
  return at + "tag team from the variable";
}

std::string add_or_remove_block(Rng& rng, Spec& spec) {
  switch (rng.between(0, 3)) {
    case 0:
      if (spec.servers.size() < 3) {
        spec.servers.push_back(new_server(rng, spec, unused_block(rng, spec)));
        return "block server." + spec.servers.back().block + " added";
      }
      [[fallthrough]];
    case 1:
      if (spec.servers.size() > 1) {
        auto it = spec.servers.begin() + rng.between(0, static_cast<int>(spec.servers.size()) - 1);
        std::string b = it->block;
        spec.servers.erase(it);
        normalize(spec);
        return "block server." + b + " removed";
      }
      break;
    case 2:
      if (spec.shares.size() < 3) {
        spec.shares.push_back(new_share(rng, spec));
        return "block " + std::string(spec.shares.back().app ? "share_app." : "share_file.") +
               spec.shares.back().block + " added";
      }
      [[fallthrough]];
    default:
      if (!spec.shares.empty()) {
        auto it = spec.shares.begin() + rng.between(0, static_cast<int>(spec.shares.size()) - 1);
        std::string b = it->block;
        spec.shares.erase(it);
        return "block " + b + " removed";
      }
  }
  spec.shares.push_back(new_share(rng, spec));
  return "block " + spec.shares.back().block + " added";
}

}  // namespace

Spec generate(Rng& rng, const std::string& endpoint) {
  next_id = 0;  // a seed's names do not depend on the seeds run before it
  Spec spec;
  spec.endpoint = endpoint;
  spec.keypairs = {{"kpa", "conv-kpa"}, {"kpb", "conv-kpb"}};
  if (rng.chance(0.6)) spec.bandwidths.push_back({"shared", rng.pick(kSizes)});
  for (int n = rng.between(1, 3); n > 0; --n) spec.servers.push_back(new_server(rng, spec, unused_block(rng, spec)));
  for (int n = rng.between(0, 2); n > 0; --n) spec.shares.push_back(new_share(rng, spec));
  normalize(spec);
  return spec;
}

std::string edit(Rng& rng, Spec& spec) {
  ServerBlock& s = rng.pick(spec.servers);
  const std::string at = "server." + s.block + ": ";
  switch (rng.between(0, 6)) {
    case 0:
      if (s.count) {
        s.count = rng.between(min_count(s), kMaxInstances);
        return at + "count = " + std::to_string(*s.count);
      }
      [[fallthrough]];
    case 1:
      s.name = s.block + "r" + std::to_string(++next_id);
      return at + "name = " + s.name;
    case 2:
    case 3: return edit_tags(rng, s, spec);
    case 4:
      s.keypair = s.keypair == "kpa" ? "kpb" : "kpa";
      return at + "keypair = keypair." + s.keypair;
    case 5:
      if (!spec.bandwidths.empty()) {
        BandwidthBlock& b = rng.pick(spec.bandwidths);
        b.size = rng.pick(kSizes);
        return "bandwidth." + b.block + ": size = " + std::to_string(b.size);
      }
      [[fallthrough]];
    default: return add_or_remove_block(rng, spec);
  }
}

}  // namespace cph::convergence

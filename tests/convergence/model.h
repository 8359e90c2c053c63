// The convergence test's model of a workspace: what the manifests declare
// (a Spec), how it renders to TOML, and what the cloud must then hold. The
// generator (generator.h) builds and edits Specs; the checks (checks.h)
// compare the cloud with Spec::expected().
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cph::convergence {

using Tags = std::map<std::string, std::string>;

struct ServerBlock {
  std::string block;                 // server.BLOCK
  std::string name;                  // `name`
  std::optional<int> count;          // no `count` key when unset: one instance named `name`
  std::optional<Tags> tags;          // no `tags` key when unset
  bool team_tag_from_variable = false;  // tags.team = "${var.team}" (the variable's value)
  std::string keypair;               // "" none, else the keypair block it refers to
  std::string bandwidth;             // "" a dedicated table of dedicated_size, else a bandwidth block
  int dedicated_size = 10;
};

struct KeypairBlock {
  std::string block;
  std::string name;
};

struct BandwidthBlock {
  std::string block;
  int size = 10;
};

// share_app (package set) or share_file (bucket/object/path set).
struct ShareBlock {
  bool app = true;
  std::string block;
  std::string package;  // share_app only
  std::string bucket;
  std::string object;
  std::string path;               // share_file only
  std::vector<std::string> servers;  // server blocks
};

// One server the manifests ask for, with the values the cloud must show.
struct ExpectedServer {
  std::string address;  // server.BLOCK[i] or server.BLOCK
  std::string block;
  std::string name;
  std::string keypair_name;  // "" when the block sets none (not checked then)
  Tags tags;                 // exactly these (an unset `tags` means none)
  std::string bandwidth_block;  // "" dedicated
  int bandwidth_size = 0;
  std::vector<std::string> share_packages;  // sorted
  std::vector<std::string> share_objects;   // sorted "bucket/object"
};

struct Spec {
  std::string endpoint;
  std::string team = "platform";  // default of [variables.team]
  std::vector<ServerBlock> servers;
  std::vector<KeypairBlock> keypairs;
  std::vector<BandwidthBlock> bandwidths;
  std::vector<ShareBlock> shares;

  std::string render() const;  // the whole main.toml
  std::vector<ExpectedServer> expected() const;
  const ServerBlock* server(const std::string& block) const;
  const KeypairBlock* keypair(const std::string& block) const;
  const BandwidthBlock* bandwidth(const std::string& block) const;
  int instances(const ServerBlock& s) const { return s.count.value_or(1); }
};

// The values every server of the test is bought with.
inline constexpr const char* kServerModel = "physical.rx1.xlarge";
inline constexpr const char* kPhoneModel = "rx1.cp.c105.d6.e5v5";
inline constexpr const char* kImage = "20060220200717f201120a2300000e91";
inline constexpr const char* kVpc = "fca063f6-b942-42a8-9004-e5545f58d6a2";
inline constexpr const char* kSubnet = "f1cbfc37-eb42-4357-a0ec-9e4f11950908";

// The cloud name of instance i of a block (cphform's rule: NAME-0001, ...
// with count; NAME without).
std::string instance_name(const ServerBlock& s, int i);

}  // namespace cph::convergence

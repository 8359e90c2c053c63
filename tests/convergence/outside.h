// Changes made to the cloud behind cphform's back, through the emulator's
// own API with the emulator's credentials (cloud::CphClient), as an operator
// at the console would: rename a server, add/change/delete its tags, move it
// to another key pair, resize a shared bandwidth, release a server, buy an
// unmanaged one.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "tests/convergence/generator.h"
#include "tests/e2e/harness.h"

namespace cph::convergence {

// The key pair the outside changes move servers to; created once per run.
inline constexpr const char* kOutsideKeypair = "conv-outside";
// Name prefix of the servers bought outside cphform.
inline constexpr const char* kOutsidePrefix = "outside";

class Outside {
 public:
  explicit Outside(const e2e::EmulatorProcess& emu);
  // One random change to a server the manifests manage (or an unmanaged
  // purchase); returns what it did, or "" when nothing applied (no server).
  std::string change(Rng& rng);
  // Ids of the servers bought outside cphform (never cphform's).
  const std::set<std::string>& unmanaged() const { return unmanaged_; }
  const std::vector<std::string>& unmanaged_names() const { return names_; }

 private:
  const e2e::EmulatorProcess& emu_;
  std::set<std::string> unmanaged_;
  std::vector<std::string> names_;
  int bought_ = 0;
};

}  // namespace cph::convergence

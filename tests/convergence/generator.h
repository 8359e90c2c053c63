// Seeded generation of valid manifests and of their edits. Every choice
// comes from one std::mt19937 seeded with the test's seed, so a seed gives
// the same manifests and the same sequence of steps.
#pragma once

#include <random>
#include <string>

#include "tests/convergence/model.h"

namespace cph::convergence {

class Rng {
 public:
  explicit Rng(unsigned seed) : gen_(seed) {}
  int between(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen_); }  // inclusive
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(gen_) < p; }
  template <typename C>
  auto& pick(C& c) {
    return c[static_cast<size_t>(between(0, static_cast<int>(c.size()) - 1))];
  }

 private:
  std::mt19937 gen_;
};

// A valid workspace: 1 to 3 server blocks (with and without count, tags,
// a key pair block, a shared bandwidth block), and shares over them.
Spec generate(Rng& rng, const std::string& endpoint);

// One random edit of the manifests that keeps them valid: count, rename,
// tags add/change/remove (literal and through the variable), key pair
// change, bandwidth size, blocks added or removed. Returns what it did, for
// the step log.
std::string edit(Rng& rng, Spec& spec);

}  // namespace cph::convergence

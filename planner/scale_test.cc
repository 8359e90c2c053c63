// Plans of large manifests: a 30,000-block dependency chain (which used to
// overflow the stack in the step order walk) is planned, created and
// destroyed within seconds.
#include <chrono>

#include <catch2/catch.hpp>

#include "common/sanitized.h"

#include "planner/planner.h"
#include "resources/cph/cph_provider.h"

using namespace cph;
using namespace cph::planner;
using Inventory = resources::CphInventory;

namespace {

constexpr int kChain = 30000;

// keypair.k0 <- keypair.k1 <- ... : each depends on the one before.
manifest::Manifest chain() {
  std::string text;
  for (int i = 0; i < kChain; ++i)
    text += "[keypair.k" + std::to_string(i) + "]\nname = \"k" + std::to_string(i) + "\"\n" +
            (i ? "depends_on = [\"keypair.k" + std::to_string(i - 1) + "\"]\n" : "");
  return manifest::parse_manifest(text, "main.toml");
}

// The position in plan.steps of each key pair's step, by index.
std::vector<size_t> step_of_each(const Plan& p) {
  std::vector<size_t> out(kChain, p.steps.size());
  for (size_t s = 0; s < p.steps.size(); ++s) {
    const std::string& block = p.steps[s].block;
    out[static_cast<size_t>(std::stoi(block.substr(block.find(".k") + 2)))] = s;
  }
  return out;
}

double seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("a 30,000-block depends_on chain is created in dependency order and destroyed", "[planner][limits]") {
  const manifest::Manifest m = chain();
  Inventory live;
  PlanInput in;
  in.manifest = &m;
  in.live = &live;
  auto start = std::chrono::steady_clock::now();
  Plan create = make_plan(in);
  CHECK((cph::kSanitized || seconds(start) < 10));
  REQUIRE(create.steps.size() == static_cast<size_t>(kChain));
  std::vector<size_t> at = step_of_each(create);
  for (size_t i = 1; i < at.size(); ++i) {
    REQUIRE(at[i] < create.steps.size());
    REQUIRE(at[i - 1] < at[i]);  // created after what it depends on
    REQUIRE(create.steps[at[i]].after == std::vector<size_t>{at[i - 1]});
  }

  for (int i = 0; i < kChain; ++i)
    in.rows.push_back({"keypair.k" + std::to_string(i), "keypair", "k" + std::to_string(i),
                       {{"name", "k" + std::to_string(i)}}, {}, ""});
  in.destroy = true;
  start = std::chrono::steady_clock::now();
  Plan destroy = make_plan(in);
  CHECK((cph::kSanitized || seconds(start) < 10));
  REQUIRE(destroy.steps.size() == static_cast<size_t>(kChain));
  for (const Step& s : destroy.steps) CHECK(s.operation == "delete_keypair");
}

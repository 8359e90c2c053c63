// Flags and language Terraform users reach for (issue 12, part 2):
// -lock=false, count = 0, and the rest of their habits, end to end.
#include <catch2/catch.hpp>

#include "tests/e2e/harness.h"

using namespace cph::e2e;
namespace fs = std::filesystem;

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("count = 0 is a block with no instances: lowering a count to 0 destroys them", "[e2e][habits]") {
  EmulatorProcess emu;
  TempDir dir;
  dir.write("main.toml", server_manifest(emu.url(), "web", 2));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu), 0);
  REQUIRE(emu.servers().size() == 2);

  dir.write("main.toml", server_manifest(emu.url(), "web", 0));
  REQUIRE_RUN(run_cphform({"validate"}, dir.path(), nullptr), 0);
  auto plan = run_cphform({"plan"}, dir.path(), &emu);
  REQUIRE_RUN(plan, 0);
  CHECK(has(plan.out, "0 to add, 0 to change, 2 to destroy"));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu), 0);
  CHECK(emu.servers().empty());
  auto list = run_cphform({"state", "list"}, dir.path(), nullptr);
  REQUIRE_RUN(list, 0);
  CHECK(list.out.empty());
  REQUIRE_RUN(run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu), 0);
}

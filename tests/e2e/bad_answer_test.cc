// Issue 18 "Money-safe answers", end to end: the emulator processes a
// purchase and then loses or garbles its answer, or garbles the list that
// refresh reads. Whatever the bad answer, applying again until success buys
// exactly the servers declared (none twice, no name twice), every apply's
// summary is true (a failed apply says so and exits non-zero), and the
// state and the cloud agree at the end.
#include <set>

#include <catch2/catch.hpp>

#include "tests/e2e/harness.h"

using namespace cph::e2e;
using Json = nlohmann::json;

namespace {

const char* kList = "GET /v1/{project_id}/cloud-phone/servers";

// The emulator's servers: `expected` of them, no name twice.
void check_fleet(const EmulatorProcess& emu, size_t expected) {
  const auto servers = emu.servers();
  std::set<std::string> names;
  for (const auto& s : servers) CHECK(names.insert(s.server_name).second);
  CHECK(servers.size() == expected);
}

// The emulator and the state agree, and the next plan has nothing to do.
void check_converged(const EmulatorProcess& emu, const TempDir& dir, size_t expected) {
  check_fleet(emu, expected);
  std::set<std::string> live;
  for (const auto& s : emu.servers()) live.insert(s.server_id);
  auto pulled = run_cphform({"state", "pull"}, dir.path(), nullptr);
  REQUIRE_RUN(pulled, 0);
  std::set<std::string> recorded;
  const Json state = Json::parse(pulled.out);
  for (const Json& r : state.at("resources"))
    if (r.at("type") == "server") CHECK(recorded.insert(r.at("cloud_id").get<std::string>()).second);
  CHECK(recorded == live);
  auto plan = run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu);
  REQUIRE_RUN(plan, 0);
  CHECK(plan.out.find("No changes.") != std::string::npos);
}

// One apply whose purchase answer was lost or garbled after the service
// carried it out: it fails and says so, and the servers exist.
void check_failed_after_purchase(const RunResult& r, const EmulatorProcess& emu, const std::string& why) {
  INFO("stdout:\n" << r.out << "\nstderr:\n" << r.err);
  CHECK(r.exit_code == 1);
  for (const char* address : {"server.web[0]", "server.web[1]", "server.web[2]"})
    CHECK(r.err.find("Error: " + std::string(address) + ": " + why) != std::string::npos);
  CHECK(r.err.find("Apply failed. Resources: 0 added") != std::string::npos);
  CHECK(r.out.find("Apply complete!") == std::string::npos);
  CHECK(emu.calls(kPurchase) == 1);
  check_fleet(emu, 3);  // processed: bought once
}

// The next apply finds the order's servers by their names and records them:
// no second purchase.
void check_reconciled(const EmulatorProcess& emu, const TempDir& dir) {
  auto plan = run_cphform({"plan"}, dir.path(), &emu);
  REQUIRE_RUN(plan, 0);
  CHECK(plan.out.find("found 3 of its servers") != std::string::npos);
  auto apply = run_cphform({"apply", "-auto-approve"}, dir.path(), &emu);
  REQUIRE_RUN(apply, 0);
  CHECK(apply.out.find("Apply complete!") != std::string::npos);
  CHECK(emu.calls(kPurchase) == 1);
  check_converged(emu, dir, 3);
}

Json purchase_faults(Json faults) {
  faults["operations"] = {kPurchase};
  return faults;
}

}  // namespace

TEST_CASE("a connection reset after a processed purchase: not resent, reconciled, bought once",
          "[e2e][bad_answer]") {
  EmulatorProcess emu(1000.0);
  TempDir dir;
  dir.write("main.toml", server_manifest(emu.url(), "web", 3));
  emu.set_faults(purchase_faults({{"processed_reset_rate", 1}}));
  auto first = run_cphform({"apply", "-auto-approve"}, dir.path(), &emu);
  check_failed_after_purchase(first, emu, "connection failed: ");
  CHECK(first.err.find("(request sent)") != std::string::npos);
  CHECK(first.err.find("the journal keeps it for the next run") != std::string::npos);
  emu.set_faults(Json::object());
  check_reconciled(emu, dir);
}

TEST_CASE("a malformed 200 after a processed purchase: the journal stays open, reconciled, bought once",
          "[e2e][bad_answer]") {
  const std::string kind = GENERATE("text", "empty", "error_body", "wrong_types", "truncated", "missing");
  INFO("garbage: " << kind);
  EmulatorProcess emu(1000.0);
  TempDir dir;
  dir.write("main.toml", server_manifest(emu.url(), "web", 3));
  emu.set_faults(purchase_faults({{"garbage_rate", 1}, {"garbage", kind}}));
  auto first = run_cphform({"apply", "-auto-approve"}, dir.path(), &emu);
  check_failed_after_purchase(first, emu,
                              std::string(kPurchase) + " answered HTTP 200 with a body that does not have the "
                                                       "documented shape: ");
  emu.set_faults(Json::object());
  check_reconciled(emu, dir);
}

TEST_CASE("a purchase answered 200 without order_id: not recorded as answered, reconciled by names",
          "[e2e][bad_answer]") {
  EmulatorProcess emu(1000.0);
  TempDir dir;
  dir.write("main.toml", server_manifest(emu.url(), "web", 3));
  emu.set_faults(purchase_faults({{"garbage_rate", 1}, {"garbage", "missing"}, {"missing_fields", {"order_id"}}}));
  auto first = run_cphform({"apply", "-auto-approve"}, dir.path(), &emu);
  check_failed_after_purchase(first, emu, std::string(kPurchase) + " answered HTTP 200");
  CHECK(first.err.find("field order_id is missing") != std::string::npos);
  emu.set_faults(Json::object());
  // Not "journaled purchase has 0 server ids" forever: the next plan works.
  check_reconciled(emu, dir);
}

TEST_CASE("a malformed list answer is an error naming the API and the field, never an empty fleet",
          "[e2e][bad_answer]") {
  EmulatorProcess emu(1000.0);
  TempDir dir;
  dir.write("main.toml", server_manifest(emu.url(), "web", 3));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu), 0);
  REQUIRE(emu.calls(kPurchase) == 1);
  // A fourth server declared: a list read as empty would buy four.
  dir.write("main.toml", server_manifest(emu.url(), "web", 4));
  struct Case {
    Json faults;
    std::string names;  // what the error says
  };
  const std::vector<Case> cases = {
      {{{"garbage", "error_body"}}, "the body is an error body (CPS.0003)"},
      {{{"garbage", "empty"}}, "the body is empty"},
      {{{"garbage", "wrong_types"}}, "field count is the String \"not a number\", expected an Integer"},
      {{{"garbage", "missing"}}, "field servers is missing"},
      {{{"garbage", "text"}}, "the body is not valid JSON"},
  };
  for (const Case& c : cases) {
    Json faults = c.faults;
    faults["garbage_rate"] = 1;
    faults["operations"] = {kList};
    emu.set_faults(faults);
    for (const std::vector<std::string>& args : {std::vector<std::string>{"plan"}, {"apply", "-auto-approve"}}) {
      auto r = run_cphform(args, dir.path(), &emu);
      INFO(args[0] << " with " << faults.dump() << "\nstdout:\n" << r.out << "\nstderr:\n" << r.err);
      CHECK(r.exit_code == 1);
      const std::string expected = std::string(kList).append(" answered HTTP 200 with a body that does not have the "
                                                             "documented shape: ").append(c.names);
      CHECK(r.err.find(expected) != std::string::npos);
      CHECK(r.out.find("Apply complete!") == std::string::npos);
    }
    emu.set_faults(Json::object());
    CHECK(emu.calls(kPurchase) == 1);  // nothing bought on a fleet that could not be read
  }
  auto apply = run_cphform({"apply", "-auto-approve"}, dir.path(), &emu);
  REQUIRE_RUN(apply, 0);
  CHECK(apply.out.find("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.") != std::string::npos);
  check_converged(emu, dir, 4);
}

TEST_CASE("purchases and lists garbled or dropped at random: re-applying converges on exactly the declared servers",
          "[e2e][bad_answer]") {
  EmulatorProcess emu(1000.0);
  TempDir dir;
  std::string m = server_manifest(emu.url(), "web", 3);
  m += "\n" + server_block("api", "api", 12) + "\n" + server_block("db", "db", 1);
  dir.write("main.toml", m);
  emu.set_faults({{"processed_reset_rate", 0.25},
                  {"garbage_rate", 0.35},
                  {"garbage", "mixed"},
                  {"operations", {kPurchase, kList}}});
  int applies = 0, failed = 0;
  RunResult r;
  do {
    r = run_cphform({"apply", "-auto-approve"}, dir.path(), &emu);
    ++applies;
    INFO("apply " << applies << ":\nstdout:\n" << r.out << "\nstderr:\n" << r.err);
    REQUIRE((r.exit_code == 0 || r.exit_code == 1));
    if (r.exit_code == 1) {
      ++failed;
      CHECK(r.out.find("Apply complete!") == std::string::npos);
      CHECK(r.err.find("Error: ") != std::string::npos);
    } else {
      CHECK(r.out.find("Apply complete!") != std::string::npos);
    }
  } while (r.exit_code != 0 && applies < 20);
  REQUIRE_RUN(r, 0);
  CHECK(failed > 0);  // the faults did happen
  emu.set_faults(Json::object());
  check_converged(emu, dir, 16);  // 3 + 12 + 1, whatever the faults
}

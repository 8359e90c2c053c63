// The walking skeleton end to end: the real binary, the real emulator
// process, real HTTP. Each test names the acceptance line it checks.
#include <signal.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <thread>

#include <catch2/catch.hpp>

#include "state/state.h"
#include "tests/e2e/harness.h"

using namespace cph::e2e;
namespace fs = std::filesystem;

namespace {

const char* kList = "GET /v1/{project_id}/cloud-phone/servers";
const char* kDetail = "GET /v1/{project_id}/cloud-phone/servers/{server_id}";
const char* kRename = "PUT /v1/{project_id}/cloud-phone/servers/{server_id}";

// The shared manifest plus the optional attributes, so that every kind of
// value is exercised (line numbers below refer to this layout).
std::string manifest(const std::string& endpoint, const std::string& name, int count) {
  return server_manifest(endpoint, name, count) + R"(availability_zone = "cn-east-3a"
eip_type      = "5_bgp"
period        = { unit = "month", length = 1, auto_renew = false }
ports         = [ { name = "game", listen_port = 20000, internet_accessible = true } ]
)";
}

std::vector<std::string> names(const std::vector<cph::cloud::Server>& servers) {
  std::vector<std::string> out;
  for (const auto& s : servers) out.push_back(s.server_name);
  std::sort(out.begin(), out.end());
  return out;
}

int64_t state_serial(const fs::path& dir) {
  fs::path db = dir / ".cphform" / "state.db";
  if (!fs::exists(db)) return -1;
  return cph::state::open_sqlite_state(db.string())->meta().serial;
}



}  // namespace

TEST_CASE("count=2 buys two servers, a rename changes them in place, count=1 releases one", "[e2e]") {
  EmulatorProcess emu;
  TempDir dir;
  dir.write("main.toml", manifest(emu.url(), "web", 2));

  auto plan = run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu);
  REQUIRE_RUN(plan, 2);
  CHECK(plan.out.find("Plan: 2 to add, 0 to change, 0 to destroy.") != std::string::npos);
  CHECK(emu.calls(kPurchase) == 0);

  auto apply = run_cphform({"apply", "-auto-approve"}, dir.path(), &emu);
  REQUIRE_RUN(apply, 0);
  CHECK(apply.out.find("Apply complete! Resources: 2 added, 0 changed, 0 destroyed.") != std::string::npos);
  CHECK(apply.out.find("server.web[0]: Creation complete after") != std::string::npos);
  CHECK(emu.calls(kPurchase) == 1);  // one order of two
  CHECK(emu.calls(kDetail) == 0);    // its servers confirmed by list pages (3.1), not one GET each
  CHECK(names(emu.servers()) == std::vector<std::string>{"web-0001", "web-0002"});

  // Refresh reads the inventory with list pages, never one GET per server.
  int64_t details_before = emu.calls(kDetail);
  int64_t lists_before = emu.calls(kList);
  auto again = run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu);
  REQUIRE_RUN(again, 0);
  CHECK(again.out.find("No changes.") != std::string::npos);
  CHECK(emu.calls(kList) == lists_before + 1);
  CHECK(emu.calls(kDetail) == details_before);

  SECTION("renaming is an in-place update, not a purchase") {
    dir.write("main.toml", manifest(emu.url(), "api", 2));
    auto p = run_cphform({"plan"}, dir.path(), &emu);
    REQUIRE_RUN(p, 0);
    CHECK(p.out.find("Plan: 0 to add, 2 to change, 0 to destroy.") != std::string::npos);
    CHECK(p.out.find("~ name = \"web-0001\" -> \"api-0001\"") != std::string::npos);
    auto a = run_cphform({"apply", "-auto-approve"}, dir.path(), &emu);
    REQUIRE_RUN(a, 0);
    CHECK(emu.calls(kPurchase) == 1);
    CHECK(emu.calls(kRename) == 2);
    CHECK(names(emu.servers()) == std::vector<std::string>{"api-0001", "api-0002"});

    SECTION("count=1 unsubscribes the highest index, which disappears from the list") {
      dir.write("main.toml", manifest(emu.url(), "api", 1));
      auto p1 = run_cphform({"plan"}, dir.path(), &emu);
      REQUIRE_RUN(p1, 0);
      CHECK(p1.out.find("Plan: 0 to add, 0 to change, 1 to destroy.") != std::string::npos);
      CHECK(p1.out.find("server.web[1] will be destroyed") != std::string::npos);
      auto a1 = run_cphform({"apply", "-auto-approve"}, dir.path(), &emu);
      REQUIRE_RUN(a1, 0);
      CHECK(emu.calls(kUnsubscribe) == 1);
      CHECK(names(emu.servers()) == std::vector<std::string>{"api-0001"});
      auto final_plan = run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu);
      REQUIRE_RUN(final_plan, 0);
      CHECK(final_plan.out.find("No changes.") != std::string::npos);
    }
  }

  SECTION("destroy releases everything") {
    auto d = run_cphform({"destroy", "-auto-approve"}, dir.path(), &emu);
    REQUIRE_RUN(d, 0);
    CHECK(d.out.find("Destroy complete! Resources: 0 added, 0 changed, 2 destroyed.") != std::string::npos);
    CHECK(emu.servers().empty());
  }
}

TEST_CASE("apply asks for confirmation and only 'yes' proceeds", "[e2e]") {
  EmulatorProcess emu;
  TempDir dir;
  dir.write("main.toml", manifest(emu.url(), "web", 1));
  auto no = run_cphform({"apply"}, dir.path(), &emu, "no\n");
  REQUIRE_RUN(no, 1);
  CHECK(no.out.find("Only 'yes' will be accepted") != std::string::npos);
  CHECK(emu.calls(kPurchase) == 0);
  auto yes = run_cphform({"--apply"}, dir.path(), &emu, "yes\n");
  CHECK(yes.exit_code == 1);  // "--apply" is not a command: flags only take dashes
  auto ok = run_cphform({"apply"}, dir.path(), &emu, "yes\n");
  REQUIRE_RUN(ok, 0);
  CHECK(names(emu.servers()) == std::vector<std::string>{"web-0001"});
}

TEST_CASE("a bad manifest exits 1 naming file:line and the rule, with no request and no state change", "[e2e]") {
  EmulatorProcess emu;
  TempDir dir;
  dir.write("main.toml", manifest(emu.url(), "web", 1));
  REQUIRE_RUN(run_cphform({"apply", "--auto-approve"}, dir.path(), &emu), 0);
  int64_t serial = state_serial(dir.path());
  REQUIRE(serial > 0);
  auto good = manifest(emu.url(), "web", 1);

  struct Case {
    std::string what;
    std::string from, to;   // textual edit of the good manifest
    std::string line;       // "main.toml:N"
    std::string rule;       // a word of the rule
  };
  std::vector<Case> cases = {
      {"unknown key", "eip_type      = \"5_bgp\"", "eip_typo = \"5_bgp\"", "main.toml:14", "eip_typo"},
      {"wrong type", "count = 1", "count = \"one\"", "main.toml:6", "integer"},
      {"count -1", "count = 1", "count = -1", "main.toml:6", "count"},
      {"a name with /", "name = \"web\"", "name = \"web/1\"", "main.toml:5", "characters"},
      {"missing required attribute", "image_id      = \"20060220200717f201120a2300000e91\"\n", "", "main.toml:4",
       "image_id"},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.what) {
      std::string text = good;
      auto at = text.find(c.from);
      REQUIRE(at != std::string::npos);
      text.replace(at, c.from.size(), c.to);
      dir.write("main.toml", text);
      int64_t calls_before = emu.total_calls();
      for (std::vector<std::string> args : {std::vector<std::string>{"plan"}, {"apply", "-auto-approve"}}) {
        auto r = run_cphform(args, dir.path(), &emu);
        INFO(c.what << " / " << args[0] << "\nstderr:\n" << r.err);
        CHECK(r.exit_code == 1);
        CHECK(r.err.find(c.line) != std::string::npos);
        CHECK(r.err.find(c.rule) != std::string::npos);
      }
      CHECK(emu.total_calls() == calls_before);
      CHECK(state_serial(dir.path()) == serial);
    }
  }
}

TEST_CASE("the emulator refuses a wrong signature or a modified body with 401", "[e2e]") {
  EmulatorProcess emu;
  auto status_of = [&](bool wrong_key, bool tamper) {
    return run_sync([&](boost::asio::any_io_executor ex) -> boost::asio::awaitable<int> {
      cph::cloud::Credentials creds = emu.credentials();
      if (wrong_key) creds.secret_key = "not-the-secret";
      auto url = cph::cloud::parse_url(emu.url());
      std::shared_ptr<cph::cloud::HttpTransport> real = cph::cloud::make_http_transport(ex, url);
      // A transport that alters the body after signing, as a man in the middle would.
      struct Tamper : cph::cloud::HttpTransport {
        std::shared_ptr<cph::cloud::HttpTransport> inner;
        bool on;
        boost::asio::awaitable<cph::cloud::HttpResponse> send(cph::cloud::HttpRequest r) override {
          if (on && !r.body.empty()) r.body[r.body.find("web")] = 'x';
          co_return co_await inner->send(std::move(r));
        }
      };
      auto t = std::make_shared<Tamper>();
      t->inner = real;
      t->on = tamper;
      cph::cloud::CphClient client(t, t, {url, url}, creds);
      try {
        co_await client.rename_server("0123456789abcdef0123456789abcdef", "web-name");
        co_return 200;
      } catch (const cph::cloud::CloudError& e) {
        co_return e.http_status;
      }
    });
  };
  CHECK(status_of(false, false) == 404);  // signed correctly: the server id is simply unknown
  CHECK(status_of(true, false) == 401);
  CHECK(status_of(false, true) == 401);
}

TEST_CASE("an apply killed while waiting for the order resumes without buying twice", "[e2e]") {
  EmulatorProcess emu(50.0);  // creation takes about 6 s of wall time
  TempDir dir;
  dir.write("main.toml", manifest(emu.url(), "web", 2));
  fs::path out = dir.path() / "apply.out";
  {
    std::vector<std::string> argv = {cphform_binary(), "apply", "-auto-approve"};
    auto c = emu.credentials();
    Process p(argv, dir.path(),
              {{"HW_ACCESS_KEY", c.access_key}, {"HW_SECRET_KEY", c.secret_key}, {"HW_PROJECT_ID", c.project_id},
               {"CPHFORM_POLL_INITIAL_MS", "50"}, {"CPHFORM_POLL_MAX_MS", "200"}},
              out, dir.path() / "apply.err");
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (emu.calls(kPurchase) == 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    REQUIRE(emu.calls(kPurchase) == 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    p.signal(SIGKILL);
    CHECK(p.wait() == 128 + SIGKILL);
  }
  auto plan = run_cphform({"plan"}, dir.path(), &emu);
  REQUIRE_RUN(plan, 0);
  CHECK(plan.out.find("resuming: purchase of server.web[0]..server.web[1]") != std::string::npos);
  CHECK(plan.out.find("Plan: 0 to add, 0 to change, 0 to destroy.") != std::string::npos);
  auto apply = run_cphform({"apply", "-auto-approve"}, dir.path(), &emu);
  REQUIRE_RUN(apply, 0);
  CHECK(emu.calls(kPurchase) == 1);
  CHECK(names(emu.servers()) == std::vector<std::string>{"web-0001", "web-0002"});
  auto final_plan = run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu);
  REQUIRE_RUN(final_plan, 0);
}

TEST_CASE("the quickstart applies against the embedded emulator", "[e2e]") {
  TempDir dir;
  const char* src = std::getenv("CPHFORM_SOURCE_DIR");
  REQUIRE(src);
  fs::copy_file(fs::path(src) / "examples" / "quickstart" / "main.toml", dir.path() / "main.toml");
  std::map<std::string, std::string> fast = {{"CPHFORM_EMULATOR_TIME_SCALE", "1000"}};
  auto apply = run_cphform({"apply", "-auto-approve"}, dir.path(), nullptr, "", fast);
  REQUIRE_RUN(apply, 0);
  CHECK(apply.out.find("Apply complete! Resources: 2 added") != std::string::npos);
  CHECK(fs::exists(dir.path() / ".cphform" / "emulator.db"));
  auto plan = run_cphform({"plan", "-detailed-exitcode"}, dir.path(), nullptr, "", fast);
  REQUIRE_RUN(plan, 0);
}

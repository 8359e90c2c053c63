// Issue 11, end to end: plan, drift, -refresh-only and apply agree on what
// the cloud should hold (docs/semantics.md), and apply's summary counts
// only what it did. Each case is a scenario of the issue that failed before:
// a tag deleted in the console, a tag added by hand to a block without
// tags, a period change, a replacement without consent, -replace, and
// `-destroy -target` of one instance.
#include <catch2/catch.hpp>

#include "tests/e2e/harness.h"

using namespace cph::e2e;
namespace cloud = cph::cloud;
using Json = nlohmann::json;

namespace {

const std::string kTagCall = "POST /v1/{project_id}/{resource_type}/{resource_id}/tags/action";

// One server block `web` (count 1) with `extra` lines appended.
std::string one_server(const EmulatorProcess& emu, const std::string& extra) {
  return server_manifest(emu.url(), "web", 1) + extra;
}

// The tags of one server as the emulator's list API reports them.
Json live_tags(const EmulatorProcess& emu, const std::string& server_id) {
  Json out = Json::object();
  for (const cloud::TaggedResource& r : emu.server_tags())
    if (r.resource_id == server_id)
      for (const cloud::Tag& t : r.tags) out[t.key] = t.value;
  return out;
}

std::string only_server_id(const EmulatorProcess& emu) {
  auto servers = emu.servers();
  REQUIRE(servers.size() == 1);
  return servers.front().server_id;
}

// A tag change made in the console: create or delete one tag (7.10/7.11).
void console_tag(const EmulatorProcess& emu, const std::string& id, const cloud::Tag& tag, bool create) {
  run_sync([&](boost::asio::any_io_executor ex) -> boost::asio::awaitable<int> {
    cloud::Endpoints ep{cloud::parse_url(emu.url()), cloud::parse_url(emu.url())};
    cloud::CphClient client(ex, ep, emu.credentials());
    std::vector<cloud::Tag> tags{tag};
    if (create)
      co_await client.create_server_tags(id, tags);
    else
      co_await client.delete_server_tags(id, tags);
    co_return 0;
  });
}


// An emulator and a directory where one server block `web` (`extra` lines
// appended) has been applied.
struct OneServer {
  EmulatorProcess emu;
  TempDir dir;
  std::string id;
  explicit OneServer(const std::string& extra) {
    write(extra);
    REQUIRE_RUN(run({"apply", "-auto-approve"}), 0);
    id = only_server_id(emu);
  }
  void write(const std::string& extra) const { dir.write("main.toml", one_server(emu, extra)); }
  RunResult run(const std::vector<std::string>& args) const { return run_cphform(args, dir.path(), &emu); }
};

}  // namespace

TEST_CASE("a tag deleted in the console is put back by a real call, and the summary says so", "[e2e][semantics]") {
  OneServer w("tags = { env = \"prod\", team = \"a\" }\n");
  const EmulatorProcess& emu = w.emu;
  const std::string& id = w.id;
  console_tag(emu, id, {"team", "a"}, false);

  auto plan = w.run({"plan"});
  REQUIRE_RUN(plan, 0);
  CHECK(contains(plan.out, "tags = { env = \"prod\" } -> { env = \"prod\", team = \"a\" }"));

  const int64_t tag_calls = emu.calls(kTagCall);
  auto apply = w.run({"apply", "-auto-approve"});
  REQUIRE_RUN(apply, 0);
  CHECK(contains(apply.out, "0 added, 1 changed, 0 destroyed."));
  CHECK(emu.calls(kTagCall) == tag_calls + 1);  // one create of the missing tag
  CHECK(live_tags(emu, id) == Json{{"env", "prod"}, {"team", "a"}});
  REQUIRE_RUN(w.run({"plan", "-detailed-exitcode"}), 0);
}

TEST_CASE("an unset tags means no tags: plan, drift, -refresh-only and apply agree", "[e2e][semantics]") {
  OneServer w("");
  const EmulatorProcess& emu = w.emu;
  const std::string& id = w.id;
  console_tag(emu, id, {"owner", "bob"}, true);

  SECTION("without ignore_changes the hand-made tag is drift, and apply removes it") {
    auto plan = w.run({"plan", "-detailed-exitcode"});
    REQUIRE_RUN(plan, 2);
    CHECK(contains(plan.out, "tags = { owner = \"bob\" } -> (unset)"));
    auto drift = w.run({"drift"});
    REQUIRE_RUN(drift, 2);
    CHECK(contains(drift.out, "tags"));
    auto refresh_only = w.run({"plan", "-refresh-only", "-detailed-exitcode"});
    REQUIRE_RUN(refresh_only, 2);
    CHECK(contains(refresh_only.out, "owner"));

    const int64_t tag_calls = emu.calls(kTagCall);
    auto apply = w.run({"apply", "-auto-approve"});
    REQUIRE_RUN(apply, 0);
    CHECK(contains(apply.out, "0 added, 1 changed, 0 destroyed."));
    CHECK(emu.calls(kTagCall) == tag_calls + 1);  // one delete
    CHECK(live_tags(emu, id).empty());
    REQUIRE_RUN(w.run({"plan", "-detailed-exitcode"}), 0);
    REQUIRE_RUN(w.run({"drift"}), 0);
  }
  SECTION("with ignore_changes = [\"tags\"] none of them mentions it") {
    w.write("lifecycle = { ignore_changes = [\"tags\"] }\n");
    auto plan = w.run({"plan", "-detailed-exitcode"});
    REQUIRE_RUN(plan, 0);
    CHECK_FALSE(contains(plan.out, "owner"));
    REQUIRE_RUN(w.run({"drift"}), 0);
    REQUIRE_RUN(w.run({"plan", "-refresh-only", "-detailed-exitcode"}), 0);
    const int64_t tag_calls = emu.calls(kTagCall);
    REQUIRE_RUN(w.run({"apply", "-auto-approve"}), 0);
    CHECK(emu.calls(kTagCall) == tag_calls);
    CHECK(live_tags(emu, id) == Json{{"owner", "bob"}});
  }
}

TEST_CASE("a period change applies to new orders: recorded in state, no call, no replacement", "[e2e][semantics]") {
  OneServer w("period = { unit = \"month\", length = 1, auto_renew = false }\n");
  const EmulatorProcess& emu = w.emu;
  const std::string& id = w.id;
  w.write("period = { unit = \"month\", length = 1, auto_renew = true }\n");

  auto plan = w.run({"plan", "-detailed-exitcode"});
  REQUIRE_RUN(plan, 2);
  CHECK(contains(plan.out, "# applies to new orders and renewals only"));
  CHECK_FALSE(contains(plan.out, "must be replaced"));
  CHECK(contains(plan.out, "Plan: 0 to add, 1 to change, 0 to destroy."));

  const int64_t calls = emu.total_calls();
  auto apply = w.run({"apply", "-auto-approve"});
  REQUIRE_RUN(apply, 0);
  CHECK(contains(apply.out, "0 added, 0 changed, 0 destroyed. 1 updated in the state only"));
  // Refresh reads only: one server list and one tag list, nothing mutating.
  CHECK(emu.calls(kPurchase) == 1);
  CHECK(emu.calls(kUnsubscribe) == 0);
  CHECK(emu.total_calls() - calls <= 2);
  CHECK(only_server_id(emu) == id);
  auto shown = w.run({"state", "show", "server.web[0]"});
  REQUIRE_RUN(shown, 0);
  CHECK(contains(shown.out, "auto_renew = true"));
  REQUIRE_RUN(w.run({"plan", "-detailed-exitcode"}), 0);
}

TEST_CASE("a paid replacement needs consent: refused before any call without it", "[e2e][semantics]") {
  OneServer w("");
  const EmulatorProcess& emu = w.emu;
  const std::string& id = w.id;
  w.write("ports = [{ name = \"game\", listen_port = 10001 }]\n");

  auto plan = w.run({"plan"});
  REQUIRE_RUN(plan, 0);
  CHECK(contains(plan.out, "must be replaced"));
  CHECK(contains(plan.out, "apply needs -allow-data-loss"));

  auto refused = w.run({"apply", "-auto-approve"});
  REQUIRE_RUN(refused, 1);
  CHECK(contains(refused.err, "refusing to replace server.web[0]"));
  CHECK(contains(refused.err, "-allow-data-loss"));
  CHECK(emu.calls(kPurchase) == 1);
  CHECK(emu.calls(kUnsubscribe) == 0);
  CHECK(only_server_id(emu) == id);

  auto consented = w.run({"apply", "-auto-approve", "-allow-data-loss"});
  REQUIRE_RUN(consented, 0);
  CHECK(contains(consented.out, "1 added, 0 changed, 1 destroyed."));
  CHECK(emu.calls(kPurchase) == 2);
  CHECK(only_server_id(emu) != id);
}

TEST_CASE("-replace rebuys a server on purpose, kept by a saved plan and guarded like a switch", "[e2e][semantics]") {
  OneServer w("");
  const EmulatorProcess& emu = w.emu;
  const std::string& id = w.id;

  auto unknown = w.run({"plan", "-replace=server.nope"});
  REQUIRE_RUN(unknown, 1);
  CHECK(contains(unknown.err, "-replace=server.nope"));

  auto plan = w.run({"plan", "-replace=server.web[0]", "-out=r.plan", "-detailed-exitcode"});
  REQUIRE_RUN(plan, 2);
  CHECK(contains(plan.out, "server.web[0] must be replaced"));
  CHECK(contains(plan.out, "-replace asked for it"));
  CHECK(contains(plan.out, "-/+ server \"web[0]\""));
  auto show = w.run({"show", "-json", "r.plan"});
  REQUIRE_RUN(show, 0);
  Json report = Json::parse(show.out);
  REQUIRE(report["resource_changes"].size() == 1);
  CHECK(report["resource_changes"][0]["change"]["actions"] == Json{"delete", "create"});
  CHECK(report["resource_changes"][0]["action_reason"] == "replace_by_request");
  CHECK(report["resource_changes"][0]["cphform"]["replace_requested"] == true);

  auto refused = w.run({"apply", "r.plan"});
  REQUIRE_RUN(refused, 1);
  CHECK(contains(refused.err, "refusing to replace server.web[0]"));
  CHECK(emu.calls(kPurchase) == 1);

  auto applied = w.run({"apply", "-allow-data-loss", "r.plan"});
  REQUIRE_RUN(applied, 0);
  CHECK(emu.calls(kPurchase) == 2);
  CHECK(emu.calls(kUnsubscribe) == 1);
  CHECK(only_server_id(emu) != id);
  REQUIRE_RUN(w.run({"plan", "-detailed-exitcode"}), 0);
}

TEST_CASE("-destroy -target takes the targets and what depends on them, not their dependencies", "[e2e][semantics]") {
  EmulatorProcess emu;
  TempDir dir;
  dir.write("main.toml", "[provider]\nendpoint = \"" + emu.url() + "\"\n\n" + R"([keypair.adb]
name       = "semantics-adb"
public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBl2fleetexamplekeyonlyforemulator sem@example"

)" + server_block("game", "game", 3) + "keypair = \"keypair.adb\"\n");
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu), 0);
  REQUIRE(emu.servers().size() == 3);

  auto whole = run_cphform({"plan", "-destroy", "-target=keypair.adb"}, dir.path(), &emu);
  REQUIRE_RUN(whole, 0);
  CHECK(contains(whole.out, "Plan: 0 to add, 0 to change, 4 to destroy."));  // the key pair and its 3 users

  auto plan = run_cphform({"plan", "-destroy", "-target=server.game[1]"}, dir.path(), &emu);
  REQUIRE_RUN(plan, 0);
  CHECK(contains(plan.out, "Plan: 0 to add, 0 to change, 1 to destroy."));
  auto destroy = run_cphform({"destroy", "-auto-approve", "-target=server.game[1]"}, dir.path(), &emu);
  REQUIRE_RUN(destroy, 0);
  std::vector<std::string> names;
  for (const auto& s : emu.servers()) names.push_back(s.server_name);
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"game-0001", "game-0003"});
  auto list = run_cphform({"state", "list"}, dir.path(), nullptr);
  REQUIRE_RUN(list, 0);
  CHECK(contains(list.out, "keypair.adb\n"));
  CHECK_FALSE(contains(list.out, "server.game[1]\n"));
  REQUIRE_RUN(run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu), 2);  // it is wanted again
}

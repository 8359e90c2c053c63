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
const std::string kPurchase = "POST /v2/{project_id}/cloud-phone/servers";
const std::string kUnsubscribe = "POST /v2/orders/subscriptions/resources/unsubscribe";

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

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

}  // namespace

TEST_CASE("a tag deleted in the console is put back by a real call, and the summary says so", "[e2e][semantics]") {
  EmulatorProcess emu;
  TempDir dir;
  dir.write("main.toml", one_server(emu, "tags = { env = \"prod\", team = \"a\" }\n"));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu), 0);
  const std::string id = only_server_id(emu);
  console_tag(emu, id, {"team", "a"}, false);

  auto plan = run_cphform({"plan"}, dir.path(), &emu);
  REQUIRE_RUN(plan, 0);
  CHECK(has(plan.out, "tags = { env = \"prod\" } -> { env = \"prod\", team = \"a\" }"));

  const int64_t tag_calls = emu.calls(kTagCall);
  auto apply = run_cphform({"apply", "-auto-approve"}, dir.path(), &emu);
  REQUIRE_RUN(apply, 0);
  CHECK(has(apply.out, "0 added, 1 changed, 0 destroyed."));
  CHECK(emu.calls(kTagCall) == tag_calls + 1);  // one create of the missing tag
  CHECK(live_tags(emu, id) == Json{{"env", "prod"}, {"team", "a"}});
  REQUIRE_RUN(run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu), 0);
}

TEST_CASE("an unset tags means no tags: plan, drift, -refresh-only and apply agree", "[e2e][semantics]") {
  EmulatorProcess emu;
  TempDir dir;
  dir.write("main.toml", one_server(emu, ""));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu), 0);
  const std::string id = only_server_id(emu);
  console_tag(emu, id, {"owner", "bob"}, true);

  SECTION("without ignore_changes the hand-made tag is drift, and apply removes it") {
    auto plan = run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu);
    REQUIRE_RUN(plan, 2);
    CHECK(has(plan.out, "tags = { owner = \"bob\" } -> (unset)"));
    auto drift = run_cphform({"drift"}, dir.path(), &emu);
    REQUIRE_RUN(drift, 2);
    CHECK(has(drift.out, "tags"));
    auto refresh_only = run_cphform({"plan", "-refresh-only", "-detailed-exitcode"}, dir.path(), &emu);
    REQUIRE_RUN(refresh_only, 2);
    CHECK(has(refresh_only.out, "owner"));

    const int64_t tag_calls = emu.calls(kTagCall);
    auto apply = run_cphform({"apply", "-auto-approve"}, dir.path(), &emu);
    REQUIRE_RUN(apply, 0);
    CHECK(has(apply.out, "0 added, 1 changed, 0 destroyed."));
    CHECK(emu.calls(kTagCall) == tag_calls + 1);  // one delete
    CHECK(live_tags(emu, id).empty());
    REQUIRE_RUN(run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu), 0);
    REQUIRE_RUN(run_cphform({"drift"}, dir.path(), &emu), 0);
  }
  SECTION("with ignore_changes = [\"tags\"] none of them mentions it") {
    dir.write("main.toml", one_server(emu, "lifecycle = { ignore_changes = [\"tags\"] }\n"));
    auto plan = run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu);
    REQUIRE_RUN(plan, 0);
    CHECK_FALSE(has(plan.out, "owner"));
    REQUIRE_RUN(run_cphform({"drift"}, dir.path(), &emu), 0);
    REQUIRE_RUN(run_cphform({"plan", "-refresh-only", "-detailed-exitcode"}, dir.path(), &emu), 0);
    const int64_t tag_calls = emu.calls(kTagCall);
    REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu), 0);
    CHECK(emu.calls(kTagCall) == tag_calls);
    CHECK(live_tags(emu, id) == Json{{"owner", "bob"}});
  }
}

TEST_CASE("a period change applies to new orders: recorded in state, no call, no replacement", "[e2e][semantics]") {
  EmulatorProcess emu;
  TempDir dir;
  dir.write("main.toml", one_server(emu, "period = { unit = \"month\", length = 1, auto_renew = false }\n"));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu), 0);
  const std::string id = only_server_id(emu);
  dir.write("main.toml", one_server(emu, "period = { unit = \"month\", length = 1, auto_renew = true }\n"));

  auto plan = run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu);
  REQUIRE_RUN(plan, 2);
  CHECK(has(plan.out, "# applies to new orders and renewals only"));
  CHECK_FALSE(has(plan.out, "must be replaced"));
  CHECK(has(plan.out, "Plan: 0 to add, 1 to change, 0 to destroy."));

  const int64_t calls = emu.total_calls();
  auto apply = run_cphform({"apply", "-auto-approve"}, dir.path(), &emu);
  REQUIRE_RUN(apply, 0);
  CHECK(has(apply.out, "0 added, 0 changed, 0 destroyed. 1 updated in the state only"));
  // Refresh reads only: one server list and one tag list, nothing mutating.
  CHECK(emu.calls(kPurchase) == 1);
  CHECK(emu.calls(kUnsubscribe) == 0);
  CHECK(emu.total_calls() - calls <= 2);
  CHECK(only_server_id(emu) == id);
  auto shown = run_cphform({"state", "show", "server.web[0]"}, dir.path(), nullptr);
  REQUIRE_RUN(shown, 0);
  CHECK(has(shown.out, "auto_renew = true"));
  REQUIRE_RUN(run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu), 0);
}

TEST_CASE("a paid replacement needs consent: refused before any call without it", "[e2e][semantics]") {
  EmulatorProcess emu;
  TempDir dir;
  dir.write("main.toml", one_server(emu, ""));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu), 0);
  const std::string id = only_server_id(emu);
  dir.write("main.toml", one_server(emu, "ports = [{ name = \"game\", listen_port = 10001 }]\n"));

  auto plan = run_cphform({"plan"}, dir.path(), &emu);
  REQUIRE_RUN(plan, 0);
  CHECK(has(plan.out, "must be replaced"));
  CHECK(has(plan.out, "apply needs -allow-data-loss"));

  auto refused = run_cphform({"apply", "-auto-approve"}, dir.path(), &emu);
  REQUIRE_RUN(refused, 1);
  CHECK(has(refused.err, "refusing to replace server.web[0]"));
  CHECK(has(refused.err, "-allow-data-loss"));
  CHECK(emu.calls(kPurchase) == 1);
  CHECK(emu.calls(kUnsubscribe) == 0);
  CHECK(only_server_id(emu) == id);

  auto consented = run_cphform({"apply", "-auto-approve", "-allow-data-loss"}, dir.path(), &emu);
  REQUIRE_RUN(consented, 0);
  CHECK(has(consented.out, "1 added, 0 changed, 1 destroyed."));
  CHECK(emu.calls(kPurchase) == 2);
  CHECK(only_server_id(emu) != id);
}

TEST_CASE("-replace rebuys a server on purpose, kept by a saved plan and guarded like a switch", "[e2e][semantics]") {
  EmulatorProcess emu;
  TempDir dir;
  dir.write("main.toml", one_server(emu, ""));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu), 0);
  const std::string id = only_server_id(emu);

  auto unknown = run_cphform({"plan", "-replace=server.nope"}, dir.path(), &emu);
  REQUIRE_RUN(unknown, 1);
  CHECK(has(unknown.err, "-replace=server.nope"));

  auto plan = run_cphform({"plan", "-replace=server.web[0]", "-out=r.plan", "-detailed-exitcode"}, dir.path(), &emu);
  REQUIRE_RUN(plan, 2);
  CHECK(has(plan.out, "server.web[0] must be replaced"));
  CHECK(has(plan.out, "-replace asked for it"));
  CHECK(has(plan.out, "-/+ server \"web[0]\""));
  auto show = run_cphform({"show", "-json", "r.plan"}, dir.path(), nullptr);
  REQUIRE_RUN(show, 0);
  Json report = Json::parse(show.out);
  REQUIRE(report["resource_changes"].size() == 1);
  CHECK(report["resource_changes"][0]["change"]["actions"] == Json{"delete", "create"});
  CHECK(report["resource_changes"][0]["change"]["replace_requested"] == true);

  auto refused = run_cphform({"apply", "r.plan"}, dir.path(), &emu);
  REQUIRE_RUN(refused, 1);
  CHECK(has(refused.err, "refusing to replace server.web[0]"));
  CHECK(emu.calls(kPurchase) == 1);

  auto applied = run_cphform({"apply", "-allow-data-loss", "r.plan"}, dir.path(), &emu);
  REQUIRE_RUN(applied, 0);
  CHECK(emu.calls(kPurchase) == 2);
  CHECK(emu.calls(kUnsubscribe) == 1);
  CHECK(only_server_id(emu) != id);
  REQUIRE_RUN(run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu), 0);
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
  CHECK(has(whole.out, "Plan: 0 to add, 0 to change, 4 to destroy."));  // the key pair and its 3 users

  auto plan = run_cphform({"plan", "-destroy", "-target=server.game[1]"}, dir.path(), &emu);
  REQUIRE_RUN(plan, 0);
  CHECK(has(plan.out, "Plan: 0 to add, 0 to change, 1 to destroy."));
  auto destroy = run_cphform({"destroy", "-auto-approve", "-target=server.game[1]"}, dir.path(), &emu);
  REQUIRE_RUN(destroy, 0);
  std::vector<std::string> names;
  for (const auto& s : emu.servers()) names.push_back(s.server_name);
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"game-0001", "game-0003"});
  auto list = run_cphform({"state", "list"}, dir.path(), nullptr);
  REQUIRE_RUN(list, 0);
  CHECK(has(list.out, "keypair.adb\n"));
  CHECK_FALSE(has(list.out, "server.game[1]\n"));
  REQUIRE_RUN(run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu), 2);  // it is wanted again
}

// Issue 11's recovery scenarios, end to end: a failed purchase ends instead
// of wedging every later apply; `journal list|show|discard` settles what
// cphform cannot; bulk import never leaves state that plans a destroy; and
// no endpoint never means the emulator.
#include <algorithm>
#include <filesystem>
#include <thread>

#include <catch2/catch.hpp>

#include "state/state.h"
#include "tests/e2e/harness.h"

using namespace cph::e2e;
using Json = nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {



// The directory's default-workspace SQLite state, opened as cphform does.
std::unique_ptr<cph::state::StateStore> open_store(const TempDir& dir) {
  cph::state::BackendConfig c;
  c.sqlite_dir = (dir.path() / ".cphform").string();
  return cph::state::open_state_store(c);
}

// Journals a purchase of one instance as a run that died after `response`
// arrived would have left it.
int64_t journal_purchase(cph::state::StateStore& store, const std::string& address, const std::string& name,
                         const Json& attributes, const Json& response) {
  Json intent = {{"instances", Json::array({{{"address", address}, {"name", name}, {"attributes", attributes}}})},
                 {"service_names", Json::array({name})}};
  int64_t id = store.journal_intent("run-test", address, "purchase", "digest", intent);
  store.journal_answered(id, response);
  return id;
}

}  // namespace

TEST_CASE("a failed purchase ends: its entry closes with the outcome, the abnormal server is kept and shown, "
          "nothing is blocked",
          "[e2e][recovery]") {
  EmulatorProcess emu;
  TempDir dir;
  dir.write("main.toml", server_manifest(emu.url(), "web", 2));
  emu.set_faults({{"order_failure_rate", 1}});
  auto failed = run_cphform({"apply", "-auto-approve", "-target=server.web[1]"}, dir.path(), &emu);
  REQUIRE_RUN(failed, 1);
  CHECK(contains(failed.out + failed.err, "became abnormal (status 2)"));
  emu.set_faults(Json::object());

  // The entry is closed, with its outcome in the journal and in history.
  auto open = run_cphform({"journal", "list"}, dir.path(), nullptr);
  REQUIRE_RUN(open, 0);
  CHECK(open.out == "No unfinished journal entries.\n");
  auto entries = open_store(dir)->journal(10);
  REQUIRE_FALSE(entries.empty());
  const auto purchase = std::find_if(entries.begin(), entries.end(), [](auto& e) { return e.operation == "purchase"; });
  REQUIRE(purchase != entries.end());
  CHECK(purchase->status == cph::state::JournalStatus::failed);
  CHECK(contains(purchase->error, "became abnormal (status 2)"));
  CHECK(contains(run_cphform({"history"}, dir.path(), nullptr).out, "journal:failed"));

  // The broken server is paid for: it is recorded and every plan shows it.
  const auto servers = emu.servers();
  REQUIRE(servers.size() == 1);
  CHECK(servers[0].status == 2);
  auto pulled = Json::parse(run_cphform({"state", "pull"}, dir.path(), nullptr).out);
  REQUIRE(pulled["resources"].size() == 1);
  CHECK(pulled["resources"][0]["address"] == "server.web[1]");
  CHECK(pulled["resources"][0]["cloud_id"] == servers[0].server_id);
  auto plan = run_cphform({"plan"}, dir.path(), &emu);
  REQUIRE_RUN(plan, 0);
  CHECK_FALSE(contains(plan.out, "Resuming"));
  CHECK(contains(plan.out, "Note: server.web[1] (id " + servers[0].server_id +
                               ") is not normal: status = 5 -> 2 (abnormal). Replace it with -replace=server.web[1]"));

  // An unrelated target, then a full apply, succeed; nothing is bought twice.
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve", "-target=server.web[0]"}, dir.path(), &emu), 0);
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu), 0);
  CHECK(emu.calls(kPurchase) == 2);
  // Nothing wants it any more: it is released.
  dir.write("main.toml", server_manifest(emu.url(), "web", 1));
  auto shrink = run_cphform({"apply", "-auto-approve"}, dir.path(), &emu);
  REQUIRE_RUN(shrink, 0);
  CHECK(contains(shrink.out, "server.web[1]"));
  const auto left = emu.servers();
  REQUIRE(left.size() == 1);
  CHECK(left[0].status == 5);
  CHECK(left[0].server_id != servers[0].server_id);
  REQUIRE_RUN(run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu), 0);
}

TEST_CASE("an unfinished purchase of another address never blocks a -target run", "[e2e][recovery]") {
  EmulatorProcess emu;
  TempDir dir;
  dir.write("main.toml", server_manifest(emu.url(), "web", 2));
  // An answered purchase of server.web[1] whose order the service does not know.
  {
    auto store = open_store(dir);
    journal_purchase(*store, "server.web[1]", "web-0002", Json::object(),
                     {{"order_id", "CS0000000000UNKNOWN"}, {"server_ids", Json::array({"no-such-server"})}});
  }
  auto targeted = run_cphform({"apply", "-auto-approve", "-target=server.web[0]"}, dir.path(), &emu);
  REQUIRE_RUN(targeted, 0);
  CHECK_FALSE(contains(targeted.out, "Resuming"));
  CHECK(emu.calls(kPurchase) == 1);
  // Still open: only a run that targets it (or a full one) resumes it.
  CHECK(open_store(dir)->open_journal().size() == 1);
}

TEST_CASE("a journaled purchase whose server was released by hand is reconciled, not fatal", "[e2e][recovery]") {
  EmulatorProcess emu(1000.0);
  TempDir dir;
  dir.write("main.toml", server_manifest(emu.url(), "web", 1));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu), 0);
  const std::string id = emu.servers().at(0).server_id;
  const std::string order = emu.servers().at(0).order_id;
  REQUIRE_FALSE(order.empty());
  // As if the apply had died after the answer: the row is gone, the entry open.
  {
    auto store = open_store(dir);
    const Json attributes = store->resource("server.web[0]").value().attributes;
    store->remove_resource("server.web[0]");
    journal_purchase(*store, "server.web[0]", "web-0001", attributes,
                     {{"order_id", order}, {"server_ids", Json::array({id})}});
  }
  // Released by hand (BSS unsubscribe), then gone.
  run_sync([&](boost::asio::any_io_executor ex) -> boost::asio::awaitable<void> {
    cph::cloud::Endpoints ep{cph::cloud::parse_url(emu.url()), cph::cloud::parse_url(emu.url())};
    cph::cloud::CphClient client(ex, ep, emu.credentials());
    std::vector<std::string> ids = {id};  // named: no temporary in the co_await (GCC 12)
    co_await client.unsubscribe(ids);
  });
  for (int i = 0; i < 200 && !emu.servers().empty(); ++i) std::this_thread::sleep_for(50ms);
  REQUIRE(emu.servers().empty());

  auto apply = run_cphform({"apply", "-auto-approve"}, dir.path(), &emu);
  REQUIRE_RUN(apply, 0);
  CHECK(contains(apply.out, "no longer exists"));
  CHECK(open_store(dir)->open_journal().empty());
  // The next plan buys it again.
  auto plan = run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu);
  REQUIRE_RUN(plan, 2);
  CHECK(contains(plan.out, "server.web[0] will be created"));
}

TEST_CASE("a purchase answered without server ids is reconciled by the expected names", "[e2e][recovery]") {
  EmulatorProcess emu(1000.0);
  TempDir dir;
  dir.write("main.toml", server_manifest(emu.url(), "web", 1));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu), 0);
  const std::string id = emu.servers().at(0).server_id;
  {
    auto store = open_store(dir);
    const Json attributes = store->resource("server.web[0]").value().attributes;
    store->remove_resource("server.web[0]");
    journal_purchase(*store, "server.web[0]", "web-0001", attributes, {{"order_id", ""}, {"server_ids", Json::array()}});
  }
  auto apply = run_cphform({"apply", "-auto-approve"}, dir.path(), &emu);
  REQUIRE_RUN(apply, 0);
  CHECK(emu.calls(kPurchase) == 1);  // adopted, not bought again
  auto row = open_store(dir)->resource("server.web[0]");
  REQUIRE(row);
  CHECK(row->cloud_id == id);
  CHECK(open_store(dir)->open_journal().empty());
  REQUIRE_RUN(run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu), 0);
}

TEST_CASE("journal list, show and discard: the explicit escape hatch", "[e2e][recovery][journal]") {
  TempDir dir;
  dir.write("main.toml", "[provider]\nendpoint = \"emulator\"\n");
  int64_t id = 0;
  {
    auto store = open_store(dir);
    id = journal_purchase(*store, "server.db", "db", Json::object(),
                          {{"order_id", "CS123"}, {"server_ids", Json::array({"srv-1"})}});
  }
  const std::string sid = std::to_string(id);

  auto list = run_cphform({"journal", "list"}, dir.path(), nullptr);
  REQUIRE_RUN(list, 0);
  CHECK(contains(list.out, sid + "  server.db  purchase  answered  "));
  CHECK(contains(list.out, "order_id=CS123 server_ids=srv-1"));
  auto json = run_cphform({"journal", "list", "-json"}, dir.path(), nullptr);
  REQUIRE_RUN(json, 0);
  const Json listed = Json::parse(json.out);
  REQUIRE(listed["entries"].size() == 1);
  CHECK(listed["entries"][0]["id"] == id);
  CHECK(listed["entries"][0]["state"] == "answered");
  CHECK(listed["entries"][0]["cloud_ids"]["server_ids"] == Json::array({"srv-1"}));

  auto show = run_cphform({"journal", "show", sid, "-json"}, dir.path(), nullptr);
  REQUIRE_RUN(show, 0);
  const Json shown = Json::parse(show.out);
  CHECK(shown["intent"]["service_names"] == Json::array({"db"}));
  CHECK(shown["response"]["order_id"] == "CS123");
  auto text = run_cphform({"journal", "show", sid}, dir.path(), nullptr);
  REQUIRE_RUN(text, 0);
  CHECK(contains(text.out, "Journal entry " + sid + ": purchase of server.db"));
  auto missing = run_cphform({"journal", "show", "999"}, dir.path(), nullptr);
  REQUIRE_RUN(missing, 1);
  CHECK(contains(missing.err, "no unfinished journal entry 999"));

  // No terminal and no -auto-approve: refused, nothing changed.
  auto refused = run_cphform({"journal", "discard", sid}, dir.path(), nullptr, "yes\n");
  REQUIRE_RUN(refused, 1);
  CHECK(contains(refused.err, "-auto-approve"));
  CHECK(open_store(dir)->open_journal().size() == 1);

  auto discarded = run_cphform({"journal", "discard", "-auto-approve", sid}, dir.path(), nullptr);
  REQUIRE_RUN(discarded, 0);
  CHECK(contains(discarded.out, "may exist in the cloud and stay there, unmanaged: order_id=CS123 server_ids=srv-1"));
  CHECK(open_store(dir)->open_journal().empty());
  auto closed = open_store(dir)->journal(1);
  REQUIRE(closed.size() == 1);
  CHECK(closed[0].status == cph::state::JournalStatus::failed);
  CHECK(contains(closed[0].error, "discarded by "));
  CHECK(contains(run_cphform({"history"}, dir.path(), nullptr).out, "journal:failed"));
  CHECK(run_cphform({"journal", "list"}, dir.path(), nullptr).out == "No unfinished journal entries.\n");
  // Nothing was started: no emulator for a journal command.
  CHECK_FALSE(fs::exists(dir.path() / ".cphform" / "emulator.db"));
}

TEST_CASE("bulk import writes complete blocks and never leaves state that plans a destroy", "[e2e][recovery][import]") {
  EmulatorProcess emu;
  TempDir dir;
  dir.write("main.toml", "[provider]\nendpoint = \"" + emu.url() + "\"\n\n" + server_block("legacy", "legacy", 3));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu), 0);
  REQUIRE_RUN(run_cphform({"state", "rm", "server.legacy[0]", "server.legacy[1]", "server.legacy[2]"}, dir.path(),
                          nullptr),
              0);
  dir.write("main.toml", "[provider]\nendpoint = \"" + emu.url() + "\"\n");

  // No block and no -generate-config-out: refused, nothing recorded.
  auto refused = run_cphform({"import", "-filter", "name_prefix=legacy"}, dir.path(), &emu);
  REQUIRE_RUN(refused, 1);
  CHECK(contains(refused.err, "no [server.legacy] block in the manifests"));
  CHECK(contains(refused.err, "-generate-config-out"));
  CHECK(run_cphform({"state", "list"}, dir.path(), nullptr).out.empty());
  // The file must be new.
  dir.write("taken.toml", "# mine\n");
  auto exists = run_cphform({"import", "-filter", "name_prefix=legacy", "-generate-config-out=taken.toml"},
                            dir.path(), &emu);
  REQUIRE_RUN(exists, 1);
  CHECK(contains(exists.err, "already exists"));
  CHECK(slurp(dir.path() / "taken.toml") == "# mine\n");
  fs::remove(dir.path() / "taken.toml");

  auto imported = run_cphform({"import", "-filter", "name_prefix=legacy", "-generate-config-out=legacy.toml"},
                              dir.path(), &emu);
  REQUIRE_RUN(imported, 0);
  const std::string generated = slurp(dir.path() / "legacy.toml");
  INFO(generated);
  CHECK(contains(generated, "[server.legacy]\nname              = \"legacy\"\ncount             = 3\n"));
  CHECK(contains(generated, "image_id          = \"20060220200717f201120a2300000e91\""));
  CHECK(contains(generated, "vpc_id            = \"fca063f6-b942-42a8-9004-e5545f58d6a2\""));
  CHECK_FALSE(contains(generated, "TODO"));
  CHECK(contains(generated, "[phones.legacy]\nservers = [\"server.legacy\"]\n"));
  CHECK(run_cphform({"state", "list"}, dir.path(), nullptr).out ==
        "phones.legacy\nserver.legacy[0]\nserver.legacy[1]\nserver.legacy[2]\n");
  auto plan = run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu);
  REQUIRE_RUN(plan, 0);
  CHECK_FALSE(contains(plan.out, "destroy"));
  CHECK(emu.calls(kPurchase) == 1);
}

TEST_CASE("no endpoint means the region's Huawei Cloud endpoint, never the emulator", "[e2e][recovery][endpoint]") {
  EmulatorProcess emu;  // only for credentials that look real; never reached
  TempDir dir;
  dir.write("main.toml", "[provider]\nregion = \"cn-north-4\"\n\n" + server_block("web", "web", 2));
  auto plan = run_cphform({"plan"}, dir.path(), &emu, "", {{"CPHFORM_BSS_ENDPOINT", ""}});
  REQUIRE_RUN(plan, 1);
  CHECK(contains(plan.err, "https://cph.cn-north-4.myhuaweicloud.com"));
  CHECK_FALSE(contains(plan.out, "to add"));
  CHECK_FALSE(fs::exists(dir.path() / ".cphform" / "emulator.db"));
  CHECK(emu.total_calls() == 0);

  // Neither endpoint nor region: a clear error, no emulator either.
  dir.write("main.toml", server_block("web", "web", 1));
  auto none = run_cphform({"plan"}, dir.path(), &emu, "", {{"HW_REGION_NAME", ""}});
  REQUIRE_RUN(none, 1);
  CHECK(contains(none.err, "no endpoint: set region in [provider]"));
  CHECK(contains(none.err, "endpoint = \"emulator\""));
  CHECK_FALSE(fs::exists(dir.path() / ".cphform" / "emulator.db"));

  // Asked for by name, the emulator still runs in-process.
  dir.write("main.toml", "[provider]\nendpoint = \"emulator\"\n\n" + server_block("web", "web", 1));
  auto embedded = run_cphform({"plan"}, dir.path(), nullptr);
  REQUIRE_RUN(embedded, 0);
  CHECK(contains(embedded.out, "1 to add"));
  CHECK(fs::exists(dir.path() / ".cphform" / "emulator.db"));
}

// Issue 14, end to end: a [phones] block applied to `cphform emulator
// serve` over HTTP: names and the seed-000 properties (phone_num, imsi,
// iccid, wifi_name, the legacy names of ResetCloudPhone) set on every phone
// and read back through the phone detail API, a property change costing
// one update call per 100 phones, a phone stopped or renamed through the API
// shown as drift and put back by apply, and a reset refused without consent
// and carried out with it.
#include <chrono>
#include <csignal>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>

#include "tests/e2e/harness.h"
#include "tests/e2e/phone_console.h"

using namespace cph::e2e;
namespace cloud = cph::cloud;
using Json = nlohmann::json;

namespace {

const std::string kUpdate = "POST /v1/{project_id}/cloud-phone/phones/batch-update-property";
const std::string kRename = "PUT /v1/{project_id}/cloud-phone/phones/{phone_id}";
const std::string kRestart = "POST /v1/{project_id}/cloud-phone/phones/batch-restart";
const std::string kReset = "POST /v1/{project_id}/cloud-phone/phones/batch-reset";
const std::string kJobs = "GET /v1/{project_id}/cloud-phone/jobs";

std::string manifest(const std::string& endpoint, const std::string& wifi) {
  return "[provider]\nendpoint = \"" + endpoint + "\"\nregion   = \"cn-east-3\"\n\n" + server_block("game", "game", 1) +
         R"(
[phones.game]
servers = ["server.game"]
name    = "game-${phone.number}"
properties = { phone_num = "1366666${phone.number}", imsi = "46002162461${phone.number}", iccid = "89860012345678${phone.number}", wifi_name = ")" +
         wifi + "\" }\n";
}

int status_of(const EmulatorProcess& emu, const std::string& phone_id) {
  for (const cloud::Phone& p : phones(emu))
    if (p.phone_id == phone_id) return p.status;
  return 0;
}

void wait_status(const EmulatorProcess& emu, const std::string& phone_id, int status) {
  for (int i = 0; i < 250 && status_of(emu, phone_id) != status; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  REQUIRE(status_of(emu, phone_id) == status);
}

}  // namespace

TEST_CASE("a phones block names its phones, sets their properties in batches, and keeps them running",
          "[e2e][phones]") {
  EmulatorProcess emu(100000.0);
  TempDir dir;
  dir.write("main.toml", manifest(emu.url(), "test_wifi"));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kFastPolls), 0);

  // Every one of the 105 phones named and given its own values, under the
  // property list's keys (iccid has none and goes as written).
  std::vector<cloud::Phone> list = phones(emu);
  REQUIRE(list.size() == 105);
  CHECK(list[0].phone_name == "game-0001");
  CHECK(list[104].phone_name == "game-0105");
  const Json second = property_of(emu, list[1].phone_id);
  CHECK(second.value("sys.prop.writephonenum", "") == "13666660002");
  CHECK(second.value("sys.prop.writeimsi", "") == "460021624610002");
  CHECK(second.value("iccid", "") == "898600123456780002");
  CHECK(second.value("sys.prop.writewifissid", "") == "test_wifi");
  CHECK(emu.calls(kRename) == 105);
  CHECK(emu.calls(kUpdate) == 2);  // ceil(105 / 100)
  CHECK(emu.calls(kRestart) == 0);  // no key read at boot changed, every phone was running

  auto none = run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu);
  REQUIRE_RUN(none, 0);

  // A property change of 105 phones: ceil(105/100) update calls and the job
  // polls, nothing else that changes.
  dir.write("main.toml", manifest(emu.url(), "office_wifi"));
  const int64_t jobs_before = emu.calls(kJobs);
  auto changed = run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kFastPolls);
  REQUIRE_RUN(changed, 0);
  CHECK(contains(changed.out, "phones.game"));
  CHECK(emu.calls(kUpdate) == 4);
  CHECK(emu.calls(kRename) == 105);
  CHECK(emu.calls(kRestart) == 0);
  const int64_t polls = emu.calls(kJobs) - jobs_before;
  INFO("job polls for 105 phones: " << polls);
  CHECK(polls >= 1);
  CHECK(polls <= 10);  // one 6.2 call a round covers both requests
  CHECK(property_of(emu, list[7].phone_id).value("sys.prop.writewifissid", "") == "office_wifi");
  CHECK(property_of(emu, list[7].phone_id).value("sys.prop.writephonenum", "") == "13666660008");

  // A phone stopped through the API is drift, named by server and phone,
  // and apply starts it again.
  const std::string stopped = list[3].phone_id;
  console<int>(emu, [&](cloud::CphClient& c) -> boost::asio::awaitable<int> {
    std::vector<std::string> ids{stopped};
    co_await c.stop_phones(ids);
    co_return 0;
  });
  wait_status(emu, stopped, 8);
  auto drift = run_cphform({"drift"}, dir.path(), &emu);
  REQUIRE_RUN(drift, 2);
  INFO("drift:\n" << drift.out);
  CHECK(contains(drift.out, "phones.game"));
  CHECK(contains(drift.out, "server.game[0] phone 0004 (game-0004, id " + stopped + ") is stopped (8)"));
  auto refresh_only = run_cphform({"plan", "-refresh-only"}, dir.path(), &emu);
  REQUIRE_RUN(refresh_only, 0);
  CHECK(contains(refresh_only.out, "(game-0004, id " + stopped + ") is stopped (8)"));
  auto plan = run_cphform({"plan"}, dir.path(), &emu);
  REQUIRE_RUN(plan, 0);
  CHECK(contains(plan.out, "stopped (8)"));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kFastPolls), 0);
  CHECK(emu.calls(kRestart) == 1);
  CHECK(emu.calls(kUpdate) == 4);  // the properties were applied already
  wait_status(emu, stopped, 2);
  REQUIRE_RUN(run_cphform({"drift"}, dir.path(), &emu), 0);

  // A phone renamed through the API is drift too, and renamed back.
  const std::string renamed = list[5].phone_id;
  console<std::string>(emu, [&](cloud::CphClient& c) { return c.rename_phone(renamed, "by-hand"); });
  auto renamed_drift = run_cphform({"drift"}, dir.path(), &emu);
  REQUIRE_RUN(renamed_drift, 2);
  CHECK(contains(renamed_drift.out, "phone 0006 (by-hand, id " + renamed + ") should be game-0006"));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kFastPolls), 0);
  CHECK(emu.calls(kRename) == 107);  // the console's and apply's
  CHECK(phones(emu)[5].phone_name == "game-0006");

  // Jobs failing on some phones do not stop the others; they are named
  // with their CPS code, and the next apply sends the properties to them
  // only (the row's `applying` names the phones that have them).
  emu.set_faults({{"job_failure_rate", 0.3}});
  dir.write("main.toml", manifest(emu.url(), "lab_wifi"));
  auto partly = run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kFastPolls);
  REQUIRE_RUN(partly, 1);
  const std::string said = partly.out + partly.err;
  CHECK(contains(said, "CPS.0260"));
  CHECK(contains(said, "server.game[0] phone "));
  CHECK(emu.calls(kUpdate) == 6);
  int failed = 0;
  for (const cloud::Phone& p : phones(emu))
    if (property_of(emu, p.phone_id).value("sys.prop.writewifissid", "") != "lab_wifi") ++failed;
  INFO("phones whose job failed: " << failed);
  CHECK(failed > 0);
  CHECK(failed < 100);
  emu.set_faults(Json::object());
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kFastPolls), 0);
  CHECK(emu.calls(kUpdate) == 7);  // one call for the failed phones, not ceil(105/100) = 2
  for (const cloud::Phone& p : phones(emu))
    CHECK(property_of(emu, p.phone_id).value("sys.prop.writewifissid", "") == "lab_wifi");
  REQUIRE_RUN(run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu), 0);

  // A reset loses the phones' data: refused without consent, before any
  // call; with -allow-data-loss every phone is reset (5.5) with the
  // declared properties, 100 phones a call.
  auto refused = run_cphform({"apply", "-auto-approve", "-replace=phones.game"}, dir.path(), &emu, "", kFastPolls);
  REQUIRE_RUN(refused, 1);
  CHECK(contains(refused.err, "refusing to replace phones.game"));
  CHECK(contains(refused.err, "-allow-data-loss"));
  CHECK(emu.calls(kReset) == 0);
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve", "-allow-data-loss", "-replace=phones.game"}, dir.path(), &emu, "",
                          kFastPolls),
              0);
  CHECK(emu.calls(kReset) == 2);
  for (const cloud::Phone& p : phones(emu)) CHECK(p.status == 2);
  const Json after_reset = property_of(emu, list[9].phone_id);
  CHECK(after_reset.value("sys.prop.writephonenum", "") == "13666660010");
  CHECK(after_reset.value("sys.prop.writewifissid", "") == "lab_wifi");
  REQUIRE_RUN(run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu), 0);
}

TEST_CASE("a key read at boot costs one restart per phone; power = \"stopped\" stops every phone", "[e2e][phones]") {
  EmulatorProcess emu(100000.0);
  TempDir dir;
  const std::string head = "[provider]\nendpoint = \"" + emu.url() + "\"\nregion   = \"cn-east-3\"\n\n" +
                           server_block("game", "game", 1) + "\n[phones.game]\nservers = [\"server.game\"]\n";
  dir.write("main.toml", head + "properties = { \"ro.com.cph.non_root\" = 0 }\n");
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kFastPolls), 0);
  CHECK(emu.calls(kUpdate) == 2);
  CHECK(emu.calls(kRestart) == 2);  // ceil(105/100): one restart per phone, after its update
  CHECK(emu.calls(kRename) == 0);   // no name declared: the service's names stay
  const std::vector<cloud::Phone> list = phones(emu);
  CHECK(property_of(emu, list[0].phone_id).value("ro.com.cph.non_root", Json()) == Json(0));
  for (const cloud::Phone& p : list) CHECK(p.status == 2);

  const std::string kStop = "POST /v1/{project_id}/cloud-phone/phones/batch-stop";
  dir.write("main.toml", head + "power = \"stopped\"\nproperties = { \"ro.com.cph.non_root\" = 0 }\n");
  auto plan = run_cphform({"plan"}, dir.path(), &emu);
  REQUIRE_RUN(plan, 0);
  CHECK(contains(plan.out, "phones.game"));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kFastPolls), 0);
  CHECK(emu.calls(kStop) == 2);
  CHECK(emu.calls(kUpdate) == 2);
  for (const std::string& id : {list[0].phone_id, list[104].phone_id}) wait_status(emu, id, 8);
  REQUIRE_RUN(run_cphform({"drift"}, dir.path(), &emu), 0);
  REQUIRE_RUN(run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu), 0);
}

TEST_CASE("apply waits for a phone restarting by hand before it sets the properties", "[e2e][phones]") {
  // A phone restart takes 2 s of wall time (2,000 simulated seconds at 1,000x).
  EmulatorProcess emu(1000.0, {"--durations", R"({"restart_phone": 2000})"});
  TempDir dir;
  dir.write("main.toml", manifest(emu.url(), "test_wifi"));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kFastPolls), 0);
  const std::string busy = phones(emu)[0].phone_id;
  console<int>(emu, [&](cloud::CphClient& c) -> boost::asio::awaitable<int> {
    std::vector<cloud::PhoneSetting> one{{busy, ""}};
    co_await c.restart_phones(one);
    co_return 0;
  });
  REQUIRE(status_of(emu, busy) == 4);  // restarting
  dir.write("main.toml", manifest(emu.url(), "office_wifi"));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kFastPolls), 0);
  CHECK(property_of(emu, busy).value("sys.prop.writewifissid", "") == "office_wifi");
  CHECK(emu.calls(kUpdate) == 4);
}

TEST_CASE("cphform phone restarts, stops and resets the phones named, and nothing else", "[e2e][phones]") {
  EmulatorProcess emu(100000.0);
  TempDir dir;
  dir.write("main.toml", manifest(emu.url(), "test_wifi"));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kFastPolls), 0);
  const std::vector<cloud::Phone> list = phones(emu);
  const std::string kStop = "POST /v1/{project_id}/cloud-phone/phones/batch-stop";
  const int64_t updates = emu.calls(kUpdate);

  // Two phones, one by name and one by id: one restart call for both, each
  // phone's outcome listed, and the plan has nothing left to do.
  auto restart = run_cphform({"phone", "restart", "-auto-approve", "phones.game[game-0002]",
                              "phones.game[" + list[4].phone_id + "]"},
                             dir.path(), &emu, "", kFastPolls);
  REQUIRE_RUN(restart, 0);
  INFO("restart:\n" << restart.out);
  CHECK(contains(restart.out, "will be updated in-place (restart requested)"));
  CHECK(contains(restart.out, "server.game[0] phone 0002 (game-0002, id " + list[1].phone_id + ") restarted"));
  CHECK(contains(restart.out, "server.game[0] phone 0005 (game-0005, id " + list[4].phone_id + ") restarted"));
  CHECK(emu.calls(kRestart) == 1);
  CHECK(emu.calls(kUpdate) == updates);
  CHECK(emu.calls(kRename) == 105);
  REQUIRE_RUN(run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu), 0);

  // A phone stopped on request is stopped; the block wants it running, so
  // it is drift until a restart (or an apply) starts it again.
  REQUIRE_RUN(run_cphform({"phone", "stop", "-auto-approve", "phones.game[game-0003]"}, dir.path(), &emu, "",
                          kFastPolls),
              0);
  CHECK(emu.calls(kStop) == 1);
  wait_status(emu, list[2].phone_id, 8);
  REQUIRE_RUN(run_cphform({"drift"}, dir.path(), &emu), 2);
  REQUIRE_RUN(run_cphform({"phone", "restart", "-auto-approve", "phones.game[game-0003]"}, dir.path(), &emu, "",
                          kFastPolls),
              0);
  wait_status(emu, list[2].phone_id, 2);
  REQUIRE_RUN(run_cphform({"drift"}, dir.path(), &emu), 0);

  // Every phone of a server: 105 phones, ceil(105/100) calls, and a count.
  auto all = run_cphform({"phone", "restart", "-auto-approve", "phones.game[server.game]"}, dir.path(), &emu, "",
                         kFastPolls);
  REQUIRE_RUN(all, 0);
  CHECK(contains(all.out, "restarted 105 of 105 phones"));
  CHECK(emu.calls(kRestart) == 2 + 2);

  // A member that names no phone, an unknown operation, a block with
  // changes not applied yet: refused before any call.
  auto unknown = run_cphform({"phone", "restart", "-auto-approve", "phones.game[nope]"}, dir.path(), &emu);
  REQUIRE_RUN(unknown, 1);
  CHECK(contains(unknown.err, "no phone of its servers has the id or name \"nope\""));
  auto verb = run_cphform({"phone", "explode", "-auto-approve", "phones.game"}, dir.path(), &emu);
  CHECK(verb.exit_code != 0);
  CHECK(contains(verb.err, "reset, restart or stop"));
  auto other = run_cphform({"phone", "restart", "-auto-approve", "server.game"}, dir.path(), &emu);
  CHECK(other.exit_code != 0);
  CHECK(contains(other.err, "is not a phones address"));
  dir.write("main.toml", manifest(emu.url(), "office_wifi"));
  auto pending = run_cphform({"phone", "restart", "-auto-approve", "phones.game[game-0002]"}, dir.path(), &emu);
  REQUIRE_RUN(pending, 1);
  CHECK(contains(pending.err, "phones.game has changes not applied yet (properties)"));
  CHECK(emu.calls(kRestart) == 4);
  CHECK(emu.calls(kUpdate) == updates);
  dir.write("main.toml", manifest(emu.url(), "test_wifi"));

  // A reset of one phone: refused without consent; with it, that phone
  // only is reset (5.5), with its declared properties: the next phone keeps
  // a value set by hand.
  console<int>(emu, [&](cloud::CphClient& c) -> boost::asio::awaitable<int> {
    std::vector<cloud::PhoneSetting> one{{list[4].phone_id, R"({"sys.prop.writewifissid":"by_hand"})"}};
    co_await c.update_phone_properties(one);
    co_return 0;
  });
  auto refused = run_cphform({"phone", "reset", "-auto-approve", "phones.game[game-0004]"}, dir.path(), &emu);
  REQUIRE_RUN(refused, 1);
  CHECK(contains(refused.err, "-allow-data-loss"));
  CHECK(emu.calls(kReset) == 0);
  auto reset = run_cphform({"phone", "reset", "-auto-approve", "-allow-data-loss", "phones.game[game-0004]"},
                           dir.path(), &emu, "", kFastPolls);
  REQUIRE_RUN(reset, 0);
  CHECK(contains(reset.out, "server.game[0] phone 0004 (game-0004, id " + list[3].phone_id + ") reset"));
  CHECK(emu.calls(kReset) == 1);
  CHECK(property_of(emu, list[4].phone_id).value("sys.prop.writewifissid", "") == "by_hand");
  CHECK(property_of(emu, list[3].phone_id).value("sys.prop.writephonenum", "") == "13666660004");
  REQUIRE_RUN(run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu), 0);
}

TEST_CASE("kill -9 during a phones apply: the next apply finishes it, and every phone ends as declared",
          "[e2e][phones]") {
  // Property updates and restarts take 1.5 s of wall time each (1,500
  // simulated seconds at 1,000x): kills land while jobs run.
  EmulatorProcess emu(1000.0, {"--durations", R"({"update_phone_property": 1500, "restart_phone": 1500})"});
  TempDir dir;
  const std::string head = "[provider]\nendpoint = \"" + emu.url() + "\"\nregion   = \"cn-east-3\"\n\n" +
                           server_block("game", "game", 1) + "\n[phones.game]\nservers = [\"server.game\"]\n" +
                           "name    = \"game-${phone.number}\"\n";
  dir.write("main.toml", head + "properties = { wifi_name = \"first\" }\n");
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kFastPolls), 0);
  // A change with a key read at boot: updates, then one restart per phone.
  dir.write("main.toml", head + "properties = { wifi_name = \"second\", \"ro.com.cph.non_root\" = 1 }\n");
  std::ostringstream kills;
  for (int delay : {300, 1700, 2600}) {
    auto apply = start_cphform({"apply", "-auto-approve", "-lock-timeout=10s"}, dir.path(), &emu,
                               "run" + std::to_string(delay), kFastPolls);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    apply->signal(SIGKILL);
    kills << delay << "ms:" << apply->wait() << " ";
  }
  INFO("kills (delay:exit) " << kills.str());
  auto last = run_cphform({"apply", "-auto-approve", "-lock-timeout=10s"}, dir.path(), &emu, "", kFastPolls);
  REQUIRE_RUN(last, 0);
  for (const cloud::Phone& p : phones(emu)) {
    CHECK(p.status == 2);
    const Json property = property_of(emu, p.phone_id);
    CHECK(property.value("sys.prop.writewifissid", "") == "second");
    CHECK(property.value("ro.com.cph.non_root", Json()) == Json(1));
  }
  CHECK(phones(emu)[104].phone_name == "game-0105");
  CHECK(emu.calls(kReset) == 0);
  REQUIRE_RUN(run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu), 0);
  auto journal = run_cphform({"journal", "list"}, dir.path(), &emu);
  REQUIRE_RUN(journal, 0);
  CHECK(contains(journal.out, "No unfinished journal entries."));
}

// Issue 14, phones_file end to end against `cphform emulator serve` over
// HTTP: a CSV beside the manifest gives two phones numbers and IMSIs of
// their own (read back through the phone property API), a changed row
// costs one property update carrying that phone only, and a bad cell is
// a located error before any call or state.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include <catch2/catch.hpp>

#include "tests/e2e/harness.h"
#include "tests/e2e/phone_console.h"

using namespace cph::e2e;
namespace cloud = cph::cloud;
namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

const std::string kUpdate = "POST /v1/{project_id}/cloud-phone/phones/batch-update-property";
const std::string kRename = "PUT /v1/{project_id}/cloud-phone/phones/{phone_id}";

std::string manifest(const std::string& endpoint) {
  return "[provider]\nendpoint = \"" + endpoint + "\"\nregion   = \"cn-east-3\"\n\n" + server_block("game", "game", 1) +
         R"(
[phones.game]
servers     = ["server.game"]
name        = "game-${phone.number}"
properties  = { wifi_name = "lab" }
phones_file = "phones.csv"
)";
}

std::string csv(const std::string& second_imsi) {
  return "server,phone,name,sys.prop.writephonenum,imsi\n"
         "server.game[0],1,front-desk,13800000001,460021624617111\n"
         "server.game[0],0002,,13900000002," + second_imsi + "\n";
}

}  // namespace

TEST_CASE("phones_file: a bad cell is a located error; no call is made and no state written", "[e2e][phones]") {
  EmulatorProcess emu(100000.0);
  TempDir dir;
  dir.write("main.toml", manifest(emu.url()));
  // 10.1: an IMSI is at most 15 digits.
  dir.write("phones.csv", csv("46002162461722X"));
  for (const char* command : {"plan", "apply"}) {
    std::vector<std::string> args = {command};
    if (std::string(command) == "apply") args.push_back("-auto-approve");
    RunResult r = run_cphform(args, dir.path(), &emu, "", kFastPolls);
    INFO("stderr:\n" << r.err);
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "phones.csv:3:34: error: phones.game: attribute \"phones[1].imsi\""));
    CHECK(emu.total_calls() == 0);
    CHECK_FALSE(fs::exists(dir.path() / ".cphform" / "state.db"));
  }
}

TEST_CASE("phones_file: per-phone numbers and IMSIs applied and read back; a changed row updates that phone only",
          "[e2e][phones]") {
  EmulatorProcess emu(100000.0);
  TempDir dir;
  dir.write("main.toml", manifest(emu.url()));
  dir.write("phones.csv", csv("460021624617222"));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kFastPolls), 0);

  const std::vector<cloud::Phone> list = phones(emu);
  REQUIRE(list.size() == 105);
  CHECK(list[0].phone_name == "front-desk");  // its row's name
  CHECK(list[1].phone_name == "game-0002");   // an empty cell: the block's name
  CHECK(list[2].phone_name == "game-0003");   // no row: the block's values
  const Json first = property_of(emu, list[0].phone_id);
  CHECK(first.value("sys.prop.writephonenum", "") == "13800000001");
  CHECK(first.value("sys.prop.writeimsi", "") == "460021624617111");
  CHECK(first.value("sys.prop.writewifissid", "") == "lab");
  const Json second = property_of(emu, list[1].phone_id);
  CHECK(second.value("sys.prop.writephonenum", "") == "13900000002");
  CHECK(second.value("sys.prop.writeimsi", "") == "460021624617222");
  const Json third = property_of(emu, list[2].phone_id);
  CHECK(third.value("sys.prop.writewifissid", "") == "lab");
  CHECK_FALSE(third.contains("sys.prop.writeimsi"));
  CHECK(emu.calls(kUpdate) == 2);  // ceil(105 / 100)
  CHECK(emu.calls(kRename) == 105);
  REQUIRE_RUN(run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu), 0);

  // The first phone's IMSI set by hand: were the first phone part of the
  // next update, its row's IMSI would be sent again and replace it.
  console<int>(emu, [&](cloud::CphClient& c) -> boost::asio::awaitable<int> {
    std::vector<cloud::PhoneSetting> one{{list[0].phone_id, R"({"sys.prop.writeimsi":"460029999999999"})"}};
    co_await c.update_phone_properties(one);
    co_return 0;
  });
  for (int i = 0; i < 250 && property_of(emu, list[0].phone_id).value("sys.prop.writeimsi", "") != "460029999999999"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const int64_t updates = emu.calls(kUpdate);

  // One row changed: the plan names the new value, the apply sends one
  // update with that phone alone and renames nothing.
  dir.write("phones.csv", csv("460021624617333"));
  auto plan = run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu);
  REQUIRE_RUN(plan, 2);
  CHECK(contains(plan.out, "phones.game"));
  CHECK(contains(plan.out, "460021624617333"));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kFastPolls), 0);
  CHECK(emu.calls(kUpdate) == updates + 1);
  CHECK(emu.calls(kRename) == 105);
  CHECK(property_of(emu, list[1].phone_id).value("sys.prop.writeimsi", "") == "460021624617333");
  CHECK(property_of(emu, list[0].phone_id).value("sys.prop.writeimsi", "") == "460029999999999");
  CHECK(property_of(emu, list[1].phone_id).value("sys.prop.writephonenum", "") == "13900000002");
  REQUIRE_RUN(run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu), 0);

  // A phone of a row renamed by hand is drift, named with the row's name.
  console<int>(emu, [&](cloud::CphClient& c) -> boost::asio::awaitable<int> {
    co_await c.rename_phone(list[0].phone_id, "by-hand");
    co_return 0;
  });
  auto drift = run_cphform({"drift"}, dir.path(), &emu);
  REQUIRE_RUN(drift, 2);
  CHECK(contains(drift.out, "should be front-desk"));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kFastPolls), 0);
  CHECK(phones(emu)[0].phone_name == "front-desk");
  CHECK(emu.calls(kUpdate) == updates + 1);
}

TEST_CASE("examples/phones applies against the embedded emulator and then plans no change", "[e2e][phones]") {
  TempDir dir;
  const char* src = std::getenv("CPHFORM_SOURCE_DIR");
  REQUIRE(src);
  for (const char* file : {"main.toml", "phones.csv"})
    fs::copy_file(fs::path(src) / "examples" / "phones" / file, dir.path() / file);
  std::map<std::string, std::string> fast = {{"CPHFORM_EMULATOR_TIME_SCALE", "100000"}};
  fast.insert(kFastPolls.begin(), kFastPolls.end());
  REQUIRE_RUN(run_cphform({"validate"}, dir.path(), nullptr, "", fast), 0);
  auto apply = run_cphform({"apply", "-auto-approve"}, dir.path(), nullptr, "", fast);
  REQUIRE_RUN(apply, 0);
  CHECK(contains(apply.out, "phones.game"));
  REQUIRE_RUN(run_cphform({"plan", "-detailed-exitcode"}, dir.path(), nullptr, "", fast), 0);
}

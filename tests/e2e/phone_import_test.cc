// Issue 14 item 6, end to end against `cphform emulator serve`: import
// records the phones of imported servers for the [phones] blocks that list
// them (their properties read from each phone), so that the next plan shows
// no change when the phones are as declared and only the phones that differ
// otherwise; -generate-config-out writes a [phones] block too; and
// drift -phone-properties reports a property changed by hand.
#include <chrono>
#include <cstdio>
#include <thread>

#include <catch2/catch.hpp>

#include "tests/e2e/harness.h"
#include "tests/e2e/phone_console.h"

using namespace cph::e2e;
namespace cloud = cph::cloud;
using Json = nlohmann::json;

namespace {

std::string four(int n) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d", n);
  return buf;
}

// Properties set by hand (5.9 through the client, as a console would), 100
// phones a call, waited for until the last phone of each call has them.
void set_by_hand(const EmulatorProcess& emu, const std::vector<cloud::Phone>& phones,
                 const std::function<Json(size_t)>& properties_of) {
  for (size_t start = 0; start < phones.size(); start += cloud::kMaxPhonesPerCall) {
    const size_t end = std::min(phones.size(), start + cloud::kMaxPhonesPerCall);
    std::vector<cloud::PhoneSetting> batch;
    for (size_t i = start; i < end; ++i) batch.push_back({phones[i].phone_id, properties_of(i).dump()});
    console<int>(emu, [&](cloud::CphClient& c) -> boost::asio::awaitable<int> {
      co_await c.update_phone_properties(batch);
      co_return 0;
    });
    for (size_t i = start; i < end; ++i) {
      const Json want = properties_of(i);
      bool there = false;
      for (int tries = 0; tries < 250 && !there; ++tries) {
        const Json have = property_of(emu, phones[i].phone_id);
        there = true;
        for (const auto& [k, v] : want.items()) there = there && have.value(k, Json()) == v;
        if (!there) std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      REQUIRE(there);
    }
  }
}

std::string provider(const EmulatorProcess& emu) {
  return "[provider]\nendpoint = \"" + emu.url() + "\"\nregion   = \"cn-east-3\"\n\n";
}

const std::string kPhones = R"(
[phones.game]
servers    = ["server.game"]
properties = { phone_num = "1366666${phone.number}", wifi_name = "test_wifi" }
)";

// The mutating calls the emulator logged since the last take.
std::vector<Json> take_calls(const EmulatorProcess& emu, const std::string& path_end) {
  std::vector<Json> out;
  const Json log = emu.admin("/_emulator/calls/reset", "POST");
  for (const Json& c : log["calls"]) {
    const std::string path = c.value("path", "");
    if (path.size() >= path_end.size() && path.compare(path.size() - path_end.size(), path_end.size(), path_end) == 0)
      out.push_back(c);
  }
  return out;
}

}  // namespace

TEST_CASE("import records the phones of an imported server: no change when they are as declared, else only theirs",
          "[e2e][phones][import]") {
  EmulatorProcess emu(100000.0);
  TempDir dir;
  // A server bought outside this state: applied, then forgotten.
  dir.write("main.toml", provider(emu) + server_block("game", "game", 1));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kFastPolls), 0);
  REQUIRE_RUN(run_cphform({"state", "rm", "server.game[0]"}, dir.path(), nullptr), 0);
  const std::string server_id = emu.servers().front().server_id;
  const std::vector<cloud::Phone> list = phones_of(emu, server_id);
  REQUIRE(list.size() == 105);
  // Its phones given the block's properties by hand (10.1 keys).
  auto as_declared = [](size_t i) {
    return Json{{"sys.prop.writephonenum", "1366666" + four(static_cast<int>(i) + 1)},
                {"sys.prop.writewifissid", "test_wifi"}};
  };
  set_by_hand(emu, list, as_declared);

  dir.write("main.toml", provider(emu) + server_block("game", "game", 1) + kPhones);
  const std::string kDetail = "GET /v1/{project_id}/cloud-phone/phones/{phone_id}";
  // A phone that cannot be read fails the import as a whole: no row at all.
  emu.set_faults({{"garbage_rate", 1}, {"garbage", "text"}, {"operations", {kDetail}}});
  auto unreadable = run_cphform({"import", "server.game[0]", server_id}, dir.path(), &emu);
  REQUIRE_RUN(unreadable, 1);
  CHECK(run_cphform({"state", "list"}, dir.path(), nullptr).out.empty());
  emu.set_faults(Json::object());
  const int64_t read_before = emu.calls(kDetail);
  auto imported = run_cphform({"import", "server.game[0]", server_id}, dir.path(), &emu);
  REQUIRE_RUN(imported, 0);
  CHECK(contains(imported.out, "phones.game: recorded with it [105 phones, properties read from 105: all as declared]"));
  CHECK(emu.calls(kDetail) - read_before == 105);  // one detail call per phone
  auto none = run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu);
  INFO(none.out);
  REQUIRE_RUN(none, 0);

  // Again with phone 0004 on another Wi-Fi: the plan changes phones.game,
  // and its apply sends that key to that phone only.
  REQUIRE_RUN(run_cphform({"state", "rm", "server.game[0]", "phones.game"}, dir.path(), nullptr), 0);
  set_by_hand(emu, {list[3]}, [](size_t) { return Json{{"sys.prop.writewifissid", "other_wifi"}}; });
  auto again = run_cphform({"import", "server.game[0]", server_id}, dir.path(), &emu);
  REQUIRE_RUN(again, 0);
  CHECK(contains(again.out, "1 differ from the block"));
  auto plan = run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu);
  INFO(plan.out);
  REQUIRE_RUN(plan, 2);
  CHECK(contains(plan.out, "phones.game"));
  CHECK(contains(plan.out, "wifi_name"));
  CHECK(contains(plan.out, "Plan: 0 to add, 1 to change, 0 to destroy."));
  CHECK_FALSE(contains(plan.out, "server.game[0] will be"));
  take_calls(emu, "");
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kFastPolls), 0);
  const std::vector<Json> updates = take_calls(emu, "/batch-update-property");
  REQUIRE(updates.size() == 1);
  const Json sent = updates[0]["body"]["phones"];
  REQUIRE(sent.size() == 1);
  CHECK(sent[0]["phone_id"] == list[3].phone_id);
  CHECK(Json::parse(sent[0]["property"].get<std::string>()) == Json{{"sys.prop.writewifissid", "test_wifi"}});
  CHECK(property_of(emu, list[3].phone_id).value("sys.prop.writewifissid", "") == "test_wifi");
  REQUIRE_RUN(run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu), 0);

  // A property changed by hand is not in the phone list: plain drift does
  // not see it and says so; drift -phone-properties reads every phone and
  // names the one that changed, with both values.
  set_by_hand(emu, {list[5]}, [](size_t) { return Json{{"sys.prop.writewifissid", "by_hand"}}; });
  const int64_t details = emu.calls("GET /v1/{project_id}/cloud-phone/phones/{phone_id}");
  auto plain = run_cphform({"drift"}, dir.path(), &emu);
  REQUIRE_RUN(plain, 0);
  CHECK(contains(plain.out, "Not compared: the properties of the phones of phones.game (read one call per phone; "
                            "cphform drift -phone-properties compares them)."));
  CHECK_FALSE(contains(plain.out, "by_hand"));
  CHECK(emu.calls("GET /v1/{project_id}/cloud-phone/phones/{phone_id}") == details);
  auto deep = run_cphform({"drift", "-phone-properties"}, dir.path(), &emu);
  INFO(deep.out);
  REQUIRE_RUN(deep, 2);
  const std::string phone = "server.game[0] phone 0006 (" + list[5].phone_name + ", id " + list[5].phone_id + ")";
  CHECK(contains(deep.out, "phones.game (id phones.game):\n  properties.sys.prop.writewifissid: " + phone +
                               ": recorded \"test_wifi\", now \"by_hand\"\n"));
  CHECK_FALSE(contains(deep.out, "phone 0005"));
  CHECK(emu.calls("GET /v1/{project_id}/cloud-phone/phones/{phone_id}") == details + 105);
  auto json = run_cphform({"drift", "-phone-properties", "-format=json"}, dir.path(), &emu);
  REQUIRE_RUN(json, 2);
  const Json report = Json::parse(json.out);
  REQUIRE(report["drift"].size() == 1);
  CHECK(report["drift"][0]["address"] == "phones.game");
  CHECK(report["drift"][0]["changes"] ==
        Json::array({{{"attribute", "properties.sys.prop.writewifissid"}, {"object", phone},
                      {"recorded", "test_wifi"}, {"live", "by_hand"}}}));
}

TEST_CASE("import -generate-config-out writes a [phones] block with the phones' power state", "[e2e][phones][import]") {
  EmulatorProcess emu(100000.0);
  TempDir dir;
  dir.write("main.toml", provider(emu) + server_block("gen", "gen", 2));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", kFastPolls), 0);
  REQUIRE_RUN(run_cphform({"state", "rm", "server.gen[0]", "server.gen[1]"}, dir.path(), nullptr), 0);
  dir.write("main.toml", provider(emu));

  auto imported =
      run_cphform({"import", "-filter", "name_prefix=gen", "-generate-config-out=gen.toml"}, dir.path(), &emu);
  REQUIRE_RUN(imported, 0);
  const std::string generated = slurp(dir.path() / "gen.toml");
  INFO(generated);
  CHECK(contains(generated, "[phones.gen]\nservers = [\"server.gen\"]\npower   = \"running\"\n"));
  CHECK(contains(imported.out, "phones.gen: recorded with them [210 phones, power running]"));
  auto plan = run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu);
  INFO(plan.out);
  REQUIRE_RUN(plan, 0);
}

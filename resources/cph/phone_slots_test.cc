// Per-phone values and the live comparison of [phones] rows (phone_slots.h),
// without a cloud: the ${phone.*} values, the 10.1 keys legacy names are
// sent under, and the drift text naming server and phone.
#include <catch2/catch.hpp>

#include "resources/cph/phone_slots.h"

namespace slots = cph::resources::phone_slots;
using Json = nlohmann::json;

namespace {

cph::cloud::Phone phone(std::string id, std::string name, int status, std::string server = "s1") {
  cph::cloud::Phone p;
  p.phone_id = std::move(id);
  p.phone_name = std::move(name);
  p.status = status;
  p.server_id = std::move(server);
  return p;
}

}  // namespace

TEST_CASE("a phone's values: index and number from its place, server values from its server's instance",
          "[phones][unit]") {
  CHECK(slots::expand("game-${phone.server_number}-${phone.number}", 1, 2) == "game-0003-0002");
  CHECK(slots::expand("${phone.index}/${phone.server_index}", 104, 0) == "104/0");
  CHECK(slots::expand("plain", 3, 3) == "plain");
  const Json sent = slots::properties_for(
      {{"phone_num", "1366666${phone.number}"}, {"iccid", "8986${phone.index}"}, {"com.cph.mainkeys", 1}}, 4, 0);
  CHECK(sent == Json{{"sys.prop.writephonenum", "13666660005"}, {"iccid", "89864"}, {"com.cph.mainkeys", 1}});
  CHECK(slots::needs_restart("ro.com.cph.non_root"));
  CHECK(slots::needs_restart("persist.sys.locale"));
  CHECK_FALSE(slots::needs_restart("sys.prop.writewifissid"));
}

TEST_CASE("a phone renamed, stopped or failed outside cphform changes the row's name and power, naming it",
          "[phones][unit]") {
  const Json row = {{"servers", {"server.game[0]", "server.game[1]"}},
                    {"server_ids", {{"server.game[0]", "s1"}, {"server.game[1]", "s2"}}},
                    {"name", "g-${phone.server_number}-${phone.number}"},
                    {"power", "running"}};
  std::unordered_map<std::string, std::vector<cph::cloud::Phone>> live;
  live["s1"] = {phone("a", "g-0001-0001", 2), phone("b", "g-0001-0002", 2)};
  live["s2"] = {phone("c", "g-0002-0001", 2, "s2"), phone("d", "g-0002-0002", 3, "s2")};  // resetting: no drift
  CHECK(slots::live_overlay(row, live) == row);

  live["s1"][1].phone_name = "by-hand";
  live["s2"][0].status = -7;
  const Json now = slots::live_overlay(row, live);
  CHECK(now["name"] ==
        "1 of 4 phones named otherwise: server.game[0] phone 0002 (by-hand, id b) should be g-0001-0002");
  CHECK(now["power"] == "1 of 4 phones not running: server.game[1] phone 0001 (g-0002-0001, id c) is abnormal (-7)");

  Json stopped = row;
  stopped["power"] = "stopped";
  live["s1"][1].phone_name = "g-0001-0002";
  live["s2"][0].status = 8;
  // Wanted stopped: the running ones are drift, the stopped one is not.
  const std::string power = slots::live_overlay(stopped, live)["power"].get<std::string>();
  CHECK(power.rfind("2 of 4 phones not stopped: server.game[0] phone 0001", 0) == 0);
  CHECK(power.find("(id c)") == std::string::npos);
}

TEST_CASE("per-phone rows (phones_file) override the block's name and properties of their phone only",
          "[phones][unit]") {
  const Json rows = Json::array({{{"server", "server.game[1]"}, {"phone", 2}, {"name", "desk-${phone.server_number}"},
                                  {"imsi", "460021624617113"}, {"com.cph.mainkeys", 0}},
                                 {{"server", "server.game[0]"}, {"phone", 1}, {"sys.prop.writewifissid", "own"}}});
  const slots::PerPhone per(rows);
  const Json* desk = per.row("server.game[1]", 1);  // index 1: phone 2
  REQUIRE(desk);
  CHECK(per.row("server.game[1]", 0) == nullptr);
  CHECK(per.row("server.game[0]", 1) == nullptr);
  const Json block_props = {{"sys.prop.writeimsi", "4600${phone.number}"}, {"wifi_name", "lab"}};
  CHECK(slots::wanted_name("g-${phone.number}", desk, 1, 1) == "desk-0002");
  CHECK(slots::wanted_name("g-${phone.number}", per.row("server.game[0]", 0), 0, 0) == "g-0001");
  CHECK(slots::wanted_name(Json(), nullptr, 0, 0).empty());  // no name anywhere: the service's stays
  // The row's legacy imsi replaces the block's sys.prop.writeimsi: one key sent.
  CHECK(slots::wanted_properties(block_props, desk, 1, 1) ==
        Json({{"sys.prop.writeimsi", "460021624617113"}, {"sys.prop.writewifissid", "lab"}, {"com.cph.mainkeys", 0}}));
  CHECK(slots::wanted_properties(block_props, nullptr, 2, 1) ==
        Json({{"sys.prop.writeimsi", "46000003"}, {"sys.prop.writewifissid", "lab"}}));

  // Drift of a row's name names the row's name.
  const Json row = {{"servers", {"server.game[0]"}}, {"server_ids", {{"server.game[0]", "s1"}}},
                    {"phones", Json::array({{{"server", "server.game[0]"}, {"phone", 2}, {"name", "desk"}}})}};
  std::unordered_map<std::string, std::vector<cph::cloud::Phone>> live;
  live["s1"] = {phone("a", "service-1", 2), phone("b", "desk", 2)};
  CHECK(slots::live_overlay(row, live) == row);  // no block name: the first phone keeps the service's
  live["s1"][1].phone_name = "by-hand";
  CHECK(slots::live_overlay(row, live)["name"] ==
        "1 of 2 phones named otherwise: server.game[0] phone 0002 (by-hand, id b) should be desk");
}

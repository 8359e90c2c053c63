// Persistence across restarts on the same data file: resources, orders, the
// simulated clock and pending transitions (docs/emulator.md "Data").
#include <filesystem>
#include <unistd.h>

#include "common/sqlite.h"
#include "emulator/test_support.h"

using namespace cph::emulator;
using namespace cph::emulator::testing;

namespace {
struct TempFile {
  TempFile() {
    path = (std::filesystem::temp_directory_path() /
            ("cph-emulator-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".db"))
               .string();
    remove();
  }
  ~TempFile() { remove(); }
  void remove() const {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  }
  std::string path;
  static inline int counter = 0;
};
}  // namespace

TEST_CASE("a restart on the same file continues the same world", "[persistence]") {
  TempFile file;
  json creating, pending, released, kept_server;
  int64_t stopped_at = 0;
  std::string shared_bandwidth;
  {
    Emulator emu(file.path);
    released = emu.buy(rx1_purchase(1, true));
    json whole = rx1_purchase(2, true);
    whole["band_width"] = {{"band_width_share_type", 1}, {"band_width_size", 100}, {"band_width_charge_mode", 0}};
    creating = emu.buy(whole);
    emu.advance(150);  // creating servers at status 3
    pending = emu.buy(rx1_purchase(1, false));
    REQUIRE(emu.unsubscribe(released["server_ids"]).status == 200);
    emu.advance(10);  // release due in 50 s
    kept_server = emu.server(creating["server_ids"][0]);
    shared_bandwidth = kept_server["band_widths"][0]["band_width_id"];
    CHECK(kept_server["status"] == 3);
    stopped_at = emu.service->sim_now_us();
  }  // the Service persists its clock on destruction

  Emulator emu(file.path);
  // The clock continues where it stopped (frozen clock: exactly there).
  CHECK(emu.service->sim_now_us() == stopped_at);
  json s = emu.server(creating["server_ids"][0]);
  CHECK(s == [&] {
    json expected = kept_server;
    expected["request_id"] = s["request_id"];
    return expected;
  }());
  CHECK(emu.list()["count"] == 4);
  CHECK(emu.order(pending["order_id"])["order_info"]["status"] == 6);
  CHECK(emu.order(creating["order_id"])["order_info"]["status"] == 3);

  // Pending transitions were rebuilt: creation finishes 150 s after the
  // restart point, the release 50 s after it.
  emu.advance(49);
  CHECK(emu.list()["count"] == 4);
  emu.advance(1);
  CHECK(emu.list()["count"] == 3);
  check_cps_error(emu.get(project_path("/cloud-phone/servers/" + released["server_ids"][0].get<std::string>())), 404,
                  "CPS.0015");
  emu.advance(100);
  CHECK(emu.server(creating["server_ids"][1])["status"] == 5);
  CHECK(emu.order(creating["order_id"])["order_info"]["status"] == 5);

  // The unpaid order can be paid after the restart; the shared bandwidth can
  // still be reused by id.
  CHECK(emu.pay(pending["order_id"]).status == 204);
  emu.advance(300);
  CHECK(emu.server(pending["server_ids"][0])["status"] == 5);
  json reuse = rx1_purchase(1, true);
  reuse["band_width"] = {{"band_width_share_type", 1}, {"band_width_id", shared_bandwidth}, {"band_width_charge_mode", 0}};
  json again = emu.buy(reuse);
  CHECK(emu.server(again["server_ids"][0])["band_widths"][0]["band_width_id"] == shared_bandwidth);
  // Fresh addresses do not collide with the persisted ones.
  std::set<std::string> ips;
  size_t total = 0;
  const json everything = emu.list();
  for (const json& srv : everything["servers"])
    for (const json& a : srv["addresses"]) {
      ips.insert(a["server_ip"].get<std::string>());
      ++total;
    }
  CHECK(ips.size() == total);
}

TEST_CASE("the running clock does not jump over downtime", "[persistence][time]") {
  TempFile file;
  int64_t before = 0;
  {
    Options o;
    o.data_path = file.path;
    o.time_scale = 1000;  // 1 ms wall = 1 s simulated
    Service svc(o);
    before = svc.sim_now_us();
  }
  ::usleep(300 * 1000);  // 300 simulated seconds of downtime at this scale
  Options o;
  o.data_path = file.path;
  o.time_scale = 0;
  Service svc(o);
  int64_t after = svc.sim_now_us();
  CHECK(after >= before);
  CHECK(after - before < 100 * 1000000LL);  // far less than the 300 s downtime
}

TEST_CASE("a data file from a newer emulator is refused", "[persistence]") {
  TempFile file;
  {
    cph::sql::Db db(file.path);
    db.exec("PRAGMA user_version = 99");
  }
  Options o;
  o.data_path = file.path;
  CHECK_THROWS_WITH(Service(o), Catch::Contains("newer"));
}

// GET /_emulator/calls: the mutating requests, in order, with their bodies.
#include "emulator/test_support.h"

using namespace cph::emulator;
using namespace cph::emulator::testing;

TEST_CASE("the call log lists mutating requests with template, path, status and body; reset empties it",
          "[admin][calls]") {
  Emulator emu;
  const std::string id = emu.normal_servers(1)[0];
  emu.list();  // a GET: not logged
  const std::string rename = project_path("/cloud-phone/servers/" + id);
  CHECK(emu.call("PUT", rename, json{{"server_name", "renamed"}}.dump()).status == 200);
  CHECK(emu.call("PUT", project_path("/cloud-phone/servers/no-such-server"), json{{"server_name", "x"}}.dump()).status !=
        200);

  json calls = body_of(emu.admin("GET", "/_emulator/calls"))["calls"];
  REQUIRE(calls.size() == 3);
  CHECK(calls[0]["operation"] == "POST /v2/{project_id}/cloud-phone/servers");
  CHECK(calls[0]["body"]["count"] == 1);
  CHECK(calls[1]["seq"].get<int>() > calls[0]["seq"].get<int>());
  CHECK(calls[1]["operation"] == "PUT /v1/{project_id}/cloud-phone/servers/{server_id}");
  CHECK(calls[1]["path"] == rename);
  CHECK(calls[1]["status"] == 200);
  CHECK(calls[1]["body"]["server_name"] == "renamed");
  CHECK(calls[2]["status"] != 200);  // refused requests are listed too

  HttpResponse taken = emu.admin("POST", "/_emulator/calls/reset");
  CHECK(taken.status == 200);
  CHECK(body_of(taken)["calls"] == calls);
  CHECK(body_of(emu.admin("GET", "/_emulator/calls"))["calls"].empty());
}

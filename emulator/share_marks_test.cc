// Shared apps and files leave a mark on their servers (3.7-3.11): the admin
// views /_emulator/share-apps and /_emulator/share-files and the 3.8 listing.
#include "emulator/test_support.h"

using namespace cph::emulator;
using namespace cph::emulator::testing;

TEST_CASE("pushed shared apps and files are recorded, deleted and persisted", "[servers][jobs][share]") {
  TempPath file;
  std::vector<std::string> ids;
  {
    Emulator emu(file.path);
    ids = emu.normal_servers(2);
    CHECK(body_of(emu.admin("GET", "/_emulator/share-apps")) == json{{"servers", json::object()}});
    CHECK(body_of(emu.admin("GET", "/_emulator/share-files")) == json{{"servers", json::object()}});
    const std::string apps = project_path("/cloud-phone/phones/share-apps");
    const std::string files = project_path("/cloud-phone/phones/share-files");
    REQUIRE(emu.call("POST", apps, json{{"package_name", "com.a"}, {"bucket_name", "bkt"}, {"object_path", "apps/a.tar"},
                                        {"pre_install_app", 1}, {"server_ids", {ids[0]}}}.dump()).status == 200);
    REQUIRE(emu.call("POST", apps, json{{"package_name", "com.b"}, {"bucket_name", "bkt"}, {"object_path", "apps/b.tar"},
                                        {"server_ids", ids}}.dump()).status == 200);
    REQUIRE(emu.call("POST", files, json{{"bucket_name", "bkt"}, {"object_path", "data/x.tar"}, {"server_ids", {ids[1]}}}.dump()).status == 200);
    REQUIRE(emu.call("POST", files, json{{"bucket_name", "bkt"}, {"object_path", "other/y.tar"}, {"server_ids", {ids[1]}}}.dump()).status == 200);
    CHECK(body_of(emu.admin("GET", "/_emulator/share-apps"))["servers"].empty());  // jobs still running
    emu.advance(10);
    json view = body_of(emu.admin("GET", "/_emulator/share-apps"));
    CHECK(view["servers"][ids[0]] == json::parse(R"([{"package_name":"com.a","bucket_name":"bkt","object_path":"apps/a.tar","pre_install_app":1},
      {"package_name":"com.b","bucket_name":"bkt","object_path":"apps/b.tar","pre_install_app":0}])"));
    CHECK(view["servers"][ids[1]].size() == 1);
    json fview = body_of(emu.admin("GET", "/_emulator/share-files"));
    CHECK(fview["servers"].size() == 1);
    CHECK(fview["servers"][ids[1]] == json::parse(R"([{"bucket_name":"bkt","object_path":"data/x.tar"},{"bucket_name":"bkt","object_path":"other/y.tar"}])"));
    // 3.8: the listing in execute_msg (A-12).
    json q = body_of(emu.get(project_path("/cloud-phone/servers/share-files?path=/data&server_ids=" + ids[1])));
    emu.advance(10);
    json listing = json::parse(emu.job(q["jobs"][0]["job_id"])["execute_msg"].get<std::string>());
    CHECK(listing["path"] == "/data");
    CHECK(listing["files"].size() == 2);
    // 3.11 deletes by package; 3.9 by path (exact or a directory above).
    REQUIRE(emu.call("DELETE", apps, json{{"package_name", "com.b"}, {"server_ids", ids}}.dump()).status == 200);
    REQUIRE(emu.call("POST", files, json{{"file_paths", {"/data"}}, {"server_ids", {ids[1]}}}.dump()).status == 200);
    emu.advance(10);
    view = body_of(emu.admin("GET", "/_emulator/share-apps"));
    CHECK(view["servers"].size() == 1);
    CHECK(view["servers"][ids[0]].size() == 1);
    CHECK(body_of(emu.admin("GET", "/_emulator/share-files"))["servers"][ids[1]] ==
          json::parse(R"([{"bucket_name":"bkt","object_path":"other/y.tar"}])"));
  }
  Emulator emu(file.path);
  CHECK(body_of(emu.admin("GET", "/_emulator/share-apps"))["servers"][ids[0]][0]["package_name"] == "com.a");
  CHECK(body_of(emu.admin("GET", "/_emulator/share-files"))["servers"][ids[1]].size() == 1);
  REQUIRE(emu.call("DELETE", project_path("/cloud-phone/phones/share-files"),
                   json{{"file_paths", {"/other/y.tar"}}, {"server_ids", {ids[1]}}}.dump()).status == 200);
  emu.advance(10);
  CHECK(body_of(emu.admin("GET", "/_emulator/share-files"))["servers"].empty());
}

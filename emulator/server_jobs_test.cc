// Job-producing server endpoints: cph-api.md 3.5, 3.7-3.11, 6.3. Request
// examples, per-item vs request-level errors (11.3), validation tables.
#include "emulator/test_support.h"
#include "emulator/world.h"

using namespace cph::emulator;
using namespace cph::emulator::testing;

namespace {
std::vector<std::string> normal_servers(Emulator& emu, int n) {
  json b = emu.buy(rx1_purchase(n, true));
  emu.advance(300);
  return b["server_ids"].get<std::vector<std::string>>();
}

// A 200 batch answer: {"request_id", "jobs": [...]}, one item per server.
json check_batch(const HttpResponse& r, size_t n) {
  INFO(r.body);
  REQUIRE(r.status == 200);
  json b = body_of(r);
  check_fields(b, {{"request_id", Kind::string}, {"jobs", Kind::array}});
  REQUIRE(b["jobs"].size() == n);
  for (const json& j : b["jobs"]) {
    check_fields(j, {{"server_id", Kind::string}});
    if (j.contains("job_id"))
      check_fields(j, {{"job_id", Kind::string}});
    else
      check_fields(j, {{"error_code", Kind::string}, {"error_msg", Kind::string}});
  }
  return b;
}

struct Endpoint {
  const char* method;
  const char* path;  // after /v1/{project_id}
};
const Endpoint kRestart{"POST", "/cloud-phone/servers/batch-restart"};
const Endpoint kShareFiles{"POST", "/cloud-phone/phones/share-files"};
const Endpoint kShareApps{"POST", "/cloud-phone/phones/share-apps"};
const Endpoint kDeleteApps{"DELETE", "/cloud-phone/phones/share-apps"};
const Endpoint kOpenAccess{"PUT", "/cloud-phone/servers/open-access"};

HttpResponse send(Emulator& emu, const Endpoint& e, const json& body) {
  return emu.call(e.method, project_path(e.path), body.dump());
}
}  // namespace

TEST_CASE("the batch request examples are accepted; unknown servers are per-item CPS.0015", "[servers][jobs]") {
  Emulator emu;
  const json ids = {"1234567b8bab40ffb711234cb80d0234", "1678567b8bab40f93711234cb80d0764"};
  struct Case {
    Endpoint e;
    json body;
  };
  const Case cases[] = {
      {kRestart, json::parse(R"({"server_ids" : [ "1234567b8bab40ffb711234cb80d0234", "1678567b8bab40f93711234cb80d0764" ]})")},
      // 3.9 example (POST with file_paths = delete, A-5).
      {kShareFiles, json::parse(R"({"file_paths" : [ "/data/app", "/data/data/test.apk" ],
        "server_ids" : [ "1234567b8bab40ffb711234cb80d0234", "1678567b8bab40f93711234cb80d0764" ]})")},
      {{"DELETE", "/cloud-phone/phones/share-files"}, json::parse(R"({"file_paths" : [ "/data/app" ],
        "server_ids" : [ "1234567b8bab40ffb711234cb80d0234", "1678567b8bab40f93711234cb80d0764" ]})")},
      // 3.7 example with the bucket name lower-cased (A-11: "bucketA" breaks the rule).
      {kShareFiles, json::parse(R"({"bucket_name" : "bucketa", "object_path" : "my_apps/test.tar",
        "server_ids" : [ "1234567b8bab40ffb711234cb80d0234", "1678567b8bab40f93711234cb80d0764" ]})")},
      {kShareApps, json::parse(R"({"package_name" : "com.miniteck.miniworld", "bucket_name" : "bucket",
        "object_path" : "my_apps/test.tar",
        "server_ids" : [ "1234567b8bab40ffb711234cb80d0234", "1678567b8bab40f93711234cb80d0764" ]})")},
      {kDeleteApps, json::parse(R"({"package_name" : "com.miniteck.miniworld",
        "server_ids" : [ "1234567b8bab40ffb711234cb80d0234", "1678567b8bab40f93711234cb80d0764" ]})")},
      {kOpenAccess, json::parse(R"({"servers" : [ {"keypair_name" : "mykeypair", "server_id" : "1234567b8bab40ffb711234cb80d0234"},
        {"keypair_name" : "mykeypair", "server_id" : "1678567b8bab40f93711234cb80d0764"} ]})")},
  };
  for (const Case& c : cases) {
    INFO(c.e.method << " " << c.e.path << " " << c.body.dump());
    json b = check_batch(send(emu, c.e, c.body), 2);
    for (size_t i = 0; i < 2; ++i) {
      CHECK(b["jobs"][i]["server_id"] == ids[i]);
      CHECK(b["jobs"][i]["error_code"] == "CPS.0015");
      CHECK(b["jobs"][i]["error_msg"] == "server_id not found.");
      CHECK_FALSE(b["jobs"][i].contains("job_id"));
    }
  }
  // 3.8 example (query).
  json q = check_batch(emu.get(project_path("/cloud-phone/servers/share-files?path=/data/data&server_ids=xxxxxxx,yyyyyyy&limit=100&offset=0")), 2);
  CHECK(q["jobs"][0]["error_code"] == "CPS.0015");
  // A-11: the 3.7 example's "bucketA" violates the documented rule.
  check_cps_error(send(emu, kShareFiles, json::parse(R"({"bucket_name" : "bucketA", "object_path" : "my_apps/test.tar",
        "server_ids" : [ "1234567b8bab40ffb711234cb80d0234" ]})")), 400, "CPS.0134");
}

TEST_CASE("batch calls start one job per normal server and mark the others per item", "[servers][jobs]") {
  Emulator emu;
  auto ids = normal_servers(emu, 2);
  json pending = emu.buy(rx1_purchase(1, false));  // unpaid: status 0
  const std::string creating = pending["server_ids"][0];
  struct Case {
    Endpoint e;
    json body;
    const char* not_ready;
  };
  const Case cases[] = {
      {kRestart, {{"server_ids", {ids[0], creating, ids[1]}}}, "CPS.0158"},
      {kShareFiles, {{"bucket_name", "b-1.x"}, {"object_path", "a/b.tar"}, {"server_ids", {ids[0], creating, ids[1]}}}, "CPS.0099"},
      {kShareApps, {{"package_name", "com.a"}, {"pre_install_app", 1}, {"bucket_name", "bkt"}, {"object_path", "x.tar"},
                    {"server_ids", {ids[0], creating, ids[1]}}}, "CPS.0099"},
      {kDeleteApps, {{"package_name", "com.a"}, {"server_ids", {ids[0], creating, ids[1]}}}, "CPS.0099"},
      {kOpenAccess, {{"servers", {{{"server_id", ids[0]}, {"keypair_name", "keypair"}},
                                  {{"server_id", creating}, {"keypair_name", "keypair"}},
                                  {{"server_id", ids[1]}, {"keypair_name", "keypair"}}}}}, "CPS.0098"},
  };
  for (const Case& c : cases) {
    INFO(c.e.path);
    json b = check_batch(send(emu, c.e, c.body), 3);
    CHECK(b["jobs"][0].contains("job_id"));
    CHECK(b["jobs"][1]["error_code"] == c.not_ready);
    CHECK(b["jobs"][2].contains("job_id"));
    json list = body_of(emu.get(project_path("/cloud-phone/jobs?request_id=" + b["request_id"].get<std::string>())));
    CHECK(list["jobs"].size() == 2);
  }
  // Duplicates count once.
  check_batch(send(emu, kRestart, {{"server_ids", {ids[0], ids[0]}}}), 1);
}

TEST_CASE("open-access changes the key pair when its job succeeds", "[servers][jobs][keypairs]") {
  Emulator emu;
  auto ids = normal_servers(emu, 1);
  REQUIRE(emu.call("POST", "/v3/" + kCaller.project_id + "/keypairs",
                   R"({"keypair": {"name": "kp-new", "public_key": "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ test"}})")
              .status == 200);
  json b = check_batch(send(emu, kOpenAccess, {{"servers", {{{"server_id", ids[0]}, {"keypair_name", "kp-new"}}}}}), 1);
  CHECK(emu.server(ids[0])["keypair_name"] == "keypair");
  emu.advance(10);
  CHECK(body_of(emu.get(project_path("/cloud-phone/jobs/" + b["jobs"][0]["job_id"].get<std::string>())))["status"] == 2);
  CHECK(emu.server(ids[0])["keypair_name"] == "kp-new");
}

TEST_CASE("query share files reports the listing in execute_msg (A-12)", "[servers][jobs]") {
  Emulator emu;
  auto ids = normal_servers(emu, 1);
  json b = check_batch(emu.get(project_path("/cloud-phone/servers/share-files?path=/data/data&server_ids=" + ids[0])), 1);
  emu.advance(10);
  json j = body_of(emu.get(project_path("/cloud-phone/jobs/" + b["jobs"][0]["job_id"].get<std::string>())));
  CHECK(j["status"] == 2);
  CHECK(json::parse(j["execute_msg"].get<std::string>())["path"] == "/data/data");
}

TEST_CASE("the 3.8 listing in execute_msg is cut to 1024 bytes as valid JSON (A-57)", "[servers][jobs]") {
  Emulator emu;
  auto ids = normal_servers(emu, 1);
  // 20 files of about 90 bytes each: about 1.9 KB listed in full.
  std::vector<std::string> paths;
  for (int i = 0; i < 20; ++i) {
    paths.push_back("apps/" + std::string(70, 'a') + "/file" + std::to_string(100 + i) + ".tar");
    json body = {{"bucket_name", "bucketa"}, {"object_path", paths.back()}, {"server_ids", json::array({ids[0]})}};
    check_batch(send(emu, kShareFiles, body), 1);
    emu.advance(3600);
  }
  json b = check_batch(emu.get(project_path("/cloud-phone/servers/share-files?path=/data&server_ids=" + ids[0])), 1);
  emu.advance(3600);
  json j = emu.job(b["jobs"][0]["job_id"].get<std::string>());
  REQUIRE(j["status"] == 2);
  const std::string msg = j["execute_msg"].get<std::string>();
  CHECK(msg.size() <= 1024);
  json listing = json::parse(msg);
  CHECK(listing["path"] == "/data");
  CHECK(listing["truncated"] == true);
  CHECK(listing["total"] == 20);
  const json& files = listing["files"];
  REQUIRE(files.size() >= 5);
  REQUIRE(files.size() < 20);
  // The files that fit, in push order; one more would not fit.
  for (size_t i = 0; i < files.size(); ++i) CHECK(files[i]["object_path"] == paths[i]);
  CHECK(msg.size() + json{{"bucket_name", "bucketa"}, {"object_path", paths[files.size()]}}.dump().size() + 1 > 1024);
}

TEST_CASE("share_file_listing: whole when it fits, no path when even that does not", "[servers][jobs]") {
  std::vector<ShareFile> files{{"bucketa", "a.tar"}, {"bucketa", "b/c.tar"}};
  json whole = json::parse(share_file_listing("/data", files));
  CHECK(whole["path"] == "/data");
  CHECK_FALSE(whole.contains("truncated"));
  REQUIRE(whole["files"].size() == 2);
  CHECK(whole["files"][1]["bucket_name"] == "bucketa");
  CHECK(whole["files"][1]["object_path"] == "b/c.tar");
  const std::string long_path = "/" + std::string(1100, 'p');
  const std::string cut = share_file_listing(long_path, files);
  CHECK(cut.size() <= kMaxExecuteMsgBytes);
  json j = json::parse(cut);
  CHECK_FALSE(j.contains("path"));
  CHECK(j["truncated"] == true);
  CHECK(j["total"] == 2);
  CHECK(j["files"].size() == 2);
}

TEST_CASE("batch request validation answers the documented code and starts nothing", "[servers][jobs][validation]") {
  Emulator emu;
  auto ids = normal_servers(emu, 1);
  const std::string id = ids[0];
  std::vector<std::string> many(101);
  for (size_t i = 0; i < many.size(); ++i) many[i] = "server" + std::to_string(i);
  struct Case {
    Endpoint e;
    json body;
    const char* code;
  };
  const Case cases[] = {
      {kRestart, json::object(), "CPS.0094"},
      {kRestart, {{"server_ids", "abc"}}, "CPS.0094"},
      {kRestart, {{"server_ids", {1}}}, "CPS.0094"},
      {kRestart, {{"server_ids", {""}}}, "CPS.0094"},
      {kRestart, {{"server_ids", json::array()}}, "CPS.0095"},
      {kRestart, {{"server_ids", many}}, "CPS.0096"},
      {kShareFiles, {{"object_path", "a.tar"}, {"server_ids", {id}}}, "CPS.0134"},
      {kShareFiles, {{"bucket_name", "ab"}, {"object_path", "a.tar"}, {"server_ids", {id}}}, "CPS.0134"},
      {kShareFiles, {{"bucket_name", "a_b"}, {"object_path", "a.tar"}, {"server_ids", {id}}}, "CPS.0134"},
      {kShareFiles, {{"bucket_name", "abc"}, {"server_ids", {id}}}, "CPS.0135"},
      {kShareFiles, {{"bucket_name", "abc"}, {"object_path", "a.zip"}, {"server_ids", {id}}}, "CPS.0135"},
      {kShareFiles, {{"bucket_name", "abc"}, {"object_path", "a b.tar"}, {"server_ids", {id}}}, "CPS.0135"},
      {kShareFiles, {{"bucket_name", "abc"}, {"object_path", "a.tar"}}, "CPS.0094"},
      {kShareFiles, {{"file_paths", {"relative"}}, {"server_ids", {id}}}, "CPS.0155"},
      {kShareFiles, {{"file_paths", {"/data/../etc"}}, {"server_ids", {id}}}, "CPS.0155"},
      {kShareFiles, {{"file_paths", json::array()}, {"server_ids", {id}}}, "CPS.0155"},
      {kShareFiles, {{"file_paths", {"/data/中文"}}, {"server_ids", {id}}}, "CPS.0155"},
      {kShareFiles, {{"file_paths", {"/data"}}}, "CPS.0094"},
      {kShareApps, {{"bucket_name", "abc"}, {"object_path", "a.tar"}, {"server_ids", {id}}}, "CPS.0173"},
      {kShareApps, {{"package_name", "nodot"}, {"bucket_name", "abc"}, {"object_path", "a.tar"}, {"server_ids", {id}}}, "CPS.0173"},
      {kShareApps, {{"package_name", "1com.a"}, {"bucket_name", "abc"}, {"object_path", "a.tar"}, {"server_ids", {id}}}, "CPS.0173"},
      {kShareApps, {{"package_name", "com.a."}, {"bucket_name", "abc"}, {"object_path", "a.tar"}, {"server_ids", {id}}}, "CPS.0173"},
      {kShareApps, {{"package_name", "com.a"}, {"pre_install_app", 2}, {"bucket_name", "abc"}, {"object_path", "a.tar"},
                    {"server_ids", {id}}}, "CPS.0148"},
      {kShareApps, {{"package_name", "com.a"}, {"pre_install_app", "1"}, {"bucket_name", "abc"}, {"object_path", "a.tar"},
                    {"server_ids", {id}}}, "CPS.0148"},
      {kDeleteApps, {{"package_name", "_com.a"}, {"server_ids", {id}}}, "CPS.0173"},
      {kDeleteApps, {{"package_name", "com.a"}}, "CPS.0094"},
      {kOpenAccess, json::object(), "CPS.0094"},
      {kOpenAccess, {{"servers", json::array()}}, "CPS.0095"},
      {kOpenAccess, {{"servers", {1}}}, "CPS.0094"},
      {kOpenAccess, {{"servers", {{{"keypair_name", "keypair"}}}}}, "CPS.0097"},
      {kOpenAccess, {{"servers", {{{"server_id", std::string(33, 'a')}, {"keypair_name", "keypair"}}}}}, "CPS.0097"},
      {kOpenAccess, {{"servers", {{{"server_id", id}}}}}, "CPS.0068"},
      {kOpenAccess, {{"servers", {{{"server_id", id}, {"keypair_name", ""}}}}}, "CPS.0068"},
      {kOpenAccess, {{"servers", {{{"server_id", id}, {"keypair_name", "no-such-keypair"}}}}}, "CPS.0067"},
  };
  for (const Case& c : cases) {
    INFO(c.e.method << " " << c.e.path << " " << c.body.dump());
    check_cps_error(send(emu, c.e, c.body), 400, c.code);
  }
  struct QueryCase {
    std::string query;
    const char* code;
  };
  const QueryCase queries[] = {
      {"?path=/data", "CPS.0094"},
      {"?path=/data&server_ids=", "CPS.0095"},
      {"?path=/data&server_ids=a,,b", "CPS.0094"},
      {"?server_ids=" + id, "CPS.0199"},
      {"?path=/&server_ids=" + id, "CPS.0199"},
      {"?path=data&server_ids=" + id, "CPS.0199"},
      {"?path=/data/../x&server_ids=" + id, "CPS.0199"},
      {"?path=/data//x&server_ids=" + id, "CPS.0199"},
      {"?path=/data&server_ids=" + id + "&limit=101", "CPS.0002"},
  };
  for (const QueryCase& q : queries) {
    INFO(q.query);
    check_cps_error(emu.get(project_path("/cloud-phone/servers/share-files") + q.query), 400, q.code);
  }
  // Nothing was started: the server's key pair is unchanged and no jobs exist
  // beyond... (validation failures answer before any job is created).
  emu.advance(60);
  CHECK(emu.server(id)["keypair_name"] == "keypair");
}

// The KooPhone API of cph-api.md 14 as the emulator serves it (koophone.h):
// the data envelope, error codes, x-request-id, video-setting rules, status
// and its A-37 example shape, reset through status 4 -> 2, sync and async
// commands with their task, the device token, IAM tokens of a configurable
// lifetime, faults and statistics.
#include <thread>

#include "emulator/test_support.h"

using namespace cph::emulator;
using namespace cph::emulator::testing;

namespace {
struct KpEmulator {
  explicit KpEmulator(int instances = 40, double token_lifetime_s = 24 * 3600) {
    Options o;
    o.credentials = {kCaller};
    o.time_scale = 0;
    o.koophone_instances = instances;
    o.iam_token_lifetime_s = token_lifetime_s;
    o.iam_users = {parse_iam_user("kpuser:secret-pw:acme:" + kCaller.project_id)};
    service = std::make_unique<Service>(o);
  }
  // A signed request with an x-request-id.
  HttpResponse call(const std::string& method, const std::string& path, const json& body = json(), bool request_id = true) {
    HttpRequest r = signed_request(method, path, body.is_null() ? "" : body.dump());
    if (request_id) r.headers.emplace_back("x-request-id", "test-" + std::to_string(++n));
    return service->handle(r);
  }
  json ok(const std::string& method, const std::string& path, const json& body = json()) {
    HttpResponse r = call(method, path, body);
    INFO(method << " " << path << " -> " << r.body);
    REQUIRE(r.status == 200);
    json b = body_of(r);
    CHECK(b["error_code"] == "0");
    CHECK(b["error_msg"] == "ok");
    return b;
  }
  json admin(const std::string& method, const std::string& path, const json& body = json::object()) {
    return body_of(service->handle(HttpRequest{method, path, {}, body.dump()}));
  }
  json instance(const std::string& id) { return admin("GET", "/_emulator/koophone/instances?id=" + id)["instances"][0]; }
  std::unique_ptr<Service> service;
  int n = 0;
};

json kp_ids(int first, int count) {
  json ids = json::array();
  char id[16];
  for (int i = first; i < first + count; ++i) {
    std::snprintf(id, sizeof id, "kp%06d", i);
    ids.push_back(id);
  }
  return ids;
}

json kp_setting(const std::string& network, int rate720 = 2000, int fps = 30) {
  return {{"network_type", network},
          {"encoding_type", "H264"},
          {"video_spec_groups",
           {{{"definition_540P", {{"code_rate", 1000}, {"fps", 30}}},
             {"definition_720P", {{"code_rate", rate720}, {"fps", fps}}},
             {"definition_1080P", {{"code_rate", 4000}, {"fps", 60}}}}}}};
}

void check_kp_error(const HttpResponse& r, int status, const std::string& code) {
  INFO(r.body);
  CHECK(r.status == status);
  json b = body_of(r);
  CHECK(b["error_code"] == code);
  CHECK(b.contains("error_msg"));
  CHECK_FALSE(b.contains("data"));
}
}  // namespace

TEST_CASE("koophone: status in the data envelope, unknown ids left out, A-37 shape on request", "[koophone]") {
  KpEmulator kp;
  json ids = kp_ids(1, 2);
  ids.push_back("nosuchid");
  json b = kp.ok("POST", "/v1/instances/batch-query-status", {{"instance_ids", ids}});
  REQUIRE(b["data"]["status_results"].size() == 2);
  CHECK(b["data"]["status_results"][0] == json{{"instance_id", "kp000001"}, {"status", 2}});
  kp.admin("POST", "/_emulator/koophone/instances", {{"instance_id", "kp000002"}, {"status", 5}});
  kp.admin("POST", "/_emulator/koophone/config", {{"status_shape", "example"}});
  HttpResponse r = kp.call("POST", "/v1/instances/batch-query-status", {{"instance_ids", kp_ids(1, 2)}});
  json top = body_of(r);
  CHECK_FALSE(top.contains("data"));
  CHECK(top["status_results"][1] == json{{"instance_id", "kp000002"}, {"status", 5}});
  const json stats = kp.admin("GET", "/_emulator/stats")["operations"];
  CHECK(stats["POST /v1/instances/batch-query-status"]["count"] == 2);
}

TEST_CASE("koophone: x-request-id where 14 requires it, at most 32 ids, KOOPHONE.API codes", "[koophone]") {
  KpEmulator kp;
  check_kp_error(kp.call("POST", "/v1/instances/batch-query-status", {{"instance_ids", kp_ids(1, 1)}}, false), 400,
                 "KOOPHONE.API.1000");
  check_kp_error(kp.call("POST", "/v1/instances/batch-query-status", {{"instance_ids", kp_ids(1, 33)}}), 400,
                 "KOOPHONE.API.1000");
  check_kp_error(kp.call("POST", "/v1/instances/batch-query-status", {{"instance_ids", {"kp000001", "kp000001"}}}), 400,
                 "KOOPHONE.API.1000");
  check_kp_error(kp.call("POST", "/v1/instances/batch-reset", {{"instance_ids", {"kp000001", "other"}}}, false), 401,
                 "KOOPHONE.API.1001");
  check_kp_error(kp.call("GET", "/v1/instances/nope"), 404, "APIGW.0101");
  // Video settings and reset need no x-request-id (14.5, 14.7).
  kp.ok("POST", "/v1/instances/batch-query-status", {{"instance_ids", kp_ids(1, 32)}});
  CHECK(kp.call("PUT", "/v1/instances/video-setting", {{"instance_ids", kp_ids(1, 1)}, {"instance_settings", {kp_setting("WIFI")}}}, false)
            .status == 200);
  // Unsigned: the gateway's 401.
  check_kp_error(kp.service->handle(HttpRequest{"POST", "/v1/instances/batch-reset", {}, "{}"}), 401, "APIGW.0301");
}

TEST_CASE("koophone: video settings follow 14.5's rules and are kept per network type", "[koophone]") {
  KpEmulator kp;
  const json ids = kp_ids(1, 32);
  kp.ok("PUT", "/v1/instances/video-setting", {{"instance_ids", ids}, {"instance_settings", {kp_setting("WIFI"), kp_setting("MOBILE_NETWORK", 1500)}}});
  kp.ok("PUT", "/v1/instances/video-setting", {{"instance_ids", kp_ids(1, 1)}, {"instance_settings", {kp_setting("WIFI", 3000, 60)}}});
  const json one = kp.instance("kp000001");
  CHECK(one["video_setting_calls"] == 2);
  CHECK(one["video_settings"]["WIFI"]["video_spec_groups"][0]["definition_720P"] == json{{"code_rate", 3000}, {"fps", 60}});
  CHECK(one["video_settings"]["MOBILE_NETWORK"]["video_spec_groups"][0]["definition_720P"]["code_rate"] == 1500);
  for (const json& bad : {kp_setting("WIFI", 150), kp_setting("WIFI", 10100), kp_setting("WIFI", -100), kp_setting("WIFI", 2000, 45),
                          kp_setting("ETHERNET")}) {
    check_kp_error(kp.call("PUT", "/v1/instances/video-setting", {{"instance_ids", ids}, {"instance_settings", {bad}}}), 400,
                   "KOOPHONE.API.1000");
  }
  json h265 = kp_setting("WIFI");
  h265["encoding_type"] = "H265";
  check_kp_error(kp.call("PUT", "/v1/instances/video-setting", {{"instance_ids", ids}, {"instance_settings", {h265}}}), 400,
                 "KOOPHONE.API.1000");
  json no1080 = kp_setting("WIFI");
  no1080["video_spec_groups"][0].erase("definition_1080P");
  check_kp_error(kp.call("PUT", "/v1/instances/video-setting", {{"instance_ids", ids}, {"instance_settings", {no1080}}}), 400,
                 "KOOPHONE.API.1000");
  check_kp_error(kp.call("PUT", "/v1/instances/video-setting",
                         {{"instance_ids", ids}, {"instance_settings", {kp_setting("WIFI"), kp_setting("WIFI")}}}),
                 400, "KOOPHONE.API.1000");
  CHECK(kp.instance("kp000002")["video_setting_calls"] == 1);  // refusals changed nothing
}

TEST_CASE("koophone: a reset passes through status 4 to 2; busy or offline instances refuse it", "[koophone]") {
  KpEmulator kp;
  kp.admin("POST", "/_emulator/koophone/instances", {{"instance_id", "kp000003"}, {"status", 3}});
  check_kp_error(kp.call("POST", "/v1/instances/batch-reset", {{"instance_ids", kp_ids(1, 3)}}), 400, "KOOPHONE.API.1000");
  kp.admin("POST", "/_emulator/koophone/instances", {{"instance_id", "kp000002"}, {"status", 5}});
  kp.ok("POST", "/v1/instances/batch-reset", {{"instance_ids", kp_ids(1, 2)}});
  json st = kp.ok("POST", "/v1/instances/batch-query-status", {{"instance_ids", kp_ids(1, 2)}});
  CHECK(st["data"]["status_results"][0]["status"] == 4);
  CHECK(st["data"]["status_results"][1]["status"] == 4);
  check_kp_error(kp.call("POST", "/v1/instances/batch-reset", {{"instance_ids", kp_ids(1, 1)}}), 400, "KOOPHONE.API.1000");
  kp.service->advance_clock(30);
  st = kp.ok("POST", "/v1/instances/batch-query-status", {{"instance_ids", kp_ids(1, 2)}});
  CHECK(st["data"]["status_results"][0]["status"] == 2);
  CHECK(st["data"]["status_results"][1]["status"] == 2);
  CHECK(kp.instance("kp000001")["resets"] == 1);
}

TEST_CASE("koophone: sync and async commands, one failing instance, the task's jobs", "[koophone]") {
  KpEmulator kp;
  kp.admin("POST", "/_emulator/koophone/instances", {{"instance_id", "kp000002"}, {"command_fails", true}});
  json sync = kp.ok("POST", "/v1/instances/sync-command", {{"command", "ls -l /system"}, {"instance_ids", kp_ids(1, 2)}});
  const json& results = sync["data"]["cmd_results"];
  REQUIRE(results.size() == 2);
  CHECK(results[0]["status"] == 2);
  CHECK(results[0]["execute_msg"] == "kp000001: ls -l /system");
  CHECK(results[1]["status"] == -1);
  CHECK(results[1]["error_code"] == "CPS.0191");
  check_kp_error(kp.call("POST", "/v1/instances/sync-command", {{"command", "rm -rf / ; reboot"}, {"instance_ids", kp_ids(1, 1)}}), 400,
                 "KOOPHONE.API.1000");
  check_kp_error(kp.call("POST", "/v1/instances/sync-command", {{"command", std::string(1025, 'a')}, {"instance_ids", kp_ids(1, 1)}}),
                 400, "KOOPHONE.API.1000");

  json async = kp.ok("POST", "/v1/instances/async-command", {{"command", "getprop"}, {"instance_ids", kp_ids(1, 3)}});
  const std::string task = async["data"]["task_id"];
  REQUIRE(async["data"]["cmd_jobs"].size() == 3);
  CHECK(async["data"]["cmd_jobs"][1]["instance_id"] == "kp000002");
  json running = kp.ok("GET", "/v1/instances/tasks/" + task);
  CHECK(running["data"]["jobs"][0]["status"] == 1);
  CHECK_FALSE(running["data"]["jobs"][0].contains("instance_id"));
  kp.service->advance_clock(2);
  json done = kp.ok("GET", "/v1/instances/tasks/" + task);
  CHECK(done["data"]["jobs"][0]["status"] == 2);
  CHECK(done["data"]["jobs"][0]["job_id"] == async["data"]["cmd_jobs"][0]["job_id"]);
  CHECK(done["data"]["jobs"][1]["status"] == -1);
  CHECK(done["data"]["jobs"][2]["execute_msg"] == "kp000003: getprop");
  check_kp_error(kp.call("GET", "/v1/instances/tasks/nosuchtask"), 400, "KOOPHONE.API.1000");
}

TEST_CASE("koophone: the device token of 14.8", "[koophone]") {
  KpEmulator kp;
  json b = kp.ok("POST", "/v1/instances/kp000001/auth");
  CHECK(b["data"]["resource"]["kp_id"] == "kp000001");
  CHECK(b["data"]["device_token"].is_string());
  CHECK(b["data"]["resource"]["sdk"]["internal"]["aport"].is_null());
  check_kp_error(kp.call("POST", "/v1/instances/nosuch/auth"), 401, "KOOPHONE.API.1001");
}

TEST_CASE("koophone: IAM tokens of a configured lifetime expire", "[koophone]") {
  KpEmulator kp(2, 1);
  const json body = {{"auth",
                      {{"identity", {{"methods", {"password"}}, {"password", {{"user", {{"name", "kpuser"}, {"password", "secret-pw"}, {"domain", {{"name", "acme"}}}}}}}}},
                       {"scope", {{"project", {{"name", "cn-east-3"}}}}}}}};
  HttpResponse issued = kp.service->handle(HttpRequest{"POST", "/v3/auth/tokens", {}, body.dump()});
  REQUIRE(issued.status == 201);
  const std::string token(*issued.header("X-Subject-Token"));
  auto with_token = [&] {
    return kp.service->handle(HttpRequest{"POST", "/v1/instances/batch-query-status",
                                          {{"X-Auth-Token", token}, {"x-request-id", "r1"}},
                                          json{{"instance_ids", {"kp000001"}}}.dump()});
  };
  CHECK(with_token().status == 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  check_kp_error(with_token(), 401, "APIGW.0301");
}

TEST_CASE("koophone: injected faults answer KOOPHONE.API.9999 and the gateway's codes", "[koophone]") {
  KpEmulator kp;
  kp.admin("POST", "/_emulator/faults", {{"error_rate", 1.0}, {"operations", {"PUT /v1/instances/video-setting"}}});
  bool internal = false, gateway = false;
  for (int i = 0; i < 20; ++i) {
    HttpResponse r = kp.call("PUT", "/v1/instances/video-setting", {{"instance_ids", kp_ids(1, 1)}, {"instance_settings", {kp_setting("WIFI")}}});
    internal |= r.status == 500 && body_of(r)["error_code"] == "KOOPHONE.API.9999";
    gateway |= r.status == 503 && body_of(r)["error_code"] == "APIGW.0503";
  }
  CHECK(internal);
  CHECK(gateway);
  CHECK(kp.instance("kp000001")["video_setting_calls"] == 0);
  kp.ok("POST", "/v1/instances/batch-query-status", {{"instance_ids", kp_ids(1, 1)}});  // other operations are not faulted
  kp.admin("POST", "/_emulator/faults", {{"throttle_rate", 1.0}});
  check_kp_error(kp.call("POST", "/v1/instances/batch-query-status", {{"instance_ids", kp_ids(1, 1)}}), 429, "APIGW.0308");
}

TEST_CASE("koophone: --koophone-instances and --iam-token-lifetime are checked", "[koophone]") {
  CHECK(serve_main({"--koophone-instances", "many"}) == 2);
  CHECK(serve_main({"--koophone-instances=100001"}) == 2);
  CHECK(serve_main({"--iam-token-lifetime", "0"}) == 2);
}

TEST_CASE("koophone: a catalog file of instance ids", "[koophone]") {
  const std::vector<std::string> ids = parse_koophone_catalog("# adopted phones\na44uhlf7\n  efjy72gs  # the second\n\nQ39YyZvl", "c.txt");
  CHECK(ids == std::vector<std::string>{"a44uhlf7", "efjy72gs", "Q39YyZvl"});
  CHECK_THROWS_WITH(parse_koophone_catalog("a44uhlf7\nbad id\n", "c.txt"), Catch::Contains("c.txt:2: an instance id is 1 to 32"));
  CHECK_THROWS_WITH(parse_koophone_catalog("a44uhlf7\na44uhlf7\n", "c.txt"), Catch::Contains("c.txt:2: instance id a44uhlf7 is repeated"));
  CHECK_THROWS_WITH(parse_koophone_catalog(std::string(33, 'a'), "c.txt"), Catch::Contains("c.txt:1:"));

  Options o;
  o.credentials = {kCaller};
  o.time_scale = 0;
  o.koophone_instances = 1;
  o.koophone_catalog = ids;
  Service service(o);
  HttpRequest r = signed_request("POST", "/v1/instances/batch-query-status",
                                 json{{"instance_ids", {"kp000001", "a44uhlf7", "Q39YyZvl"}}}.dump());
  r.headers.emplace_back("x-request-id", "catalog-1");
  const json b = body_of(service.handle(r));
  CHECK(b["data"]["status_results"].size() == 3);
  CHECK(serve_main({"--koophone-catalog", "/nonexistent/koophone-catalog.txt"}) == 2);
}

// ADB commands (cph-api.md 7.0-7.5) and encode servers (6.4, 6.5).
#include "emulator/test_support.h"

using namespace cph::emulator;
using namespace cph::emulator::testing;

namespace {
const std::string kCommands = "/cloud-phone/phones/commands", kSync = "/cloud-phone/phones/sync-commands";
const char* kTwo = R"("phone_ids" : [ "1234567b8bab40ffb711234cb80d0234", "1678567b8bab40f93711234cb80d0764" ])";

std::string example(const char* command, const char* content) {
  return std::string(R"({"command" : ")") + command + R"(", "content" : ")" + content + "\", " + kTwo + "}";
}

std::vector<std::string> phones_of(Emulator& emu, const std::string& server, int n) {
  json list = emu.phones("?server_id=" + server);
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(list["phones"][static_cast<size_t>(i)]["phone_id"]);
  return out;
}
}  // namespace

TEST_CASE("the ADB request examples are accepted and their jobs succeed", "[adb][jobs]") {
  Emulator emu;
  const std::string examples[] = {
      example("push", "obs://push-bucket/my_apps/test.tar"),
      example("install", "-t -r obs://push-bucket/my_apps/test.apk"),
      example("install-multiple", "-t -r obs://push-bucket/my_apps/test_part1.apk obs://push-bucket/my_apps/test_part_2.apk obs://push-bucket/my_apps/test_part3.apk"),
      example("uninstall", "com.myapp.test"),
      example("shell", "ls -l /system"),
  };
  for (const std::string& body : examples) {
    INFO(body);
    HttpResponse r = emu.call("POST", project_path(kCommands), body);
    REQUIRE(r.status == 200);
    json b = body_of(r);
    check_fields(b, {{"request_id", Kind::string}, {"jobs", Kind::array}});
    REQUIRE(b["jobs"].size() == 2);
    for (const json& j : b["jobs"]) CHECK(j["error_code"] == "CPS.0005");
  }
  HttpResponse sync = emu.call("POST", project_path(kSync), example("shell", "ls -l /system"));
  REQUIRE(sync.status == 200);
  CHECK(body_of(sync)["jobs"].size() == 2);

  // On real phones: one job per phone, reaching 2.
  const std::string server = emu.normal_servers(1)[0];
  auto ids = phones_of(emu, server, 2);
  for (const char* content : {"obs://push-bucket/my_apps/test.tar"}) {
    json b = body_of(emu.call("POST", project_path(kCommands), json{{"command", "push"}, {"content", content}, {"phone_ids", ids}}.dump()));
    emu.advance(10);
    for (const json& j : b["jobs"]) CHECK(emu.job(j["job_id"])["status"] == 2);
  }
  json shell = body_of(emu.call("POST", project_path(kCommands),
                                json{{"command", "shell"}, {"content", "echo hello world"}, {"phone_ids", {ids[0]}}}.dump()));
  emu.advance(10);
  json done = emu.job(shell["jobs"][0]["job_id"]);
  CHECK(done["status"] == 2);
  CHECK(done["execute_msg"] == "hello world");
  // server_ids reaches every phone of the servers; phone_ids wins when both are given.
  json all = body_of(emu.call("POST", project_path(kCommands),
                              json{{"command", "uninstall"}, {"content", "com.a"}, {"server_ids", {server, "unknown-server"}}}.dump()));
  CHECK(all["jobs"].size() == 106);
  CHECK(all["jobs"][0]["server_id"] == "unknown-server");
  CHECK(all["jobs"][0]["error_code"] == "CPS.0015");
  json both = body_of(emu.call("POST", project_path(kCommands),
                               json{{"command", "uninstall"}, {"content", "com.a"}, {"server_ids", {server}}, {"phone_ids", {ids[0]}}}.dump()));
  CHECK(both["jobs"].size() == 1);
}

TEST_CASE("synchronous shell answers finished jobs and is rate limited", "[adb]") {
  Emulator emu;
  const std::string server = emu.normal_servers(1)[0];
  auto ids = phones_of(emu, server, 2);
  const std::string body = json{{"command", "shell"}, {"content", "echo hi"}, {"phone_ids", ids}}.dump();
  for (int i = 0; i < 6; ++i) {
    HttpResponse r = emu.call("POST", project_path(kSync), body);
    INFO(r.body);
    REQUIRE(r.status == 200);
    json b = body_of(r);
    for (const json& j : b["jobs"]) {
      check_fields(j, {{"phone_id", Kind::string}, {"job_id", Kind::string}, {"status", Kind::integer},
                       {"error_code", Kind::string}, {"error_msg", Kind::string}, {"execute_msg", Kind::string}});
      CHECK(j["status"] == 2);
      CHECK(j["execute_msg"] == "hi");
      CHECK(emu.job(j["job_id"])["status"] == 2);  // kept as a finished job
    }
  }
  check_cps_error(emu.call("POST", project_path(kSync), body), 400, "CPS.0042");  // A-45: 6 per minute
  emu.advance(60);
  CHECK(emu.call("POST", project_path(kSync), body).status == 200);
  // A failed command: -1 with the example's CPS.0191 (A-24).
  REQUIRE(emu.admin("POST", "/_emulator/faults", R"({"job_failure_rate": 1})").status == 200);
  json failed = body_of(emu.call("POST", project_path(kSync), body));
  CHECK(failed["jobs"][0]["status"] == -1);
  CHECK(failed["jobs"][0]["error_code"] == "CPS.0191");
  CHECK(failed["jobs"][0]["error_msg"] == "Run command failed.");
}

TEST_CASE("ADB validation answers the documented code and starts nothing", "[adb][validation]") {
  Emulator emu;
  const std::string server = emu.normal_servers(1)[0];
  const std::string id = phones_of(emu, server, 1)[0];
  json many = json::array();
  for (int i = 0; i < 101; ++i) many.push_back("p" + std::to_string(i));
  std::string apks;
  for (int i = 0; i < 51; ++i) apks += " obs://bkt/a" + std::to_string(i) + ".apk";
  auto cmd = [&](json command, json content) { return json{{"command", command}, {"content", content}, {"phone_ids", {id}}}; };
  struct Case {
    std::string path;
    json body;
    const char* code;
  };
  const Case cases[] = {
      {kCommands, {{"content", "ls"}, {"phone_ids", {id}}}, "CPS.0117"},
      {kCommands, cmd("reboot", "x"), "CPS.0117"},
      {kCommands, cmd(1, "x"), "CPS.0117"},
      {kSync, cmd("push", "obs://bkt/a.tar"), "CPS.0117"},
      {kCommands, {{"command", "shell"}, {"phone_ids", {id}}}, "CPS.0118"},
      {kCommands, cmd("shell", ""), "CPS.0118"},
      {kCommands, cmd("shell", "ls > x"), "CPS.0118"},
      {kCommands, cmd("shell", std::string(1025, 'a')), "CPS.0118"},
      {kCommands, cmd("push", "obs://bkt/a.zip"), "CPS.0118"},
      {kCommands, cmd("push", "/data/a.tar"), "CPS.0118"},
      {kCommands, cmd("push", "obs://BK/a.tar"), "CPS.0118"},
      {kCommands, cmd("install", "obs://bkt/a.zip"), "CPS.0119"},
      {kCommands, cmd("install", "-r"), "CPS.0118"},
      {kCommands, cmd("install", "obs://bkt/a.apk obs://bkt/b.apk"), "CPS.0118"},
      {kCommands, cmd("install-multiple", apks), "CPS.0118"},
      {kCommands, {{"command", "shell"}, {"content", "ls"}}, "CPS.0081"},
      {kCommands, {{"command", "shell"}, {"content", "ls"}, {"phone_ids", json::array()}}, "CPS.0081"},
      {kCommands, {{"command", "shell"}, {"content", "ls"}, {"phone_ids", "x"}}, "CPS.0080"},
      {kCommands, {{"command", "shell"}, {"content", "ls"}, {"phone_ids", many}}, "CPS.0209"},
      {kCommands, {{"command", "shell"}, {"content", "ls"}, {"server_ids", json::array()}}, "CPS.0095"},
      {kCommands, {{"command", "shell"}, {"content", "ls"}, {"server_ids", {1}}}, "CPS.0094"},
      {kSync, {{"command", "shell"}, {"content", "ls"}}, "CPS.0081"},
  };
  for (const Case& c : cases) {
    INFO(c.path << " " << c.body.dump());
    check_cps_error(emu.call("POST", project_path(c.path), c.body.dump()), 400, c.code);
  }
  // More phones through server_ids than the emulator's limit: CPS.0190.
  json b1 = emu.buy(rx1_purchase(10, true)), b2 = emu.buy(rx1_purchase(10, true));
  json servers = b1["server_ids"];
  for (const json& s : b2["server_ids"]) servers.push_back(s);
  check_cps_error(emu.call("POST", project_path(kCommands), json{{"command", "shell"}, {"content", "ls"}, {"server_ids", servers}}.dump()),
                  400, "CPS.0190");
  // Per item: a phone that is not running.
  json r = body_of(emu.call("POST", project_path(kCommands),
                            json{{"command", "shell"}, {"content", "ls"}, {"phone_ids", {emu.phones("?server_id=" + b1["server_ids"][0].get<std::string>())["phones"][0]["phone_id"]}}}.dump()));
  CHECK(r["jobs"][0]["error_code"] == "CPS.0141");
}

TEST_CASE("encode servers: one per server, listed and restarted", "[encode][jobs]") {
  Emulator emu;
  // 6.4 request example (an unknown server): an empty list.
  HttpResponse ex = emu.get(project_path("/cloud-phone/encode-servers?server_id=9a8870d670584f929978b15c80009e99"));
  REQUIRE(ex.status == 200);
  check_fields(body_of(ex), {{"request_id", Kind::string}, {"encode_servers", Kind::array}});
  CHECK(body_of(ex)["encode_servers"].empty());
  // 6.5 request example: unknown ids per item.
  json unknown = body_of(emu.call("POST", project_path("/cloud-phone/encode-servers/batch-restart"),
                                  R"({"encode_server_ids" : [ "d5cfa92995da40168c39b38d2aa478b3", "00b00d1b35094f13b360cdfe15a9bfee" ]})"));
  REQUIRE(unknown["jobs"].size() == 2);
  CHECK(unknown["jobs"][0]["encode_server_id"] == "d5cfa92995da40168c39b38d2aa478b3");
  CHECK(unknown["jobs"][0]["error_code"] == "CPS.0123");

  json creating = emu.buy(rx1_purchase(1, true));
  json list = body_of(emu.get(project_path("/cloud-phone/encode-servers")));
  REQUIRE(list["encode_servers"].size() == 1);
  json e = list["encode_servers"][0];
  check_fields(e, {{"encode_server_name", Kind::string}, {"encode_server_id", Kind::string}, {"encode_server_ip", Kind::string},
                   {"server_id", Kind::string}, {"keypair_name", Kind::string}, {"type", Kind::integer},
                   {"status", Kind::integer}, {"access_infos", Kind::array}, {"encode_server_ipv6", Kind::string}});
  for (const json& a : e["access_infos"])
    check_fields(a, {{"listen_port", Kind::integer}, {"access_ip", Kind::string}, {"intranet_ip", Kind::string},
                     {"public_ip", Kind::string}, {"server_ip", Kind::string}, {"access_port", Kind::integer},
                     {"type", Kind::string}, {"server_ipv6", Kind::string}});
  CHECK(e["status"] == 0);  // creating with its server
  const std::string eid = e["encode_server_id"];
  json early = body_of(emu.call("POST", project_path("/cloud-phone/encode-servers/batch-restart"), json{{"encode_server_ids", {eid}}}.dump()));
  CHECK(early["jobs"][0]["error_code"] == "CPS.0124");
  emu.advance(300);
  json r = body_of(emu.call("POST", project_path("/cloud-phone/encode-servers/batch-restart"), json{{"encode_server_ids", {eid, eid}}}.dump()));
  REQUIRE(r["jobs"].size() == 1);
  CHECK(r["jobs"][0]["encode_server_id"] == eid);
  CHECK(body_of(emu.get(project_path("/cloud-phone/encode-servers?status=3")))["encode_servers"].size() == 1);
  json busy = body_of(emu.call("POST", project_path("/cloud-phone/encode-servers/batch-restart"), json{{"encode_server_ids", {eid}}}.dump()));
  CHECK(busy["jobs"][0]["error_code"] == "CPS.0208");
  emu.advance(10);
  CHECK(emu.job(r["jobs"][0]["job_id"])["status"] == 2);
  CHECK(body_of(emu.get(project_path("/cloud-phone/encode-servers?status=1&type=1&server_id=" +
                                     creating["server_ids"][0].get<std::string>())))["encode_servers"].size() == 1);
  CHECK(body_of(emu.get(project_path("/cloud-phone/encode-servers?type=0")))["encode_servers"].empty());

  const char* bad_queries[][2] = {{"?limit=101", "CPS.0002"}, {"?type=2", "CPS.0116"}, {"?status=7", "CPS.0010"}};
  for (const auto& [q, code] : bad_queries) check_cps_error(emu.get(project_path("/cloud-phone/encode-servers") + q), 400, code);
  json many = json::array();
  for (int i = 0; i < 101; ++i) many.push_back("e" + std::to_string(i));
  const json bad_bodies[][2] = {{json::object(), "CPS.0122"}, {{{"encode_server_ids", json::array()}}, "CPS.0122"},
                                {{{"encode_server_ids", "x"}}, "CPS.0122"}, {{{"encode_server_ids", many}}, "CPS.0122"},
                                {{{"encode_server_ids", {""}}}, "CPS.0121"}, {{{"encode_server_ids", {std::string(33, 'a')}}}, "CPS.0121"},
                                {{{"encode_server_ids", {1}}}, "CPS.0121"}};
  for (const auto& c : bad_bodies) {
    INFO(c[0].dump());
    check_cps_error(emu.call("POST", project_path("/cloud-phone/encode-servers/batch-restart"), c[0].dump()), 400, c[1].get<std::string>());
  }
}

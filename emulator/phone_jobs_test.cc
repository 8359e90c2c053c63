// Job-producing phone endpoints: cph-api.md 5.5-5.7, 5.9-5.12. Request
// examples, per-phone errors (11.3), validation tables, status transitions.
#include "emulator/test_support.h"

using namespace cph::emulator;
using namespace cph::emulator::testing;

namespace {
const std::string kProps =
    R"({\"sys.prop.writephonenum\":\"13666666666\",\"sys.prop.writeimsi\":\"460021624617113\",\"sys.prop.writewifissid\":\"test_wifi\"})";

// The request examples of 5.5/5.6 (same body), 5.7, 5.9, 5.10, 5.11, 5.12.
const std::string kResetExample = R"({"phones" : [ {"phone_id" : "a7f3a1c5258347d6b6f1def79e11f2bc", "property" : ")" + kProps +
                                  R"("}, {"phone_id" : "1678567b8bab40f93711234cb80d0764", "property" : ")" + kProps +
                                  R"("} ], "image_id" : "1564567b8bab40f34711234cb80d8574"})";
const std::string kUpdateExample = R"({"phones" : [ {"phone_id" : "a7f3a1c5258347d6b6f1def79e11f2bc", "property" : ")" +
                                   kProps + R"("}, {"phone_id" : "1678567b8bab40f93711234cb80d0764", "property" : ")" +
                                   kProps + R"("} ]})";
const char* kStopExample = R"({"phone_ids" : [ "1234567b8bab40ffb711234cb80d0234", "1678567b8bab40f93711234cb80d0764" ]})";
const char* kExportExample = R"({"storage_infos" : [ {"phone_id" : "1234567b8bab40ffb711234cb80d0234",
  "include_files" : [ "/data/app", "/data/local", "/data/media" ], "exclude_files" : [ "/data/app/com.xx.xx-*" ],
  "bucket_name" : "mybucket", "object_path" : "myimage/v1/xxxxx.tar" } ]})";
const char* kRestoreExample = R"({"restore_infos" : [ {"phone_id" : "1234567b8bab40ffb711234cb80d0234",
  "bucket_name" : "mybucket", "object_path" : "myimage/v1/xxxx.tar" } ]})";
const char* kTrafficExample = R"({"traffic_type" : "routing", "phone_ids" : [ "631056bfb66b4f4ea02ba25f04830cb4" ]})";

const std::string kReset = "/cloud-phone/phones/batch-reset", kRestart = "/cloud-phone/phones/batch-restart",
                  kStop = "/cloud-phone/phones/batch-stop", kUpdate = "/cloud-phone/phones/batch-update-property",
                  kExport = "/cloud-phone/phones/batch-storage", kRestore = "/cloud-phone/phones/batch-restore",
                  kTraffic = "/cloud-phone/phones-traffic";

json check_phone_batch(const HttpResponse& r, size_t n) {
  INFO(r.body);
  REQUIRE(r.status == 200);
  json b = body_of(r);
  check_fields(b, {{"request_id", Kind::string}, {"jobs", Kind::array}});
  REQUIRE(b["jobs"].size() == n);
  for (const json& j : b["jobs"]) {
    check_fields(j, {{"phone_id", Kind::string}});
    if (j.contains("job_id"))
      check_fields(j, {{"job_id", Kind::string}});
    else
      check_fields(j, {{"error_code", Kind::string}, {"error_msg", Kind::string}});
  }
  return b;
}

std::vector<std::string> phone_ids(Emulator& emu, const std::string& server, int n) {
  json list = emu.phones("?server_id=" + server);
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(list["phones"][static_cast<size_t>(i)]["phone_id"]);
  return out;
}
}  // namespace

TEST_CASE("the phone batch request examples are accepted; unknown phones are per-item CPS.0005", "[phones][jobs]") {
  Emulator emu;
  struct Case {
    std::string path, body;
    size_t n;
  };
  const Case cases[] = {{kReset, kResetExample, 2},   {kRestart, kResetExample, 2},
                        {kRestart, R"({"phones": [{"phone_id": "a7f3a1c5258347d6b6f1def79e11f2bc"}]})", 1},
                        {kStop, kStopExample, 2},     {kUpdate, kUpdateExample, 2},
                        {kExport, kExportExample, 1}, {kRestore, kRestoreExample, 1},
                        {kTraffic, kTrafficExample, 1}};
  for (const Case& c : cases) {
    INFO(c.path << " " << c.body);
    json b = check_phone_batch(emu.call("POST", project_path(c.path), c.body), c.n);
    for (const json& j : b["jobs"]) {
      CHECK(j["error_code"] == "CPS.0005");
      CHECK(j["error_msg"] == "Phone is not found.");
    }
  }
}

TEST_CASE("phone jobs walk the documented statuses and apply their effect", "[phones][jobs]") {
  Emulator emu;
  const std::string server = emu.normal_servers(1)[0];
  auto ids = phone_ids(emu, server, 4);
  auto job_of = [&](const json& b, size_t i) { return b["jobs"][i]["job_id"].get<std::string>(); };

  // 5.7 stop: 7 while running, then 8; a stopped phone is refused by stop.
  json stop = check_phone_batch(emu.call("POST", project_path(kStop), json{{"phone_ids", {ids[0], ids[0]}}}.dump()), 1);
  CHECK(emu.phone(ids[0])["status"] == 7);
  emu.advance(10);
  CHECK(emu.job(job_of(stop, 0))["status"] == 2);
  CHECK(emu.phone(ids[0])["status"] == 8);
  json again = check_phone_batch(emu.call("POST", project_path(kStop), json{{"phone_ids", {ids[0]}}}.dump()), 1);
  CHECK(again["jobs"][0]["error_code"] == "CPS.0141");

  // 5.6 restart starts a stopped phone, with the image and properties.
  json restart = check_phone_batch(
      emu.call("POST", project_path(kRestart),
               json{{"image_id", "1564567b8bab40f34711234cb80d8574"},
                    {"phones", {{{"phone_id", ids[0]}, {"property", R"({"persist.sys.locale":"en-US"})"}}}}}.dump()),
      1);
  CHECK(emu.phone(ids[0])["status"] == 4);
  emu.advance(10);
  json p0 = emu.phone(ids[0]);
  CHECK(p0["status"] == 2);
  CHECK(p0["image_id"] == "1564567b8bab40f34711234cb80d8574");
  CHECK(json::parse(p0["property"].get<std::string>())["persist.sys.locale"] == "en-US");
  // The job lists the phone and its server (6.2).
  json listed = body_of(emu.get(project_path("/cloud-phone/jobs?request_id=" + restart["request_id"].get<std::string>())));
  CHECK(listed["jobs"][0]["phone_id"] == ids[0]);
  CHECK(listed["jobs"][0]["server_id"] == server);

  // 5.5 reset: 3, then 2 with the factory properties plus the given ones.
  json reset = check_phone_batch(emu.call("POST", project_path(kReset),
                                          json{{"phones", {{{"phone_id", ids[0]}, {"property", kProps.substr(0, 0) + R"({"sys.prop.writeimsi":"1"})"}}}}}.dump()),
                                 1);
  CHECK(emu.phone(ids[0])["status"] == 3);
  emu.advance(10);
  json props = json::parse(emu.phone(ids[0])["property"].get<std::string>());
  CHECK(props == json{{"sys.prop.writeimsi", "1"}});

  // 5.9 update properties merges; 5.12 traffic; 5.10/5.11 export/restore.
  json upd = check_phone_batch(emu.call("POST", project_path(kUpdate),
                                        json{{"phones", {{{"phone_id", ids[1]}, {"property", R"({"com.cph.mainkeys":1})"}}}}}.dump()),
                               1);
  json tr = check_phone_batch(emu.call("POST", project_path(kTraffic),
                                       json{{"traffic_type", "routing"}, {"phone_ids", {ids[1], ids[2]}}}.dump()),
                              2);
  json ex = check_phone_batch(emu.call("POST", project_path(kExport),
                                       json{{"storage_infos", {{{"phone_id", ids[3]}, {"include_files", {"/data/app", "/cache"}},
                                                                 {"bucket_name", "mybucket"}, {"object_path", "a/b.tar"}}}}}.dump()),
                              1);
  json re = check_phone_batch(emu.call("POST", project_path(kRestore),
                                       json{{"restore_infos", {{{"phone_id", ids[3]}, {"bucket_name", "mybucket"},
                                                                 {"object_path", "a/b.tar"}}}}}.dump()),
                              1);
  emu.advance(10);
  CHECK(json::parse(emu.phone(ids[1])["property"].get<std::string>())["com.cph.mainkeys"] == 1);
  CHECK(emu.phone(ids[1])["traffic_type"] == "routing");
  CHECK(emu.phone(ids[2])["traffic_type"] == "routing");
  CHECK(emu.phones("?server_id=" + server + "&limit=200")["phones"].size() == 105);
  for (const json* b : {&upd, &tr, &ex, &re}) CHECK(emu.job(job_of(*b, 0))["status"] == 2);
}

TEST_CASE("failed phone jobs end -1 and leave the failure status", "[phones][jobs]") {
  Emulator emu;
  const std::string server = emu.normal_servers(1)[0];
  auto ids = phone_ids(emu, server, 3);
  REQUIRE(emu.admin("POST", "/_emulator/faults", R"({"job_failure_rate": 1})").status == 200);
  json stop = check_phone_batch(emu.call("POST", project_path(kStop), json{{"phone_ids", {ids[0]}}}.dump()), 1);
  json reset = check_phone_batch(emu.call("POST", project_path(kReset), json{{"phones", {{{"phone_id", ids[1]}}}}}.dump()), 1);
  json restart = check_phone_batch(emu.call("POST", project_path(kRestart), json{{"phones", {{{"phone_id", ids[2]}}}}}.dump()), 1);
  emu.advance(10);
  for (const json* b : {&stop, &reset, &restart}) {
    json j = emu.job((*b)["jobs"][0]["job_id"]);
    CHECK(j["status"] == -1);
    CHECK(j["error_code"] == "CPS.0260");
  }
  CHECK(emu.phone(ids[0])["status"] == -9);
  CHECK(emu.phone(ids[1])["status"] == -5);
  CHECK(emu.phone(ids[2])["status"] == -6);
  CHECK(emu.phones("?status=-9")["count"] == 1);
  // A failed phone can be restarted (5.6) but not stopped.
  REQUIRE(emu.admin("POST", "/_emulator/faults", "{}").status == 200);
  json ok = check_phone_batch(emu.call("POST", project_path(kRestart), json{{"phones", {{{"phone_id", ids[0]}}}}}.dump()), 1);
  CHECK(ok["jobs"][0].contains("job_id"));
  json no = check_phone_batch(emu.call("POST", project_path(kStop), json{{"phone_ids", {ids[1]}}}.dump()), 1);
  CHECK(no["jobs"][0]["error_code"] == "CPS.0141");
}

TEST_CASE("phone batch validation answers the documented code and starts nothing", "[phones][jobs][validation]") {
  Emulator emu;
  const std::string server = emu.normal_servers(1)[0];
  const std::string id = phone_ids(emu, server, 1)[0];
  json many = json::array();
  for (int i = 0; i < 101; ++i) many.push_back("phone" + std::to_string(i));
  json many_phones = json::array();
  for (const json& m : many) many_phones.push_back({{"phone_id", m}});
  const json ok_phone = {{"phone_id", id}};
  auto with_prop = [&](const std::string& prop) { return json{{"phones", {{{"phone_id", id}, {"property", prop}}}}}; };
  auto storage = [&](json info) {
    json base = {{"phone_id", id}, {"include_files", {"/data/app"}}, {"bucket_name", "mybucket"}, {"object_path", "a.tar"}};
    for (auto it = info.begin(); it != info.end(); ++it) {
      if (it->is_null()) base.erase(it.key());
      else base[it.key()] = *it;
    }
    return json{{"storage_infos", {base}}};
  };
  struct Case {
    std::string path;
    json body;
    const char* code;
  };
  const Case cases[] = {
      {kReset, json::object(), "CPS.0081"},
      {kReset, {{"phones", json::array()}}, "CPS.0081"},
      {kReset, {{"phones", "x"}}, "CPS.0080"},
      {kReset, {{"phones", {1}}}, "CPS.0080"},
      {kReset, {{"phones", {{{"property", "{}"}}}}}, "CPS.0080"},
      {kReset, {{"phones", many_phones}}, "CPS.0209"},
      {kReset, {{"phones", {ok_phone}}, {"image_id", ""}}, "CPS.0029"},
      {kReset, {{"phones", {ok_phone}}, {"image_id", "nope"}}, "CPS.0030"},
      {kRestart, {{"phones", {ok_phone}}, {"image_id", 5}}, "CPS.0030"},
      {kRestart, with_prop("not json"), "CPS.0078"},
      {kRestart, with_prop("[]"), "CPS.0078"},
      {kRestart, {{"phones", {{{"phone_id", id}, {"property", 5}}}}}, "CPS.0078"},
      {kUpdate, {{"phones", {ok_phone}}}, "CPS.0078"},
      {kUpdate, with_prop(R"({"sys.prop.writeimsi":"12a"})"), "CPS.0164"},
      {kUpdate, with_prop(R"({"com.cph.mainkeys":"2"})"), "CPS.0164"},
      {kUpdate, with_prop(R"({"com.cph.cg.app_port":"9999"})"), "CPS.0164"},
      {kUpdate, with_prop(R"({"no.such.key":"1"})"), "CPS.0163"},
      {kStop, json::object(), "CPS.0081"},
      {kStop, {{"phone_ids", json::array()}}, "CPS.0081"},
      {kStop, {{"phone_ids", {1}}}, "CPS.0080"},
      {kStop, {{"phone_ids", many}}, "CPS.0209"},
      {kTraffic, {{"phone_ids", {id}}}, "CPS.0207"},
      {kTraffic, {{"traffic_type", "ROUTING"}, {"phone_ids", {id}}}, "CPS.0207"},
      {kTraffic, {{"traffic_type", "direct"}}, "CPS.0081"},
      {kTraffic, {{"traffic_type", "direct"}, {"phone_ids", many}}, "CPS.0209"},
      {kExport, json::object(), "CPS.0167"},
      {kExport, {{"storage_infos", json::array()}}, "CPS.0167"},
      {kExport, {{"storage_infos", {1}}}, "CPS.0167"},
      {kExport, {{"storage_infos", many_phones}}, "CPS.0170"},
      {kExport, storage({{"include_files", nullptr}}), "CPS.0168"},
      {kExport, storage({{"include_files", {"/system"}}}), "CPS.0168"},
      {kExport, storage({{"include_files", {"/data/../etc"}}}), "CPS.0168"},
      {kExport, storage({{"include_files", {"/data/a b"}}}), "CPS.0168"},
      {kExport, storage({{"exclude_files", {"relative"}}}), "CPS.0169"},
      {kExport, storage({{"bucket_name", "Bucket"}}), "CPS.0134"},
      {kExport, storage({{"object_path", nullptr}}), "CPS.0135"},
      {kExport, storage({{"object_path", "a b.tar"}}), "CPS.0135"},
      {kRestore, json::object(), "CPS.0171"},
      {kRestore, {{"restore_infos", {{{"bucket_name", "mybucket"}}}}}, "CPS.0171"},
      {kRestore, {{"restore_infos", {{{"phone_id", id}, {"bucket_name", "ab"}, {"object_path", "a.tar"}}}}}, "CPS.0134"},
      {kRestore, {{"restore_infos", {{{"phone_id", id}, {"bucket_name", "abc"}, {"object_path", ""}}}}}, "CPS.0135"},
  };
  for (const Case& c : cases) {
    INFO(c.path << " " << c.body.dump());
    check_cps_error(emu.call("POST", project_path(c.path), c.body.dump()), 400, c.code);
  }
  // Nothing started: the phone is untouched.
  emu.advance(60);
  json p = emu.phone(id);
  CHECK(p["status"] == 2);
  CHECK(p["property"] == "{}");
  CHECK(p["traffic_type"] == "direct");
  // CPS.0163 names the property (the table's {0}).
  json e = body_of(emu.call("POST", project_path(kUpdate), with_prop(R"({"no.such.key":"1"})").dump()));
  CHECK(e["error_msg"] == "Parameter: property no.such.key not supported.");
  // Per item: an id longer than 32 bytes is CPS.0004.
  json b = check_phone_batch(emu.call("POST", project_path(kStop), json{{"phone_ids", {std::string(33, 'a')}}}.dump()), 1);
  CHECK(b["jobs"][0]["error_code"] == "CPS.0004");
}

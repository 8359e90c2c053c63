// AK/SK authentication and the project check (docs/emulator.md "Authentication").
#include "emulator/test_support.h"

using namespace cph::emulator;
using namespace cph::emulator::testing;

namespace {
void check_unauthorized(const HttpResponse& r) {
  INFO(r.body);
  CHECK(r.status == 401);
  json b = body_of(r);
  check_fields(b, {{"error_code", Kind::string}, {"error_msg", Kind::string}, {"request_id", Kind::string}});
  CHECK(b["error_code"] == "APIGW.0301");
  CHECK(b["error_msg"].get<std::string>().rfind("Incorrect IAM authentication information: ", 0) == 0);
}
}  // namespace

TEST_CASE("a valid signature is accepted", "[auth]") {
  Emulator emu;
  HttpResponse r = emu.get(project_path("/cloud-phone/servers?limit=10&offset=0"));
  CHECK(r.status == 200);
  // Both configured credentials work, each in its own project.
  r = emu.get(project_path("/cloud-phone/servers", kOtherCaller), kOtherCaller);
  CHECK(r.status == 200);
  // 14 minutes of clock skew either way is tolerated.
  r = emu.service->handle(signed_request("GET", project_path("/cloud-phone/servers"), "", kCaller,
                                         cph::now_epoch_seconds() - 14 * 60));
  CHECK(r.status == 200);
  r = emu.service->handle(signed_request("GET", project_path("/cloud-phone/servers"), "", kCaller,
                                         cph::now_epoch_seconds() + 14 * 60));
  CHECK(r.status == 200);
}

TEST_CASE("bad signatures are 401 APIGW.0301 and change nothing", "[auth]") {
  Emulator emu;
  const std::string purchase_path = "/v2/" + kCaller.project_id + "/cloud-phone/servers";
  const std::string body = rx1_purchase().dump();

  SECTION("no signature at all") {
    HttpRequest r{"POST", purchase_path, {{"Host", "127.0.0.1"}, {"Content-Type", "application/json"}}, body};
    check_unauthorized(emu.service->handle(r));
  }
  SECTION("malformed Authorization header") {
    HttpRequest r = signed_request("POST", purchase_path, body);
    for (auto& [k, v] : r.headers)
      if (k == "Authorization") v = "Basic dXNlcjpwYXNz";
    check_unauthorized(emu.service->handle(r));
  }
  SECTION("unknown access key") {
    Credential stranger{"UNKNOWNAK00000000000", kCaller.secret_key, kCaller.project_id};
    check_unauthorized(emu.service->handle(signed_request("POST", purchase_path, body, stranger)));
  }
  SECTION("wrong secret key") {
    Credential wrong = kCaller;
    wrong.secret_key = "not-the-secret";
    check_unauthorized(emu.service->handle(signed_request("POST", purchase_path, body, wrong)));
  }
  SECTION("body modified after signing") {
    HttpRequest r = signed_request("POST", purchase_path, body);
    r.body = rx1_purchase(2).dump();
    check_unauthorized(emu.service->handle(r));
  }
  SECTION("query modified after signing") {
    HttpRequest r = signed_request("GET", project_path("/cloud-phone/servers?limit=10"));
    r.target = project_path("/cloud-phone/servers?limit=20");
    check_unauthorized(emu.service->handle(r));
  }
  SECTION("stale X-Sdk-Date") {
    check_unauthorized(emu.service->handle(
        signed_request("POST", purchase_path, body, kCaller, cph::now_epoch_seconds() - 16 * 60)));
  }
  SECTION("X-Sdk-Date in the future") {
    check_unauthorized(emu.service->handle(
        signed_request("POST", purchase_path, body, kCaller, cph::now_epoch_seconds() + 16 * 60)));
  }
  CHECK(emu.list()["count"] == 0);
}

TEST_CASE("a project that is not the signer's is 403 CPS.0001", "[auth]") {
  Emulator emu;
  // Signed correctly by kCaller, but for kOtherCaller's project.
  check_cps_error(emu.get(project_path("/cloud-phone/servers", kOtherCaller)), 403, "CPS.0001");
  emu.buy(rx1_purchase());
  check_cps_error(emu.call("POST", "/v2/" + kOtherCaller.project_id + "/cloud-phone/servers", rx1_purchase().dump()),
                  403, "CPS.0001");
  // An X-Project-Id header naming another project is refused too (1.3).
  HttpRequest r;
  r.method = "GET";
  r.target = project_path("/cloud-phone/servers");
  r.headers = {{"Host", "127.0.0.1"}, {"X-Project-Id", kOtherCaller.project_id}};
  cph::sign::SignableRequest s{r.method, std::string(r.path()), "", r.headers, r.body};
  cph::sign::sign_request(s, kCaller.access_key, kCaller.secret_key, cph::sign::sdk_date_now());
  r.headers = s.headers;
  check_cps_error(emu.service->handle(r), 403, "CPS.0001");
  // Only the one purchase in the caller's own project happened.
  CHECK(emu.list()["count"] == 1);
  CHECK(body_of(emu.get(project_path("/cloud-phone/servers", kOtherCaller), kOtherCaller))["count"] == 0);
}

TEST_CASE("admin endpoints need no signature", "[auth][admin]") {
  Emulator emu;
  HttpResponse r = emu.service->handle(HttpRequest{"GET", "/_emulator/stats", {}, ""});
  CHECK(r.status == 200);
  r = emu.service->handle(HttpRequest{"GET", "/_emulator/nothing", {}, ""});
  CHECK(r.status == 404);
}

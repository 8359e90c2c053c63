// IAM token authentication (cph-api.md 1.4(a), A-1) and the serve flags of
// the fault/IAM/duration options.
#include <chrono>
#include <optional>
#include <thread>

#include "emulator/test_support.h"

using namespace cph::emulator;
using namespace cph::emulator::testing;

namespace {
// The 1.4 password body (without its comments).
json token_body(const std::string& user, const std::string& password, const std::string& domain) {
  return {{"auth",
           {{"identity", {{"methods", {"password"}}, {"password", {{"user", {{"name", user}, {"password", password}, {"domain", {{"name", domain}}}}}}}}},
            {"scope", {{"project", {{"name", "cn-east-3"}}}}}}}};
}

HttpRequest with_token(const std::string& method, const std::string& target, const std::string& token,
                       const std::string& body = "") {
  return HttpRequest{method, target, {{"Host", "127.0.0.1"}, {"Content-Type", "application/json"}, {"X-Auth-Token", token}}, body};
}

struct IamEmulator : Emulator {
  IamEmulator() {
    Options o;
    o.credentials = {kCaller};
    o.time_scale = 0;
    o.iam_users = {parse_iam_user("alice:pa:ss:word:acme:" + kCaller.project_id)};
    service = std::make_unique<Service>(o);
  }
  HttpResponse tokens(const json& body) { return service->handle(HttpRequest{"POST", "/v3/auth/tokens", {}, body.dump()}); }
};
}  // namespace

TEST_CASE("a password token is accepted instead of AK/SK", "[iam]") {
  IamEmulator emu;
  HttpResponse r = emu.tokens(token_body("alice", "pa:ss:word", "acme"));
  INFO(r.body);
  REQUIRE(r.status == 201);
  REQUIRE(r.header("X-Subject-Token"));
  const std::string token(*r.header("X-Subject-Token"));
  json b = body_of(r);
  check_fields(b["token"], {{"expires_at", Kind::string}, {"methods", Kind::array}, {"catalog", Kind::array},
                            {"project", Kind::object}, {"user", Kind::object}});
  CHECK(b["token"]["project"]["id"] == kCaller.project_id);

  HttpResponse list = emu.service->handle(with_token("GET", project_path("/cloud-phone/servers"), token));
  CHECK(list.status == 200);
  HttpResponse buy = emu.service->handle(with_token("POST", "/v2/" + kCaller.project_id + "/cloud-phone/servers", token,
                                                    rx1_purchase().dump()));
  CHECK(buy.status == 200);
  // The token's project only.
  check_cps_error(emu.service->handle(with_token("GET", "/v1/" + kOtherCaller.project_id + "/cloud-phone/servers", token)),
                  403, "CPS.0001");
  HttpResponse bad = emu.service->handle(with_token("GET", project_path("/cloud-phone/servers"), "MIIEnot-a-token"));
  CHECK(bad.status == 401);
  CHECK(body_of(bad)["error_code"] == "APIGW.0301");
  CHECK(emu.stats()["operations"]["POST /v3/auth/tokens"]["count"] == 1);
}

TEST_CASE("token requests are validated", "[iam][validation]") {
  IamEmulator emu;
  json unscoped = token_body("alice", "pa:ss:word", "acme");
  unscoped["auth"].erase("scope");
  json other_project = token_body("alice", "pa:ss:word", "acme");
  other_project["auth"]["scope"]["project"] = {{"id", kOtherCaller.project_id}};
  json token_method = token_body("alice", "pa:ss:word", "acme");
  token_method["auth"]["identity"]["methods"] = {"token"};
  struct Case {
    json body;
    int status;
  };
  const Case cases[] = {
      {json::object(), 400},
      {token_method, 400},
      {unscoped, 400},
      {token_body("alice", "wrong", "acme"), 401},
      {token_body("bob", "pa:ss:word", "acme"), 401},
      {token_body("alice", "pa:ss:word", "other"), 401},
      {other_project, 401},
  };
  for (const Case& c : cases) {
    INFO(c.body.dump());
    HttpResponse r = emu.tokens(c.body);
    CHECK(r.status == c.status);
    check_fields(body_of(r)["error"], {{"code", Kind::integer}, {"message", Kind::string}, {"title", Kind::string}});
    CHECK_FALSE(r.header("X-Subject-Token"));
  }
}

TEST_CASE("serve refuses bad fault, duration, seed and IAM flags", "[serve][faults][iam]") {
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"--seed", "-1"},
           {"--seed=x"},
           {"--faults", R"({"error_rate": 3})"},
           {"--faults", "/nonexistent/faults.json"},
           {"--durations", R"({"job_s": -1})"},
           {"--durations", "[]"},
           {"--iam-user", "alice:pw"},
       }) {
    INFO(args[0]);
    CHECK(serve_main(args) == 2);
  }
  CHECK(parse_iam_user("u:p:d:proj").password == "p");
  CHECK_THROWS(parse_iam_user("u::d:proj"));
}

namespace {
// A request signed with temporary keys; `token` is sent as X-Security-Token
// (signed unless `sign_token` is false: then it is added after signing).
HttpRequest temporary_request(const std::string& target, const json& key, std::optional<std::string> token,
                              bool sign_token = true) {
  HttpRequest r;
  r.method = "GET";
  r.target = target;
  r.headers = {{"Host", "127.0.0.1:8080"}, {"Content-Type", "application/json"}};
  if (token && sign_token) r.headers.emplace_back("X-Security-Token", *token);
  cph::sign::SignableRequest s{r.method, std::string(r.path()), std::string(r.query()), r.headers, r.body};
  cph::sign::sign_request(s, key["access"].get<std::string>(), key["secret"].get<std::string>(),
                     cph::sdk_date(cph::now_epoch_seconds()));
  r.headers = s.headers;
  if (token && !sign_token) r.headers.emplace_back("X-Security-Token", *token);
  return r;
}
}  // namespace

TEST_CASE("metadata securitykey: temporary keys need their signed X-Security-Token", "[iam][metadata]") {
  Options o;
  o.credentials = {kCaller};
  o.time_scale = 0;
  o.metadata_key_lifetime_s = 2;
  Service service(o);
  HttpResponse r = service.handle(HttpRequest{"GET", "/openstack/latest/securitykey", {}, ""});
  REQUIRE(r.status == 200);
  const json key = body_of(r)["credential"];
  for (const char* field : {"access", "secret", "securitytoken", "expires_at"}) CHECK(key[field].is_string());
  CHECK(key["expires_at"].get<std::string>().find(".000000Z") != std::string::npos);
  const std::string token = key["securitytoken"];
  const std::string servers = project_path("/cloud-phone/servers");

  CHECK(service.handle(temporary_request(servers, key, token)).status == 200);
  // Without the token, with another one, or with it unsigned: refused.
  HttpResponse no_token = service.handle(temporary_request(servers, key, std::nullopt));
  CHECK(no_token.status == 401);
  CHECK(no_token.body.find("no X-Security-Token") != std::string::npos);
  CHECK(service.handle(temporary_request(servers, key, "gQforged")).status == 401);
  HttpResponse unsigned_token = service.handle(temporary_request(servers, key, token, false));
  CHECK(unsigned_token.status == 401);
  CHECK(unsigned_token.body.find("not among the signed headers") != std::string::npos);
  // A permanent key with a token is refused too.
  HttpRequest permanent = signed_request("GET", servers);
  permanent.headers.emplace_back("X-Security-Token", token);
  CHECK(service.handle(permanent).status == 401);
  // Expired keys stop working.
  std::this_thread::sleep_for(std::chrono::milliseconds(3100));
  HttpResponse expired = service.handle(temporary_request(servers, key, token));
  CHECK(expired.status == 401);
  CHECK(expired.body.find("expired") != std::string::npos);
}

TEST_CASE("IAM lists the caller's project under the region's name", "[iam][projects]") {
  Options o;
  o.credentials = {kCaller};
  o.time_scale = 0;
  o.region = "ap-southeast-1";
  Service service(o);
  HttpResponse r = service.handle(signed_request("GET", "/v3/projects?name=ap-southeast-1"));
  REQUIRE(r.status == 200);
  json b = body_of(r);
  REQUIRE(b["projects"].size() == 1);
  CHECK(b["projects"][0]["id"] == kCaller.project_id);
  CHECK(b["projects"][0]["name"] == "ap-southeast-1");
  CHECK(body_of(service.handle(signed_request("GET", "/v3/projects?name=cn-north-4")))["projects"].empty());
  CHECK(service.handle(HttpRequest{"GET", "/v3/projects?name=ap-southeast-1", {}, ""}).status == 401);
}

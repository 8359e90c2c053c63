// KPS key pairs (docs/emulator.md) and their use by purchase (3.4).
#include "emulator/test_support.h"

using namespace cph::emulator;
using namespace cph::emulator::testing;

namespace {
std::string kps(const std::string& rest = "") { return "/v3/" + kCaller.project_id + "/keypairs" + rest; }
}  // namespace

TEST_CASE("key pairs: create with and without a public key, list, delete", "[keypairs]") {
  Emulator emu;
  // A new world has the reference examples' key pairs.
  json list = body_of(emu.get(kps()));
  REQUIRE(list["keypairs"].size() == 2);
  check_fields(list["keypairs"][0], {{"keypair", Kind::object}});

  HttpResponse r = emu.call("POST", kps(), R"({"keypair": {"name": "mine", "public_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA me"}})");
  INFO(r.body);
  REQUIRE(r.status == 200);
  json k = body_of(r)["keypair"];
  check_fields(k, {{"name", Kind::string}, {"public_key", Kind::string}, {"fingerprint", Kind::string}, {"user_id", Kind::string}});
  CHECK_FALSE(k.contains("private_key"));
  CHECK(k["public_key"] == "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA me");

  json g = body_of(emu.call("POST", kps(), R"({"keypair": {"name": "generated"}})"))["keypair"];
  check_fields(g, {{"private_key", Kind::string}, {"public_key", Kind::string}});
  CHECK(g["private_key"].get<std::string>().find("PRIVATE KEY") != std::string::npos);
  list = body_of(emu.get(kps()));
  CHECK(list["keypairs"].size() == 4);
  for (const json& e : list["keypairs"]) CHECK_FALSE(e["keypair"].contains("private_key"));

  CHECK(emu.call("DELETE", kps("/mine")).status == 204);
  CHECK(emu.call("DELETE", kps("/mine")).status == 404);
  CHECK(body_of(emu.get(kps()))["keypairs"].size() == 3);
  // Another project has its own key pairs.
  CHECK(body_of(emu.get("/v3/" + kOtherCaller.project_id + "/keypairs", kOtherCaller))["keypairs"].size() == 2);
}

TEST_CASE("key pair validation", "[keypairs][validation]") {
  Emulator emu;
  struct Case {
    const char* body;
    int status;
    const char* code;
  };
  const Case cases[] = {
      {"{}", 400, "KPS.0400"},
      {R"({"keypair": {}})", 400, "KPS.0400"},
      {R"({"keypair": {"name": "bad name"}})", 400, "KPS.0400"},
      {R"({"keypair": {"name": "x", "public_key": "not a key"}})", 400, "KPS.0400"},
      {R"({"keypair": {"name": "keypair"}})", 409, "KPS.0409"},
  };
  for (const Case& c : cases) {
    INFO(c.body);
    HttpResponse r = emu.call("POST", kps(), c.body);
    CHECK(r.status == c.status);
    CHECK(body_of(r)["error_code"] == c.code);
  }
  CHECK(body_of(emu.get(kps()))["keypairs"].size() == 2);
}

TEST_CASE("purchase with an unknown key pair is CPS.0067 and creates nothing", "[keypairs][purchase]") {
  Emulator emu;
  json body = rx1_purchase();
  body["keypair_name"] = "unknown-kp";
  check_cps_error(emu.purchase(body), 400, "CPS.0067");
  CHECK(emu.list()["count"] == 0);
  REQUIRE(emu.call("DELETE", kps("/keypair")).status == 204);
  check_cps_error(emu.purchase(json::parse(kPurchaseExample)), 400, "CPS.0067");
}

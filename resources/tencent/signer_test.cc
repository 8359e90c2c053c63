// The Tencent API 2.0 signer against the official SDK's vectors
// (../shared/tencent-signing-vectors.json, tencentcloud-sdk-nodejs-common
// 4.1.220), then the wire form: what signed_query() puts on the wire parses
// back to the same parameters and verifies, and any change to it does not.
#include <catch2/catch.hpp>

#include "common/test_shared.h"

#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "common/uri.h"
#include "resources/tencent/signer.h"

namespace {

using cph::tencent::Check;
using cph::tencent::Params;
using cph::tencent::SignatureMethod;
using nlohmann::json;

const json& vectors() {
  static const json j = [] {
    std::ifstream in(cph::testing::shared_file("tencent-signing-vectors.json"));
    REQUIRE(in.good());
    return json::parse(in);
  }();
  return j;
}

// The vector's params as the SDK signs them: numbers in decimal.
Params params_of(const json& v) {
  Params p;
  for (const auto& [key, value] : v["params"].items())
    p[key] = value.is_string() ? value.get<std::string>() : std::to_string(value.get<int64_t>());
  return p;
}

SignatureMethod method_of_vector(const json& v) {
  const auto m = cph::tencent::parse_method(v["signature_method"].get<std::string>());
  REQUIRE(m);
  return *m;
}

}  // namespace

TEST_CASE("tencent signer: every vector's string to sign and signature", "[tencent][signer]") {
  const json& all = vectors()["vectors"];
  REQUIRE(all.size() == 4);
  for (const json& v : all) {
    INFO(v["string_to_sign"].get<std::string>());
    const Params p = params_of(v);
    const std::string sts = cph::tencent::string_to_sign(v["method"].get<std::string>(), v["host"].get<std::string>(),
                                                         v["path"].get<std::string>(), p);
    CHECK(sts == v["string_to_sign"].get<std::string>());
    // The method the parameters select is the vector's (absent = HmacSHA1).
    const auto selected = cph::tencent::method_of(p);
    REQUIRE(selected);
    CHECK(*selected == method_of_vector(v));
    CHECK(cph::tencent::signature(v["secret_key"].get<std::string>(), sts, *selected) ==
          v["signature"].get<std::string>());
  }
}

TEST_CASE("tencent signer: the method name decides the MAC", "[tencent][signer]") {
  const json& v = vectors()["vectors"][0];
  const std::string sts = v["string_to_sign"].get<std::string>();
  const std::string key = v["secret_key"].get<std::string>();
  const std::string sha1 = cph::tencent::signature(key, sts, SignatureMethod::hmac_sha1);
  const std::string sha256 = cph::tencent::signature(key, sts, SignatureMethod::hmac_sha256);
  CHECK(sha1.size() == 28);    // base64 of 20 bytes
  CHECK(sha256.size() == 44);  // base64 of 32 bytes
  CHECK(sha1 == v["signature"].get<std::string>());
  CHECK_FALSE(cph::tencent::parse_method("hmacsha1"));
  CHECK_FALSE(cph::tencent::parse_method("TC3-HMAC-SHA256"));
  Params p{{"SignatureMethod", "HmacMD5"}};
  CHECK_FALSE(cph::tencent::method_of(p));
}

TEST_CASE("tencent signer: common params and instanceIds.n build vector 1's parameters", "[tencent][signer]") {
  const json& v = vectors()["vectors"][0];
  cph::tencent::Common c;
  c.action = "ResetDevicePasswd";
  c.secret_id = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
  c.nonce = 48476;
  c.timestamp = 1476436689;
  c.region = "bj";
  Params action{{"passwd", "abce1234"}};
  cph::tencent::add_list(action, "instanceIds", {"cpm-34xs43xs", "cpm-3xwssdfx"});
  const Params p = cph::tencent::with_common(c, action);
  CHECK(p == params_of(v));
  CHECK(p.count("SignatureMethod") == 0);
  c.method = SignatureMethod::hmac_sha256;
  CHECK(cph::tencent::with_common(c, action).at("SignatureMethod") == "HmacSHA256");
}

TEST_CASE("tencent signer: the wire form round-trips and verifies", "[tencent][signer]") {
  for (const json& v : vectors()["vectors"]) {
    const std::string method = v["method"].get<std::string>(), host = v["host"].get<std::string>(),
                      path = v["path"].get<std::string>(), key = v["secret_key"].get<std::string>();
    const Params p = params_of(v);
    const std::string wire = cph::tencent::signed_query(method, host, path, p, key);
    INFO(wire);
    // Values are percent-encoded on the wire: no raw space, '$', '(' or '+'.
    CHECK(wire.find_first_of(" $()!#+") == std::string::npos);
    CHECK(wire.find("Signature=" + cph::uri_encode(v["signature"].get<std::string>())) != std::string::npos);

    const std::optional<Params> back = cph::tencent::parse_query(wire);
    REQUIRE(back);
    CHECK(back->at("Signature") == v["signature"].get<std::string>());
    Params without = *back;
    without.erase("Signature");
    CHECK(without == p);
    CHECK(cph::tencent::verify(method, host, path, *back, key) == Check::ok);

    // Any change breaks it: the key, a value, the method, the host, the signature.
    CHECK(cph::tencent::verify(method, host, path, *back, key + "x") == Check::bad_signature);
    Params changed = *back;
    changed["Nonce"] += "1";
    CHECK(cph::tencent::verify(method, host, path, changed, key) == Check::bad_signature);
    CHECK(cph::tencent::verify(method == "GET" ? "POST" : "GET", host, path, *back, key) == Check::bad_signature);
    CHECK(cph::tencent::verify(method, host + ":443", path, *back, key) == Check::bad_signature);
    changed = *back;
    changed.erase("Signature");
    CHECK(cph::tencent::verify(method, host, path, changed, key) == Check::missing_signature);
    changed = *back;
    changed["SignatureMethod"] = "HmacSHA512";
    CHECK(cph::tencent::verify(method, host, path, changed, key) == Check::unknown_method);
  }
}

TEST_CASE("tencent signer: parse_query decodes forms and refuses ambiguity", "[tencent][signer]") {
  const auto p = cph::tencent::parse_query("passwd=Ab1+%28x%29%26y%3Dz&instanceIds.1=cpm-a");
  REQUIRE(p);
  CHECK(p->at("passwd") == "Ab1 (x)&y=z");
  CHECK(p->at("instanceIds.1") == "cpm-a");
  CHECK(cph::tencent::parse_query("")->empty());
  CHECK_FALSE(cph::tencent::parse_query("a=1&a=2"));  // a repeated key
  CHECK_FALSE(cph::tencent::parse_query("a=1&b"));    // a pair without '='
  // A literal '+' must be sent as %2B, which encode_query does.
  const Params plus{{"passwd", "a+b c"}};
  CHECK(cph::tencent::encode_query(plus) == "passwd=a%2Bb%20c");
  CHECK(cph::tencent::parse_query(cph::tencent::encode_query(plus)) == plus);
}

// The AK/SK signer against the official SDK's vectors
// (../shared/signing-vectors.json), from both directions:
//  (a) server side: rebuild the canonical request from the bytes the SDK put
//      on the wire, using the SignedHeaders it announced (what the emulator's
//      verify() does);
//  (b) client side: build the request from the vector's SDK inputs the way the
//      SDK does and sign it with sign_request().
#include <catch2/catch.hpp>

#include "common/test_shared.h"

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "resources/huawei/signer.h"
#include "common/timefmt.h"

namespace {

namespace fs = std::filesystem;
using cph::sign::Header;
using cph::sign::SignableRequest;
using cph::sign::Verdict;
using nlohmann::ordered_json;  // key order matters: bodies are JSON.stringify output

// signing-vectors.txt: "endpoint=https://cph.cn-east-3.myhuaweicloud.com (host
// header cph.cn-east-3.myhuaweicloud.com)" for vectors 1-7; the JSON does not
// repeat it.
constexpr const char* kVectorHost = "cph.cn-east-3.myhuaweicloud.com";

fs::path shared_dir() { return cph::testing::shared_file("signing-vectors.json").parent_path(); }

const ordered_json& vectors_file() {
  static const ordered_json j = [] {
    std::ifstream in(shared_dir() / "signing-vectors.json");
    REQUIRE(in.good());
    return ordered_json::parse(in);
  }();
  return j;
}

std::optional<std::string> find(const std::vector<Header>& hs, std::string_view name) {
  for (const auto& [n, v] : hs) {
    if (n.size() != name.size()) continue;
    bool eq = true;
    for (size_t i = 0; i < n.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(n[i])) != std::tolower(static_cast<unsigned char>(name[i])))
        eq = false;
    if (eq) return v;
  }
  return std::nullopt;
}

void split_target(std::string_view target, std::string& path, std::string& query) {
  const size_t q = target.find('?');
  path = std::string(target.substr(0, q));
  query = q == std::string_view::npos ? std::string() : std::string(target.substr(q + 1));
}

// A request as received by the server, including its Authorization header.
struct WireRequest {
  std::string method, path, query, body;
  std::vector<Header> headers;
  SignableRequest view() const { return SignableRequest{method, path, query, headers, body}; }
};

WireRequest wire_of(const ordered_json& v) {
  WireRequest w;
  if (v.contains("wire")) {
    const auto& wire = v["wire"];
    w.method = wire["method"].get<std::string>();
    split_target(wire["target"].get<std::string>(), w.path, w.query);
    const auto& hs = wire["headers"];
    REQUIRE(hs.size() % 2 == 0);  // Node's rawHeaders: name, value, name, value...
    for (size_t i = 0; i < hs.size(); i += 2)
      w.headers.emplace_back(hs[i].get<std::string>(), hs[i + 1].get<std::string>());
    w.body = wire["body"].get<std::string>();
  } else {
    // Vector 0 (the documentation example): "GET https://host/path?query" plus headers.
    const auto& in = v["inputs"];
    const std::string request = in["request"].get<std::string>();
    const size_t sp = request.find(' ');
    REQUIRE(sp != std::string::npos);
    w.method = request.substr(0, sp);
    std::string url = request.substr(sp + 1);
    const size_t scheme_end = url.find("://");
    REQUIRE(scheme_end != std::string::npos);
    const size_t path_start = url.find('/', scheme_end + 3);
    split_target(url.substr(path_start), w.path, w.query);
    for (const auto& [name, value] : in["headers"].items()) w.headers.emplace_back(name, value.get<std::string>());
    w.headers.emplace_back("Authorization", v["authorization"].get<std::string>());
  }
  return w;
}

std::string first_word(const std::string& s) { return s.substr(0, s.find(' ')); }

std::string vector_sk(const ordered_json& v) {
  return v.contains("wire") ? vectors_file()["sk"].get<std::string>() : v["inputs"]["SK"].get<std::string>();
}

std::string vector_ak(const ordered_json& v) {
  return v.contains("wire") ? vectors_file()["ak"].get<std::string>()
                            : first_word(v["inputs"]["AK"].get<std::string>());
}

std::string authorization_header(const std::string& ak, const std::vector<std::string>& signed_headers,
                                 const std::string& sig) {
  std::string names;
  for (const auto& n : signed_headers) names += (names.empty() ? "" : ";") + n;
  return "SDK-HMAC-SHA256 Access=" + ak + ", SignedHeaders=" + names + ", Signature=" + sig;
}

// The SDK's request building for vectors 1-7, from the vector's "inputs":
// path parameters substituted, query parameters serialised (arrays as
// repeated keys, numbers in decimal), content type (JSON media types
// normalised to "application/json"; any other type makes the SDK declare
// X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD), body as JSON.stringify writes it.
struct ClientRequest {
  std::string method, path, query, body;
  std::vector<Header> headers;
};

ClientRequest client_request_of(const ordered_json& v) {
  const auto& top = vectors_file();
  const auto& in = v["inputs"];
  ClientRequest r;
  r.method = in["method"].get<std::string>();

  std::string path = in["url template"].get<std::string>();
  auto substitute = [&path](const std::string& name, const std::string& value) {
    const std::string token = "{" + name + "}";
    for (size_t p; (p = path.find(token)) != std::string::npos;)
      path.replace(p, token.size(), cph::sign::uri_encode(value));
  };
  substitute("project_id", top["project_id"].get<std::string>());
  for (const auto& [name, value] : in["pathParams"].items()) substitute(name, value.get<std::string>());
  r.path = path;

  auto add_param = [&r](const std::string& key, const ordered_json& value) {
    const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
    if (!r.query.empty()) r.query += '&';
    r.query += cph::sign::uri_encode(key) + "=" + cph::sign::uri_encode(text);
  };
  for (const auto& [key, value] : in["queryParams"].items()) {
    if (value.is_array())
      for (const auto& item : value) add_param(key, item);
    else
      add_param(key, value);
  }

  // Unsigned by the SDK; present to prove sign_request() leaves them out.
  r.headers.emplace_back("Accept", "application/json");
  r.headers.emplace_back("User-Agent", "huaweicloud-usdk-nodejs/3.0; vector-gen");
  const std::string content_type = in["contentType"].get<std::string>();
  if (content_type != "(none)") {
    if (content_type.rfind("application/json", 0) == 0) {
      r.headers.emplace_back("Content-Type", "application/json");
    } else {
      r.headers.emplace_back("Content-Type", content_type);
      r.headers.emplace_back("X-Sdk-Content-Sha256", std::string(cph::sign::kUnsignedPayload));
    }
  }
  r.headers.emplace_back("X-Project-Id", top["project_id"].get<std::string>());
  r.headers.emplace_back("host", kVectorHost);

  const auto& data = in["data"];
  if (data.is_string()) {
    const std::string s = data.get<std::string>();
    const std::string buffer_prefix = "Buffer(\"";
    if (s.rfind(buffer_prefix, 0) == 0 && s.size() >= buffer_prefix.size() + 2) {
      r.body = s.substr(buffer_prefix.size(), s.size() - buffer_prefix.size() - 2);
    } else {
      REQUIRE(s == "(none)");
    }
  } else {
    r.body = data.dump();  // compact, key order kept: what JSON.stringify produces
  }
  return r;
}

}  // namespace

TEST_CASE("signing vectors: server side, rebuilt from the wire request", "[signer][vectors]") {
  const auto& file = vectors_file();
  const auto& vectors = file["vectors"];
  REQUIRE(vectors.size() >= 9);  // 0, 1, 2, 3, 4, 5a, 5b, 6, 7
  size_t checked = 0;
  for (const auto& v : vectors) {
    INFO("vector " << v["title"].get<std::string>());
    const WireRequest w = wire_of(v);
    const auto auth_header = find(w.headers, "Authorization");
    REQUIRE(auth_header);
    CHECK(*auth_header == v["authorization"].get<std::string>());
    const auto auth = cph::sign::parse_authorization(*auth_header);
    REQUIRE(auth);
    CHECK(auth->access == vector_ak(v));

    const auto date = find(w.headers, "X-Sdk-Date");
    REQUIRE(date);
    const std::string cr = cph::sign::canonical_request(w.view(), auth->signed_headers);
    CHECK(cr == v["canonical_request"].get<std::string>());
    const std::string sts = cph::sign::string_to_sign(cr, *date);
    CHECK(sts == v["string_to_sign"].get<std::string>());
    const std::string sig = cph::sign::signature(vector_sk(v), sts);
    CHECK(authorization_header(auth->access, auth->signed_headers, sig) == v["authorization"].get<std::string>());

    // And the verifier accepts the request as the emulator would receive it.
    const auto signed_at = cph::parse_sdk_date(*date);
    REQUIRE(signed_at);
    const std::string sk = vector_sk(v);
    const auto result = cph::sign::verify(
        w.view(), [&](std::string_view) { return std::optional<std::string>(sk); }, *signed_at, 900);
    CHECK(result.verdict == Verdict::ok);
    CHECK(result.access == vector_ak(v));
    ++checked;
  }
  CHECK(checked == vectors.size());
}

TEST_CASE("signing vectors: client side, built from the SDK inputs and sign_request()", "[signer][vectors]") {
  const auto& file = vectors_file();
  size_t checked = 0;
  for (const auto& v : file["vectors"]) {
    INFO("vector " << v["title"].get<std::string>());
    SignableRequest req;
    std::string body;
    std::string date;
    std::string ak = vector_ak(v);
    if (v.contains("wire")) {
      ClientRequest c = client_request_of(v);
      body = std::move(c.body);
      req = SignableRequest{c.method, c.path, c.query, c.headers, body};
      date = file["x_sdk_date"].get<std::string>();
    } else {
      // Vector 0: the documented request; its X-Sdk-Date header gives the date.
      WireRequest w = wire_of(v);
      std::erase_if(w.headers, [](const Header& h) { return h.first == "Authorization"; });
      date = *find(w.headers, "X-Sdk-Date");
      req = SignableRequest{w.method, w.path, w.query, w.headers, {}};
    }
    cph::sign::sign_request(req, ak, vector_sk(v), date);

    const auto auth_header = find(req.headers, "Authorization");
    REQUIRE(auth_header);
    CHECK(*auth_header == v["authorization"].get<std::string>());
    CHECK(find(req.headers, "X-Sdk-Date") == date);
    const auto auth = cph::sign::parse_authorization(*auth_header);
    REQUIRE(auth);
    const std::string cr = cph::sign::canonical_request(req, auth->signed_headers);
    CHECK(cr == v["canonical_request"].get<std::string>());
    CHECK(cph::sign::string_to_sign(cr, date) == v["string_to_sign"].get<std::string>());
    ++checked;
  }
  CHECK(checked == file["vectors"].size());
}

TEST_CASE("uri encoding and canonical forms", "[signer]") {
  using namespace cph::sign;
  CHECK(uri_encode("AZaz09-_.~") == "AZaz09-_.~");
  CHECK(uri_encode("a b*!'()/+&=") == "a%20b%2A%21%27%28%29%2F%2B%26%3D");
  CHECK(uri_encode("\xC3\xBC") == "%C3%BC");
  CHECK(uri_decode("a%20b%2f%2F") == "a b//");
  CHECK(uri_decode("a+b") == "a+b");  // '+' is not a space here
  CHECK(uri_decode("100%") == "100%");
  CHECK(uri_decode("%zz%4") == "%zz%4");

  CHECK(canonical_uri("") == "/");
  CHECK(canonical_uri("/") == "/");
  CHECK(canonical_uri("/v1/a") == "/v1/a/");
  CHECK(canonical_uri("/v1/a/") == "/v1/a/");
  CHECK(canonical_uri("/v1/a%2Fb/c d") == "/v1/a%2Fb/c%20d/");  // encoded '/' stays inside its segment
  CHECK(canonical_uri("/v1/%7euser") == "/v1/~user/");

  CHECK(canonical_query("") == "");
  CHECK(canonical_query("b=2&a=1") == "a=1&b=2");
  CHECK(canonical_query("a=2&a=10&a=1") == "a=1&a=10&a=2");
  CHECK(canonical_query("flag&x=") == "flag=&x=");
  CHECK(canonical_query("&&a=1&") == "a=1");
  CHECK(canonical_query("q=a=b") == "q=a%3Db");
  CHECK(canonical_query("n=a+b") == "n=a%2Bb");
}

TEST_CASE("sign_request bookkeeping", "[signer]") {
  using namespace cph::sign;
  SignableRequest no_host{"GET", "/v1/x", "", {{"Content-Type", "application/json"}}, {}};
  CHECK_THROWS_AS(sign_request(no_host, "AK", "SK", "20240315T082957Z"), std::invalid_argument);

  // An existing X-Sdk-Date and Authorization are replaced, not duplicated.
  SignableRequest req{
      "GET", "/v1/x", "", {{"Host", "h"}, {"x-sdk-date", "19990101T000000Z"}, {"Authorization", "stale"}}, {}};
  sign_request(req, "AK", "SK", "20240315T082957Z");
  int dates = 0, auths = 0;
  for (const auto& [n, v] : req.headers) {
    if (n == "X-Sdk-Date" || n == "x-sdk-date") {
      ++dates;
      CHECK(v == "20240315T082957Z");
    }
    if (n == "Authorization") ++auths;
  }
  CHECK(dates == 1);
  CHECK(auths == 1);
  const auto auth = parse_authorization(*find(req.headers, "Authorization"));
  REQUIRE(auth);
  CHECK(auth->signed_headers == std::vector<std::string>{"host", "x-sdk-date"});
  CHECK(sdk_date_now().size() == 16);
  CHECK(cph::parse_sdk_date(sdk_date_now()).has_value());
}

TEST_CASE("parse_authorization", "[signer]") {
  using namespace cph::sign;
  const std::string sig(64, 'a');
  auto a = parse_authorization("SDK-HMAC-SHA256 Access=AK1, SignedHeaders=Host;x-sdk-date, Signature=" + sig);
  REQUIRE(a);
  CHECK(a->access == "AK1");
  CHECK(a->signed_headers == std::vector<std::string>{"host", "x-sdk-date"});
  CHECK(a->signature == sig);
  CHECK_FALSE(parse_authorization(""));
  CHECK_FALSE(parse_authorization("Bearer abc"));
  CHECK_FALSE(parse_authorization("SDK-HMAC-SHA256"));
  CHECK_FALSE(parse_authorization("SDK-HMAC-SHA256 Access=AK1"));
  CHECK_FALSE(parse_authorization("SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host, Signature=xyz"));
  CHECK_FALSE(parse_authorization("SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;;date, Signature=" + sig));
  CHECK_FALSE(parse_authorization("SDK-HMAC-SHA256 Access=, SignedHeaders=host, Signature=" + sig));
  CHECK_FALSE(parse_authorization("SDK-HMAC-SHA256 Access=A, Access=B, SignedHeaders=host, Signature=" + sig));
  CHECK_FALSE(parse_authorization("SDK-HMAC-SHA1 Access=AK1, SignedHeaders=host, Signature=" + sig));
}

TEST_CASE("verify: verdicts", "[signer][verify]") {
  using namespace cph::sign;
  // Vector 2: POST with a JSON body, as received on the wire.
  const auto& file = vectors_file();
  const ordered_json* v2 = nullptr;
  for (const auto& v : file["vectors"])
    if (v["title"].get<std::string>().rfind("2:", 0) == 0) v2 = &v;
  REQUIRE(v2);
  const WireRequest w = wire_of(*v2);
  REQUIRE_FALSE(w.body.empty());
  const std::string ak = file["ak"].get<std::string>();
  const std::string sk = file["sk"].get<std::string>();
  const long long at = *cph::parse_sdk_date(file["x_sdk_date"].get<std::string>());
  const SecretLookup keys = [&](std::string_view access) -> std::optional<std::string> {
    if (access == ak) return sk;
    return std::nullopt;
  };

  SECTION("ok, within the allowed skew either way") {
    CHECK(verify(w.view(), keys, at, 900).verdict == Verdict::ok);
    CHECK(verify(w.view(), keys, at + 900, 900).verdict == Verdict::ok);
    CHECK(verify(w.view(), keys, at - 900, 900).verdict == Verdict::ok);
  }
  SECTION("wrong secret key") {
    const SecretLookup wrong = [](std::string_view) { return std::optional<std::string>("not-the-secret"); };
    const auto r = verify(w.view(), wrong, at, 900);
    CHECK(r.verdict == Verdict::bad_signature);
    CHECK(r.access == ak);
  }
  SECTION("modified body") {
    WireRequest t = w;
    t.body[t.body.size() - 3] = 'X';
    CHECK(verify(t.view(), keys, at, 900).verdict == Verdict::bad_signature);
  }
  SECTION("modified signed header, path or query") {
    WireRequest t = w;
    for (auto& [n, v] : t.headers)
      if (n == "X-Project-Id") v = "ffffffffffffffffffffffffffffffff";
    CHECK(verify(t.view(), keys, at, 900).verdict == Verdict::bad_signature);
    WireRequest p = w;
    p.path += "x";
    CHECK(verify(p.view(), keys, at, 900).verdict == Verdict::bad_signature);
    WireRequest q = w;
    q.query = "force=true";
    CHECK(verify(q.view(), keys, at, 900).verdict == Verdict::bad_signature);
  }
  SECTION("unsigned headers may change") {
    WireRequest t = w;
    for (auto& [n, v] : t.headers)
      if (n == "User-Agent") v = "something-else";
    CHECK(verify(t.view(), keys, at, 900).verdict == Verdict::ok);
  }
  SECTION("unknown access key") {
    const SecretLookup none = [](std::string_view) { return std::optional<std::string>(); };
    const auto r = verify(w.view(), none, at, 900);
    CHECK(r.verdict == Verdict::unknown_key);
    CHECK(r.access == ak);
  }
  SECTION("stale or future date") {
    CHECK(verify(w.view(), keys, at + 901, 900).verdict == Verdict::expired);
    CHECK(verify(w.view(), keys, at - 901, 900).verdict == Verdict::expired);
  }
  SECTION("missing and malformed headers") {
    WireRequest t = w;
    std::erase_if(t.headers, [](const Header& h) { return h.first == "Authorization"; });
    CHECK(verify(t.view(), keys, at, 900).verdict == Verdict::missing);
    t.headers.emplace_back("Authorization", "SDK-HMAC-SHA256 Access=" + ak + ", Signature=deadbeef");
    CHECK(verify(t.view(), keys, at, 900).verdict == Verdict::malformed);

    WireRequest d = w;
    std::erase_if(d.headers, [](const Header& h) { return h.first == "X-Sdk-Date"; });
    CHECK(verify(d.view(), keys, at, 900).verdict == Verdict::malformed);
    d.headers.emplace_back("X-Sdk-Date", "2024-03-15T08:29:57Z");  // ISO form, not the SDK's
    CHECK(verify(d.view(), keys, at, 900).verdict == Verdict::malformed);
  }
}

// Temporary credentials (issue 17): the SDKs add X-Security-Token before
// signing, so the token is one of the signed headers and a request whose
// token was swapped after signing no longer verifies.
TEST_CASE("X-Security-Token is signed like any other header", "[signer]") {
  using namespace cph::sign;
  const std::string date = cph::sdk_date(cph::now_epoch_seconds());
  SignableRequest req{"GET", "/v1/p/cloud-phone/servers", "limit=1",
                      {{"Host", "cph.example"}, {"X-Security-Token", "gQtoken-1"}}, {}};
  sign_request(req, "TMPAK", "TMPSK", date);
  const auto auth = parse_authorization(*find(req.headers, "Authorization"));
  REQUIRE(auth);
  CHECK(auth->signed_headers == std::vector<std::string>{"host", "x-sdk-date", "x-security-token"});
  auto lookup = [](std::string_view ak) -> std::optional<std::string> {
    return ak == "TMPAK" ? std::optional<std::string>("TMPSK") : std::nullopt;
  };
  CHECK(verify(req, lookup, cph::now_epoch_seconds(), 900).verdict == Verdict::ok);
  for (auto& [name, value] : req.headers)
    if (name == "X-Security-Token") value = "gQtoken-2";
  CHECK(verify(req, lookup, cph::now_epoch_seconds(), 900).verdict == Verdict::bad_signature);
}

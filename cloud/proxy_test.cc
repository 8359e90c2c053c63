// Which proxy carries an endpoint's requests (cloud/proxy.h): the variables,
// NO_PROXY matching, credentials from the URL (never in a message).
#include <catch2/catch.hpp>

#include "cloud/proxy.h"

using namespace cph::cloud;

TEST_CASE("proxy_for: scheme, NO_PROXY and credentials", "[cloud][proxy]") {
  const Url cph = parse_url("https://api.region-1.cloud.example");
  const Url plain = parse_url("http://127.0.0.1:8080");
  ProxySettings s;
  CHECK_FALSE(proxy_for(cph, s));  // nothing set: direct

  s.https_proxy = "http://proxy.corp:3128";
  auto p = proxy_for(cph, s);
  REQUIRE(p);
  CHECK(p->url.host == "proxy.corp");
  CHECK(p->url.port == 3128);
  CHECK(p->authorization.empty());
  CHECK(p->where() == "proxy.corp:3128");
  CHECK_FALSE(proxy_for(plain, s));  // https_proxy is for https endpoints only

  s.http_proxy = "proxy.corp:8000";  // no scheme: http, as curl reads it
  auto hp = proxy_for(plain, s);
  REQUIRE(hp);
  CHECK(hp->url.to_string() == "http://proxy.corp:8000");

  SECTION("NO_PROXY entries") {
    struct Case {
      std::string no_proxy;
      bool bypassed;
    };
    for (const Case& c : std::vector<Case>{{"cloud.example", true},
                                           {".cloud.example", true},
                                           {"oud.example", false},      // not a label boundary
                                           {"api.region-1.cloud.example", true},
                                           {"API.REGION-1.CLOUD.EXAMPLE", true},
                                           {"other.example, cloud.example", true},
                                           {"cloud.example:443", true},
                                           {"cloud.example:8443", false},
                                           {"*", true},
                                           {"", false},
                                           {"localhost,127.0.0.2", false}}) {
      ProxySettings t = s;
      t.no_proxy = c.no_proxy;
      INFO("NO_PROXY=" << c.no_proxy);
      CHECK(proxy_for(cph, t).has_value() != c.bypassed);
    }
    ProxySettings t = s;
    t.no_proxy = "localhost,127.0.0.1";
    CHECK_FALSE(proxy_for(plain, t));  // an IP address matches exactly
  }
  SECTION("basic credentials come from the URL, percent-decoded, and stay out of messages") {
    s.https_proxy = "http://alice:s%40cr3t%3Apw@proxy.corp:3128";
    auto a = proxy_for(cph, s);
    REQUIRE(a);
    CHECK(a->authorization == "Basic YWxpY2U6c0BjcjN0OnB3");  // base64("alice:s@cr3t:pw")
    CHECK(a->url.to_string() == "http://proxy.corp:3128");
    s.https_proxy = "https://alice:s3cr3t@proxy.corp:3128";
    try {
      proxy_for(cph, s);
      FAIL("an https:// proxy was accepted");
    } catch (const std::invalid_argument& e) {
      CHECK(std::string(e.what()).find("only http:// proxies") != std::string::npos);
      CHECK(std::string(e.what()).find("s3cr3t") == std::string::npos);
    }
    s.https_proxy = "http://alice:s3cr3t@proxy.corp:notaport";
    try {
      proxy_for(cph, s);
      FAIL("a bad port was accepted");
    } catch (const std::invalid_argument& e) {
      CHECK(std::string(e.what()).find("HTTPS_PROXY") != std::string::npos);
      CHECK(std::string(e.what()).find("s3cr3t") == std::string::npos);
    }
  }
}

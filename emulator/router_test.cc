// Router: literal-first precedence (cph-api.md 2.1 routing notes).
#include <catch2/catch.hpp>
#include <stdexcept>

#include "emulator/router.h"

using cph::emulator::Router;

TEST_CASE("router prefers literal segments over {param} segments", "[router]") {
  Router r;
  const size_t detail = r.add("GET", "/v1/{project_id}/cloud-phone/servers/{server_id}");
  const size_t rename = r.add("PUT", "/v1/{project_id}/cloud-phone/servers/{server_id}");
  const size_t share_files = r.add("GET", "/v1/{project_id}/cloud-phone/servers/share-files");
  const size_t restart = r.add("POST", "/v1/{project_id}/cloud-phone/servers/batch-restart");
  const size_t open_access = r.add("PUT", "/v1/{project_id}/cloud-phone/servers/open-access");
  const size_t list = r.add("GET", "/v1/{project_id}/cloud-phone/servers");

  // Registration order must not matter: share-files was added after {server_id}.
  auto m = r.match("GET", "/v1/p1/cloud-phone/servers/share-files");
  REQUIRE(m);
  CHECK(m->route == share_files);
  CHECK(m->param("project_id") == "p1");
  CHECK(m->param("server_id").empty());

  m = r.match("PUT", "/v1/p1/cloud-phone/servers/open-access");
  REQUIRE(m);
  CHECK(m->route == open_access);

  m = r.match("GET", "/v1/p1/cloud-phone/servers/abc123");
  REQUIRE(m);
  CHECK(m->route == detail);
  CHECK(m->param("server_id") == "abc123");

  m = r.match("PUT", "/v1/p1/cloud-phone/servers/abc123");
  REQUIRE(m);
  CHECK(m->route == rename);

  m = r.match("POST", "/v1/p1/cloud-phone/servers/batch-restart");
  REQUIRE(m);
  CHECK(m->route == restart);

  // A literal with no route for this method falls back to the {param} route.
  m = r.match("GET", "/v1/p1/cloud-phone/servers/batch-restart");
  REQUIRE(m);
  CHECK(m->route == detail);
  CHECK(m->param("server_id") == "batch-restart");

  m = r.match("GET", "/v1/p1/cloud-phone/servers");
  REQUIRE(m);
  CHECK(m->route == list);
  CHECK(r.pattern(list) == "/v1/{project_id}/cloud-phone/servers");
  CHECK(r.method(list) == "GET");
}

TEST_CASE("router decodes parameters and rejects what does not match", "[router]") {
  Router r;
  r.add("GET", "/v2/orders/customer-orders/details/{order_id}");
  auto m = r.match("GET", "/v2/orders/customer-orders/details/CS%41B");
  REQUIRE(m);
  CHECK(m->param("order_id") == "CSAB");
  // A trailing slash is the same path (the signer canonicalises both alike).
  CHECK(r.match("GET", "/v2/orders/customer-orders/details/CS1/"));
  CHECK_FALSE(r.match("GET", "/v2/orders/customer-orders/details"));
  CHECK_FALSE(r.match("GET", "/v2/orders/customer-orders/details/a/b"));
  CHECK_FALSE(r.match("POST", "/v2/orders/customer-orders/details/CS1"));
  CHECK_FALSE(r.match("GET", "/v2/orders/customer-orders/details//"));
}

TEST_CASE("router refuses malformed and duplicate templates", "[router]") {
  Router r;
  r.add("GET", "/v1/{project_id}/x/{id}");
  CHECK_THROWS_AS(r.add("GET", "/v1/{p}/x/{other}"), std::invalid_argument);
  CHECK_NOTHROW(r.add("POST", "/v1/{p}/x/{other}"));
  CHECK_THROWS_AS(r.add("GET", "no-slash"), std::invalid_argument);
  CHECK_THROWS_AS(r.add("GET", "/a//b"), std::invalid_argument);
  CHECK_THROWS_AS(r.add("GET", "/a/{}"), std::invalid_argument);
}

// CPH's client over the real transport: what it signs still verifies after
// the transport has added its own headers.
#include "cloud/test_server.h"
#include "resources/cph/test_support.h"

using namespace cph::cloud::testing;

TEST_CASE("CphClient over the real transport: signed requests verify on the server", "[cloud][transport][client]") {
  TestServer server([](const Received& r) {
    HttpRequest as_client{r.method, r.target, r.headers, r.body};
    // Content-Length is added by the transport and not signed; it must not matter.
    if (verify_signature(as_client) != cph::sign::Verdict::ok)
      return make_reply(Action::respond, 401, R"({"error_code": "APIGW.0301", "error_msg": "bad signature"})");
    return make_reply(Action::respond, 200, r.method == "GET" ? kShowExample : kRenameExample);
  });
  asio::io_context io;
  const Url url = local_url(server.port());
  CphClient client(io.get_executor(), Endpoints{url, url}, kCreds);
  Server s = run(io, client.show_server("6edb89150bc742aa81fc8ac4ff047297"));
  CHECK(s.status == 5);
  run(io, client.rename_server("6edb89150bc742aa81fc8ac4ff047297", "newName"));
  CHECK(server.accepted() == 1);  // CPH and BSS on one address share the pool
  const auto seen = server.received();
  REQUIRE(seen.size() == 2);
  CHECK(header_of(seen[1].headers, "Content-Type") == "application/json");
}

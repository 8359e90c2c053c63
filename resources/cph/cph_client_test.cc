// Tests of cloud/: URL helpers, credentials, and the typed CphClient over a fake
// transport (requests byte for byte, signatures, parsing of the reference's
// examples, errors, retries). Paging: paging_test.cc.
#include "resources/cph/test_support.h"
#include "resources/cph/connect.h"

using namespace cph::cloud::testing;

namespace {

// Headers every CPH request carries; returns the list of header names seen.
void check_common_headers(const HttpRequest& r, const std::string& host, bool cph_service, bool json_content) {
  INFO(r.method << " " << r.target);
  CHECK(header_of(r.headers, "Host") == host);
  CHECK(header_of(r.headers, "User-Agent") == "cphform/0.1");
  if (json_content)
    CHECK(header_of(r.headers, "Content-Type") == "application/json");
  else
    CHECK_FALSE(header_of(r.headers, "Content-Type"));
  if (cph_service)
    CHECK(header_of(r.headers, "X-Project-Id") == kCreds.project_id);
  else
    CHECK_FALSE(header_of(r.headers, "X-Project-Id"));
  const auto date = header_of(r.headers, "X-Sdk-Date");
  REQUIRE(date);
  const auto at = cph::parse_sdk_date(*date);
  REQUIRE(at);
  CHECK(std::llabs(*at - cph::now_epoch_seconds()) < 60);
  const auto auth = header_of(r.headers, "Authorization");
  REQUIRE(auth);
  const auto parsed = cph::sign::parse_authorization(*auth);
  REQUIRE(parsed);
  CHECK(parsed->access == kCreds.access_key);
  // Everything but User-Agent is signed.
  std::vector<std::string> expected{"host", "x-sdk-date"};
  if (json_content) expected.push_back("content-type");
  if (cph_service) expected.push_back("x-project-id");
  std::sort(expected.begin(), expected.end());
  CHECK(parsed->signed_headers == expected);
  CHECK(verify_signature(r) == cph::sign::Verdict::ok);
  CHECK(r.headers.size() == expected.size() + 2);  // + User-Agent, Authorization
}

const std::string kProjectServers = "/v1/0a1b2c3d4e5f67890a1b2c3d4e5f6789/cloud-phone/servers";

PurchaseServersRequest full_purchase() {
  PurchaseServersRequest p;
  p.server_name = "cph-kertus-1110";
  p.server_model_name = "physical.kg1.4xlarge.cp";
  p.phone_model_name = "kg1.cp.c20.d64SSD.e1v1";
  p.image_id = "20060220200717f201120a2300000e91";
  p.count = 2;
  p.keypair_name = "keypair";
  p.ports = {{"myServer1", 20000, false}, {"myServer2", 20001, true}};
  p.period_type = 3;
  p.period_num = 2;
  p.is_auto_pay = true;
  p.is_auto_renew = false;
  p.tenant_vpc_id = "fca063f6-b942-42a8-9004-e5545f58d6a2";
  p.subnet_id = "f1cbfc37-eb42-4357-a0ec-9e4f11950908";
  p.eip_type = "5_bgp";
  p.band_width_size = 300;
  p.band_width_id = "70bb40-bef5-0e4a-14b116-a5a527fd7432";
  p.band_width_charge_mode = 1;
  p.band_width_share_type = 1;
  p.availability_zone = "cn-east-3a";
  return p;
}

}  // namespace

// ================================================================================
// URL helpers and credentials
// ================================================================================

TEST_CASE("parse_url", "[cloud][url]") {
  Url u = parse_url("https://cph.cn-east-3.myhuaweicloud.com");
  CHECK(u.scheme == "https");
  CHECK(u.host == "cph.cn-east-3.myhuaweicloud.com");
  CHECK(u.port == 443);
  CHECK(u.base_path == "");
  CHECK(u.host_header() == "cph.cn-east-3.myhuaweicloud.com");
  CHECK(u.to_string() == "https://cph.cn-east-3.myhuaweicloud.com");

  u = parse_url("HTTP://127.0.0.1:8080/emu/");
  CHECK(u.scheme == "http");
  CHECK(u.port == 8080);
  CHECK(u.base_path == "/emu");
  CHECK(u.host_header() == "127.0.0.1:8080");
  CHECK(u.to_string() == "http://127.0.0.1:8080/emu");

  u = parse_url("http://localhost:80/");
  CHECK(u.host_header() == "localhost");
  CHECK(u.base_path == "");
  u = parse_url("https://[::1]:8443/a/b");
  CHECK(u.host == "::1");
  CHECK(u.host_header() == "[::1]:8443");
  CHECK(u.base_path == "/a/b");
  CHECK(parse_url("https://h:443").host_header() == "h");
  CHECK(parse_url("http://h:443").host_header() == "h:443");

  for (const char* bad :
       {"", "cph.example.com", "ftp://h", "https://", "https://:443", "https://h:", "https://h:0", "https://h:65536",
        "https://h:8x", "https://user:pw@h", "https://h/p?q=1", "https://h#f", "https://[::1", "https://[::1]x"}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_url(bad), std::invalid_argument);
  }
}

TEST_CASE("HttpResponse::header is case-insensitive", "[cloud][url]") {
  HttpResponse r = response(200, "", {{"Content-Type", "application/json"}, {"retry-after", "3"}});
  CHECK(r.header("content-type") == "application/json");
  CHECK(r.header("Retry-After") == "3");
  CHECK(r.header("X-Missing") == "");
}

TEST_CASE("credentials_from_env", "[cloud][credentials]") {
  for (const char* k : {"HW_ACCESS_KEY", "HW_SECRET_KEY", "HW_SECURITY_TOKEN", "HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK",
                        "HUAWEICLOUD_SDK_PROJECT_ID", "HUAWEICLOUD_SDK_SECURITY_TOKEN"})
    ::unsetenv(k);
  ::setenv("HW_PROJECT_ID", "pid", 1);
  ::setenv("HW_REGION_NAME", "cn-east-3", 1);
  CHECK_FALSE(credentials_from_env());
  ::setenv("HW_ACCESS_KEY", "AK", 1);
  // Half a key pair is an error, not a reason to act as whoever the next source names.
  CHECK_THROWS_WITH(credentials_from_env(), Catch::Contains("HW_SECRET_KEY is not set but HW_ACCESS_KEY is"));
  ::setenv("HW_SECRET_KEY", "SK", 1);
  auto c = credentials_from_env();
  REQUIRE(c);
  CHECK(c->credentials.access_key == "AK");
  CHECK(c->credentials.secret_key == "SK");
  CHECK(c->credentials.project_id == "pid");
  CHECK(c->credentials.region == "cn-east-3");
  CHECK(c->credentials.security_token.empty());
  CHECK(c->source == "environment (HW_ACCESS_KEY)");
  // The SDKs' names come first.
  ::setenv("HUAWEICLOUD_SDK_AK", "SDKAK", 1);
  ::setenv("HUAWEICLOUD_SDK_SK", "SDKSK", 1);
  ::setenv("HUAWEICLOUD_SDK_SECURITY_TOKEN", "tok", 1);
  c = credentials_from_env();
  REQUIRE(c);
  CHECK(c->credentials.access_key == "SDKAK");
  CHECK(c->credentials.security_token == "tok");
  CHECK(c->credentials.project_id.empty());  // HUAWEICLOUD_SDK_PROJECT_ID, not HW_PROJECT_ID
  CHECK(c->source == "environment (HUAWEICLOUD_SDK_AK)");
  for (const char* k : {"HW_ACCESS_KEY", "HW_SECRET_KEY", "HW_PROJECT_ID", "HW_REGION_NAME", "HUAWEICLOUD_SDK_AK",
                        "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_SECURITY_TOKEN"})
    ::unsetenv(k);
}

TEST_CASE("the metadata service's securitykey answer", "[cloud][credentials]") {
  Credentials c = parse_security_key(R"({"credential": {"access": "TMPAK", "secret": "TMPSK",
      "securitytoken": "gQtok", "expires_at": "2030-01-02T03:04:05.873000Z"}})");
  CHECK(c.access_key == "TMPAK");
  CHECK(c.secret_key == "TMPSK");
  CHECK(c.security_token == "gQtok");
  CHECK(c.expires_at == 1893553445);
  for (const char* bad : {"", "[]", R"({"credential": {}})",
                          R"({"credential": {"access": "A", "secret": "S", "securitytoken": "T"}})",
                          R"({"credential": {"access": "A", "secret": "S", "securitytoken": "T", "expires_at": "soon"}})"}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_security_key(bad), CredentialError);
  }
  // Renewed at half the lifetime when that is under five minutes, else five minutes before.
  CHECK_FALSE(renewal_due(1000, 1010, 1004));
  CHECK(renewal_due(1000, 1010, 1005));
  CHECK_FALSE(renewal_due(0, 86400, 86400 - 301));
  CHECK(renewal_due(0, 86400, 86400 - 300));
  CHECK_FALSE(renewal_due(0, 0, 1 << 30));  // permanent keys
}

// ================================================================================
// CphClient over a fake transport
// ================================================================================

TEST_CASE("list_servers: request and the 3.1 example response", "[cloud][client]") {
  ClientFixture f;
  f.cph->respond = [](const HttpRequest&) { return response(200, kListExample); };
  ListServersQuery q;
  q.offset = 20;
  q.limit = 10;
  q.server_name = "cph edgr/1*";
  ServerPage page = run(f.io, f.client.list_servers(q));

  REQUIRE(f.cph->requests.size() == 1);
  const HttpRequest& r = f.cph->requests[0];
  CHECK(r.method == "GET");
  CHECK(r.target == kProjectServers + "?offset=20&limit=10&server_name=cph%20edgr%2F1%2A");
  CHECK(r.body.empty());
  check_common_headers(r, "cph.cn-east-3.myhuaweicloud.com", true, true);

  CHECK(page.count == 2);
  REQUIRE(page.servers.size() == 2);
  const Server& s = page.servers[0];
  CHECK(s.server_name == "cph-edgr-1");
  CHECK(s.server_id == "4aff349ab539452a85ac5d7442b39377");
  CHECK(s.server_model_name == "physical.rx1.xlarge");
  CHECK(s.phone_model_name == "rx1.cp.c105.d6.e5v5");
  CHECK(s.keypair_name == "keypair01");
  CHECK(s.status == 2);
  CHECK(s.vpc_id == "9a11e291-967f-4dd6-99bd-9be54f10583c");
  CHECK(s.subnet_id == "c7f9983d-03ca-4a2e-a0e1-d6bd97174669");
  CHECK(s.availability_zone == "br-iaas-odin1a");
  CHECK(s.network_version == "v2");
  CHECK(s.order_id == "CS21111116336E8RX");  // A-7: order_id is the order
  CHECK(s.product_id == "00301-221014-0--0");
  REQUIRE(s.addresses.size() == 2);
  CHECK(s.addresses[1].server_ip == "192.168.0.169");
  CHECK(s.addresses[1].public_ip == "10.246.171.245");
  CHECK(s.create_time == "2021-11-11T08:33:40Z");
  CHECK(s.update_time == "2021-11-11T09:28:30Z");
  CHECK(page.servers[1].server_id == "6d74b672216d40f39377a99e7f95aa95");
  CHECK(page.servers[1].network_version == "v1");
  CHECK(f.client.call_counts() == ApiCallCounts{{"GET /v1/{project_id}/cloud-phone/servers", 1}});
  CHECK(f.bss->requests.empty());
}

TEST_CASE("show_server: request and the 3.2 example response; tolerant parsing", "[cloud][client]") {
  ClientFixture f;
  f.cph->respond = [](const HttpRequest&) { return response(200, kShowExample); };
  Server s = run(f.io, f.client.show_server("6edb89150bc742aa81fc8ac4ff047297"));
  REQUIRE(f.cph->requests.size() == 1);
  const HttpRequest& r = f.cph->requests[0];
  CHECK(r.method == "GET");
  CHECK(r.target == kProjectServers + "/6edb89150bc742aa81fc8ac4ff047297");
  check_common_headers(r, "cph.cn-east-3.myhuaweicloud.com", true, true);
  CHECK(s.server_id == "6edb89150bc742aa81fc8ac4ff047297");
  CHECK(s.server_name == "cph-418540-1620-40-old-1");
  CHECK(s.status == 5);
  CHECK_FALSE(server_status_creating(s.status));
  CHECK(s.keypair_name == "KeyPair-1230");
  CHECK(s.order_id == "CS2007271727F9XJE");
  CHECK(s.product_id == "OFFI451249149551403012");
  REQUIRE(s.addresses.size() == 1);
  CHECK(s.addresses[0].server_ip == "172.31.22.245");
  CHECK(s.addresses[0].public_ip == "10.246.xxx.xxx");
  CHECK(s.band_widths.empty());

  SECTION("nulls, unknown fields, deprecated address fields, band_widths") {
    f.cph->respond = [](const HttpRequest&) {
      return response(200, R"({"server_id": "a", "server_name": null, "keypair_name": null, "status": 1,
        "render_fps": 30, "metadata": null, "addresses": [{"intranet_ip": "10.0.0.1", "access_ip": "1.2.3.4"}],
        "band_widths": [{"band_width_id": "bw", "band_width_name": null, "band_width_size": 300,
                         "band_width_charge_mode": 1, "band_width_share_type": 1, "extra": true}]})");
    };
    Server t = run(f.io, f.client.show_server("a"));
    CHECK(t.server_id == "a");
    CHECK(t.server_name.empty());
    CHECK(t.keypair_name.empty());
    CHECK(t.order_id.empty());
    CHECK(server_status_creating(t.status));
    REQUIRE(t.addresses.size() == 1);
    CHECK(t.addresses[0].server_ip == "10.0.0.1");
    CHECK(t.addresses[0].public_ip == "1.2.3.4");
    REQUIRE(t.band_widths.size() == 1);
    CHECK(t.band_widths[0].band_width_id == "bw");
    CHECK(t.band_widths[0].band_width_size == 300);
    CHECK(t.band_widths[0].band_width_charge_mode == 1);
    CHECK(t.band_widths[0].band_width_share_type == 1);
  }
  SECTION("path parameters are percent-encoded") {
    run(f.io, f.client.show_server("a/b c"));
    CHECK(f.cph->requests.back().target == kProjectServers + "/a%2Fb%20c");
    CHECK(verify_signature(f.cph->requests.back()) == cph::sign::Verdict::ok);
  }
  SECTION("a 2xx body that is not JSON is an error") {
    f.cph->respond = [](const HttpRequest&) { return response(200, "<html>"); };
    const auto e = run_expecting<MalformedAnswer>(f.io, f.client.show_server("a"));
    CHECK(e.http_status == 200);
    CHECK(e.api == "GET /v1/{project_id}/cloud-phone/servers/{server_id}");
    CHECK(e.problem == "is not valid JSON");
  }
}

TEST_CASE("base path and port of the endpoint", "[cloud][client]") {
  asio::io_context io;
  auto cph = std::make_shared<FakeTransport>();
  cph->respond = [](const HttpRequest&) { return response(200, kRenameExample); };
  CphClient client(cph, nullptr, Endpoints{parse_url("http://127.0.0.1:8080/emu/cph"), {}}, kCreds);
  run(io, client.rename_server("s1", "newName"));
  REQUIRE(cph->requests.size() == 1);
  CHECK(cph->requests[0].target == "/emu/cph" + kProjectServers + "/s1");
  check_common_headers(cph->requests[0], "127.0.0.1:8080", true, true);
  // No BSS endpoint configured: a BSS call is a programming error, not a request.
  CHECK_THROWS_AS(run(io, client.pay_order("CS1")), std::logic_error);
}

TEST_CASE("purchase_servers: the full 3.4 body with its documented types", "[cloud][client]") {
  ClientFixture f;
  f.cph->respond = [](const HttpRequest&) { return response(200, kPurchaseExample); };
  PurchaseResult result = run(f.io, f.client.purchase_servers(full_purchase()));

  REQUIRE(f.cph->requests.size() == 1);
  const HttpRequest& r = f.cph->requests[0];
  CHECK(r.method == "POST");
  CHECK(r.target == "/v2/0a1b2c3d4e5f67890a1b2c3d4e5f6789/cloud-phone/servers");
  check_common_headers(r, "cph.cn-east-3.myhuaweicloud.com", true, true);
  const json expected = json::parse(R"({
    "server_name": "cph-kertus-1110",
    "server_model_name": "physical.kg1.4xlarge.cp",
    "phone_model_name": "kg1.cp.c20.d64SSD.e1v1",
    "image_id": "20060220200717f201120a2300000e91",
    "count": 2,
    "keypair_name": "keypair",
    "ports": [ {"name": "myServer1", "listen_port": 20000, "internet_accessible": "false"},
               {"name": "myServer2", "listen_port": 20001, "internet_accessible": "true"} ],
    "extend_param": {"charging_mode": 0, "period_type": 3, "period_num": 2, "is_auto_pay": 1, "is_auto_renew": 0},
    "tenant_vpc_id": "fca063f6-b942-42a8-9004-e5545f58d6a2",
    "nics": [ {"subnet_id": "f1cbfc37-eb42-4357-a0ec-9e4f11950908"} ],
    "public_ip": {"eip": {"type": "5_bgp"}},
    "band_width": {"band_width_share_type": 1, "band_width_charge_mode": 1, "band_width_size": 300,
                   "band_width_id": "70bb40-bef5-0e4a-14b116-a5a527fd7432"},
    "availability_zone": "cn-east-3a"
  })");
  const json body = json::parse(r.body);
  CHECK(body == expected);  // json equality also compares types: "true" != true, 1 != true
  CHECK(body["ports"][1]["internet_accessible"].is_string());
  CHECK(body["extend_param"]["is_auto_pay"].is_number_integer());
  CHECK(r.body.find('\n') == std::string::npos);  // compact

  CHECK(result.request_id == "1564567b8bab40f34711234cb80d8574");
  CHECK(result.order_id == "CS1710111105S8IPB");
  CHECK(result.product_id == "00301-25217-0--0");
  CHECK(result.server_ids ==
        std::vector<std::string>{"1234567b8bab40ffb711234cb80d0234", "1678567b8bab40f93711234cb80d0764"});
  CHECK(f.client.call_counts() == ApiCallCounts{{"POST /v2/{project_id}/cloud-phone/servers", 1}});
}

TEST_CASE("purchase_servers: unset optional fields are omitted", "[cloud][client]") {
  ClientFixture f;
  f.cph->respond = [](const HttpRequest&) {
    return response(200, R"({"request_id": "r", "order_id": "CS1", "server_ids": ["s1"]})");
  };
  PurchaseServersRequest p;
  p.server_name = "s";
  p.server_model_name = "m";
  p.phone_model_name = "pm";
  p.image_id = "img";
  p.tenant_vpc_id = "vpc";
  p.subnet_id = "sub";
  p.eip_type = "5_sbgp";
  run(f.io, f.client.purchase_servers(p));
  const json body = json::parse(f.cph->requests.at(0).body);
  const json expected = json::parse(R"({
    "server_name": "s", "server_model_name": "m", "phone_model_name": "pm", "image_id": "img", "count": 1,
    "extend_param": {"charging_mode": 0, "period_type": 2, "period_num": 1, "is_auto_pay": 1, "is_auto_renew": 0},
    "tenant_vpc_id": "vpc", "nics": [ {"subnet_id": "sub"} ], "public_ip": {"eip": {"type": "5_sbgp"}},
    "band_width": {"band_width_share_type": 0, "band_width_charge_mode": 1}
  })");
  CHECK(body == expected);
}

TEST_CASE("rename_server: request and the 3.13 example response", "[cloud][client]") {
  ClientFixture f;
  f.cph->respond = [](const HttpRequest&) { return response(200, kRenameExample); };
  run(f.io, f.client.rename_server("1564567b8bab40f34711234cb80d8574", "newName"));
  REQUIRE(f.cph->requests.size() == 1);
  const HttpRequest& r = f.cph->requests[0];
  CHECK(r.method == "PUT");
  CHECK(r.target == kProjectServers + "/1564567b8bab40f34711234cb80d8574");
  CHECK(r.body == R"({"server_name":"newName"})");
  check_common_headers(r, "cph.cn-east-3.myhuaweicloud.com", true, true);
  CHECK(f.client.call_counts() == ApiCallCounts{{"PUT /v1/{project_id}/cloud-phone/servers/{server_id}", 1}});
}

TEST_CASE("BSS calls: orders, payment, unsubscribe", "[cloud][client][bss]") {
  ClientFixture f;
  SECTION("show_order") {
    f.bss->respond = [](const HttpRequest&) {
      return response(200, R"({"total_count": 1, "order_info": {"order_id": "CS1710111105S8IPB",
        "customer_id": "c1", "service_type_code": "hws.service.type.cph", "source_type": 1, "status": 6,
        "order_type": 1, "amount_after_discount": 100.5, "official_amount": 120, "measure_id": 1,
        "create_time": "2024-03-15T08:29:57Z", "payment_time": null, "currency": "CNY"},
        "order_line_items": [{"order_line_item_id": "x"}]})");
    };
    Order o = run(f.io, f.client.show_order("CS1710111105S8IPB"));
    REQUIRE(f.bss->requests.size() == 1);
    const HttpRequest& r = f.bss->requests[0];
    CHECK(r.method == "GET");
    CHECK(r.target == "/v2/orders/customer-orders/details/CS1710111105S8IPB");
    check_common_headers(r, "bss.myhuaweicloud.com", false, true);
    CHECK(o.order_id == "CS1710111105S8IPB");
    CHECK(o.status == static_cast<int>(OrderStatus::pending_payment));
    CHECK(o.order_type == 1);
    CHECK(o.create_time == "2024-03-15T08:29:57Z");
    CHECK(o.payment_time.empty());
    CHECK(f.cph->requests.empty());
    CHECK(f.client.call_counts() == ApiCallCounts{{"GET /v2/orders/customer-orders/details/{order_id}", 1}});
  }
  SECTION("show_order without order_info") {
    f.bss->respond = [](const HttpRequest&) { return response(200, R"({"total_count": 0})"); };
    CHECK(run_expecting<MalformedAnswer>(f.io, f.client.show_order("CS1")).field == "order_info");
  }
  SECTION("show_order: BSS error body") {
    f.bss->respond = [](const HttpRequest&) {
      return response(400, R"({"error_code": "CBC.0101", "error_msg": "Invalid parameter."})");
    };
    const auto e = run_expecting<CloudError>(f.io, f.client.show_order("nope"));
    CHECK(e.http_status == 400);
    CHECK(e.error_code == "CBC.0101");
    CHECK(e.error_msg == "Invalid parameter.");
    CHECK(e.api == "GET /v2/orders/customer-orders/details/{order_id}");
    CHECK(e.meaning().empty());  // not a CPS code
    CHECK_FALSE(e.retryable());
  }
  SECTION("pay_order") {
    f.bss->respond = [](const HttpRequest&) { return response(204, ""); };
    run(f.io, f.client.pay_order("CS1710111105S8IPB"));
    REQUIRE(f.bss->requests.size() == 1);
    const HttpRequest& r = f.bss->requests[0];
    CHECK(r.method == "POST");
    CHECK(r.target == "/v3/orders/customer-orders/pay");
    CHECK(json::parse(r.body) ==
          json::parse(R"({"order_id": "CS1710111105S8IPB", "use_coupon": "NO", "use_discount": "NO"})"));
    check_common_headers(r, "bss.myhuaweicloud.com", false, true);
  }
  SECTION("unsubscribe") {
    f.bss->respond = [](const HttpRequest&) { return response(200, R"({"order_ids": ["CS2", "CS3"]})"); };
    UnsubscribeResult u = run(f.io, f.client.unsubscribe({"s1", "s2"}));
    REQUIRE(f.bss->requests.size() == 1);
    const HttpRequest& r = f.bss->requests[0];
    CHECK(r.method == "POST");
    CHECK(r.target == "/v2/orders/subscriptions/resources/unsubscribe");
    CHECK(json::parse(r.body) == json::parse(R"({"resource_ids": ["s1", "s2"], "unsubscribe_type": 1})"));
    check_common_headers(r, "bss.myhuaweicloud.com", false, true);
    CHECK(u.order_ids == std::vector<std::string>{"CS2", "CS3"});
  }
}

TEST_CASE("CloudError parsing", "[cloud][client][errors]") {
  ClientFixture f;
  SECTION("CPS error body (1.5)") {
    f.cph->respond = [](const HttpRequest&) {
      return response(400, R"({"request_id": "aad0860d089c482b943971f802a6718e", "error_code": "CPS.0087",
                              "error_msg": "Parameter: server_name is invalid."})");
    };
    const auto e = run_expecting<CloudError>(f.io, f.client.rename_server("s1", "bad name!"));
    CHECK(e.http_status == 400);
    CHECK(e.error_code == "CPS.0087");
    CHECK(e.error_msg == "Parameter: server_name is invalid.");
    CHECK(e.request_id == "aad0860d089c482b943971f802a6718e");
    CHECK(e.api == "PUT /v1/{project_id}/cloud-phone/servers/{server_id}");
    REQUIRE(cph::find_cps_error("CPS.0087"));
    CHECK(e.meaning() == cph::find_cps_error("CPS.0087")->meaning);
    CHECK_FALSE(e.meaning().empty());
    CHECK_FALSE(e.retryable());
    const std::string what = e.what();
    CHECK(what.find("PUT /v1/{project_id}/cloud-phone/servers/{server_id}") != std::string::npos);
    CHECK(what.find("CPS.0087") != std::string::npos);
    CHECK(what.find(e.meaning()) != std::string::npos);
    CHECK(what.find(kCreds.secret_key) == std::string::npos);
  }
  SECTION("count error: CPS.0024") {
    f.cph->respond = [](const HttpRequest&) {
      return response(400, R"({"error_code": "CPS.0024", "error_msg": "Parameter: count is invalid."})");
    };
    const auto e = run_expecting<CloudError>(f.io, f.client.purchase_servers(full_purchase()));
    CHECK(e.api == "POST /v2/{project_id}/cloud-phone/servers");
    CHECK(e.meaning() == "Parameter error: invalid number of servers.");
  }
  SECTION("gateway error nested under \"error\", request id from the header") {
    f.cph->respond = [](const HttpRequest&) {
      return response(401,
                      R"({"error": {"code": "APIGW.0301", "message": "Incorrect IAM authentication information"}})",
                      {{"X-Request-Id", "rid-from-header"}});
    };
    const auto e = run_expecting<CloudError>(f.io, f.client.rename_server("s1", "n"));
    CHECK(e.http_status == 401);
    CHECK(e.error_code == "APIGW.0301");
    CHECK(e.error_msg == "Incorrect IAM authentication information");
    CHECK(e.request_id == "rid-from-header");
    CHECK(e.meaning().empty());
  }
  SECTION("plain-text body") {
    f.cph->respond = [](const HttpRequest&) { return response(502, "Bad Gateway\n"); };
    const auto e = run_expecting<CloudError>(f.io, f.client.rename_server("s1", "n"));
    CHECK(e.http_status == 502);
    CHECK(e.error_code.empty());
    CHECK(e.error_msg == "Bad Gateway ");
    CHECK(e.body == "Bad Gateway\n");
    CHECK(e.retryable());
  }
  SECTION("refused(): only a 4xx with a well-formed error body and a documented code") {
    CHECK(CloudError(400, "CPS.0024", "", "", "POST /x", "").refused());
    CHECK(CloudError(401, "APIGW.0301", "", "", "POST /x", "").refused());
    CHECK(CloudError(409, "KPS.0409", "", "", "POST /x", "").refused());
    CHECK_FALSE(CloudError(500, "CPS.0003", "", "", "POST /x", "").refused());  // may have been done
    CHECK_FALSE(CloudError(400, "", "Bad Request", "", "POST /x", "").refused());  // no error body
    CHECK_FALSE(CloudError(400, "oops", "", "", "POST /x", "").refused());  // not a documented code
    // Through the client: a proxy's HTML 404 is not the service refusing.
    f.cph->respond = [](const HttpRequest&) { return response(404, "<html>Not Found</html>"); };
    CHECK_FALSE(run_expecting<CloudError>(f.io, f.client.purchase_servers(full_purchase())).refused());
    f.cph->respond = [](const HttpRequest&) {
      return response(400, R"({"error_code": "CPS.0024", "error_msg": "Parameter: count is invalid."})");
    };
    CHECK(run_expecting<CloudError>(f.io, f.client.purchase_servers(full_purchase())).refused());
  }
  SECTION("retryable()") {
    CHECK(CloudError(429, "", "", "", "GET /x", "").retryable());
    CHECK(CloudError(500, "CPS.0000", "", "", "GET /x", "").retryable());
    CHECK(CloudError(503, "", "", "", "GET /x", "").retryable());
    CHECK(CloudError(400, "APIGW.0308", "", "", "GET /x", "").retryable());
    CHECK_FALSE(CloudError(400, "CPS.0024", "", "", "GET /x", "").retryable());
    CHECK_FALSE(CloudError(404, "CPS.0015", "", "", "GET /x", "").retryable());
  }
}

TEST_CASE("client-side argument errors send nothing", "[cloud][client]") {
  ClientFixture f;
  f.cph->respond = [](const HttpRequest&) { return response(200, kRenameExample); };
  CHECK_THROWS_AS(run(f.io, f.client.rename_server("s1",
                                                   "bad\xff"
                                                   "utf8")),
                  std::invalid_argument);
  CHECK(f.cph->requests.empty());

  Credentials no_project = kCreds;
  no_project.project_id.clear();
  CphClient client(f.cph, f.bss, Endpoints{parse_url("https://cph.example.com"), parse_url("https://bss.example.com")},
                   no_project);
  CHECK_THROWS_AS(run(f.io, client.show_server("s1")), std::invalid_argument);
  CHECK(f.cph->requests.empty());

  Credentials no_secret = kCreds;
  no_secret.secret_key.clear();
  CHECK_THROWS_AS(CphClient(f.cph, f.bss, Endpoints{}, no_secret), std::invalid_argument);
}

TEST_CASE("read retries", "[cloud][client][retry]") {
  ClientFixture f;
  SECTION("503 then success") {
    int calls = 0;
    f.cph->respond = [&calls](const HttpRequest&) {
      return ++calls == 1 ? response(503, R"({"error_code": "CPS.9999", "error_msg": "busy"})")
                          : response(200, kShowExample);
    };
    Server s = run(f.io, f.client.show_server("6edb89150bc742aa81fc8ac4ff047297"));
    CHECK(s.status == 5);
    REQUIRE(f.cph->requests.size() == 2);
    // Each attempt is signed on its own.
    for (const auto& r : f.cph->requests) CHECK(verify_signature(r) == cph::sign::Verdict::ok);
    CHECK(f.client.call_counts().at("GET /v1/{project_id}/cloud-phone/servers/{server_id}") == 2);
  }
  SECTION("transport failure then success") {
    int calls = 0;
    f.cph->respond = [&calls](const HttpRequest&) -> HttpResponse {
      if (++calls == 1) throw TransportError("connection reset", true);
      return response(200, kListExample);
    };
    ServerPage page = run(f.io, f.client.list_servers({}));
    CHECK(page.count == 2);
    CHECK(f.cph->requests.size() == 2);
  }
  SECTION("Retry-After is honoured") {
    int calls = 0;
    f.cph->respond = [&calls](const HttpRequest&) {
      return ++calls == 1
                 ? response(429, R"({"error_code": "APIGW.0308", "error_msg": "throttled"})", {{"Retry-After", "1"}})
                 : response(200, kShowExample);
    };
    const auto start = std::chrono::steady_clock::now();
    run(f.io, f.client.show_server("x"));
    CHECK(std::chrono::steady_clock::now() - start >= 1s);
    CHECK(f.cph->requests.size() == 2);
  }
  SECTION("Retry-After is capped: 100000 s waits the cap") {
    CHECK(RetryPolicy{}.retry_after_cap == 60s);  // the documented default
    RetryPolicy policy;
    policy.retry_after_cap = 200ms;
    f.client.set_retry_policy(policy);
    int calls = 0;
    f.cph->respond = [&calls](const HttpRequest&) {
      return ++calls == 1 ? response(429, R"({"error_code": "APIGW.0308", "error_msg": "throttled"})",
                                     {{"Retry-After", "100000"}})
                          : response(200, kShowExample);
    };
    const auto start = std::chrono::steady_clock::now();
    run(f.io, f.client.show_server("x"));
    CHECK(std::chrono::steady_clock::now() - start >= 200ms);
    CHECK(std::chrono::steady_clock::now() - start < 5s);
    CHECK(f.cph->requests.size() == 2);
  }
  SECTION("a deadline or size limit that ended the exchange is not retried; the error names the API") {
    f.cph->respond = [](const HttpRequest&) -> HttpResponse {
      throw TransportError("GET https://cph/x: read failed: timed out: no answer within the read deadline", true, true);
    };
    const auto e = run_expecting<TransportError>(f.io, f.client.show_server("x"));
    CHECK(e.over_limit);
    CHECK(std::string(e.what()).find("GET /v1/{project_id}/cloud-phone/servers/{server_id}: GET https://cph/x") == 0);
    CHECK(f.cph->requests.size() == 1);
  }
  SECTION("gives up after max_retries") {
    f.client.set_retry_policy({3, std::chrono::milliseconds(1), std::chrono::milliseconds(4), 100});
    f.cph->respond = [](const HttpRequest&) {
      return response(500, R"({"error_code": "CPS.0000", "error_msg": "x"})");
    };
    const auto e = run_expecting<CloudError>(f.io, f.client.show_server("x"));
    CHECK(e.http_status == 500);
    CHECK(f.cph->requests.size() == 4);
  }
  SECTION("client errors are not retried") {
    f.cph->respond = [](const HttpRequest&) {
      return response(404, R"({"error_code": "CPS.0015", "error_msg": "server_id not found."})");
    };
    const auto e = run_expecting<CloudError>(f.io, f.client.show_server("x"));
    CHECK(e.error_code == "CPS.0015");
    CHECK(f.cph->requests.size() == 1);
  }
}

TEST_CASE("mutations are retried only where resending cannot act twice", "[cloud][client][retry]") {
  ClientFixture f;
  f.client.set_retry_policy({6, std::chrono::milliseconds(1), std::chrono::milliseconds(4), 100});
  SECTION("purchase answered 500") {
    f.cph->respond = [](const HttpRequest&) {
      return response(500, R"({"error_code": "CPS.0000", "error_msg": "x"})");
    };
    const auto e = run_expecting<CloudError>(f.io, f.client.purchase_servers(full_purchase()));
    CHECK(e.retryable());  // retryable in kind, but a purchase is the executor's call
    CHECK(f.cph->requests.size() == 1);
  }
  SECTION("purchase with a transport failure") {
    f.cph->respond = [](const HttpRequest&) -> HttpResponse { throw TransportError("reset after write", true); };
    const auto e = run_expecting<TransportError>(f.io, f.client.purchase_servers(full_purchase()));
    CHECK(e.maybe_sent);
    CHECK(f.cph->requests.size() == 1);
  }
  SECTION("a throttled purchase, pay or unsubscribe is resent: the gateway refused it before the service") {
    int calls = 0;
    f.cph->respond = [&calls](const HttpRequest&) {
      return ++calls == 1 ? response(429, R"({"error_code": "APIGW.0308", "error_msg": "throttled"})",
                                     {{"Retry-After", "0"}})
                          : response(200, R"({"request_id": "r", "order_id": "CS1", "server_ids": ["s1", "s2"]})");
    };
    CHECK(run(f.io, f.client.purchase_servers(full_purchase())).order_id == "CS1");
    CHECK(f.cph->requests.size() == 2);
    int bss_calls = 0;
    f.bss->respond = [&bss_calls](const HttpRequest&) {
      return ++bss_calls % 2 == 1 ? response(429, "", {{"Retry-After", "0"}}) : response(200, R"({"order_ids": ["o"]})");
    };
    run(f.io, f.client.pay_order("o"));
    run(f.io, f.client.unsubscribe({"s"}));
    CHECK(f.bss->requests.size() == 4);
  }
  SECTION("a purchase whose connection failed before it was written is resent") {
    int calls = 0;
    f.cph->respond = [&calls](const HttpRequest&) -> HttpResponse {
      if (++calls == 1) throw TransportError("connection refused", false);
      return response(200, R"({"request_id": "r", "order_id": "CS1", "server_ids": ["s1", "s2"]})");
    };
    CHECK(run(f.io, f.client.purchase_servers(full_purchase())).order_id == "CS1");
    CHECK(f.cph->requests.size() == 2);
  }
  SECTION("a rename (it sets a value) is resent after a 503 and a lost answer") {
    int calls = 0;
    f.cph->respond = [&calls](const HttpRequest&) -> HttpResponse {
      ++calls;
      if (calls == 1) return response(503, R"({"error_code": "APIGW.0503", "error_msg": "unavailable"})");
      if (calls == 2) throw TransportError("reset after write", true);
      return response(200, "{}");
    };
    run(f.io, f.client.rename_server("s", "n"));
    CHECK(f.cph->requests.size() == 3);
  }
  SECTION("a 4xx is never resent") {
    f.cph->respond = [](const HttpRequest&) {
      return response(400, R"({"error_code": "CPS.0005", "error_msg": "invalid server_name"})");
    };
    CHECK_THROWS_AS(run(f.io, f.client.rename_server("s", "n")), CloudError);
    CHECK(f.cph->requests.size() == 1);
  }
  SECTION("the run's retry budget runs out: calls fail fast") {
    f.client.set_retry_policy({6, std::chrono::milliseconds(1), std::chrono::milliseconds(2), 3});
    f.cph->respond = [](const HttpRequest&) {
      return response(503, R"({"error_code": "APIGW.0503", "error_msg": "unavailable"})");
    };
    CHECK_THROWS_AS(run(f.io, f.client.show_server("x")), CloudError);
    CHECK(f.cph->requests.size() == 4);  // 3 retries spent the budget
    CHECK_THROWS_AS(run(f.io, f.client.show_server("x")), CloudError);
    CHECK(f.cph->requests.size() == 5);  // no retry left
  }
}


TEST_CASE("a 2xx answer without its documented shape is MalformedAnswer naming the API and the field",
          "[cloud][client][malformed]") {
  // Issue 18 D3/D4: never an empty list, never an answered purchase without its order.
  const std::string list_api = "GET /v1/{project_id}/cloud-phone/servers";
  struct Case {
    const char* name;
    const char* body;
    const char* field;
    const char* problem;
  };
  const std::vector<Case> lists = {
      {"empty body", "", "", "is empty"},
      {"not JSON", "<html>502</html>", "", "is not valid JSON"},
      {"a JSON array", "[]", "", "is an array, expected an object"},
      {"an error body in a 200", R"({"request_id": "r1", "error_code": "CPS.0003", "error_msg": "Service internal error."})",
       "", "is an error body (CPS.0003)"},
      {"no servers", R"({"request_id": "r1", "count": 3})", "servers", "is missing"},
      {"servers of the wrong type", R"({"servers": "none", "count": 0})", "servers", "is a String, expected an array"},
      {"count of the wrong type", R"({"servers": [], "count": "many"})", "count",
       "is the String \"many\", expected an Integer"},
      {"an item that is not an object", R"({"servers": [7], "count": 1})", "servers[0]",
       "is a number, expected an object"},
      {"server_id of the wrong type", R"({"servers": [{"server_id": 12, "server_name": "a", "status": 5}]})",
       "servers[0].server_id", "is a number, expected a String"},
      {"server without status",
       R"({"servers": [{"server_id": "a", "server_name": "a", "status": 5}, {"server_id": "b", "server_name": "b"}]})",
       "servers[1].status", "is missing"},
      {"addresses of the wrong type",
       R"({"servers": [{"server_id": "a", "server_name": "a", "status": 5, "addresses": {"x": 1}}]})",
       "servers[0].addresses", "is an object, expected an array"},
  };
  for (const Case& c : lists) {
    INFO(c.name);
    ClientFixture f;
    f.cph->respond = [&c](const HttpRequest&) { return response(200, c.body, {{"X-Request-Id", "rid-7"}}); };
    const auto e = run_expecting<MalformedAnswer>(f.io, f.client.list_all_servers());
    CHECK(e.api == list_api);
    CHECK(e.field == c.field);
    CHECK(e.problem == c.problem);
    CHECK(e.http_status == 200);
    CHECK(e.request_id == "rid-7");
    const std::string what = e.what();
    CHECK(what.find(list_api) != std::string::npos);
    CHECK(what.find(std::string(c.field).empty() ? "the body" : c.field) != std::string::npos);
  }

  SECTION("purchase answered without order_id, or with too few server ids") {
    ClientFixture f;
    f.cph->respond = [](const HttpRequest&) {
      return response(200, R"({"request_id": "r", "product_id": "p", "server_ids": ["s1", "s2"]})");
    };
    auto e = run_expecting<MalformedAnswer>(f.io, f.client.purchase_servers(full_purchase()));
    CHECK(e.api == "POST /v2/{project_id}/cloud-phone/servers");
    CHECK(e.field == "order_id");
    CHECK(e.problem == "is missing");
    CHECK(f.cph->requests.size() == 1);  // not resent
    f.cph->respond = [](const HttpRequest&) {
      return response(200, R"({"request_id": "r", "order_id": "CS1", "server_ids": ["s1"]})");
    };
    e = run_expecting<MalformedAnswer>(f.io, f.client.purchase_servers(full_purchase()));
    CHECK(e.field == "server_ids");
    CHECK(e.problem == "has 1 ids for count 2");
  }
  SECTION("job items with neither a job nor an error; jobs without status") {
    ClientFixture f;
    f.cph->respond = [](const HttpRequest&) {
      return response(200, R"({"request_id": "r", "jobs": [{"server_id": "s1", "job_id": "j1"}, {"server_id": "s2"}]})");
    };
    auto e = run_expecting<MalformedAnswer>(f.io, f.client.restart_servers({"s1", "s2"}));
    CHECK(e.field == "jobs[1].job_id");
    f.cph->respond = [](const HttpRequest&) { return response(200, R"({"job_id": "j1", "status": null})"); };
    e = run_expecting<MalformedAnswer>(f.io, f.client.show_job("j1"));
    CHECK(e.api == "GET /v1/{project_id}/cloud-phone/jobs/{job_id}");
    CHECK(e.field == "status");
  }
  SECTION("tolerances of 11.1 stay: null and absent optional strings, numbers as strings, unknown fields") {
    ClientFixture f;
    f.cph->respond = [](const HttpRequest&) {
      return response(200, R"({"count": "1", "servers": [{"server_id": "a", "server_name": null, "status": "5",
        "keypair_name": null, "render_fps": 30}]})");
    };
    const ServerPage page = run(f.io, f.client.list_servers({}));
    CHECK(page.count == 1);
    REQUIRE(page.servers.size() == 1);
    CHECK(page.servers[0].status == 5);
    CHECK(page.servers[0].server_name.empty());
  }
}

TEST_CASE("service endpoints: from the region, one endpoint, or per service", "[cloud][endpoints]") {
  ConnectSettings s;
  Endpoints e = service_endpoints(s, "cn-east-3");
  CHECK(e.cph.to_string() == "https://cph.cn-east-3.myhuaweicloud.com");
  CHECK(e.iam.to_string() == "https://iam.cn-east-3.myhuaweicloud.com");
  CHECK(e.kps.to_string() == "https://kps.cn-east-3.myhuaweicloud.com");
  CHECK(e.bss.to_string() == "https://bss.myhuaweicloud.com");  // global
  // An international account's BSS, as the Terraform provider's endpoints name it.
  s.endpoints["bss"] = "https://bss-intl.myhuaweicloud.com";
  CHECK(service_endpoints(s, "ap-southeast-1").bss.to_string() == "https://bss-intl.myhuaweicloud.com");
  // A Huawei Cloud CPH endpoint names its region's other services; any other
  // single endpoint (an emulator) serves them all.
  s = ConnectSettings{};
  s.endpoint = "https://cph.ap-southeast-3.myhuaweicloud.com";
  e = service_endpoints(s, "");
  CHECK(e.kps.to_string() == "https://kps.ap-southeast-3.myhuaweicloud.com");
  CHECK(e.iam.to_string() == "https://iam.ap-southeast-3.myhuaweicloud.com");
  CHECK(e.bss.to_string() == "https://bss.myhuaweicloud.com");
  s.endpoint = "http://127.0.0.1:8080";
  s.endpoints["iam"] = "https://iam.example:8443";
  e = service_endpoints(s, "cn-east-3");
  CHECK(e.cph.to_string() == "http://127.0.0.1:8080");
  CHECK(e.kps.to_string() == "http://127.0.0.1:8080");
  CHECK(e.bss.to_string() == "http://127.0.0.1:8080");
  CHECK(e.iam.to_string() == "https://iam.example:8443");
  CHECK_THROWS_WITH(service_endpoints(ConnectSettings{}, ""), Catch::Contains("set region in [provider]"));
}

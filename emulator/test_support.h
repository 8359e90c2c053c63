// Helpers for the emulator's tests: signed requests (common/signer.h, the
// client side of the same algorithm), a Service with a frozen clock, the
// reference's request examples, and JSON type checks.
#pragma once

#include <catch2/catch.hpp>
#include <filesystem>
#include <unistd.h>
#include <initializer_list>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "resources/huawei/signer.h"
#include "common/timefmt.h"
#include "emulator/emulator.h"
#include "emulator/service.h"

namespace cph::emulator::testing {

using nlohmann::json;

inline const Credential kCaller{"TESTAKEMULATOR000001", "test-secret-key-emulator-0000000000000001",
                                "0a1b2c3d4e5f67890a1b2c3d4e5f6789"};
inline const Credential kOtherCaller{"TESTAKEMULATOR000002", "test-secret-key-emulator-0000000000000002",
                                     "99999999999999999999999999999999"};

inline std::string project_path(const std::string& rest, const Credential& c = kCaller) {
  return "/v1/" + c.project_id + rest;
}

// A request as the SDK would send it, signed at `signed_at` (wall clock).
inline HttpRequest signed_request(const std::string& method, const std::string& target, const std::string& body = "",
                                  const Credential& c = kCaller, int64_t signed_at = now_epoch_seconds()) {
  HttpRequest r;
  r.method = method;
  r.target = target;
  r.headers = {{"Host", "127.0.0.1:8080"}, {"Content-Type", "application/json"}};
  r.body = body;
  sign::SignableRequest s{r.method, std::string(r.path()), std::string(r.query()), r.headers, r.body};
  sign::sign_request(s, c.access_key, c.secret_key, sdk_date(signed_at));
  r.headers = s.headers;
  return r;
}

inline json body_of(const HttpResponse& r) { return r.body.empty() ? json() : json::parse(r.body); }

// cph-api.md 3.4 request example, verbatim.
inline constexpr const char* kPurchaseExample = R"({
  "server_name" : "cph-kertus-1110",
  "server_model_name" : "physical.kg1.4xlarge.cp",
  "phone_model_name" : "kg1.cp.c20.d64SSD.e1v1",
  "image_id" : "20060220200717f201120a2300000e91",
  "count" : 1,
  "keypair_name" : "keypair",
  "ports" : [ {
    "name" : "myServer1",
    "listen_port" : 20000,
    "internet_accessible" : "false"
  }, {
    "name" : "myServer2",
    "listen_port" : 20001,
    "internet_accessible" : "true"
  } ],
  "extend_param" : {
    "charging_mode" : 0,
    "period_type" : 2,
    "period_num" : 1,
    "is_auto_pay" : 0
  },
  "tenant_vpc_id" : "fca063f6-b942-42a8-9004-e5545f58d6a2",
  "nics" : [ {
    "subnet_id" : "f1cbfc37-eb42-4357-a0ec-9e4f11950908"
  } ],
  "public_ip" : {
    "eip" : {
       "type" : "5_bgp"
    }
  },
  "band_width" : {
    "band_width_share_type" : 0,
    "band_width_size" : 300,
    "band_width_charge_mode" : 1
  }
})";

// The brief's combination: physical.rx1.xlarge / rx1.cp.c105.d6.e5v5, auto-paid.
inline json rx1_purchase(int count = 1, bool auto_pay = true) {
  json b = json::parse(kPurchaseExample);
  b["server_model_name"] = "physical.rx1.xlarge";
  b["phone_model_name"] = "rx1.cp.c105.d6.e5v5";
  b["count"] = count;
  b["extend_param"]["is_auto_pay"] = auto_pay ? 1 : 0;
  b["availability_zone"] = "cn-east-3a";
  return b;
}

// A Service over an in-memory (or given) data file whose simulated clock
// moves only when the test advances it.
struct Emulator {
  explicit Emulator(std::string data_path = "", Durations durations = {}) {
    Options o;
    o.data_path = std::move(data_path);
    o.credentials = {kCaller, kOtherCaller};
    o.time_scale = 0;
    o.durations = durations;
    service = std::make_unique<Service>(o);
  }

  HttpResponse call(const std::string& method, const std::string& target, const std::string& body = "",
                    const Credential& c = kCaller) {
    return service->handle(signed_request(method, target, body, c));
  }
  HttpResponse get(const std::string& target, const Credential& c = kCaller) { return call("GET", target, "", c); }

  HttpResponse purchase(const json& body, const Credential& c = kCaller) {
    return call("POST", "/v2/" + c.project_id + "/cloud-phone/servers", body.dump(), c);
  }
  // Purchases and returns the response body, requiring success.
  json buy(const json& body) {
    HttpResponse r = purchase(body);
    INFO(r.body);
    REQUIRE(r.status == 200);
    return body_of(r);
  }
  json server(const std::string& id) {
    HttpResponse r = get(project_path("/cloud-phone/servers/" + id));
    INFO(r.body);
    REQUIRE(r.status == 200);
    return body_of(r);
  }
  json list(const std::string& query = "") {
    HttpResponse r = get(project_path("/cloud-phone/servers") + query);
    INFO(r.body);
    REQUIRE(r.status == 200);
    return body_of(r);
  }
  json order(const std::string& id) {
    HttpResponse r = get("/v2/orders/customer-orders/details/" + id);
    INFO(r.body);
    REQUIRE(r.status == 200);
    return body_of(r);
  }
  HttpResponse pay(const std::string& order_id) {
    return call("POST", "/v3/orders/customer-orders/pay",
                json{{"order_id", order_id}, {"use_coupon", "NO"}, {"use_discount", "NO"}}.dump());
  }
  HttpResponse unsubscribe(const json& ids) {
    return call("POST", "/v2/orders/subscriptions/resources/unsubscribe",
                json{{"resource_ids", ids}, {"unsubscribe_type", 1}}.dump());
  }
  json stats() { return body_of(service->handle(HttpRequest{"GET", "/_emulator/stats", {}, ""})); }
  HttpResponse admin(const std::string& method, const std::string& path, const std::string& body = "") {
    return service->handle(HttpRequest{method, path, {}, body});
  }
  // 6.1 of a job, requiring it exists.
  json job(const std::string& id) {
    HttpResponse r = get(project_path("/cloud-phone/jobs/" + id));
    INFO(r.body);
    REQUIRE(r.status == 200);
    return body_of(r);
  }
  // 5.1 with a query, requiring success.
  json phones(const std::string& query = "") {
    HttpResponse r = get(project_path("/cloud-phone/phones") + query);
    INFO(r.body);
    REQUIRE(r.status == 200);
    return body_of(r);
  }
  json phone(const std::string& id) {
    HttpResponse r = get(project_path("/cloud-phone/phones/" + id));
    INFO(r.body);
    REQUIRE(r.status == 200);
    return body_of(r);
  }
  // n normal (status 5) rx1.cp.c105.d6.e5v5 servers (105 phones each).
  std::vector<std::string> normal_servers(int n) {
    json b = buy(rx1_purchase(n, true));
    advance(300);
    return b["server_ids"].get<std::vector<std::string>>();
  }
  void advance(double seconds) { service->advance_clock(seconds); }

  std::unique_ptr<Service> service;
};

// A data file path removed (with its WAL files) at both ends of its life.
struct TempPath {
  explicit TempPath(const std::string& suffix = ".db") {
    static int counter = 0;
    path = (std::filesystem::temp_directory_path() /
            ("cph-emulator-tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + suffix))
               .string();
    remove();
  }
  ~TempPath() { remove(); }
  void remove() const {
    for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(path + s);
  }
  std::string path;
};

enum class Kind { string, integer, number, object, array, string_or_null };

inline bool has_kind(const json& j, Kind k) {
  switch (k) {
    case Kind::string: return j.is_string();
    case Kind::integer: return j.is_number_integer();
    case Kind::number: return j.is_number();
    case Kind::object: return j.is_object();
    case Kind::array: return j.is_array();
    case Kind::string_or_null: return j.is_string() || j.is_null();
  }
  return false;
}

// Every listed field is present with the documented JSON type.
inline void check_fields(const json& obj, std::initializer_list<std::pair<const char*, Kind>> fields) {
  REQUIRE(obj.is_object());
  for (const auto& [name, kind] : fields) {
    INFO("field " << name << " in " << obj.dump());
    REQUIRE(obj.contains(name));
    CHECK(has_kind(obj.at(name), kind));
  }
}

// An error body of cph-api.md 1.5 with the table's message for the code.
inline void check_cps_error(const HttpResponse& r, int status, const std::string& code) {
  INFO(r.body);
  CHECK(r.status == status);
  json b = body_of(r);
  check_fields(b, {{"request_id", Kind::string}, {"error_code", Kind::string}, {"error_msg", Kind::string}});
  CHECK(b["error_code"] == code);
  const CpsError* e = find_cps_error(code);
  REQUIRE(e);
  const std::string table(e->message);
  if (size_t at = table.find("{0}"); at != std::string::npos) {
    // The placeholder is filled in (the property name): same text around it.
    const std::string msg = b["error_msg"];
    CHECK(msg.size() > table.size() - 3);
    CHECK(msg.substr(0, at) == table.substr(0, at));
    CHECK(msg.substr(msg.size() - (table.size() - at - 3)) == table.substr(at + 3));
  } else {
    CHECK(b["error_msg"] == table);
  }
  CHECK(e->http_status == status);
}

inline bool is_lower_hex(const std::string& s, size_t n) {
  return s.size() == n && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace cph::emulator::testing

// The fleet calls' requests byte for byte, over a recording transport: the
// details the emulator tolerates but the reference prescribes (7.9 offset and
// limit as strings, integers for is_auto_pay/pre_install_app, a DELETE that
// carries a signed JSON body, comma-separated request_ids) and the parsing
// of the reference's response examples (null strings, A-19).
#include "resources/cph/test_support.h"

using namespace cph::cloud::testing;

namespace {

class RecordingTransport : public HttpTransport {
 public:
  std::string answer = "{}";
  int status = 200;
  std::vector<HttpRequest> requests;
  asio::awaitable<HttpResponse> send(HttpRequest request) override {
    requests.push_back(std::move(request));
    HttpResponse r;
    r.status = status;
    r.body = answer;
    co_return r;
  }
};

struct Fixture {
  asio::io_context io;
  std::shared_ptr<RecordingTransport> cph = std::make_shared<RecordingTransport>();
  CphClient client{cph, nullptr,
                   Endpoints{parse_url("https://cph.cn-east-3.myhuaweicloud.com"), parse_url("https://bss.example")},
                   kCreds};
  const HttpRequest& last() {
    REQUIRE_FALSE(cph->requests.empty());
    return cph->requests.back();
  }
};

const std::string kProject = "/v1/0a1b2c3d4e5f67890a1b2c3d4e5f6789";

}  // namespace

TEST_CASE("fleet requests: bodies, methods and queries as the reference prints them", "[cloud][fleet]") {
  Fixture f;
  ResourceInstanceQuery q{100, 100};
  f.cph->answer = R"({"resources":[{"resource_detail":null,"resource_id":"r1","resource_name":"n1",
                      "tags":[{"key":"k","value":"v"}]}],"total_count":1000})";
  TaggedResourcePage page = run(f.io, f.client.list_tagged_servers(q));
  CHECK(f.last().method == "POST");
  CHECK(f.last().target == kProject + "/cph-server/resource_instances/action");
  CHECK(f.last().body == R"({"offset":"100","limit":"100","action":"filter"})");  // strings (7.9)
  CHECK(page.total_count == 1000);
  REQUIRE(page.resources.size() == 1);
  CHECK(page.resources[0].tags[0].value == "v");

  f.cph->answer = R"({"request_id":"r","jobs":[{"server_id":"s1","job_id":"j1"}]})";
  std::vector<std::string> servers{"s1", "s2"};
  run(f.io, f.client.delete_share_apps("com.a.b", servers));
  CHECK(f.last().method == "DELETE");
  CHECK(f.last().target == kProject + "/cloud-phone/phones/share-apps");
  CHECK(f.last().body == R"({"package_name":"com.a.b","server_ids":["s1","s2"]})");
  CHECK(header_of(f.last().headers, "Content-Type") == "application/json");
  CHECK(verify_signature(f.last()) == cph::sign::Verdict::ok);  // the body is signed too

  PushShareAppRequest app{"com.a.b", "bucket", "x.tar", true};
  run(f.io, f.client.push_share_apps(app, servers));
  CHECK(f.last().body ==
        R"({"package_name":"com.a.b","pre_install_app":1,"bucket_name":"bucket","object_path":"x.tar","server_ids":["s1","s2"]})");

  std::vector<ServerKeypair> pairs{{"s1", "kp"}};
  run(f.io, f.client.change_keypairs(pairs));
  CHECK(f.last().method == "PUT");
  CHECK(f.last().body == R"({"servers":[{"server_id":"s1","keypair_name":"kp"}]})");

  f.cph->answer = R"({"request_id":"r","order_id":"CS1","product_id":"P1"})";
  ChangeServerModelRequest model{"s1", "physical.rx1.xlarge.special", "rx1.cp.sp.c105.d8.e5v5", true};
  ChangeServerModelResult order = run(f.io, f.client.change_server_model(model));
  CHECK(f.last().body ==
        R"({"server_id":"s1","server_model_name":"physical.rx1.xlarge.special","phone_model_name":"rx1.cp.sp.c105.d8.e5v5","extend_param":{"is_auto_pay":1}})");
  CHECK(order.order_id == "CS1");

  // 6.1 example: null strings read as empty (A-19).
  f.cph->answer = R"({"error_msg":null,"execute_msg":null,"job_id":"6837531fd3f54550927b930180a706bf",
    "end_time":"2019-04-26T07:00:06Z","begin_time":"2019-04-26T07:00:00Z","error_code":null,
    "request_id":"2676a3b4f7df49c297c6775989806d32","status":2})";
  Job job = run(f.io, f.client.show_job("6837531fd3f54550927b930180a706bf"));
  CHECK(job.succeeded());
  CHECK(job.error_code.empty());
  CHECK(job.end_time == "2019-04-26T07:00:06Z");

  f.cph->answer = R"({"request_id":"x","jobs":[]})";
  std::vector<std::string> two{"a1", "b2"};
  run(f.io, f.client.list_jobs(two, 100, 100));
  CHECK(f.last().target == kProject + "/cloud-phone/jobs?request_ids=a1%2Cb2&offset=100&limit=100");
  std::vector<std::string> one{"a1"};
  run(f.io, f.client.list_jobs(one, 0, 100));
  CHECK(f.last().target == kProject + "/cloud-phone/jobs?request_id=a1&offset=0&limit=100");

  // KPS lives under /v3.
  f.cph->status = 204;
  f.cph->answer = "";
  run(f.io, f.client.delete_keypair("my pair"));
  CHECK(f.last().method == "DELETE");
  CHECK(f.last().target == "/v3/0a1b2c3d4e5f67890a1b2c3d4e5f6789/keypairs/my%20pair");
}

TEST_CASE("fleet requests: mutations are not retried, reads are", "[cloud][fleet]") {
  Fixture f;
  f.cph->status = 503;
  f.cph->answer = R"({"error_code":"APIGW.0503","error_msg":"The backend service is unavailable."})";
  std::vector<std::string> servers{"s1"};
  auto e = run_expecting<CloudError>(f.io, f.client.restart_servers(servers));
  CHECK(e.http_status == 503);
  CHECK(f.cph->requests.size() == 1);
  f.cph->requests.clear();
  f.client.set_retry_policy({3, std::chrono::milliseconds(1), std::chrono::milliseconds(4), 100});
  e = run_expecting<CloudError>(f.io, f.client.list_bandwidths(0, 100));
  CHECK(f.cph->requests.size() == 4);  // 1 + max_retries
}

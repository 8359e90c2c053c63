// Fuzz target: the cloud client's reading of answers (cloud/cph_*.cc), the
// functions that turn a service's JSON into cloud::Server, Order, Job, ...
// The client runs as in production, over a transport that answers every
// request with the input: its first byte picks the API called, its second
// the HTTP status, the rest is the body. Every answer must end in a value
// or an error (CloudError, std::runtime_error), never a crash, a hang or
// memory sized from a number the server sent.
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "resources/cph/cph_client.h"

namespace {

namespace asio = boost::asio;
using namespace cph::cloud;

// A list that pages forever is cut here: the transport then fails, as a
// connection would, instead of the fuzzer running out of time.
constexpr int kMaxRequests = 16;

class InputTransport final : public HttpTransport {
 public:
  explicit InputTransport(HttpResponse answer) : answer_(std::move(answer)) {}
  asio::awaitable<HttpResponse> send(HttpRequest) override {
    if (++requests_ > kMaxRequests) throw TransportError("fuzz: request limit", false);
    co_return answer_;
  }

 private:
  HttpResponse answer_;
  int requests_ = 0;
};

constexpr int kStatuses[] = {200, 200, 200, 200, 201, 202, 204, 400, 401, 403, 404, 409, 429, 500, 503};

// One API call per selector value; every call of cph_client.h. Arguments
// are named: GCC 12 destroys temporaries in a co_await expression twice.
asio::awaitable<void> call(CphClient& c, uint8_t which) {
  const std::string id = "s-1", name = "web-0", order = "o-1", bw = "bw-1", job = "j-1", kp = "kp";
  const std::string bucket = "b", object = "/f.tar", dir = "/data", package = "com.a";
  const std::vector<std::string> ids = {"s-1", "s-2"}, paths = {"/data/f"}, requests = {"r-1", "r-2"};
  const std::vector<Tag> tags = {{"k", "v"}};
  const std::vector<ServerKeypair> bindings = {{"s-1", "kp"}};
  const std::optional<int> any_product;
  const std::optional<std::string> no_key;
  PurchaseServersRequest purchase;
  purchase.server_name = "web";
  purchase.count = 2;
  const ListServersQuery page;
  const ResourceInstanceQuery tag_page;
  const ChangeServerRequest change;
  const ChangeServerModelRequest model{"s-1", "m", "p", true};
  const PushShareAppRequest app{"com.a", "b", "/a.tar", false};
  switch (which % 33) {
    case 0: (void)co_await c.list_servers(page); break;
    case 1: (void)co_await c.list_all_servers(); break;
    case 2: (void)co_await c.show_server(id); break;
    case 3: (void)co_await c.purchase_servers(purchase); break;
    case 4: co_await c.rename_server(id, name); break;
    case 5: (void)co_await c.show_order(order); break;
    case 6: co_await c.pay_order(order); break;
    case 7: (void)co_await c.unsubscribe(ids); break;
    case 8: (void)co_await c.list_server_models(any_product); break;
    case 9: (void)co_await c.list_phone_models(); break;
    case 10: (void)co_await c.list_bandwidths(0, 100); break;
    case 11: (void)co_await c.list_all_bandwidths(); break;
    case 12: (void)co_await c.resize_bandwidth(bw, 10); break;
    case 13: (void)co_await c.restart_servers(ids); break;
    case 14: (void)co_await c.change_server(id, change); break;
    case 15: (void)co_await c.change_server_model(model); break;
    case 16: (void)co_await c.change_keypairs(bindings); break;
    case 17: (void)co_await c.push_share_files(bucket, object, ids); break;
    case 18: (void)co_await c.delete_share_files(paths, ids); break;
    case 19: (void)co_await c.query_share_files(dir, ids); break;
    case 20: (void)co_await c.push_share_apps(app, ids); break;
    case 21: (void)co_await c.delete_share_apps(package, ids); break;
    case 22: (void)co_await c.show_job(job); break;
    case 23: (void)co_await c.list_jobs(requests, 0, 100); break;
    case 24: (void)co_await c.list_all_jobs(requests); break;
    case 25: (void)co_await c.list_server_tags(id); break;
    case 26: co_await c.create_server_tags(id, tags); break;
    case 27: co_await c.delete_server_tags(id, tags); break;
    case 28: (void)co_await c.list_tagged_servers(tag_page); break;
    case 29: (void)co_await c.list_all_server_tags(); break;
    case 30: (void)co_await c.create_keypair(kp, no_key); break;
    case 31: (void)co_await c.list_keypairs(); break;
    case 32: co_await c.delete_keypair(kp); break;
  }
}

// A coroutine of its own, not a lambda: GCC 12 gives a coroutine lambda in
// an extern "C" function a symbol name that clashes.
asio::awaitable<void> call_once(CphClient& c, uint8_t which) {
  try {
    co_await call(c, which);
  } catch (const std::exception&) {
    // CloudError, a malformed answer, the transport's limit: all errors.
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  HttpResponse answer;
  answer.status = kStatuses[data[1] % (sizeof kStatuses / sizeof kStatuses[0])];
  answer.headers = {{"Content-Type", "application/json;charset=UTF-8"}};
  answer.body.assign(reinterpret_cast<const char*>(data + 2), size - 2);
  auto transport = std::make_shared<InputTransport>(answer);
  Endpoints endpoints{parse_url("http://127.0.0.1:1"), parse_url("http://127.0.0.1:1")};
  CphClient client(transport, transport, endpoints, Credentials{"AK", "SK", "0123456789abcdef0123456789abcdef", "r"});
  RetryPolicy no_retries;
  no_retries.max_retries = 0;
  no_retries.budget = 0;
  client.set_retry_policy(no_retries);
  asio::io_context io;
  asio::co_spawn(io, call_once(client, data[0]), asio::detached);
  io.run();
  return 0;
}

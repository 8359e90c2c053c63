// A small HTTP/1.1 server for transport tests, written with plain asio on
// its own thread: each request is answered, dropped, left hanging or
// trickled as the test's script decides.
#pragma once

#include "cloud/test_support.h"

namespace cph::cloud::testing {

struct Received {
  int connection = -1;
  std::string method, target, body, sni;
  HeaderList headers;
};

enum class Action {
  respond,                 // answer, keep the connection
  respond_then_close,      // answer, then close as an idle-timeout would (no "Connection: close")
  close_without_response,  // read the request, close without a byte
  hang,                    // read the request, never answer
  trickle,                 // answer with a chunked body that never ends, one byte every 20 ms
};

struct Reply {
  Action action = Action::respond;
  int status = 200;
  std::string body = "{}";
  HeaderList headers;
};

inline Reply make_reply(Action action, int status = 200, std::string body = "{}") {
  Reply r;
  r.action = action;
  r.status = status;
  r.body = std::move(body);
  return r;
}

// A small HTTP/1.1 server on 127.0.0.1 with its own thread and io_context,
// optionally TLS. `script` decides what to do with each request.
class TestServer {
 public:
  using Script = std::function<Reply(const Received&)>;

  explicit TestServer(Script script, std::shared_ptr<ssl::context> tls = nullptr)
      : script_(std::move(script)), tls_(std::move(tls)), acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    asio::co_spawn(io_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TestServer() {
    io_.stop();
    thread_.join();
  }

  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  int accepted() const {
    std::lock_guard lock(mutex_);
    return accepted_;
  }
  int closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
  }
  std::vector<Received> received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }
  bool wait_closed(int n) const {
    for (int i = 0; i < 400; ++i) {
      if (closed() >= n) return true;
      std::this_thread::sleep_for(5ms);
    }
    return false;
  }

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(kTuple);
      if (ec) co_return;
      int index;
      {
        std::lock_guard lock(mutex_);
        index = accepted_++;
      }
      if (tls_)
        asio::co_spawn(io_, serve_tls(std::move(socket), index), asio::detached);
      else
        asio::co_spawn(io_, serve_plain(std::move(socket), index), asio::detached);
    }
  }

  asio::awaitable<void> serve_plain(tcp::socket socket, int index) {
    co_await serve(socket, index, "");
    mark_closed(socket);
  }

  asio::awaitable<void> serve_tls(tcp::socket socket, int index) {
    ssl::stream<tcp::socket> stream(std::move(socket), *tls_);
    auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, kTuple);
    if (!ec) {
      const char* sni = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name);
      co_await serve(stream, index, sni ? sni : "");
    }
    mark_closed(stream.next_layer());
  }

  void mark_closed(tcp::socket& socket) {
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
    std::lock_guard lock(mutex_);
    ++closed_;
  }

  template <class Stream>
  asio::awaitable<void> serve(Stream& stream, int index, std::string sni) {
    std::string buffer;
    for (;;) {
      auto [ec, n] = co_await asio::async_read_until(stream, asio::dynamic_buffer(buffer), "\r\n\r\n", kTuple);
      if (ec) co_return;
      Received req;
      req.connection = index;
      req.sni = sni;
      std::istringstream head(buffer.substr(0, n));
      buffer.erase(0, n);
      std::string line;
      std::getline(head, line);
      std::istringstream request_line(line);
      request_line >> req.method >> req.target;
      size_t content_length = 0;
      while (std::getline(head, line) && line != "\r") {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        const size_t colon = line.find(':');
        std::string name = line.substr(0, colon), value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        if (ascii_iequals(name, "content-length")) content_length = std::stoul(value);
        req.headers.emplace_back(std::move(name), std::move(value));
      }
      if (buffer.size() < content_length) {
        auto [ec2, m] = co_await asio::async_read(stream, asio::dynamic_buffer(buffer),
                                                  asio::transfer_exactly(content_length - buffer.size()), kTuple);
        if (ec2) co_return;
      }
      req.body = buffer.substr(0, content_length);
      buffer.erase(0, content_length);
      {
        std::lock_guard lock(mutex_);
        received_.push_back(req);
      }
      const Reply reply = script_(req);
      if (reply.action == Action::close_without_response) co_return;
      if (reply.action == Action::hang) {
        char byte;  // until the client gives up and closes
        co_await stream.async_read_some(asio::buffer(&byte, 1), kTuple);
        co_return;
      }
      if (reply.action == Action::trickle) {
        co_await trickle(stream);
        co_return;
      }
      std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " Whatever\r\nContent-Type: application/json\r\n";
      for (const auto& [k, v] : reply.headers) out += k + ": " + v + "\r\n";
      out += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n\r\n" + reply.body;
      auto [wec, w] = co_await asio::async_write(stream, asio::buffer(out), kTuple);
      if (wec || reply.action == Action::respond_then_close) co_return;
    }
  }

  template <class Stream>
  asio::awaitable<void> trickle(Stream& stream) {
    std::string head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    auto [ec, n] = co_await asio::async_write(stream, asio::buffer(head), kTuple);
    asio::steady_timer pause(stream.get_executor());
    while (!ec) {  // until the client gives up and closes
      std::tie(ec, n) = co_await asio::async_write(stream, asio::buffer(std::string_view("1\r\n \r\n")), kTuple);
      pause.expires_after(20ms);
      co_await pause.async_wait(kTuple);
    }
  }

  Script script_;
  std::shared_ptr<ssl::context> tls_;
  mutable std::mutex mutex_;
  int accepted_ = 0;
  int closed_ = 0;
  std::vector<Received> received_;
  // Last: destroying the io_context destroys the suspended connection
  // coroutines, whose sockets belong to it.
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

inline Url local_url(uint16_t port, const std::string& scheme = "http", const std::string& host = "127.0.0.1") {
  return parse_url(scheme + "://" + host + ":" + std::to_string(port));
}

inline HttpRequest get(std::string target) {
  HttpRequest r;
  r.method = "GET";
  r.target = std::move(target);
  return r;
}

}  // namespace cph::cloud::testing

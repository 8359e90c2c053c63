// HTTP/1.1 transport of the emulator (Boost.Beast, C++20 coroutines): accepts
// connections, reads requests (keep-alive, body limit), hands each to a plain
// handler and writes the answer. The only translation unit that includes
// Beast/Asio is http_server.cc, which keeps the rest cheap to compile.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "emulator/http_types.h"

namespace cph::emulator {

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;
  // cph-api.md 1.4: AK/SK-signed bodies are limited to 12 MB. Larger bodies
  // are answered 413 and the connection is closed.
  static constexpr size_t kBodyLimit = 12u * 1024 * 1024;

  // handler is called on the server's thread, one request at a time.
  explicit HttpServer(Handler handler);
  ~HttpServer();  // stops and joins
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Serve HTTPS (TLS 1.2+) with this certificate chain and private key (PEM)
  // instead of plain HTTP; call before listen(). Throws std::runtime_error.
  void use_tls(const std::string& cert_pem, const std::string& key_pem);
  bool tls() const;

  // Binds "host:port" ("127.0.0.1:0" picks a free port; "[::1]:8080" for
  // IPv6; "localhost" means 127.0.0.1). Throws std::runtime_error.
  void listen(const std::string& host_port);
  uint16_t port() const;
  std::string host() const;  // the bound address, e.g. "127.0.0.1"

  // Serves on a background thread until stop().
  void start();
  // Serves on the calling thread until stop() or, if stop_on_signals, SIGINT/SIGTERM.
  void run(bool stop_on_signals);
  // Thread-safe, idempotent. Closes the listener and all connections.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cph::emulator

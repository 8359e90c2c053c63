// Plain request/response structs between the socket transport
// (http_server.cc, the only Beast user) and the emulator's routing and
// handlers. Keeping them plain makes every handler testable without sockets
// and keeps Beast out of all other translation units.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cph::emulator {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// A request as received on the wire: the AK/SK signature is verified over
// exactly these bytes (method, raw target, headers, body).
struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw request target: percent-encoded path + optional "?query"
  HeaderList headers;  // as received, names in any case
  std::string body;

  // First header with this name (case-insensitive), if any.
  std::optional<std::string_view> header(std::string_view name) const;
  std::string_view path() const;   // target up to '?'
  std::string_view query() const;  // after '?', without it; "" when absent
};

struct HttpResponse {
  int status = 200;
  HeaderList headers;  // Content-Type is set by the helpers that build bodies
  std::string body;
  // Fault injection (faults.h): wait this long before answering, or close
  // the connection without any response.
  int64_t delay_ms = 0;
  bool drop_connection = false;

  std::optional<std::string_view> header(std::string_view name) const;
};

// Case-insensitive ASCII comparison (HTTP header names).
bool iequals(std::string_view a, std::string_view b);

// A query string split into percent-decoded name/value pairs, in wire order.
// '+' stays '+': the Huawei SDK encodes spaces as %20 (common/signer.h).
class QueryParams {
 public:
  explicit QueryParams(std::string_view raw_query);
  // First value of the parameter, if present (possibly "").
  std::optional<std::string> get(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

}  // namespace cph::emulator

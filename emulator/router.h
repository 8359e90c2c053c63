// Path-template router. Templates are written exactly as the reference
// writes them ("/v1/{project_id}/cloud-phone/servers/{server_id}"), so the
// matched template doubles as the operation name in /_emulator/stats.
//
// Precedence (cph-api.md 2.1 routing notes): at the first segment where two
// templates differ, a literal segment beats a {param} segment, so
// ".../servers/batch-restart" is never taken for ".../servers/{server_id}".
// Matching backtracks: a literal that leads nowhere for this method falls back
// to the {param} alternative.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cph::emulator {

struct RouteMatch {
  size_t route = 0;  // index returned by Router::add
  std::vector<std::pair<std::string, std::string>> params;  // percent-decoded values

  // Value of {name}; "" when the template has no such parameter.
  const std::string& param(std::string_view name) const;
};

class Router {
 public:
  // Returns the route's index (0, 1, 2, ... in insertion order).
  // Throws std::invalid_argument for a malformed template or a duplicate.
  size_t add(std::string method, std::string pattern);

  // Best match for a raw (percent-encoded) path, or nullopt.
  std::optional<RouteMatch> match(std::string_view method, std::string_view raw_path) const;

  const std::string& method(size_t route) const { return routes_[route].method; }
  const std::string& pattern(size_t route) const { return routes_[route].pattern; }

 private:
  struct Segment {
    std::string text;  // literal text, or the parameter name
    bool is_param = false;
  };
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<Segment> segments;
  };
  std::vector<Route> routes_;
};

}  // namespace cph::emulator

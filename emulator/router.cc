#include "emulator/router.h"

#include <stdexcept>

#include "resources/huawei/signer.h"

namespace cph::emulator {
namespace {
// "/a/b/c" -> {"a","b","c"}; a trailing slash adds no empty segment, so
// "/servers/" matches "/servers" (the signer canonicalises both alike).
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (!path.empty()) {
    size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}
}  // namespace

const std::string& RouteMatch::param(std::string_view name) const {
  static const std::string empty;
  for (const auto& [k, v] : params)
    if (k == name) return v;
  return empty;
}

size_t Router::add(std::string method, std::string pattern) {
  if (pattern.empty() || pattern.front() != '/') throw std::invalid_argument("route must start with '/': " + pattern);
  Route r{std::move(method), std::move(pattern), {}};
  for (std::string_view seg : split_path(r.pattern)) {
    if (seg.empty()) throw std::invalid_argument("empty segment in route " + r.pattern);
    if (seg.front() == '{') {
      if (seg.size() < 3 || seg.back() != '}') throw std::invalid_argument("bad parameter in route " + r.pattern);
      r.segments.push_back({std::string(seg.substr(1, seg.size() - 2)), true});
    } else {
      r.segments.push_back({std::string(seg), false});
    }
  }
  for (const Route& other : routes_) {
    if (other.method != r.method || other.segments.size() != r.segments.size()) continue;
    bool same = true;
    for (size_t i = 0; i < r.segments.size() && same; ++i) {
      const Segment &a = other.segments[i], &b = r.segments[i];
      same = a.is_param == b.is_param && (a.is_param || a.text == b.text);
    }
    if (same) throw std::invalid_argument("duplicate route " + r.method + " " + r.pattern);
  }
  routes_.push_back(std::move(r));
  return routes_.size() - 1;
}

std::optional<RouteMatch> Router::match(std::string_view method, std::string_view raw_path) const {
  const std::vector<std::string_view> segs = split_path(raw_path);
  const Route* best = nullptr;
  for (const Route& r : routes_) {
    if (r.method != method || r.segments.size() != segs.size()) continue;
    bool ok = true;
    for (size_t i = 0; i < segs.size() && ok; ++i)
      ok = r.segments[i].is_param ? !segs[i].empty() : r.segments[i].text == segs[i];
    if (!ok) continue;
    if (!best) {
      best = &r;
      continue;
    }
    // Literal-first: decide at the first position where the kinds differ.
    for (size_t i = 0; i < segs.size(); ++i) {
      if (r.segments[i].is_param == best->segments[i].is_param) continue;
      if (!r.segments[i].is_param) best = &r;
      break;
    }
  }
  if (!best) return std::nullopt;
  RouteMatch m;
  m.route = static_cast<size_t>(best - routes_.data());
  for (size_t i = 0; i < segs.size(); ++i)
    if (best->segments[i].is_param) m.params.emplace_back(best->segments[i].text, sign::uri_decode(segs[i]));
  return m;
}

}  // namespace cph::emulator

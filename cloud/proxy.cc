#include "cloud/proxy.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <string_view>

#include "common/crypto.h"
#include "common/uri.h"

namespace cph::cloud {
namespace {

std::string env_either(const char* upper, const char* lower) {
  for (const char* name : {upper, lower})
    if (const char* v = std::getenv(name); v && *v) return v;
  return "";
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// One no_proxy entry against the endpoint's host and port.
bool bypasses(std::string entry, const Url& endpoint) {
  entry = lower(trim(entry));
  if (entry.empty()) return false;
  if (entry == "*") return true;
  // ":port" suffix, unless the entry is a bare IPv6 address.
  if (size_t colon = entry.rfind(':'); colon != std::string::npos && entry.find(':') == colon) {
    if (entry.substr(colon + 1) != std::to_string(endpoint.port)) return false;
    entry.resize(colon);
  }
  if (entry.size() > 2 && entry.front() == '[' && entry.back() == ']') entry = entry.substr(1, entry.size() - 2);
  if (!entry.empty() && entry.front() == '.') entry.erase(0, 1);
  const std::string host = lower(endpoint.host);
  if (host == entry) return true;
  return host.size() > entry.size() && host.compare(host.size() - entry.size(), entry.size(), entry) == 0 &&
         host[host.size() - entry.size() - 1] == '.';
}
}  // namespace

namespace {
std::mutex settings_mutex;
ProxySettings current_settings;
}  // namespace

void use_proxy_settings(ProxySettings settings) {
  std::lock_guard lock(settings_mutex);
  current_settings = std::move(settings);
}

ProxySettings proxy_settings() {
  std::lock_guard lock(settings_mutex);
  return current_settings;
}

ProxySettings proxy_settings_from_env() {
  ProxySettings s;
  s.https_proxy = env_either("HTTPS_PROXY", "https_proxy");
  s.http_proxy = env_either("HTTP_PROXY", "http_proxy");
  s.no_proxy = env_either("NO_PROXY", "no_proxy");
  return s;
}

std::string Proxy::where() const { return url.host_header(); }

std::optional<Proxy> proxy_for(const Url& endpoint, const ProxySettings& settings) {
  const std::string& spec = endpoint.scheme == "https" ? settings.https_proxy : settings.http_proxy;
  if (spec.empty()) return std::nullopt;
  std::string_view rest = settings.no_proxy;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    if (bypasses(std::string(rest.substr(0, comma)), endpoint)) return std::nullopt;
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  const char* variable = endpoint.scheme == "https" ? "HTTPS_PROXY" : "HTTP_PROXY";
  std::string text = trim(spec);
  if (text.find("://") == std::string::npos) text = "http://" + text;  // "proxy:3128", as curl reads it
  // User info: up to the last '@' of the authority. Removed before anything
  // else sees the URL, so no message can quote the password.
  Proxy p;
  const size_t authority = text.find("://") + 3;
  const size_t end = std::min(text.find('/', authority), text.size());
  if (size_t at = text.rfind('@', end); at != std::string::npos && at >= authority) {
    const std::string user_info = text.substr(authority, at - authority);
    const size_t colon = user_info.find(':');
    const std::string user = uri_decode(user_info.substr(0, colon));
    const std::string password = colon == std::string::npos ? "" : uri_decode(user_info.substr(colon + 1));
    p.authorization = "Basic " + crypto::base64(user + ":" + password);
    text.erase(authority, at + 1 - authority);
  }
  try {
    p.url = parse_url(text);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string(variable) + " is not a proxy URL such as http://proxy.example:3128: " +
                                e.what());
  }
  if (p.url.scheme != "http")
    throw std::invalid_argument(std::string(variable) + ": only http:// proxies are supported (got " + p.url.scheme +
                                "://" + p.where() + ")");
  return p;
}

}  // namespace cph::cloud

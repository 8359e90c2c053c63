// HTTP proxies (issue 17): which proxy, if any, carries the requests to an
// endpoint, from the variables every HTTP tool reads. HTTPS goes through an
// HTTP CONNECT tunnel (TLS end to end with the endpoint); plain HTTP is sent
// to the proxy in absolute form. The proxy's password never appears in a
// message: Proxy::where() is host:port only.
#pragma once

#include <optional>
#include <string>

#include "cloud/http.h"

namespace cph::cloud {

// The proxy variables as read: the values of HTTPS_PROXY, HTTP_PROXY and
// NO_PROXY. Empty: direct connections.
struct ProxySettings {
  std::string https_proxy;
  std::string http_proxy;
  std::string no_proxy;
};

// HTTPS_PROXY / https_proxy, HTTP_PROXY / http_proxy, NO_PROXY / no_proxy:
// upper case first, as curl does; unset is "".
ProxySettings proxy_settings_from_env();

// The settings every transport made from now on uses (make_http_transport):
// process-wide, like the environment they come from. Empty (direct) until
// set; engine/workspace.cc sets them from the environment for a cloud
// endpoint, never for the embedded emulator. Thread-safe.
void use_proxy_settings(ProxySettings settings);
ProxySettings proxy_settings();

struct Proxy {
  Url url;                    // http://host:port of the proxy (no credentials)
  std::string authorization;  // "Basic base64(user:password)" from the URL's user info, or ""
  std::string where() const;  // "host:port", for messages
};

// The proxy for `endpoint`: https_proxy for https endpoints, http_proxy for
// http ones, none when that is unset or no_proxy matches the endpoint's host.
// no_proxy is a comma-separated list of "*", host names (matching the host
// and its subdomains; a leading "." is ignored), IP addresses, each with an
// optional ":port". Throws std::invalid_argument, without the password, on a
// malformed proxy URL or a scheme other than http.
std::optional<Proxy> proxy_for(const Url& endpoint, const ProxySettings& settings);

}  // namespace cph::cloud

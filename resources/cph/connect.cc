#include "resources/cph/connect.h"

#include <cstdlib>

#include "common/timefmt.h"

namespace cph::cloud {
namespace {

constexpr const char* kDomain = ".myhuaweicloud.com";

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The URL of one service. `endpoint` alone (the older single URL) names its
// siblings when it is a Huawei Cloud CPH host, and otherwise serves them all
// (an emulator answers every service on one address).
std::string service_url(const ConnectSettings& s, const std::string& region, const std::string& service) {
  if (auto it = s.endpoints.find(service); it != s.endpoints.end()) return it->second;
  if (!s.endpoint.empty()) {
    if (service == "cph") return s.endpoint;
    const Url cph = parse_url(s.endpoint);
    if (cph.host.rfind("cph.", 0) != 0 || !ends_with(cph.host, kDomain)) return s.endpoint;
    if (service == "bss") return "https://bss" + std::string(kDomain);
    return cph.scheme + "://" + service + cph.host.substr(3);
  }
  if (region.empty())
    throw std::runtime_error("no endpoint: set region in [provider] (or HW_REGION_NAME) to reach Huawei Cloud's " +
                             service + " service (https://" + service + ".REGION" + kDomain +
                             "), endpoint to a CPH URL, or endpoint = \"emulator\" for the built-in emulator");
  // BSS is a global service; the others are regional.
  if (service == "bss") return "https://bss" + std::string(kDomain);
  return "https://" + service + "." + region + kDomain;
}

// The metadata service is link-local: never through a proxy. Transports
// take the process-wide proxy settings when made (cloud/proxy.h), so it is
// made with none; the answer is small and comes at once or not at all.
std::shared_ptr<HttpTransport> metadata_transport(asio::any_io_executor executor, const Url& url,
                                                  const HttpOptions& http) {
  const ProxySettings saved = proxy_settings();
  use_proxy_settings({});
  HttpOptions quick = http;
  quick.connect_timeout = std::min(http.connect_timeout, std::chrono::milliseconds(3000));
  quick.request_timeout = std::min(http.request_timeout, std::chrono::milliseconds(5000));
  quick.read_timeout = std::min(http.read_timeout, std::chrono::milliseconds(5000));
  std::shared_ptr<HttpTransport> t = make_http_transport(executor, url, quick);
  use_proxy_settings(saved);
  return t;
}

asio::awaitable<Credentials> fetch_security_key(std::shared_ptr<HttpTransport> transport, Url url) {
  HttpRequest req;
  req.method = "GET";
  req.target = url.base_path + std::string(kMetadataSecurityKeyPath);
  req.idempotent = true;
  const HttpResponse r = co_await transport->send(std::move(req));
  if (r.status != 200) {
    std::string why = "the metadata service at " + url.to_string() + " answered HTTP " + std::to_string(r.status) +
                      " to GET " + std::string(kMetadataSecurityKeyPath);
    // The SDK's marker of an ECS without an agency (metadata_accessor.go).
    if (r.body.find("Please configure Cloud Service Agency first") != std::string::npos)
      why += ": this ECS has no agency, so it has no temporary keys";
    throw CredentialError(why);
  }
  co_return parse_security_key(r.body);
}

std::string absolute_url(std::string s) {
  if (s.rfind("http://", 0) != 0 && s.rfind("https://", 0) != 0) s = "https://" + s;
  return s;
}

}  // namespace

Endpoints service_endpoints(const ConnectSettings& s, const std::string& region) {
  Endpoints e;
  e.cph = parse_url(service_url(s, region, "cph"));
  e.bss = parse_url(service_url(s, region, "bss"));
  e.kps = parse_url(service_url(s, region, "kps"));
  e.iam = parse_url(service_url(s, region, "iam"));
  return e;
}

asio::awaitable<FoundCredentials> find_credentials(asio::any_io_executor executor, const ConnectSettings& s) {
  if (s.credentials) co_return *s.credentials;
  if (std::optional<FoundCredentials> found = credentials_from_env()) co_return *found;
  if (std::optional<FoundCredentials> found = credentials_from_profile()) co_return *found;
  const Url url = parse_url(metadata_url());
  try {
    Credentials keys = co_await fetch_security_key(metadata_transport(executor, url, s.http), url);
    keys.region = env("HW_REGION_NAME");
    co_return FoundCredentials{std::move(keys), "ECS metadata service " + url.to_string(), "", true};
  } catch (const TransportError& e) {
    throw CredentialError(
        "no credentials: neither HUAWEICLOUD_SDK_AK/HUAWEICLOUD_SDK_SK nor HW_ACCESS_KEY/HW_SECRET_KEY is set, "
        "there is no profile at " + credentials_file_path() + ", and the ECS metadata service at " + url.to_string() +
        " did not answer (" + e.what() + ")");
  }
}

namespace {
// The project: given, the credentials', remembered for this region, or IAM's.
asio::awaitable<void> settle_project(CphClient& client, const ConnectSettings& s, const FoundCredentials& found,
                                     Connection& conn) {
  conn.project_id = !s.project_id.empty() ? s.project_id : found.credentials.project_id;
  if (conn.project_id.empty() && !conn.region.empty() && s.remembered_region == conn.region)
    conn.project_id = s.remembered_project_id;
  if (conn.project_id.empty()) {
    if (conn.region.empty())
      throw std::runtime_error("no project id: set project_id in [provider] (or HUAWEICLOUD_SDK_PROJECT_ID / "
                               "HW_PROJECT_ID), or region to find the region's project through IAM");
    const std::vector<std::string> ids = co_await client.list_project_ids(conn.region);
    if (ids.empty())
      throw std::runtime_error("IAM lists no project named " + conn.region + " for the credentials from " +
                               found.source + ": check the region, or set project_id in [provider]");
    conn.project_id = ids.front();
    conn.project_discovered = true;
  }
  client.set_project_id(conn.project_id);
}
}  // namespace

asio::awaitable<Connection> connect(asio::any_io_executor executor, ConnectSettings s) {
  Connection conn;
  conn.region = !s.region.empty() ? s.region : env("HW_REGION_NAME");
  Endpoints endpoints = service_endpoints(s, conn.region);
  FoundCredentials found = co_await find_credentials(executor, s);
  // The profile's iam_endpoint is where its keys' IAM is, unless endpoints.iam says otherwise.
  if (!found.iam_endpoint.empty() && !s.endpoints.count("iam")) endpoints.iam = parse_url(absolute_url(found.iam_endpoint));
  conn.credential_source = found.source;
  conn.description = endpoints.cph.to_string() + " (credentials: " + found.source + ")";

  use_proxy_settings(s.proxy);
  Credentials creds = found.credentials;
  creds.region = conn.region;
  conn.client = std::make_unique<CphClient>(executor, endpoints, creds, s.http);
  if (found.from_metadata) {
    const Url url = parse_url(metadata_url());
    std::shared_ptr<HttpTransport> metadata = metadata_transport(executor, url, s.http);
    conn.client->set_credential_renewal([metadata, url]() { return fetch_security_key(metadata, url); });
  }
  co_await settle_project(*conn.client, s, found, conn);
  co_return conn;
}

}  // namespace cph::cloud

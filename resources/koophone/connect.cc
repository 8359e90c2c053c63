// The KooPhone connection (connect.h).
#include "resources/koophone/connect.h"

#include <cstdlib>

namespace cph::koophone {
namespace {

std::string kp_env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

// IAM's URL: endpoints.iam, else the endpoint when it is not Huawei Cloud's
// KooPhone host (an emulator serves IAM too), else the region's IAM.
std::string iam_url(const ConnectSettings& s, const std::string& endpoint, const std::string& region) {
  if (auto it = s.endpoints.find("iam"); it != s.endpoints.end()) return it->second;
  if (endpoint != kDefaultEndpoint) return endpoint;
  if (region.empty())
    throw cloud::CredentialError("an IAM token (HW_USER_NAME) needs a region: set region in [provider] or HW_REGION_NAME");
  return "https://iam." + region + ".myhuaweicloud.com";
}

std::unique_ptr<Auth> choose_auth(boost::asio::any_io_executor executor, const ConnectSettings& s, const std::string& endpoint,
                                  const std::string& region) {
  const std::string user = kp_env("HW_USER_NAME"), password = kp_env("HW_USER_PASSWORD"), domain = kp_env("HW_DOMAIN_NAME");
  if (!user.empty() || !password.empty()) {
    if (user.empty() || password.empty() || domain.empty())
      throw cloud::CredentialError("an IAM password token needs HW_USER_NAME, HW_USER_PASSWORD and HW_DOMAIN_NAME; " +
                                   std::string(user.empty() ? "HW_USER_NAME" : password.empty() ? "HW_USER_PASSWORD" : "HW_DOMAIN_NAME") +
                                   " is not set");
    if (region.empty())
      throw cloud::CredentialError("an IAM password token is scoped to the region's project: set region in [provider] or HW_REGION_NAME");
    return password_token_auth(executor, cloud::parse_url(iam_url(s, endpoint, region)), PasswordLogin{user, password, domain, region},
                               s.http);
  }
  for (const char* name : {"HW_AUTH_TOKEN", "OS_AUTH_TOKEN"})
    if (std::string token = kp_env(name); !token.empty()) return given_token_auth(token, std::string("environment (") + name + ")");
  if (s.credentials) return aksk_auth(*s.credentials);
  if (std::optional<cloud::FoundCredentials> found = cloud::credentials_from_env()) return aksk_auth(*found);
  if (std::optional<cloud::FoundCredentials> found = cloud::credentials_from_profile()) return aksk_auth(*found);
  throw cloud::CredentialError(
      "no KooPhone credentials: set HW_USER_NAME/HW_USER_PASSWORD/HW_DOMAIN_NAME (IAM token), HW_AUTH_TOKEN or "
      "OS_AUTH_TOKEN (a token), HW_ACCESS_KEY/HW_SECRET_KEY or HUAWEICLOUD_SDK_AK/SK (AK/SK), or the profile file " +
      cloud::credentials_file_path());
}

}  // namespace

Connection connect(boost::asio::any_io_executor executor, ConnectSettings settings) {
  std::string endpoint = settings.endpoint.empty() ? kDefaultEndpoint : settings.endpoint;
  if (auto it = settings.endpoints.find("koophone"); it != settings.endpoints.end()) endpoint = it->second;
  const std::string region = settings.region.empty() ? kp_env("HW_REGION_NAME") : settings.region;
  std::unique_ptr<Auth> auth = choose_auth(executor, settings, endpoint, region);
  Connection c;
  c.description = endpoint + " (" + auth->description() + ")";
  c.client = std::make_unique<KooPhoneClient>(executor, cloud::parse_url(endpoint), std::move(auth), settings.http);
  return c;
}

}  // namespace cph::koophone

#include "resources/huawei/credentials.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/timefmt.h"

namespace cph::cloud {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

std::string trim(std::string s) {
  const char* ws = " \t\r\n";
  s.erase(0, s.find_first_not_of(ws));
  s.erase(s.find_last_not_of(ws) + 1);
  return s;
}

// One family of variables: the SDKs' or the Terraform provider's.
struct EnvNames {
  const char* ak;
  const char* sk;
  const char* project_id;
  const char* security_token;
};

std::optional<FoundCredentials> from_env_names(const EnvNames& n) {
  Credentials c;
  c.access_key = env(n.ak);
  c.secret_key = env(n.sk);
  if (c.access_key.empty() && c.secret_key.empty()) return std::nullopt;
  // Half a pair is a mistake to report, not a reason to look further: the
  // next source would act as someone else.
  if (c.access_key.empty() || c.secret_key.empty())
    throw CredentialError(std::string(c.access_key.empty() ? n.ak : n.sk) + " is not set but " +
                          (c.access_key.empty() ? n.sk : n.ak) + " is: set both, or neither");
  c.project_id = env(n.project_id);
  c.security_token = env(n.security_token);
  c.region = env("HW_REGION_NAME");
  return FoundCredentials{std::move(c), std::string("environment (") + n.ak + ")", "", false};
}

// The [basic] section of an INI file: key = value lines; '#' and ';' start
// comments; keys are case-insensitive as in the SDK's ini reader.
std::map<std::string, std::string> basic_section(std::istream& in, const std::string& path) {
  std::map<std::string, std::string> out;
  std::string line, section;
  int number = 0;
  bool seen = false;
  while (std::getline(in, line)) {
    ++number;
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[') {
      if (line.back() != ']') throw CredentialError(path + ":" + std::to_string(number) + ": unterminated section header");
      section = trim(line.substr(1, line.size() - 2));
      for (char& ch : section) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      seen = seen || section == "basic";
      continue;
    }
    const size_t eq = line.find('=');
    if (eq == std::string::npos)
      throw CredentialError(path + ":" + std::to_string(number) + ": expected key = value");
    if (section != "basic") continue;
    std::string key = trim(line.substr(0, eq));
    for (char& ch : key) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    out[key] = trim(line.substr(eq + 1));
  }
  if (!seen) throw CredentialError(path + ": no [basic] section (the SDKs' profile format)");
  return out;
}

}  // namespace

std::optional<FoundCredentials> credentials_from_env() {
  if (auto sdk = from_env_names({"HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_PROJECT_ID",
                                 "HUAWEICLOUD_SDK_SECURITY_TOKEN"}))
    return sdk;
  return from_env_names({"HW_ACCESS_KEY", "HW_SECRET_KEY", "HW_PROJECT_ID", "HW_SECURITY_TOKEN"});
}

std::string credentials_file_path() {
  if (std::string named = env("HUAWEICLOUD_SDK_CREDENTIALS_FILE"); !named.empty()) return named;
  const std::string home = env("HOME");
  return home.empty() ? std::string() : home + "/.huaweicloud/credentials";
}

std::optional<FoundCredentials> credentials_from_profile() {
  const std::string path = credentials_file_path();
  if (path.empty()) return std::nullopt;
  const bool named = !env("HUAWEICLOUD_SDK_CREDENTIALS_FILE").empty();
  std::ifstream in(path);
  if (!in) {
    // The default file is optional; a file named on purpose is not.
    if (!named) return std::nullopt;
    throw CredentialError("HUAWEICLOUD_SDK_CREDENTIALS_FILE names " + path + ", which cannot be read");
  }
  std::map<std::string, std::string> basic = basic_section(in, path);
  Credentials c;
  c.access_key = basic["ak"];
  c.secret_key = basic["sk"];
  if (c.access_key.empty() || c.secret_key.empty())
    throw CredentialError(path + ": [basic] needs both ak and sk");
  c.project_id = basic["project_id"];
  c.security_token = basic["security_token"];
  c.region = env("HW_REGION_NAME");
  return FoundCredentials{std::move(c), "profile " + path, basic["iam_endpoint"], false};
}

std::string metadata_url() {
  std::string url = env("CPHFORM_METADATA_URL");
  if (url.empty()) url = "http://169.254.169.254";
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

Credentials parse_security_key(std::string_view body) {
  const nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  const std::string what = "the metadata service's securitykey answer";
  if (!j.is_object() || !j.contains("credential") || !j["credential"].is_object())
    throw CredentialError(what + " has no \"credential\" object");
  const nlohmann::json& c = j["credential"];
  auto field = [&](const char* key) {
    auto it = c.find(key);
    if (it == c.end() || !it->is_string() || it->get_ref<const std::string&>().empty())
      throw CredentialError(what + ": credential." + key + " is missing or not a non-empty string");
    return it->get<std::string>();
  };
  Credentials out;
  out.access_key = field("access");
  out.secret_key = field("secret");
  out.security_token = field("securitytoken");
  std::string expires = field("expires_at");
  // The service writes microseconds ("2024-05-19T07:58:53.873000Z"); the
  // SDK's parser ignores them too.
  if (size_t dot = expires.find('.'); dot != std::string::npos && expires.back() == 'Z')
    expires = expires.substr(0, dot) + "Z";
  std::optional<int64_t> at = parse_iso8601_utc(expires);
  if (!at) throw CredentialError(what + ": credential.expires_at is not a UTC time YYYY-MM-DDTHH:MM:SSZ");
  out.expires_at = *at;
  return out;
}

bool renewal_due(int64_t fetched_at, int64_t expires_at, int64_t now) {
  if (expires_at == 0) return false;  // permanent keys
  const int64_t lifetime = expires_at - fetched_at;
  const int64_t margin = lifetime > 0 ? std::min(kRenewBeforeExpirySeconds, lifetime / 2) : 0;
  return now >= expires_at - margin;
}

}  // namespace cph::cloud

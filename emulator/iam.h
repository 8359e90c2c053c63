// IAM token authentication (cph-api.md 1.4(a), A-1): POST /v3/auth/tokens
// with the password body of 1.4 issues a project-scoped token (201, header
// X-Subject-Token), valid 24 hours of wall time; X-Auth-Token is then
// accepted instead of an AK/SK signature on every API. Users come from
// Options::iam_users (`--iam-user NAME:PASSWORD:DOMAIN:PROJECT_ID`). Tokens
// live in memory only (a restart invalidates them).
//
// Also the two other identity services a client meets (issue 17): IAM's
// project list (GET /v3/projects?name=REGION, cph-api.md 1.7), and the ECS
// metadata service's temporary keys (GET /openstack/latest/securitykey, the
// answer Huawei's SDKs read: {"credential": {"access", "secret",
// "securitytoken", "expires_at"}}), which sign requests like permanent keys
// plus a signed X-Security-Token header.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "emulator/emulator.h"
#include "emulator/http_types.h"

namespace cph::emulator {

class Iam {
 public:
  static constexpr int64_t kTokenLifetimeS = 24 * 3600;

  // token_lifetime_s: how long an issued token is valid (24 hours in 1.4;
  // shorter in tests of renewal, Options::iam_token_lifetime_s).
  explicit Iam(std::vector<IamUser> users, int64_t token_lifetime_s = kTokenLifetimeS)
      : users_(std::move(users)), token_lifetime_s_(token_lifetime_s) {}
  // POST /v3/auth/tokens. now_s: wall-clock epoch seconds.
  HttpResponse issue(const HttpRequest& req, int64_t now_s);
  // The credential (project) of a valid token, or nullptr.
  const Credential* verify(std::string_view token, int64_t now_s) const;

  // GET /openstack/latest/securitykey: new temporary keys of `project_id`
  // valid for lifetime_s wall seconds.
  HttpResponse issue_security_key(const std::string& project_id, int64_t lifetime_s, int64_t now_s);
  // The temporary key `access`, whether expired or not; nullptr when unknown.
  struct TemporaryKey {
    Credential credential;
    std::string security_token;
    int64_t expires_s = 0;
  };
  const TemporaryKey* temporary_key(std::string_view access) const;
  // GET /v3/projects[?name=]: the caller's project, named `region`.
  static HttpResponse list_projects(const HttpRequest& req, const Credential& caller, const std::string& region);

 private:
  struct Token {
    Credential credential;  // project only (no AK/SK)
    int64_t expires_s = 0;
  };
  std::vector<IamUser> users_;
  int64_t token_lifetime_s_;
  std::map<std::string, Token, std::less<>> tokens_;
  std::map<std::string, TemporaryKey, std::less<>> temporary_keys_;  // by access key
};

}  // namespace cph::emulator

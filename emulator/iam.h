// IAM token authentication (cph-api.md 1.4(a), A-1): POST /v3/auth/tokens
// with the password body of 1.4 issues a project-scoped token (201, header
// X-Subject-Token), valid 24 hours of wall time; X-Auth-Token is then
// accepted instead of an AK/SK signature on every API. Users come from
// Options::iam_users (`--iam-user NAME:PASSWORD:DOMAIN:PROJECT_ID`). Tokens
// live in memory only (a restart invalidates them).
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

  explicit Iam(std::vector<IamUser> users) : users_(std::move(users)) {}
  // POST /v3/auth/tokens. now_s: wall-clock epoch seconds.
  HttpResponse issue(const HttpRequest& req, int64_t now_s);
  // The credential (project) of a valid token, or nullptr.
  const Credential* verify(std::string_view token, int64_t now_s) const;

 private:
  struct Token {
    Credential credential;  // project only (no AK/SK)
    int64_t expires_s = 0;
  };
  std::vector<IamUser> users_;
  std::map<std::string, Token, std::less<>> tokens_;
};

}  // namespace cph::emulator

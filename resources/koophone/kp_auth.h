// How a KooPhone request proves its sender (cph-api.md 14.1): Huawei AK/SK
// signing (the signer CPH uses), or an IAM token in X-Auth-Token, either
// given (an existing token from the environment) or obtained once per run
// from IAM's POST /v3/auth/tokens with a password (1.4). A token is cached
// until 10 minutes before it expires (or half its lifetime, when it lives
// less than 20 minutes) and renewed once when the API answers 401.
// Secrets never leave these objects: description() names where they came
// from, never what they are.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "cloud/http.h"
#include "resources/huawei/credentials.h"

namespace cph::koophone {

// Authentication cannot be had (IAM refused the password, a token was
// refused and cannot be renewed): before any call of the API is sent.
struct AuthError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Auth {
 public:
  virtual ~Auth() = default;
  // Adds the authentication headers to a request about to be sent to
  // `endpoint` (its Host header is already set).
  virtual boost::asio::awaitable<void> authorize(cloud::HttpRequest& req) = 0;
  // The API answered 401 to a request authorized at `generation`: renews the
  // token unless another call already did. False when there is nothing to
  // renew (AK/SK, a given token): the 401 stands.
  virtual boost::asio::awaitable<bool> renew_after_401(int64_t generation) {
    (void)generation;
    co_return false;
  }
  // Counts tokens obtained (0 for AK/SK); a call authorized now carries this one.
  virtual int64_t generation() const { return 0; }
  // "AK/SK from environment (HW_ACCESS_KEY)", "IAM token of user NAME": never a secret.
  virtual std::string description() const = 0;
};

// AK/SK signing; temporary keys add their signed X-Security-Token.
std::unique_ptr<Auth> aksk_auth(cloud::FoundCredentials found);

// A token given as is (HW_AUTH_TOKEN / OS_AUTH_TOKEN): never renewed.
std::unique_ptr<Auth> given_token_auth(std::string token, std::string source);

// A password token from IAM (POST {iam}/v3/auth/tokens, scoped to the
// project named `project_name`, the region). Obtained at the first call.
struct PasswordLogin {
  std::string user, password, domain, project_name;
};
std::unique_ptr<Auth> password_token_auth(boost::asio::any_io_executor executor, const cloud::Url& iam,
                                          PasswordLogin login, const cloud::HttpOptions& options = {});

// Whether a token obtained at `issued_at` that expires at `expires_at` is due
// for renewal at `now` (epoch seconds): 10 minutes before expiry, or at half
// its lifetime when that is sooner.
bool token_renewal_due(int64_t issued_at, int64_t expires_at, int64_t now);

}  // namespace cph::koophone

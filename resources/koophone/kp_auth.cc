// AK/SK signing and IAM tokens for the KooPhone client (kp_auth.h).
#include "resources/koophone/kp_auth.h"

#include <algorithm>
#include <chrono>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "common/timefmt.h"
#include "resources/huawei/signer.h"

namespace cph::koophone {
namespace {
namespace asio = boost::asio;

// The IAM token's lifetime margin (issue 15: cached until 10 minutes before expiry).
constexpr int64_t kTokenMarginS = 10 * 60;

class AkSkAuth final : public Auth {
 public:
  explicit AkSkAuth(cloud::FoundCredentials found) : found_(std::move(found)) {}
  asio::awaitable<void> authorize(cloud::HttpRequest& req) override {
    const size_t q = req.target.find('?');
    sign::SignableRequest s{req.method, req.target.substr(0, q), q == std::string::npos ? "" : req.target.substr(q + 1),
                            std::move(req.headers), req.body};
    // Temporary keys: the token is a header like any other, so it is signed.
    if (!found_.credentials.security_token.empty()) s.headers.emplace_back("X-Security-Token", found_.credentials.security_token);
    sign::sign_request(s, found_.credentials.access_key, found_.credentials.secret_key, sign::sdk_date_now());
    req.headers = std::move(s.headers);
    co_return;
  }
  std::string description() const override { return "AK/SK from " + found_.source; }

 private:
  cloud::FoundCredentials found_;
};

class GivenTokenAuth final : public Auth {
 public:
  GivenTokenAuth(std::string token, std::string source) : token_(std::move(token)), source_(std::move(source)) {}
  asio::awaitable<void> authorize(cloud::HttpRequest& req) override {
    req.headers.emplace_back("X-Auth-Token", token_);
    co_return;
  }
  std::string description() const override { return "IAM token from " + source_; }

 private:
  std::string token_, source_;
};

// "YYYY-MM-DDTHH:MM:SS[.ffffff]Z" (IAM writes microseconds).
std::optional<int64_t> expiry_of(std::string s) {
  if (s.size() > 20 && s[19] == '.' && s.back() == 'Z') s = s.substr(0, 19) + "Z";
  return parse_iso8601_utc(s);
}

class PasswordTokenAuth final : public Auth {
 public:
  PasswordTokenAuth(asio::any_io_executor executor, const cloud::Url& iam, PasswordLogin login, const cloud::HttpOptions& options)
      : executor_(executor), iam_(iam), login_(std::move(login)), transport_(cloud::make_http_transport(executor, iam, options)) {}

  asio::awaitable<void> authorize(cloud::HttpRequest& req) override {
    if (token_.empty() || token_renewal_due(issued_at_, expires_at_, now_epoch_seconds())) co_await obtain(generation_);
    req.headers.emplace_back("X-Auth-Token", token_);
  }
  asio::awaitable<bool> renew_after_401(int64_t generation) override {
    co_await obtain(generation);
    co_return true;
  }
  int64_t generation() const override { return generation_; }
  std::string description() const override {
    return "IAM token of user " + login_.user + " (domain " + login_.domain + ", " + iam_.to_string() + ")";
  }

 private:
  // A new token unless one newer than `seen` was obtained meanwhile; one
  // request to IAM at a time, the other callers wait for its token.
  asio::awaitable<void> obtain(int64_t seen) {
    while (obtaining_) {
      asio::steady_timer timer(executor_, std::chrono::milliseconds(5));
      co_await timer.async_wait(asio::use_awaitable);
    }
    if (generation_ != seen && !token_.empty() && !token_renewal_due(issued_at_, expires_at_, now_epoch_seconds())) co_return;
    obtaining_ = true;
    struct Done {
      bool& flag;
      ~Done() { flag = false; }
    } done{obtaining_};
    nlohmann::json body = {
        {"auth",
         {{"identity",
           {{"methods", {"password"}},
            {"password", {{"user", {{"name", login_.user}, {"password", login_.password}, {"domain", {{"name", login_.domain}}}}}}}}},
          {"scope", {{"project", {{"name", login_.project_name}}}}}}}};
    cloud::HttpRequest req{"POST", iam_.base_path + "/v3/auth/tokens",
                           {{"Host", iam_.host_header()}, {"Content-Type", "application/json;charset=utf8"}}, body.dump()};
    const int64_t asked_at = now_epoch_seconds();
    const cloud::HttpResponse r = co_await transport_->send(std::move(req));
    const std::string where = "IAM " + iam_.to_string() + "/v3/auth/tokens for user " + login_.user + " (domain " + login_.domain + ")";
    if (r.status != 201 && r.status != 200) {
      const nlohmann::json err = nlohmann::json::parse(r.body, nullptr, false);
      std::string message = err.is_object() && err.contains("error") && err["error"].is_object()
                                ? err["error"].value("message", std::string())
                                : std::string();
      throw AuthError(where + " refused the password with HTTP " + std::to_string(r.status) +
                      (message.empty() ? "" : ": " + message));
    }
    const std::string token = r.header("X-Subject-Token");
    const nlohmann::json answer = nlohmann::json::parse(r.body, nullptr, false);
    std::optional<int64_t> expires;
    if (answer.is_object() && answer.contains("token") && answer["token"].is_object() &&
        answer["token"].value("expires_at", nlohmann::json()).is_string())
      expires = expiry_of(answer["token"]["expires_at"].get<std::string>());
    if (token.empty() || !expires) throw AuthError(where + ": the answer has no X-Subject-Token or no token.expires_at");
    token_ = token;
    issued_at_ = asked_at;
    expires_at_ = *expires;
    ++generation_;
  }

  asio::any_io_executor executor_;
  cloud::Url iam_;
  PasswordLogin login_;
  std::unique_ptr<cloud::HttpTransport> transport_;
  std::string token_;
  int64_t issued_at_ = 0, expires_at_ = 0, generation_ = 0;
  bool obtaining_ = false;
};
}  // namespace

bool token_renewal_due(int64_t issued_at, int64_t expires_at, int64_t now) {
  const int64_t margin = std::min(kTokenMarginS, (expires_at - issued_at) / 2);
  return now >= expires_at - margin;
}

std::unique_ptr<Auth> aksk_auth(cloud::FoundCredentials found) { return std::make_unique<AkSkAuth>(std::move(found)); }

std::unique_ptr<Auth> given_token_auth(std::string token, std::string source) {
  return std::make_unique<GivenTokenAuth>(std::move(token), std::move(source));
}

std::unique_ptr<Auth> password_token_auth(asio::any_io_executor executor, const cloud::Url& iam, PasswordLogin login,
                                          const cloud::HttpOptions& options) {
  return std::make_unique<PasswordTokenAuth>(executor, iam, std::move(login), options);
}

}  // namespace cph::koophone

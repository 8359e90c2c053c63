#include "emulator/auth.h"

#include <algorithm>

#include "resources/huawei/signer.h"

namespace cph::emulator {

namespace {
// The security token rule for a request whose signature is valid: "" when it
// holds, else why not.
std::string check_security_token(const HttpRequest& req, const Iam::TemporaryKey* temporary, int64_t now_epoch_s) {
  const std::optional<std::string_view> token = req.header("X-Security-Token");
  if (!temporary)
    return token ? "X-Security-Token was sent with a permanent access key, which has no security token" : "";
  if (!token) return "the access key is temporary and the request carries no X-Security-Token";
  std::optional<sign::Authorization> auth = sign::parse_authorization(req.header("Authorization").value_or(""));
  if (!auth || std::find(auth->signed_headers.begin(), auth->signed_headers.end(), "x-security-token") ==
                   auth->signed_headers.end())
    return "X-Security-Token is not among the signed headers";
  if (*token != temporary->security_token) return "the security token does not belong to the access key";
  if (temporary->expires_s <= now_epoch_s) return "the temporary access key and its security token have expired";
  return "";
}
}  // namespace

AuthResult authenticate(const HttpRequest& req, const std::vector<Credential>& credentials, int64_t now_epoch_s,
                        const Iam* iam) {
  sign::SignableRequest s;
  s.method = req.method;
  s.path = std::string(req.path());
  s.query = std::string(req.query());
  s.headers = req.headers;
  s.body = req.body;

  const Credential* signer = nullptr;
  const Iam::TemporaryKey* temporary = nullptr;
  auto lookup = [&](std::string_view ak) -> std::optional<std::string> {
    for (const Credential& c : credentials)
      if (c.access_key == ak) {
        signer = &c;
        return c.secret_key;
      }
    if (iam && (temporary = iam->temporary_key(ak))) {
      signer = &temporary->credential;
      return temporary->credential.secret_key;
    }
    return std::nullopt;
  };
  sign::VerifyResult v = sign::verify(s, lookup, now_epoch_s, kMaxClockSkewSeconds);

  AuthResult r;
  switch (v.verdict) {
    case sign::Verdict::ok:
      r.detail = check_security_token(req, temporary, now_epoch_s);
      if (r.detail.empty()) r.credential = signer;
      break;
    case sign::Verdict::missing:
      r.detail = "the request carries no Authorization header (AK/SK signature)";
      break;
    case sign::Verdict::malformed:
      r.detail = "the Authorization header is not an SDK-HMAC-SHA256 signature, or X-Sdk-Date is missing or malformed";
      break;
    case sign::Verdict::unknown_key:
      r.detail = "the access key " + v.access + " is not known";
      break;
    case sign::Verdict::bad_signature:
      r.detail = "the signature does not match the request; check the secret key and that the request was not "
                 "changed after signing";
      break;
    case sign::Verdict::expired:
      r.detail = "X-Sdk-Date is more than 15 minutes from the server time";
      break;
  }
  return r;
}

}  // namespace cph::emulator

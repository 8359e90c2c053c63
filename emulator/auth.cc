#include "emulator/auth.h"

#include "resources/huawei/signer.h"

namespace cph::emulator {

AuthResult authenticate(const HttpRequest& req, const std::vector<Credential>& credentials, int64_t now_epoch_s) {
  sign::SignableRequest s;
  s.method = req.method;
  s.path = std::string(req.path());
  s.query = std::string(req.query());
  s.headers = req.headers;
  s.body = req.body;

  const Credential* signer = nullptr;
  auto lookup = [&](std::string_view ak) -> std::optional<std::string> {
    for (const Credential& c : credentials)
      if (c.access_key == ak) {
        signer = &c;
        return c.secret_key;
      }
    return std::nullopt;
  };
  sign::VerifyResult v = sign::verify(s, lookup, now_epoch_s, kMaxClockSkewSeconds);

  AuthResult r;
  switch (v.verdict) {
    case sign::Verdict::ok:
      r.credential = signer;
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

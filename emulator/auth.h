// AK/SK authentication of incoming requests (SDK-HMAC-SHA256), verified with
// common/signer.h over the request exactly as received. The reference leaves
// the algorithm to the SDK (cph-api.md 1.4); the signer reproduces the
// official SDK's vectors. Failures are reported the way Huawei's API gateway
// does: 401 APIGW.0301 "Incorrect IAM authentication information: ...".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "emulator/emulator.h"
#include "emulator/http_types.h"
#include "emulator/iam.h"

namespace cph::emulator {

// X-Sdk-Date more than this far from the wall clock (either way) is refused.
inline constexpr long long kMaxClockSkewSeconds = 15 * 60;

struct AuthResult {
  const Credential* credential = nullptr;  // set when the signature is valid
  std::string detail;                      // otherwise: why, for error_msg
};

// now_epoch_s: the wall clock (not the simulated one: signatures are dated by
// the client's real clock).
// `iam`, when given, also knows the temporary keys of the metadata service:
// a request signed with one must carry its X-Security-Token among the signed
// headers, before the key expires (the SDK adds the header, then signs).
AuthResult authenticate(const HttpRequest& req, const std::vector<Credential>& credentials, int64_t now_epoch_s,
                        const Iam* iam = nullptr);

}  // namespace cph::emulator

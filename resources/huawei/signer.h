// Huawei Cloud AK/SK request signing (SDK-HMAC-SHA256), both directions:
// the client signs outgoing requests, the emulator verifies incoming ones.
// Reproduces byte for byte the vectors in ../shared/signing-vectors.json,
// which were produced by the official SDK (@huaweicloud/huaweicloud-sdk-core).
//
// Algorithm (as pinned down by the vectors):
//   CanonicalRequest = Method \n CanonicalURI \n CanonicalQuery \n
//                      CanonicalHeaders \n SignedHeaders \n HexSHA256(body)
//   - CanonicalURI: the path, each segment percent-decoded and re-encoded with
//     RFC 3986 unreserved characters kept (A-Za-z0-9-_.~), always ending in '/'.
//   - CanonicalQuery: key=value pairs, keys and values decoded then re-encoded
//     the same way (space -> %20, '*' -> %2A ...), sorted by key then value,
//     joined with '&'. A key with an empty value keeps its '='.
//   - CanonicalHeaders: "lowercase-name:trimmed-value\n" for each signed header,
//     sorted by name; SignedHeaders: the names joined with ';'.
//   - Body hash: lowercase hex SHA-256, or the literal UNSIGNED-PAYLOAD when the
//     request carries "X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD".
//   StringToSign = "SDK-HMAC-SHA256\n" + X-Sdk-Date + "\n" + HexSHA256(CanonicalRequest)
//   Signature    = HexHMAC-SHA256(SK, StringToSign)
//   Authorization: "SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=hex"
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/uri.h"

namespace cph::sign {

inline constexpr std::string_view kAlgorithm = "SDK-HMAC-SHA256";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

using Header = std::pair<std::string, std::string>;

// A request as it is (or will be) on the wire.
struct SignableRequest {
  std::string method;            // "GET", "POST", ...
  std::string path;              // percent-encoded path as sent, without the query
  std::string query;             // raw query string as sent, without '?'; may be empty
  std::vector<Header> headers;   // names in any case
  std::string_view body;
};

// RFC 3986 percent-encoding (common/uri.h), part of the canonical forms.
using cph::uri_decode;
using cph::uri_encode;

std::string canonical_uri(std::string_view wire_path);
std::string canonical_query(std::string_view wire_query);
// signed_headers: lowercase names; the result lists them sorted.
std::string canonical_request(const SignableRequest& req, const std::vector<std::string>& signed_headers);
std::string string_to_sign(std::string_view canonical_request, std::string_view sdk_date);
std::string signature(std::string_view sk, std::string_view string_to_sign);

// Client side. Sets X-Sdk-Date to sdk_date (replacing any), then signs every
// header present except the ones the SDK leaves unsigned (Authorization,
// User-Agent, Accept, Accept-Encoding, Connection, Content-Length) and adds
// the Authorization header. Host must already be present.
void sign_request(SignableRequest& req, std::string_view ak, std::string_view sk, std::string_view sdk_date);
// "YYYYMMDDTHHMMSSZ" for the current UTC time.
std::string sdk_date_now();

// Server side.
struct Authorization {
  std::string access;
  std::vector<std::string> signed_headers;  // as listed, lowercase
  std::string signature;
};
std::optional<Authorization> parse_authorization(std::string_view header_value);

enum class Verdict { ok, missing, malformed, unknown_key, bad_signature, expired };
struct VerifyResult {
  Verdict verdict;
  std::string access;  // the AK that signed, when it could be parsed
};
// Returns the SK for an AK, or nullopt when the AK is unknown.
using SecretLookup = std::function<std::optional<std::string>(std::string_view access)>;
// Checks the Authorization header against a recomputed signature, and the
// X-Sdk-Date against now_epoch (seconds): more than max_skew_s apart -> expired.
VerifyResult verify(const SignableRequest& req, const SecretLookup& lookup_sk, long long now_epoch,
                    long long max_skew_s);

}  // namespace cph::sign

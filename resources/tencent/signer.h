// Tencent Cloud API 2.0 request signing (the "v1" signature: HmacSHA1 /
// HmacSHA256), both directions: a client signs, the emulator verifies. Used by
// the bare-metal API of cph-api.md 13.3 ([S003] ResetDevicePasswd and
// DescriptionOperationResult at https://bm.api.qcloud.com/v2/index.php).
//
// 13.3 shows the common parameters only by example (SecretId, Nonce,
// Timestamp, Region, Signature) and leaves the algorithm to the separate
// common-parameters page. What is implemented here is what the official SDK
// does (tencentcloud-sdk-nodejs-common 4.1.220, AbstractClient.formatSignString
// and Sign.sign), pinned down by ../shared/tencent-signing-vectors.json:
//
//   StringToSign = METHOD + host + path + "?" + k1=v1&k2=v2&...
//     - every parameter except Signature, sorted by key (byte order, which is
//       the SDK's Object.keys().sort() for the ASCII keys these APIs use);
//     - values RAW, not URL-encoded ("passwd=Ab1 (x)&y=z" is signed as is:
//       the server rebuilds the string from decoded values, so no ambiguity
//       arises from '&' or '=' inside a value);
//     - METHOD upper case, host without scheme (and with the port when the
//       request's Host header carries one).
//   Signature = base64(HMAC(SecretKey, StringToSign)), SHA-1 unless the
//     request carries SignatureMethod=HmacSHA256 (a SignatureMethod absent
//     means HmacSHA1, as in the SDK and vector 1).
//
// On the wire (GET query string or POST x-www-form-urlencoded body) every
// key and value, the signature included, is percent-encoded; list parameters
// follow 13.3's `name.n` convention (instanceIds.1, instanceIds.2, n from 1).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cph::tencent {

enum class SignatureMethod { hmac_sha1, hmac_sha256 };

// "HmacSHA1" / "HmacSHA256" (the SignatureMethod parameter's values).
std::string_view method_name(SignatureMethod m);
std::optional<SignatureMethod> parse_method(std::string_view name);

// Decoded parameters, sorted by key: the order StringToSign needs.
using Params = std::map<std::string, std::string>;

// The method a request's parameters ask for: SignatureMethod, or HmacSHA1
// when absent; nullopt for any other value.
std::optional<SignatureMethod> method_of(const Params& params);

// StringToSign over every parameter but "Signature".
std::string string_to_sign(std::string_view http_method, std::string_view host, std::string_view path,
                           const Params& params);
// base64(HMAC-SHA1/256(secret_key, string_to_sign)).
std::string signature(std::string_view secret_key, std::string_view string_to_sign, SignatureMethod method);

// The common request parameters (公共请求参数) the 13.3 example carries.
struct Common {
  std::string action;
  std::string secret_id;
  std::string region;
  uint64_t nonce = 0;      // random positive integer, never reused within the time window
  int64_t timestamp = 0;   // Unix seconds of the client's clock
  // Absent: the SDK's default HmacSHA1 and no SignatureMethod parameter.
  std::optional<SignatureMethod> method;
};

// Adds name.1=values[0], name.2=values[1], ... (13.3's id.n convention).
void add_list(Params& params, std::string_view name, const std::vector<std::string>& values);
// The action's parameters plus the common ones (Action, SecretId, Nonce,
// Timestamp, Region, and SignatureMethod when set).
Params with_common(const Common& common, Params action_params);

// key=value pairs percent-encoded (RFC 3986 unreserved kept), joined by '&',
// in key order.
std::string encode_query(const Params& params);
// Parses a query string or form body: '&'-separated, percent-decoded, '+' as
// a space (form encoding). nullopt when a key repeats or a pair has no '='.
std::optional<Params> parse_query(std::string_view wire);

// Client side: signs `params` (which must hold the common ones) and returns
// the wire query string / form body with Signature added.
std::string signed_query(std::string_view http_method, std::string_view host, std::string_view path, Params params,
                         std::string_view secret_key);

// Server side: checks the received Signature against the one recomputed with
// the secret key, in constant time.
enum class Check { ok, missing_signature, unknown_method, bad_signature };
Check verify(std::string_view http_method, std::string_view host, std::string_view path, const Params& received,
             std::string_view secret_key);

}  // namespace cph::tencent

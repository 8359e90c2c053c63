// Hashes and MACs used by the signers (Huawei AK/SK, Tencent API 2.0) and
// base64 (proxy Basic authentication, Tencent signatures). OpenSSL underneath.
#pragma once

#include <string>
#include <string_view>

namespace cph::crypto {

std::string sha256_hex(std::string_view data);                       // lowercase hex
std::string hmac_sha256_hex(std::string_view key, std::string_view data);  // lowercase hex
// Raw (binary) MACs: the Tencent API 2.0 signature is base64 of these
// (resources/tencent/signer.h).
std::string hmac_sha1(std::string_view key, std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);
// RFC 4648 base64 with padding, no line breaks.
std::string base64(std::string_view raw);
std::string random_hex(size_t bytes);  // 2*bytes lowercase hex chars from a CSPRNG
// Constant-time comparison for signatures.
bool equal_constant_time(std::string_view a, std::string_view b);

}  // namespace cph::crypto

// Hashes and MACs used by the AK/SK signer (OpenSSL underneath).
#pragma once

#include <string>
#include <string_view>

namespace cph::crypto {

std::string sha256_hex(std::string_view data);                       // lowercase hex
std::string hmac_sha256_hex(std::string_view key, std::string_view data);  // lowercase hex
std::string random_hex(size_t bytes);  // 2*bytes lowercase hex chars from a CSPRNG
// Constant-time comparison for signatures.
bool equal_constant_time(std::string_view a, std::string_view b);

}  // namespace cph::crypto

// What state keeps of a write-only attribute (Attribute::write_only, issue
// 16): "hmac-sha256:" and the hex HMAC-SHA256 of the value under the state's
// own random key (state setting kWriteOnlyKeySetting, made by the first
// apply that records one). Equal values give equal digests within one state,
// so the planner sees a change without the value being kept; without the key
// a digest tells nothing, and a plain SHA-256 would let anyone holding a copy
// of the state test guesses against it.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "resources/schema.h"

namespace cph::resources {

// The state setting that holds the key (64 hex digits).
inline constexpr std::string_view kWriteOnlyKeySetting = "write_only_key";

// A fresh key: 32 random bytes as hex.
std::string new_write_only_key();
// "hmac-sha256:<hex>" of `value` (a string as is; anything else as its JSON text).
std::string write_only_digest(std::string_view key, const Json& value);
bool is_write_only_digest(const Json& value);
// True when `recorded` (a digest, or null) stands for `wanted` under `key`.
// No key, or nothing recorded: false (the value was never applied here).
bool write_only_matches(std::string_view key, const Json& recorded, const Json& wanted);
// `attributes` with every write-only attribute of `schema` that is not
// already a digest replaced by its digest: what a row may hold.
Json with_write_only_digests(const ResourceSchema& schema, Json attributes, std::string_view key);
// The names of the write-only attributes of `schema`.
std::vector<std::string> write_only_attributes(const ResourceSchema& schema);

}  // namespace cph::resources

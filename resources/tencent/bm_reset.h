// Which devices of a bm_root_password set a reset must reach (issue 16):
// every device when the secret changed (password, os or password_version),
// else only the devices that joined the set. Devices that left the set are
// left alone: their password stays what it is. Used by the planning rules
// (for what the plan says) and by the runner (which decides again from the
// record as it is when the step runs, so that a reset a resumed task already
// made is not sent twice).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace cph::resources {

struct ResetScope {
  std::vector<std::string> kept;   // in the set, already holding the wanted password
  std::vector<std::string> todo;   // in the set, to be reset (the manifest's order)
  std::vector<std::string> left;   // recorded, no longer in the set: not touched
};

// `recorded` and `wanted` are attribute objects (recorded may be null);
// `same_secret`: the recorded password, os and password_version are the
// wanted ones.
ResetScope reset_scope(const nlohmann::json& recorded, const nlohmann::json& wanted, bool same_secret);

// `todo` cut into ResetDevicePasswd calls of at most kResetBatch devices.
std::vector<std::vector<std::string>> reset_batches(const std::vector<std::string>& todo);

// For people: "50 devices in 3 calls of up to 20; cpm-00000009 leaves the set and keeps its password".
std::string describe_scope(const ResetScope& scope);

}  // namespace cph::resources

// AK/SK credentials and the project they act in. Never written to state,
// plans, logs or reports: Credentials has no JSON or stream output on purpose.
#pragma once

#include <optional>
#include <string>

namespace cph::cloud {

struct Credentials {
  std::string access_key;
  std::string secret_key;
  std::string project_id;
  std::string region;
};

// From HW_ACCESS_KEY, HW_SECRET_KEY, HW_PROJECT_ID, HW_REGION_NAME (the
// names the official Terraform provider uses). nullopt unless both keys are set.
std::optional<Credentials> credentials_from_env();

}  // namespace cph::cloud

#include "resources/huawei/credentials.h"

#include <cstdlib>

namespace cph::cloud {
namespace {
std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}
}  // namespace

std::optional<Credentials> credentials_from_env() {
  Credentials c;
  c.access_key = env("HW_ACCESS_KEY");
  c.secret_key = env("HW_SECRET_KEY");
  // A half-configured key pair is treated as absent: signing with one of the
  // two missing could only produce authentication failures.
  if (c.access_key.empty() || c.secret_key.empty()) return std::nullopt;
  c.project_id = env("HW_PROJECT_ID");
  c.region = env("HW_REGION_NAME");
  return c;
}

}  // namespace cph::cloud

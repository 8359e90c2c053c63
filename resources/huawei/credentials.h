// AK/SK credentials, the project they act in, and the chain that finds them
// (issue 17): the environment, then the profile file, then the ECS metadata
// service. The order and names are those of Huawei's SDKs (release 3.1.211:
// core/auth/provider env_provider, profile_provider, metadata_accessor).
// Never written to state, plans, logs or reports: Credentials has no JSON or
// stream output on purpose, and a source is described by where it was found,
// never by what it holds.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace cph::cloud {

struct Credentials {
  std::string access_key;
  std::string secret_key;
  std::string project_id;
  std::string region;
  // Temporary credentials (an agency's keys from the metadata service, or
  // keys issued by IAM securitytokens) carry a token: sent as the signed
  // X-Security-Token header (the SDK's basic Credentials add it before signing).
  std::string security_token = {};
  // Temporary keys: when they expire (epoch seconds); 0 for permanent keys.
  int64_t expires_at = 0;
};

// A chain source that is present but unusable: half a key pair, a profile
// file that cannot be read, a metadata answer that cannot be read.
struct CredentialError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Credentials and where they came from.
struct FoundCredentials {
  Credentials credentials;
  // "environment (HUAWEICLOUD_SDK_AK)", "profile /home/u/.huaweicloud/credentials",
  // "ECS metadata service http://169.254.169.254": for -v and error messages.
  std::string source;
  std::string iam_endpoint;  // the profile's iam_endpoint, "" when not given
  bool from_metadata = false;
};

// 1. The environment: HUAWEICLOUD_SDK_AK/SK/PROJECT_ID/SECURITY_TOKEN (the
// SDKs' names), else the Terraform provider's HW_ACCESS_KEY/HW_SECRET_KEY/
// HW_PROJECT_ID/HW_SECURITY_TOKEN. HW_REGION_NAME gives the region. nullopt
// when neither key variable is set; CredentialError when only one of a pair is.
std::optional<FoundCredentials> credentials_from_env();

// 2. The profile file: HUAWEICLOUD_SDK_CREDENTIALS_FILE, else
// ~/.huaweicloud/credentials; INI, section [basic], keys ak, sk, project_id,
// security_token, iam_endpoint. nullopt when the default file does not
// exist; CredentialError when a named file is missing or a file is unusable.
std::optional<FoundCredentials> credentials_from_profile();
std::string credentials_file_path();  // where credentials_from_profile() looks

// 3. The ECS metadata service: GET {metadata_url()}/openstack/latest/securitykey.
// CPHFORM_METADATA_URL overrides the address (tests point it at the emulator).
inline constexpr std::string_view kMetadataSecurityKeyPath = "/openstack/latest/securitykey";
std::string metadata_url();
// Reads the service's answer {"credential": {"access", "secret", "securitytoken",
// "expires_at"}} (expires_at "YYYY-MM-DDTHH:MM:SS[.ffffff]Z"); throws
// CredentialError naming what is missing (never a value).
Credentials parse_security_key(std::string_view body);

// Temporary keys are renewed this long before they expire, or at half their
// lifetime when that is shorter (keys that live only minutes).
inline constexpr int64_t kRenewBeforeExpirySeconds = 5 * 60;
// Whether keys fetched at `fetched_at` that expire at `expires_at` are due
// for renewal at `now` (epoch seconds).
bool renewal_due(int64_t fetched_at, int64_t expires_at, int64_t now);

}  // namespace cph::cloud

// How cphform reaches KooPhone (issue 15): the endpoint and the
// authentication, from a neutral settings struct (resources/ sits below
// manifest/: the engine fills it from [provider] and the environment).
//
// Authentication, the first that applies (docs/architecture.md "KooPhone"):
//  1. HW_USER_NAME + HW_USER_PASSWORD + HW_DOMAIN_NAME (the Terraform
//     provider's names): an IAM token from POST /v3/auth/tokens, scoped to
//     the region's project (region required), cached and renewed (kp_auth.h);
//  2. HW_AUTH_TOKEN, else OS_AUTH_TOKEN: that token as is (never renewed);
//  3. AK/SK: the settings' keys (the embedded emulator's), else the Huawei
//     chain's environment and profile file (resources/huawei/credentials.h).
// The ECS metadata service's temporary keys are not used: renewing them
// lives in the CPH client.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "cloud/http.h"
#include "resources/huawei/credentials.h"
#include "resources/koophone/kp_client.h"

namespace cph::koophone {

// 14.1: a single global endpoint.
inline constexpr const char* kDefaultEndpoint = "https://koophone.myhuaweicloud.com";

struct ConnectSettings {
  // [provider] endpoint: the KooPhone URL, or the emulator's (which serves
  // IAM too); "" -> kDefaultEndpoint.
  std::string endpoint;
  // [provider] endpoints: "koophone" and "iam" URLs; win over `endpoint`.
  std::map<std::string, std::string> endpoints;
  std::string region;  // [provider] region; "" -> HW_REGION_NAME
  std::optional<cloud::FoundCredentials> credentials;  // set: these AK/SK (the embedded emulator's)
  cloud::HttpOptions http;
};

struct Connection {
  std::unique_ptr<KooPhoneClient> client;
  std::string description;  // "https://koophone.myhuaweicloud.com (IAM token of user NAME ...)": never a secret
};

// Throws cloud::CredentialError when no authentication applies or one is
// half given (naming the variables, never their values).
Connection connect(boost::asio::any_io_executor executor, ConnectSettings settings);

}  // namespace cph::koophone

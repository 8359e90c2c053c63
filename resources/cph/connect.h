// How cphform reaches CPH (issue 17): the endpoint of each service, the
// credentials (the chain of Huawei's tools), the project (given, remembered
// or found through IAM), and the client made of them. Takes a neutral
// settings struct, not the manifest's types: resources/ sits below manifest/
// and state/, so the engine builds the settings and stores what was learned.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "cloud/http.h"
#include "cloud/proxy.h"
#include "resources/cph/cph_client.h"
#include "resources/huawei/credentials.h"

namespace cph::cloud {

struct ConnectSettings {
  std::string region;      // [provider] region; "" -> HW_REGION_NAME
  std::string project_id;  // [provider] project_id; "" -> the credentials', the remembered one, IAM
  // Every service at this one address (the embedded emulator, or [provider]
  // endpoint = URL); "" -> derived per service from the region.
  std::string endpoint;
  // [provider] endpoints: service ("cph", "iam", "kps", "bss") -> URL; wins
  // over `endpoint` and the region.
  std::map<std::string, std::string> endpoints;
  // Set: these credentials, not the chain (the embedded emulator's own keys).
  std::optional<FoundCredentials> credentials;
  // The project found for remembered_region by an earlier run (the state's
  // settings): used instead of asking IAM again when the region matches.
  std::string remembered_project_id;
  std::string remembered_region;
  HttpOptions http;
  ProxySettings proxy;  // for the services; never for the metadata service
};

struct Connection {
  std::unique_ptr<CphClient> client;
  // "https://cph.cn-east-3.myhuaweicloud.com (credentials: environment
  // (HUAWEICLOUD_SDK_AK))": for messages and -v; never a secret.
  std::string description;
  std::string credential_source;
  std::string region;
  std::string project_id;
  // The project was found through IAM in this run: the caller remembers
  // (region, project_id) so that the next run asks nothing.
  bool project_discovered = false;
};

// https://{service}.{region}.myhuaweicloud.com for cph, iam and kps;
// https://bss.myhuaweicloud.com for BSS (global; an international account
// names https://bss-intl.myhuaweicloud.com in endpoints.bss, as with the
// Terraform provider's endpoints). `endpoint` puts every service at one
// address; `endpoints` overrides one service. Throws std::runtime_error
// when a service has no address (no region, no endpoint).
Endpoints service_endpoints(const ConnectSettings& settings, const std::string& region);

// The credential chain: settings.credentials, else the environment, the
// profile file, the ECS metadata service (credentials.h), in that order.
// Throws CredentialError when none has credentials, naming every place looked.
asio::awaitable<FoundCredentials> find_credentials(asio::any_io_executor executor, const ConnectSettings& settings);

// Endpoints, credentials, project, client. Asks IAM for the project only when
// neither the settings nor the credentials nor the remembered project give
// one for the region; renews metadata credentials during the run.
asio::awaitable<Connection> connect(asio::any_io_executor executor, ConnectSettings settings);

}  // namespace cph::cloud

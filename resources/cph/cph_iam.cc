// IAM's project list, the one IAM call cphform makes: with only a region,
// the project is the one named after it (cph-api.md 1.7 "Obtaining the
// project ID"; Huawei's SDKs do the same when a client has no project id:
// core/auth/basic ProcessAuthParams -> KeystoneListProjects with name=region).
// Sent to the IAM endpoint, without X-Project-Id: there is none yet.
#include "resources/cph/cph_call.h"

namespace cph::cloud {

using namespace detail;

asio::awaitable<std::vector<std::string>> CphClient::list_project_ids(std::string region) {
  Call c{Service::iam, "GET", "GET /v3/projects", "/v3/projects", {}, std::nullopt};
  add_query(c.query, "name", region);
  const HttpResponse r = co_await impl_->call(c);
  std::vector<std::string> ids;
  for (const Answer& p : Answer::of(r, c).objects("projects")) ids.push_back(p.id("id"));
  co_return ids;
}

}  // namespace cph::cloud

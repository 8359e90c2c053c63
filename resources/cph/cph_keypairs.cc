// KPS key pairs: POST/GET /v3/{project_id}/keypairs, DELETE
// /v3/{project_id}/keypairs/{name}. Not in cph-api.md: the Huawei KPS/ECS
// shapes the emulator documents (docs/emulator.md "KPS key pairs"). Sent to
// the KPS endpoint (kps.{region}.myhuaweicloud.com; the emulator serves them
// on its one address).
// Checked against Huawei's DEW (KPS) API reference: CreateKeypair
// https://support.huaweicloud.com/intl/en-us/api-dew/CreateKeypair.html (body
// {"keypair": {"name", "public_key"}}, answer {"keypair": {...}}), ListKeypairs
// https://support.huaweicloud.com/intl/en-us/api-dew/ListKeypairs.html (answer
// {"keypairs": [{"keypair": {...}}]}), DeleteKeypair
// https://support.huaweicloud.com/intl/en-us/api-dew/DeleteKeypair.html (204).
#include "resources/cph/cph_call.h"

namespace cph::cloud {

using namespace detail;

namespace {
Keypair parse_keypair(const Answer& outer) {
  // Both answers wrap the pair: {"keypair": {...}}.
  const Answer k = outer.object("keypair");
  Keypair p;
  p.name = k.id("name");
  p.public_key = k.opt_text("public_key");
  p.fingerprint = k.opt_text("fingerprint");
  p.private_key = k.opt_text("private_key");
  return p;
}
}  // namespace

asio::awaitable<Keypair> CphClient::create_keypair(std::string name, std::optional<std::string> public_key) {
  ordered_json body;
  body["keypair"]["name"] = name;
  if (public_key) body["keypair"]["public_key"] = *public_key;
  Call c = impl_->kps_call("POST", "POST /v3/{project_id}/keypairs", impl_->project_path("v3", "/keypairs"));
  c.body = to_body(body, c.api);
  const HttpResponse r = co_await impl_->call(c);
  co_return parse_keypair(Answer::of(r, c));
}

asio::awaitable<std::vector<Keypair>> CphClient::list_keypairs() {
  Call c = impl_->kps_call("GET", "GET /v3/{project_id}/keypairs", impl_->project_path("v3", "/keypairs"));
  const HttpResponse r = co_await impl_->call(c);
  std::vector<Keypair> out;
  for (const Answer& k : Answer::of(r, c).objects("keypairs")) out.push_back(parse_keypair(k));
  co_return out;
}

asio::awaitable<void> CphClient::delete_keypair(std::string name) {
  Call c = impl_->kps_call("DELETE", "DELETE /v3/{project_id}/keypairs/{keypair_name}",
                           impl_->project_path("v3", "/keypairs/" + encode(name)));
  co_await impl_->call(c);
}

}  // namespace cph::cloud

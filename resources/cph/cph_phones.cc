// Changes to phones (cph-api.md 5.5-5.9): rename (synchronous), and the
// batch calls that answer one PhoneJob per phone (reset, restart, stop,
// update properties), followed through the job poller.
#include "resources/cph/cph_call.h"

namespace cph::cloud {

using namespace detail;

namespace {

// 5.5/5.6/5.9 table 5-120/5-141: [{phone_id, property}], property a JSON
// object as a string.
ordered_json phones_json(const std::vector<PhoneSetting>& phones, bool property_required) {
  ordered_json a = ordered_json::array();
  for (const PhoneSetting& p : phones) {
    ordered_json item;
    item["phone_id"] = p.phone_id;
    if (!p.property.empty() || property_required) item["property"] = p.property.empty() ? "{}" : p.property;
    a.push_back(std::move(item));
  }
  return a;
}

// The API template of a batch call ("POST .../phones/batch-reset").
std::string batch_api(const std::string& action) { return "POST /v1/{project_id}/cloud-phone/phones/" + action; }

// A batch call's body: {"phones": [{phone_id, property}]}.
std::string phones_body(const std::string& action, const std::vector<PhoneSetting>& phones, bool property_required) {
  ordered_json body;
  body["phones"] = phones_json(phones, property_required);
  return to_body(body, batch_api(action));
}

}  // namespace

asio::awaitable<std::string> CphClient::show_phone_property(std::string phone_id) {
  Call c = impl_->cph_call("GET", "GET /v1/{project_id}/cloud-phone/phones/{phone_id}",
                           impl_->project_path("v1", "/cloud-phone/phones/" + encode(phone_id)));
  const HttpResponse r = co_await impl_->call(c);
  co_return Answer::of(r, c).opt_text("property");
}

asio::awaitable<std::string> CphClient::rename_phone(std::string phone_id, std::string phone_name) {
  ordered_json body;
  body["phone_name"] = phone_name;
  Call c = impl_->cph_call("PUT", "PUT /v1/{project_id}/cloud-phone/phones/{phone_id}",
                           impl_->project_path("v1", "/cloud-phone/phones/" + encode(phone_id)));
  c.body = to_body(body, c.api);
  const HttpResponse r = co_await impl_->call(c);
  co_return Answer::of(r, c).opt_text("request_id");
}

asio::awaitable<JobsResult> CphClient::post_phone_batch(std::string action, std::string body) {
  Call c = impl_->cph_call("POST", batch_api(action), impl_->project_path("v1", "/cloud-phone/phones/" + action));
  c.body = std::move(body);
  const HttpResponse r = co_await impl_->call(c);
  co_return parse_jobs_result(Answer::of(r, c));
}

asio::awaitable<JobsResult> CphClient::update_phone_properties(std::vector<PhoneSetting> phones) {
  std::string body = phones_body("batch-update-property", phones, true);
  co_return co_await post_phone_batch("batch-update-property", std::move(body));
}

asio::awaitable<JobsResult> CphClient::restart_phones(std::vector<PhoneSetting> phones) {
  std::string body = phones_body("batch-restart", phones, false);
  co_return co_await post_phone_batch("batch-restart", std::move(body));
}

asio::awaitable<JobsResult> CphClient::stop_phones(std::vector<std::string> phone_ids) {
  ordered_json body;
  ordered_json ids = ordered_json::array();
  for (const std::string& id : phone_ids) ids.push_back(id);
  body["phone_ids"] = std::move(ids);
  std::string text = to_body(body, batch_api("batch-stop"));
  co_return co_await post_phone_batch("batch-stop", std::move(text));
}

asio::awaitable<JobsResult> CphClient::reset_phones(std::vector<PhoneSetting> phones) {
  std::string body = phones_body("batch-reset", phones, false);
  co_return co_await post_phone_batch("batch-reset", std::move(body));
}

}  // namespace cph::cloud

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

asio::awaitable<JobsResult> CphClient::update_phone_properties(std::vector<PhoneSetting> phones) {
  ordered_json body;
  body["phones"] = phones_json(phones, true);
  Call c = impl_->cph_call("POST", "POST /v1/{project_id}/cloud-phone/phones/batch-update-property",
                           impl_->project_path("v1", "/cloud-phone/phones/batch-update-property"));
  c.body = to_body(body, c.api);
  const HttpResponse r = co_await impl_->call(c);
  co_return parse_jobs_result(Answer::of(r, c));
}

asio::awaitable<JobsResult> CphClient::restart_phones(std::vector<PhoneSetting> phones) {
  ordered_json body;
  body["phones"] = phones_json(phones, false);
  Call c = impl_->cph_call("POST", "POST /v1/{project_id}/cloud-phone/phones/batch-restart",
                           impl_->project_path("v1", "/cloud-phone/phones/batch-restart"));
  c.body = to_body(body, c.api);
  const HttpResponse r = co_await impl_->call(c);
  co_return parse_jobs_result(Answer::of(r, c));
}

asio::awaitable<JobsResult> CphClient::stop_phones(std::vector<std::string> phone_ids) {
  ordered_json body;
  ordered_json ids = ordered_json::array();
  for (const std::string& id : phone_ids) ids.push_back(id);
  body["phone_ids"] = std::move(ids);
  Call c = impl_->cph_call("POST", "POST /v1/{project_id}/cloud-phone/phones/batch-stop",
                           impl_->project_path("v1", "/cloud-phone/phones/batch-stop"));
  c.body = to_body(body, c.api);
  const HttpResponse r = co_await impl_->call(c);
  co_return parse_jobs_result(Answer::of(r, c));
}

asio::awaitable<JobsResult> CphClient::reset_phones(std::vector<PhoneSetting> phones) {
  ordered_json body;
  body["phones"] = phones_json(phones, false);
  Call c = impl_->cph_call("POST", "POST /v1/{project_id}/cloud-phone/phones/batch-reset",
                           impl_->project_path("v1", "/cloud-phone/phones/batch-reset"));
  c.body = to_body(body, c.api);
  const HttpResponse r = co_await impl_->call(c);
  co_return parse_jobs_result(Answer::of(r, c));
}

}  // namespace cph::cloud

// The service's phone models (cph-api.md 5.3), read by the plan-time check of
// server model changes (3.12: the same phone count before and after).
#include "cloud/cph_call.h"

namespace cph::cloud {

using namespace detail;

namespace {
constexpr int kPhoneModelPageSize = 100;  // maximum limit of 5.3
}

asio::awaitable<std::vector<PhoneModel>> CphClient::list_phone_models() {
  std::vector<PhoneModel> all;
  for (int offset = 0;; offset += kPhoneModelPageSize) {
    Call c = impl_->cph_call("GET", "GET /v1/{project_id}/cloud-phone/phone-models",
                             impl_->project_path("v1", "/cloud-phone/phone-models"));
    add_query(c.query, "offset", std::to_string(offset));
    add_query(c.query, "limit", std::to_string(kPhoneModelPageSize));
    const HttpResponse r = co_await impl_->call(c);
    const std::vector<Answer> list = Answer::of(r, c).objects("phone_models");
    for (const Answer& m : list) {
      PhoneModel p;
      p.phone_model_name = m.id("phone_model_name");
      p.server_model_name = m.opt_text("server_model_name");
      p.status = m.opt_integer("status");
      p.phone_capacity = m.opt_integer("phone_capacity");
      all.push_back(std::move(p));
    }
    const size_t got = list.size();
    // 5.3 documents no count: a short page is the last one.
    if (got < static_cast<size_t>(kPhoneModelPageSize)) break;
  }
  co_return all;
}

}  // namespace cph::cloud

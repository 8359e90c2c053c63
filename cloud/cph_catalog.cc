// The service's phone models (cph-api.md 5.3), read by the plan-time check of
// server model changes (3.12: the same phone count before and after), and a
// server's phones (5.1), whose image import reads.
#include "cloud/cph_call.h"
#include "cloud/paging.h"

namespace cph::cloud {

using namespace detail;

namespace {
constexpr int kPhoneModelPageSize = 100;  // maximum limit of 5.3
constexpr int kMaxPhoneModelPages = 10;   // 1,000 models (docs/architecture.md "Bounds")

PhoneModel parse_phone_model(const Answer& m) {
  PhoneModel p;
  p.phone_model_name = m.id("phone_model_name");
  p.server_model_name = m.opt_text("server_model_name");
  p.status = m.opt_integer("status");
  p.phone_capacity = m.opt_integer("phone_capacity");
  return p;
}
}  // namespace

asio::awaitable<std::vector<PhoneModel>> CphClient::list_phone_models() {
  // 5.3 documents no count: a short page is the last one.
  PagedList list{"GET /v1/{project_id}/cloud-phone/phone-models", kPhoneModelPageSize, kMaxPhoneModelPages, false};
  co_return co_await read_all_pages<PhoneModel>(
      list,
      [this](int offset) -> asio::awaitable<Page<PhoneModel>> {
        Call c = impl_->cph_call("GET", "GET /v1/{project_id}/cloud-phone/phone-models",
                                 impl_->project_path("v1", "/cloud-phone/phone-models"));
        add_query(c.query, "offset", std::to_string(offset));
        add_query(c.query, "limit", std::to_string(kPhoneModelPageSize));
        const HttpResponse r = co_await impl_->call(c);
        Page<PhoneModel> page;
        for (const Answer& m : Answer::of(r, c).objects("phone_models")) page.items.push_back(parse_phone_model(m));
        co_return page;
      },
      // A phone model is named within its server model.
      [](const PhoneModel& m) { return m.server_model_name + "/" + m.phone_model_name; });
}

asio::awaitable<std::vector<Phone>> CphClient::list_server_phones(std::string server_id) {
  constexpr int kPage = 200;  // 5.1: limit 1..200
  std::vector<Phone> all;
  for (int offset = 0;; offset += kPage) {
    Call c = impl_->cph_call("GET", "GET /v1/{project_id}/cloud-phone/phones",
                             impl_->project_path("v1", "/cloud-phone/phones"));
    add_query(c.query, "offset", std::to_string(offset));
    add_query(c.query, "limit", std::to_string(kPage));
    add_query(c.query, "server_id", server_id);
    const HttpResponse r = co_await impl_->call(c);
    const json j = parse_body(r, c);
    const json& list = member(j, "phones");
    size_t got = 0;
    if (list.is_array()) {
      for (const json& p : list) {
        Phone phone;
        phone.phone_id = str(p, "phone_id");
        phone.phone_name = str(p, "phone_name");
        phone.server_id = str(p, "server_id");
        phone.image_id = str(p, "image_id");
        phone.status = num(p, "status");
        all.push_back(std::move(phone));
      }
      got = list.size();
    }
    const int count = num(j, "count");
    if (got < static_cast<size_t>(kPage) || offset + kPage >= count) break;
  }
  co_return all;
}

}  // namespace cph::cloud

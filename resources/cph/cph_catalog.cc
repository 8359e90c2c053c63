// The service's phone models (cph-api.md 5.3), read by the plan-time check of
// server model changes (3.12: the same phone count before and after), and a
// server's phones (5.1), whose image import reads.
#include "resources/cph/cph_call.h"
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
  // A server holds at most a few hundred phones (3.12): ten pages bound it.
  co_return co_await list_phones(std::move(server_id), 10, false);
}

asio::awaitable<std::vector<Phone>> CphClient::list_all_phones() {
  // Decision 5 for phones (issue 14): every phone of the project, the pages
  // after the first asked for together as the server list's are: N phones
  // cost ceil(N/200) calls, never one per phone. Bound: 10,000 pages, two
  // million phones (10,000 servers of the largest model, 10.2).
  co_return co_await list_phones(std::string(), 10000, true);
}

asio::awaitable<std::vector<Phone>> CphClient::list_phones(std::string server_id, int max_pages, bool ask_together) {
  constexpr int kPage = 200;  // 5.1: limit 1..200, with a total count
  PagedList list{"GET /v1/{project_id}/cloud-phone/phones", kPage, max_pages, ask_together};
  co_return co_await read_all_pages<Phone>(
      list,
      [this, &server_id](int offset) -> asio::awaitable<Page<Phone>> {
        Call c = impl_->cph_call("GET", "GET /v1/{project_id}/cloud-phone/phones",
                                 impl_->project_path("v1", "/cloud-phone/phones"));
        add_query(c.query, "offset", std::to_string(offset));
        add_query(c.query, "limit", std::to_string(kPage));
        if (!server_id.empty()) add_query(c.query, "server_id", server_id);
        const HttpResponse r = co_await impl_->call(c);
        const Answer j = Answer::of(r, c);
        Page<Phone> page;
        page.count = j.opt_integer("count");
        for (const Answer& p : j.objects("phones")) {
          Phone phone;
          phone.phone_id = p.id("phone_id");
          phone.phone_name = p.opt_text("phone_name");
          phone.server_id = p.opt_text("server_id");
          phone.image_id = p.opt_text("image_id");
          phone.phone_model_name = p.opt_text("phone_model_name");
          phone.status = p.opt_integer("status");
          page.items.push_back(std::move(phone));
        }
        co_return page;
      },
      [](const Phone& p) { return p.phone_id; });
}

}  // namespace cph::cloud

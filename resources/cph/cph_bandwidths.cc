// Bandwidths (cph-api.md 4.1, 4.2).
#include "resources/cph/cph_call.h"
#include "cloud/paging.h"

namespace cph::cloud {

using namespace detail;

namespace {
constexpr int kBandwidthPageSize = 100;  // maximum limit of 4.1
constexpr int kMaxBandwidthPages = 100;  // 10,000 bandwidths (docs/architecture.md "Bounds")
}

asio::awaitable<std::vector<BandWidthInfo>> CphClient::list_bandwidths(int offset, int limit) {
  Call c = impl_->cph_call("GET", "GET /v1/{project_id}/cloud-phone/bandwidths",
                           impl_->project_path("v1", "/cloud-phone/bandwidths"));
  add_query(c.query, "offset", std::to_string(offset));
  add_query(c.query, "limit", std::to_string(limit));
  const HttpResponse r = co_await impl_->call(c);
  std::vector<BandWidthInfo> out;
  for (const Answer& b : Answer::of(r, c).objects("band_widths")) out.push_back(parse_bandwidth(b));
  co_return out;
}

asio::awaitable<std::vector<BandWidthInfo>> CphClient::list_all_bandwidths() {
  // 4.1 documents no count: a short page is the last one.
  PagedList list{"GET /v1/{project_id}/cloud-phone/bandwidths", kBandwidthPageSize, kMaxBandwidthPages, false};
  co_return co_await read_all_pages<BandWidthInfo>(
      list,
      [this](int offset) -> asio::awaitable<Page<BandWidthInfo>> {
        // (Not in the braces: GCC 12 destroys a co_await result in an initializer list twice.)
        std::vector<BandWidthInfo> items = co_await list_bandwidths(offset, kBandwidthPageSize);
        co_return Page<BandWidthInfo>{std::move(items), 0};
      },
      [](const BandWidthInfo& b) { return b.band_width_id; });
}

asio::awaitable<std::string> CphClient::resize_bandwidth(std::string band_width_id, int band_width_size) {
  ordered_json body;
  body["band_width_size"] = band_width_size;
  Call c = impl_->cph_call("PUT", "PUT /v1/{project_id}/cloud-phone/bandwidths/{band_width_id}",
                           impl_->project_path("v1", "/cloud-phone/bandwidths/" + encode(band_width_id)));
  c.body = to_body(body, c.api);
  c.idempotent = true;  // sets the size
  const HttpResponse r = co_await impl_->call(c);
  co_return Answer::of(r, c).opt_text("request_id");
}

}  // namespace cph::cloud

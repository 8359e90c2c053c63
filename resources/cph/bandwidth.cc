#include "resources/cph/bandwidth.h"

namespace cph::resources {

boost::asio::awaitable<void> resize_bandwidth(cloud::CphClient& cloud, OperationJournal& journal,
                                              std::string address, std::string band_width_id, int size) {
  Json idempotency = {{"band_width_id", band_width_id}, {"size", size}};
  Json body = {{"band_width_size", size}};
  const int64_t entry = journal.intent(address, "resize_bandwidth", body.dump(), idempotency);
  const std::string request_id = co_await cloud.resize_bandwidth(band_width_id, size);
  journal.answered(entry, {{"request_id", request_id}, {"band_width_id", band_width_id}});
}

}  // namespace cph::resources

// The shared bandwidth resource's cloud call. A shared bandwidth is created
// by a server purchase (3.4, band_width_share_type 1) and found with the list
// call (4.1, CphClient::list_all_bandwidths), which gives its name and size;
// the only change is its size.
#pragma once

#include <string>

#include <boost/asio/awaitable.hpp>

#include "resources/cph/cph_client.h"
#include "resources/operation.h"

namespace cph::resources {

// 4.2: sets the size of a shared bandwidth (Mbit/s; A-13 steps: any up to
// 300, then multiples of 50 up to 1000, then of 500). Synchronous
// (1.9(c)): nothing to wait for. Journal: operation "resize_bandwidth",
// idempotency {band_width_id, size}, answered {request_id, band_width_id}.
boost::asio::awaitable<void> resize_bandwidth(cloud::CphClient& cloud, OperationJournal& journal,
                                              std::string address, std::string band_width_id, int size);

}  // namespace cph::resources

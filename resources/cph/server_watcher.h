// ServerWatcher: waits for bought servers to leave creation with one shared
// polling loop over the server list (cph-api.md 3.1), so that the servers of
// many orders cost a page or two of the list per round instead of one
// GET .../servers/{server_id} (3.2) per server.
//
// One per run (the executor's; a purchase without one makes its own), used
// from the run's single-threaded io_context. Each wait() registers its
// server ids and suspends; one polling coroutine, started by the first wait
// and ending when nothing is left to wait for, reads the list and wakes
// exactly the waits whose servers are all out of creation: normal (5),
// abnormal (2) or gone. Statuses 0, 1, 3, 4 are "creating" (3.1).
//
// The list is sorted by creation time, newest first (3.1, 1.8), and servers
// being bought are among the newest: a round reads pages from offset 0 only
// until every server still creating has been seen. A server that a complete
// listing does not show is never taken for gone on that word (the list may
// lag, or shift under a concurrent release): from then on it is read alone
// (3.2), and only a 404 there makes it gone (released outside cphform).
//
// Interval: the first round of a loop comes at once; then polling.h's
// next_poll_interval (`initial`, grown by `factor` up to `max` while nothing
// changed, back to `initial` on progress, never above a tenth of the newest
// wait's age), and a new wait brings the next round to at most 50 ms (or
// `initial`) away: its order just completed, its servers are likely ready. poll.stop (Ctrl-C) ends every wait with Interrupted; each
// wait ends at its own deadline with an error naming its subject. A failed
// list call (the client already retried it) ends every wait of that round
// with that error: the ids stay journaled, the next run resumes.
#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "resources/cph/cph_client.h"
#include "resources/operation.h"

namespace cph::resources {

// Not a CPH status: the status wait() gives a server that no longer exists
// (404 of 3.2).
inline constexpr int kServerGone = -1;

class ServerWatcher {
 public:
  // poll: the intervals, and the stop signal that ends every wait.
  ServerWatcher(cloud::CphClient& client, PollPolicy poll);
  // Waits still pending are woken with an error (std::runtime_error).
  ~ServerWatcher();
  ServerWatcher(const ServerWatcher&) = delete;
  ServerWatcher& operator=(const ServerWatcher&) = delete;

  // Suspends until every server of `server_ids` is out of creation; returns
  // their last readings in the order of `server_ids` (a gone one has only
  // server_id, and status kServerGone). `subject` names the wait in the
  // timeout error ("order CS1"); `deadline` is when it gives up.
  boost::asio::awaitable<std::vector<cloud::Server>> wait(std::vector<std::string> server_ids, std::string subject,
                                                          std::chrono::steady_clock::time_point deadline);

  // Poll rounds made and calls sent (list pages and single reads) so far.
  int64_t rounds() const;
  int64_t calls() const;

 private:
  struct State;  // shared with the polling coroutine, which may outlive a wait
  std::shared_ptr<State> state_;
};

}  // namespace cph::resources

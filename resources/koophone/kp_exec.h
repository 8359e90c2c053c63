// Fleet commands (issue 15 "Operations"): one adb shell command on every
// instance of a set. Async (cph-api.md 14.3) by default: one command call a
// batch of 32 ids, then every task polled (14.4) once a round, not once an
// instance, paced by the engine's one backoff rule (resources/polling.h)
// until each job has ended or poll.timeout passed. Sync (14.2) for short
// commands: the answers carry the results. Commands are not state and are
// never journaled; their task ids are returned so that people can look them
// up. A batch whose call is refused (an id not the tenant's) fails each of
// its instances with the refusal's code; one whose answer is lost (a 5xx,
// a dropped connection) fails them as UNKNOWN and is never sent again; the
// other batches go on.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "resources/koophone/kp_client.h"
#include "resources/operation.h"

namespace cph::koophone {

struct FleetCommand {
  std::vector<CommandResult> results;  // one per instance, in the order given
  std::vector<std::string> task_ids;   // async: the tasks started, in batch order
  int64_t command_calls = 0;           // 14.2 or 14.3 calls
  int64_t task_queries = 0;            // 14.4 calls
  size_t failed() const;
};

// `started`, when given, receives the task ids once every command call has
// been answered and before the polling: so that a run stopped while it
// waits has already told where its commands can be looked up.
boost::asio::awaitable<FleetCommand> run_fleet_command(
    KooPhoneClient& client, std::vector<std::string> ids, std::string command, bool sync, resources::PollPolicy poll,
    std::function<void(const std::vector<std::string>&)> started = {});

// "" when `command` is one the API takes (14.2 / 14.3: 1 to 1024 bytes of
// letters, digits, `_ . / : -`, and spaces as A-23 reads the examples), else
// why not, for the user: checked before any call, so that a command the
// service would refuse fails once, not once per batch of 32.
std::string command_error(const std::string& command);

// For people: a line per instance ("kp000001  ok  OUTPUT" / "kp000002  failed
// CPS.0191 Run command failed.  OUTPUT"), the task ids, and a summary line.
std::string format_fleet_command(const FleetCommand& run);

}  // namespace cph::koophone

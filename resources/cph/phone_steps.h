// The steps of [phones.NAME] blocks (issue 14; plan_steps.cc makes them):
//
//   configure_phones  a block created or changed: each phone of its servers
//                     is renamed (5.8, one call per phone), started with its
//                     changed properties when it is not running (5.6), has
//                     its changed properties set (5.9, 100 phones a call),
//                     restarted once when a changed key takes effect at boot
//                     (5.6), and stopped when the block wants it stopped (5.7).
//   forget_phones     a block removed: the phones stay as they are, the row goes.
//
// Every mutating call is journaled before it is sent, its answer (request
// and job ids) on arrival; jobs are followed by the run's job poller. A
// phone that fails is reported with its server, phone and the job's or
// call's CPS code; the others go on.
#pragma once

#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "resources/cph/run_context.h"

namespace cph::resources {

// Phones by server id, each server's in phone id order.
using PhonesByServer = std::unordered_map<std::string, std::vector<cloud::Phone>>;

// The phones of these servers (5.1): a few servers' one by one
// (?server_id=), more by listing every phone, 200 a page.
boost::asio::awaitable<PhonesByServer> list_phones_of(cloud::CphClient& cloud, const std::set<std::string>& server_ids);

boost::asio::awaitable<void> phones_step(RunContext& ctx, const Step& step, StepJournal& journal);

}  // namespace cph::resources

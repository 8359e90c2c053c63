// The koophone provider's StepRunner (resources/runner.h; the steps are
// kp_kind.h's): video settings in PUT calls of 32 ids, batch resets
// followed through status until the instances run, each call journaled
// before it is sent.
#pragma once

#include <memory>

#include "resources/koophone/kp_client.h"
#include "resources/koophone/kp_status.h"
#include "resources/runner.h"

namespace cph::resources {

// `statuses` is the provider's (its last refresh): the runner records each
// set's `unavailable` from it and adds what it reads. `poll` paces the
// status polls after a reset (`timeout` bounds them) and its `stop` ends
// them on Ctrl-C.
std::unique_ptr<StepRunner> koophone_step_runner(koophone::KooPhoneClient& client, StatusBook& statuses,
                                                 const Records& records, RunPlan plan, RunObserver& progress,
                                                 PollPolicy poll);

}  // namespace cph::resources

// The tencent_bm provider's StepRunner (resources/runner.h): resets the root
// passwords of device sets through ResetDevicePasswd, journaled call by
// call, and follows their tasks with DescriptionOperationResult.
#pragma once

#include <memory>

#include "resources/runner.h"
#include "resources/tencent/bm_client.h"

namespace cph::resources {

// `poll` paces the task polls (resources/polling.h: the one backoff rule,
// `timeout` per step) and its `stop` ends them on Ctrl-C.
std::unique_ptr<StepRunner> bm_step_runner(tencent::BmClient& client, const Records& records, RunPlan plan,
                                           RunObserver& progress, PollPolicy poll);

}  // namespace cph::resources

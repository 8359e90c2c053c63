// Routing steps to provider instances. The runner interface itself is
// resources::StepRunner (resources/runner.h): each provider makes its own
// (resources::Provider::runner); executor_test.cc drives the executor with
// fake ones.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "resources/runner.h"

namespace cph::engine {

using StepRunner = resources::StepRunner;

// Several provider instances in one run: each step, and each resumed
// operation, goes to the runner of the instance it names (Step::provider,
// the resumed operation's provider), so the executor's graph walk runs the
// instances' steps side by side. A name without a runner (a plan file written
// before steps named their provider) goes to `fallback`'s.
std::unique_ptr<StepRunner> runner_per_provider(std::map<std::string, std::unique_ptr<StepRunner>> runners,
                                                std::string fallback);

}  // namespace cph::engine

// koophone_bench's engine figures (issue 15): the real cphform binary against
// `emulator serve --koophone-instances 10000`: a set of 10,000 instances
// applied once, then a no-change plan, its status calls (at most
// ceil(10,000/32) = 313) and seconds (target under 1 s on the instant
// emulator).
#pragma once

#include <string>

namespace cph::bench {

void koophone_plan_scenario(const std::string& binary, int instances);

}  // namespace cph::bench

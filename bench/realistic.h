// engine_bench's realistic scenario (issue 5): simulated cloud durations,
// the engine's default polling; see realistic.cc.
#pragma once

#include <string>

namespace cph::bench {

// Starts its own emulator; prints its figures. Throws on a failed apply.
void realistic_scenario(const std::string& binary);

}  // namespace cph::bench

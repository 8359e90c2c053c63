// engine_bench --scenario phones: the cost of listing 20,000 phones in a
// plan (issue 14), against the same plan without phones.
#pragma once

#include <string>

namespace cph::bench {

void phones_scenario(const std::string& binary);

}  // namespace cph::bench

// Cutting a list of ids into the calls of an API that takes at most `n` ids
// a call (KooPhone's 32, the bare-metal resets' 20): consecutive runs, in
// order, the last one shorter.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

namespace cph::resources {

inline std::vector<std::vector<std::string>> in_batches(const std::vector<std::string>& ids, size_t n) {
  std::vector<std::vector<std::string>> out;
  for (size_t i = 0; i < ids.size(); i += n)
    out.emplace_back(ids.begin() + static_cast<std::ptrdiff_t>(i),
                     ids.begin() + static_cast<std::ptrdiff_t>(std::min(ids.size(), i + n)));
  return out;
}

}  // namespace cph::resources

#include "resources/huawei/cps_errors.h"

#include <algorithm>
#include <array>

namespace cph {
namespace {
constexpr CpsError kTable[] = {
#define X(status, code, msg, meaning, handling) {status, code, msg, meaning, handling},
#include "resources/huawei/cps_errors_table.inc"
#undef X
};
}  // namespace

const CpsError* find_cps_error(std::string_view code) {
  auto it = std::find_if(std::begin(kTable), std::end(kTable), [&](const CpsError& e) { return e.code == code; });
  return it == std::end(kTable) ? nullptr : &*it;
}

size_t cps_error_count() { return std::size(kTable); }

}  // namespace cph

// Whether this build runs under AddressSanitizer. Tests that bound time or
// memory (a plan in under 10 s, a listing in under 200 MB) check those
// figures only without it: ASan's shadow memory and the Debug build it runs
// in multiply both. The behaviour around the figure is checked in every build.
#pragma once

namespace cph {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif
#else
inline constexpr bool kSanitized = false;
#endif

}  // namespace cph

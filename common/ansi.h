// ANSI terminal styles for output meant for people at a terminal. Whether
// to use them is the CLI's decision (cli/commands.h color_wanted): never in
// logs, pipes or files, nor under -no-color or NO_COLOR, so that what
// scripts read never holds escape codes.
#pragma once

#include <string>
#include <string_view>

namespace cph::ansi {

inline constexpr std::string_view kBold = "\033[1m";
inline constexpr std::string_view kRed = "\033[31m";
inline constexpr std::string_view kGreen = "\033[32m";
inline constexpr std::string_view kYellow = "\033[33m";
inline constexpr std::string_view kBoldRed = "\033[1;31m";
inline constexpr std::string_view kBoldGreen = "\033[1;32m";
inline constexpr std::string_view kBoldYellow = "\033[1;33m";
inline constexpr std::string_view kReset = "\033[0m";

// `text` in `style` when `on`, else `text` unchanged.
inline std::string paint(bool on, std::string_view style, std::string_view text) {
  if (!on || text.empty()) return std::string(text);
  std::string out;
  out.reserve(style.size() + text.size() + kReset.size());
  out.append(style).append(text).append(kReset);
  return out;
}

}  // namespace cph::ansi

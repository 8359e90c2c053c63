// Tests only: a file of the project's shared reference directory
// (../shared: cph-api.md, signing-vectors.json). Looked for in
// $CPHFORM_SHARED_DIR, then next to the source tree ($CPHFORM_SOURCE_DIR/..
// or this file's tree), then in the copies kept in tests/data/shared, so that
// a clone without the sibling directory still runs every test.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

namespace cph::testing {

inline std::filesystem::path shared_file(const std::string& name) {
  namespace fs = std::filesystem;
  const fs::path source = fs::path(__FILE__).parent_path() / "..";
  std::vector<fs::path> tried;
  if (const char* d = std::getenv("CPHFORM_SHARED_DIR"); d && *d) tried.emplace_back(d);
  if (const char* s = std::getenv("CPHFORM_SOURCE_DIR"); s && *s) tried.push_back(fs::path(s) / ".." / "shared");
  tried.push_back(source / ".." / "shared");
  tried.push_back(source / "tests" / "data" / "shared");
  for (const auto& p : tried)
    if (fs::exists(p / name)) return p / name;
  std::string msg = name + " not found; tried:";
  for (const auto& p : tried) msg += " " + p.string();
  FAIL(msg + " (set CPHFORM_SHARED_DIR)");
  return {};
}

}  // namespace cph::testing

// Tests only: a temporary directory, and a file of the project's shared reference directory
// (../shared: cph-api.md, signing-vectors.json). Looked for in
// $CPHFORM_SHARED_DIR, then next to the source tree ($CPHFORM_SOURCE_DIR/..
// or this file's tree), then in the copies kept in tests/data/shared, so that
// a clone without the sibling directory still runs every test.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "common/crypto.h"

namespace cph::testing {

// A fresh directory under the system's temporary directory, removed with the
// object.
struct TempDir {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("cphform-test-" + cph::crypto::random_hex(8));
  TempDir() { std::filesystem::create_directories(dir); }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  // dir/name as a string (the state tests' default: their database).
  std::string file(const std::string& name = "state.db") const { return (dir / name).string(); }
  // Writes dir/name (its parent directories too), byte for byte.
  void write(const std::string& name, const std::string& text) const {
    std::filesystem::create_directories((dir / name).parent_path());
    std::ofstream(dir / name, std::ios::binary) << text;
  }
};

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

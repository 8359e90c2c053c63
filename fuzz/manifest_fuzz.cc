// Fuzz target: a manifest's TOML text -> a loaded, linked and validated
// Manifest (manifest/manifest.h: parse_manifest, the in-memory entry point
// of load_manifest_dir), and the same text through `cphform fmt`
// (format_manifest). Bad text must end in a ManifestError (or a format
// diagnostic), never in a crash, a hang or unbounded memory.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "manifest/format.h"
#include "manifest/manifest.h"

namespace {

// Files a manifest names (public_key_file) resolve against the working
// directory: make it an empty one of our own.
void enter_empty_dir() {
  static bool done = false;
  if (done) return;
  done = true;
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("cphform-fuzz-manifest-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::filesystem::current_path(dir);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  enter_empty_dir();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    cph::manifest::Manifest m = cph::manifest::parse_manifest(text, "main.toml");
    (void)m;
  } catch (const cph::manifest::ManifestError&) {
  } catch (const std::exception&) {
    // An error without a position is a defect of its own (issue 18), but not
    // a crash: the CLI reports it.
  }
  try {
    cph::manifest::FormatResult f = cph::manifest::format_manifest(text, "main.toml");
    (void)f;
  } catch (const std::exception&) {
  }
  return 0;
}

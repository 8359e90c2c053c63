// Files that manifests read: the manifests themselves, -var-file files and
// files a manifest names (public_key_file). Each is read only when it is a
// regular file (never a device, FIFO or directory, which could be endless
// or block) of bounded size, so that no path makes a load run out of
// memory; a named file must also lie inside the manifest's directory.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

#include "manifest/manifest.h"

namespace cph::manifest::files {

// The bytes of `path` when it is a regular file of at most `limit` bytes;
// otherwise nullopt, and *error says why ("is not a regular file", "is
// 80,000 bytes; at most 65,536 are read"). Opened without blocking, and
// read no further than the limit even when the file grows meanwhile.
std::optional<std::string> read_bounded(const std::filesystem::path& path, size_t limit, std::string* error);

// A file a manifest attribute names: `written` is relative to the
// directory of the manifest file that names it (`at.file`) or absolute,
// and must lead, after `..` and symbolic links are resolved, to a regular
// file inside that directory of at most `limit` bytes. `what` names the
// attribute for messages ("keypair.adb: attribute \"public_key_file\"").
// Throws ManifestError located at `at`.
std::string read_named_file(const std::string& written, const SourcePos& at, const std::string& what, size_t limit);

}  // namespace cph::manifest::files

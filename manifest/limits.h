// The bounds of what a manifest may ask of cphform, so that hostile or
// runaway input ends in a located error rather than a crash, a hang or
// memory running out (docs/manifest-language.md, "Limits").
//
// Text limits are checked by check_text() before toml++ sees the text: its
// parser recurses once per dotted-key part and per nesting level, and the
// loader's own walks of the document tree recurse per level, so the depth
// of both is bounded here. The instance limit is checked by the loader
// before anything expands a block's count; the limit on files a manifest
// names (public_key_file) by manifest/files.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "manifest/manifest.h"

namespace cph::manifest::limits {

constexpr size_t kMaxFileBytes = 16u << 20;       // one manifest or -var-file file
constexpr size_t kMaxTotalBytes = 64u << 20;      // all *.toml files of a directory together
constexpr size_t kMaxLineBytes = 1u << 20;        // one line
constexpr size_t kMaxKeyParts = 16;               // parts of one dotted key or [table.header]
constexpr size_t kMaxNesting = 32;                // arrays and inline tables inside each other
constexpr size_t kMaxHeaders = 200000;            // [table] and [[array]] headers in one file
constexpr int64_t kMaxInstances = 100000;         // instances of all blocks, count expanded
constexpr size_t kMaxKeyFileBytes = 64u << 10;    // a file named by public_key_file
constexpr size_t kMaxListFileBytes = 4u << 20;    // a file of values a line (instance_ids_file)
constexpr size_t kMaxRowsFileBytes = 16u << 20;   // a CSV or JSON file of rows (phones_file)
constexpr size_t kMaxCycleShown = 10;             // blocks named in a dependency-cycle message

// The first text limit `text` breaks, located in `filename`; nullopt when
// it keeps them all. Linear in the text, no recursion, and indifferent to
// TOML errors (toml++ reports those once the text is within bounds).
std::optional<Diagnostic> check_text(std::string_view text, const std::string& filename);

// How deep arrays and objects nest in JSON text (a -var or CPHFORM_VAR_
// value), counted without parsing it; 0 for a scalar.
size_t json_nesting(std::string_view json_text);

// "1,048,576" for messages.
std::string with_commas(uint64_t n);

}  // namespace cph::manifest::limits

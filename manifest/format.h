// The canonical layout of manifest files (`cphform fmt`), keeping comments.
//
// The layout:
//   - key/value lines and standalone comment lines start at column 0;
//   - in each run of consecutive `key = value` lines (a run ends at a blank
//     line, a comment line, a [table] header, or after a value that spans
//     several lines), the `=` signs are aligned one space after the longest
//     key; dotted keys are written without spaces around the dots;
//   - trailing comments: one space after the value; when several lines of a
//     run carry one, those comments are aligned one space after the longest
//     of those lines (comments after a multi-line value: one space);
//   - inline tables are written `{ a = 1, b = 2 }` (`{}` when empty); arrays
//     written on one line `[1, 2]`; an array that spans lines in the source
//     (or holds comments) keeps one line per source line of elements, indented
//     two spaces per level, each element followed by a comma, `]` on its own
//     line;
//   - one blank line before each [table] header and the comment lines directly
//     above it (none at the start of the file); runs of blank lines become one;
//   - no trailing whitespace, LF line ends, exactly one final newline.
// Scalars (strings, including multi-line ones, numbers, dates) are kept
// exactly as written.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "manifest/manifest.h"

namespace cph::manifest {

// Text the formatter cannot read (format_manifest checks the syntax with
// the TOML parser first, so callers normally see that parser's message).
struct FormatError : std::runtime_error {
  int line;
  int column;
  FormatError(int line_, int column_, const std::string& message)
      : std::runtime_error(message), line(line_), column(column_) {}
};

// The canonical layout of a TOML document. Throws FormatError.
std::string format_toml(std::string_view text);

struct FormatResult {
  std::string text;                      // the formatted document (empty when diagnostics is not)
  std::vector<Diagnostic> diagnostics;   // syntax errors, or a formatting that would change the meaning
};

// Checks the syntax with the manifest parser, formats, and checks that the
// formatted text parses to the same values (keys, order, types, values);
// on any problem returns diagnostics and no text.
FormatResult format_manifest(std::string_view text, const std::string& filename);

}  // namespace cph::manifest

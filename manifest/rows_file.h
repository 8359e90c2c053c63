// Files of rows a manifest names (Attribute::rows_file, a [phones] block's
// phones_file): CSV with a header row, or a JSON array of objects, read
// into the loader's document tree so that the schema's checks run on each
// row as if it were written in TOML, every problem located at its cell
// (file:line:column of the CSV or JSON file).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "manifest/document.h"

namespace cph::manifest::rows_file {

struct Rows {
  // An array of tables, one a row, each entry a non-empty cell: a string
  // (CSV; JSON strings), an integer, float or boolean (JSON). An empty CSV
  // cell or a JSON null is left out: the field is unset for that row.
  doc::Node list;
  // The field names in the order first seen (a CSV's header cells, a JSON
  // file's keys), each where it is first written.
  std::vector<std::pair<std::string, SourcePos>> columns;
};

// `text` as rows: JSON when `file` ends in ".json" (any case), else CSV
// (RFC 4180: fields split by commas, records by LF or CRLF; a quoted field
// may hold commas, line breaks and "" for a quote; a leading UTF-8 byte
// order mark is skipped; header names are trimmed of spaces; a record of
// only empty fields is skipped). `file` is the name positions carry. A
// syntax error (an unclosed quote, a record with more or fewer fields than
// the header, JSON that is not an array of flat objects) appends a
// diagnostic, prefixed by `what`, and returns nullopt.
std::optional<Rows> parse(std::string_view text, const std::string& file, const std::string& what,
                          std::vector<Diagnostic>& diags);

}  // namespace cph::manifest::rows_file

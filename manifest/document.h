// Internal to the manifest loader: a parsed TOML document as a small tree
// that carries the source position of every key and value.
//
// toml++ is expensive to compile, so only loader.cc includes it; it converts
// toml++'s tree into this one and everything else (schema validation,
// merging files) works on this tree.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "manifest/manifest.h"

namespace cph::manifest::doc {

// TOML's value types. Dates and times have no attribute type of their own;
// they are kept so that a misplaced one is reported as what it is.
enum class Kind { string, integer, floating, boolean, datetime, array, table };
std::string_view kind_name(Kind);  // "string", "integer", "float", ..., "table"

struct Entry;

struct Node {
  Kind kind = Kind::table;
  SourcePos pos;               // where the value starts ('[' of a table header, '{' of an inline table)
  Json scalar;                 // string, integer, float, boolean; a date/time as its TOML text
  std::vector<Entry> entries;  // table: its keys in source order
  std::vector<Node> items;     // array: its elements
  bool inline_table = false;   // { ... } rather than a [header] table
  bool sensitive = false;      // holds a sensitive variable's value: brief() does not show it
};

struct Entry {
  std::string key;
  SourcePos key_pos;  // where the key is written
  Node value;
};

// Parses one TOML document. On a syntax error, appends a diagnostic at the
// position toml++ reports and returns nullopt.
std::optional<Node> parse_toml(std::string_view text, const std::string& filename, std::vector<Diagnostic>& diags);

// A short rendering of a value for messages: 0, "web/1", 1.5, true, [...],
// {...}; "(sensitive value)" for a sensitive one.
std::string brief(const Node& value);

}  // namespace cph::manifest::doc

// The only translation unit that includes toml++: it turns TOML text into the
// position-carrying tree of document.h.
#include <algorithm>
#include <sstream>
#include <tuple>

#include <toml++/toml.h>

#include "manifest/document.h"
#include "manifest/limits.h"

namespace cph::manifest::doc {
namespace {

SourcePos position(const toml::source_position& p, const std::string& filename) {
  return SourcePos{filename, static_cast<int>(p.line), static_cast<int>(p.column)};
}

// TOML's own text of a date, time or date-time, for messages.
template <typename T>
std::string toml_text(const T& value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

Node convert(const toml::node& n, const std::string& filename) {
  Node out;
  out.pos = position(n.source().begin, filename);
  switch (n.type()) {
    case toml::node_type::string:
      out.kind = Kind::string;
      out.scalar = n.as_string()->get();
      break;
    case toml::node_type::integer:
      out.kind = Kind::integer;
      out.scalar = n.as_integer()->get();
      break;
    case toml::node_type::floating_point:
      out.kind = Kind::floating;
      out.scalar = n.as_floating_point()->get();
      break;
    case toml::node_type::boolean:
      out.kind = Kind::boolean;
      out.scalar = n.as_boolean()->get();
      break;
    case toml::node_type::date:
      out.kind = Kind::datetime;
      out.scalar = toml_text(*n.as_date());
      break;
    case toml::node_type::time:
      out.kind = Kind::datetime;
      out.scalar = toml_text(*n.as_time());
      break;
    case toml::node_type::date_time:
      out.kind = Kind::datetime;
      out.scalar = toml_text(*n.as_date_time());
      break;
    case toml::node_type::array:
      out.kind = Kind::array;
      for (const toml::node& item : *n.as_array()) out.items.push_back(convert(item, filename));
      break;
    case toml::node_type::table:
      out.kind = Kind::table;
      out.inline_table = n.as_table()->is_inline();
      for (auto&& [key, value] : *n.as_table())
        out.entries.push_back(Entry{std::string(key.str()), position(key.source().begin, filename), convert(value, filename)});
      // toml++ keeps keys sorted by name; source order reads better and
      // makes the order of diagnostics follow the file.
      std::stable_sort(out.entries.begin(), out.entries.end(), [](const Entry& a, const Entry& b) {
        return std::tie(a.key_pos.line, a.key_pos.column) < std::tie(b.key_pos.line, b.key_pos.column);
      });
      break;
    case toml::node_type::none:
      break;
  }
  return out;
}

}  // namespace

std::string_view kind_name(Kind k) {
  switch (k) {
    case Kind::string: return "string";
    case Kind::integer: return "integer";
    case Kind::floating: return "float";
    case Kind::boolean: return "boolean";
    case Kind::datetime: return "date/time";
    case Kind::array: return "array";
    case Kind::table: return "table";
  }
  return "value";
}

std::string brief(const Node& v) {
  if (v.sensitive) return "(sensitive value)";
  switch (v.kind) {
    case Kind::array: return v.items.empty() ? "[]" : "[...]";
    case Kind::table: return v.entries.empty() ? "{}" : "{...}";
    case Kind::datetime: return v.scalar.get<std::string>();
    default: break;
  }
  std::string text = v.scalar.dump(-1, ' ', false, Json::error_handler_t::replace);
  constexpr size_t kMax = 60;
  if (text.size() > kMax) {
    text.resize(kMax - 3);
    text += "...";
  }
  return text;
}

std::optional<Node> parse_toml(std::string_view text, const std::string& filename, std::vector<Diagnostic>& diags) {
  // toml++ recurses per dotted-key part and nesting level, and so does
  // convert(): bound both before either sees the text.
  if (std::optional<Diagnostic> over = limits::check_text(text, filename)) {
    diags.push_back(std::move(*over));
    return std::nullopt;
  }
  try {
    toml::table table = toml::parse(text, std::string_view(filename));
    return convert(table, filename);
  } catch (const toml::parse_error& e) {
    diags.push_back(Diagnostic{position(e.source().begin, filename),
                               "invalid TOML: " + std::string(e.description())});
    return std::nullopt;
  }
}

}  // namespace cph::manifest::doc

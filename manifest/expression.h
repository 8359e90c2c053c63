// Expressions inside manifest strings: template strings with `${...}`
// interpolations, block addresses, and the evaluation of a value once the
// referenced attributes are known.
//
// Syntax (a subset of Terraform's):
//   "web-${var.env}"                 a variable (substituted by the loader)
//   "${bandwidth.shared.id}"         an attribute of a block without count
//   "${server.game[0].public_ip}"    an attribute of one instance of a counted block
//   "$${literal}"                    a literal "${literal}"
//   "${phone.index}"                 a placeholder of the block's type (Reference::is_placeholder)
// A string that is exactly one interpolation ("${var.n}") takes the typed
// value of what it refers to; anywhere else the value is rendered as text.
//
// After loading, variables are gone (substituted) and the strings of a
// manifest that still refer to resources are kept as templates: the planner
// resolves them with evaluate() when the values are known.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace cph::manifest {

using Json = nlohmann::json;

// What an interpolation or address names.
struct Reference {
  std::string type;          // "server", "bandwidth", ... or "var"
  std::string name;          // the block label, or the variable name
  std::optional<int> index;  // [i] of a counted block
  std::string attribute;     // "public_ip"; empty for a block address ("server.game")

  // var.NAME, or terraform.workspace: known before any planning, substituted
  // by the loader (variables.h).
  bool is_variable() const { return type == "var" || type == "terraform"; }
  // A value a resource type gives each of its objects, written without an
  // attribute ("${phone.index}" in a [phones] block; ResourceSchema::
  // placeholders): kept in the string, never looked up.
  bool is_placeholder() const;
  std::string block() const;    // "server.game" (never an index)
  std::string address() const;  // "server.game[0]" or "server.game"
  std::string str() const;      // "server.game[0].public_ip", "var.env"
  bool operator==(const Reference&) const = default;
};

// One piece of a template: literal text (escapes already undone) or an
// interpolation.
struct TemplatePart {
  std::string literal;
  std::optional<Reference> ref;
};

struct Template {
  std::vector<TemplatePart> parts;
  // True when the string is exactly one interpolation, "${x.y}".
  bool whole() const { return parts.size() == 1 && parts[0].ref.has_value(); }
  bool has_references() const;
  // Back to manifest text: literal "${" is written "$${" again.
  std::string render() const;
};

// Parses a string; nullopt with *error set (e.g. `unterminated "${" at
// offset 4`) when an interpolation is malformed.
std::optional<Template> parse_template(std::string_view text, std::string* error = nullptr);

// Parses "TYPE.NAME", "TYPE.NAME[I]", and with with_attribute also
// "TYPE.NAME.ATTR" and "TYPE.NAME[I].ATTR"; "var.NAME" is accepted as a
// variable. Names are [A-Za-z_][A-Za-z0-9_-]*.
std::optional<Reference> parse_reference(std::string_view text, bool with_attribute, std::string* error = nullptr);

// Every interpolation in the strings of `value` (recursively through
// objects and arrays), in order, duplicates kept. Malformed strings are
// skipped (the loader reported them).
std::vector<Reference> references(const Json& value);

// The value of a reference, or nullopt when it is not known yet.
using Lookup = std::function<std::optional<Json>(const Reference&)>;

// Substitutes every interpolation in `value` (recursively). A string that
// is exactly one interpolation becomes the referenced value as is; others
// become text (strings as they are, other values as JSON). A string with a
// reference the lookup does not know is left as it was (still a template)
// and the reference is appended to *unknown, so that a plan can show
// "(known after apply)". Strings without interpolations lose their escapes.
Json evaluate(const Json& value, const Lookup& lookup, std::vector<Reference>* unknown = nullptr);

// True when `value` holds no interpolation.
bool is_known(const Json& value);

}  // namespace cph::manifest

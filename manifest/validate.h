// Internal to the manifest loader: schema-driven validation of one resource
// block, and the "did you mean" helper shared by every unknown-name error.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "manifest/document.h"
#include "manifest/manifest.h"
#include "resources/schema.h"

namespace cph::manifest::detail {

// Bounds of the `count` meta-argument. The upper bound is a sanity limit
// against typos (a fleet of 10,000 servers is already 100 list pages).
constexpr int64_t kMinCount = 1;
constexpr int64_t kMaxCount = 10000;

// Validates the body of the block [schema.type . label] (`table`, whose pos
// is the block header) against `schema`: unknown attributes, types, required
// attributes, every rule, nested tables and arrays, the `count`
// meta-argument and the schema's cross-attribute check. Appends one
// diagnostic per problem and returns the configuration with defaults
// applied; it is meaningful only when no diagnostic was added.
ResourceConfig validate_block(const resources::ResourceSchema& schema, const std::string& label,
                              const doc::Node& table, std::vector<Diagnostic>& diags);

// The candidate nearest to `name` (case-insensitive edit distance at most 2,
// and less than the name's length), if any.
std::optional<std::string> closest(std::string_view name, const std::vector<std::string>& candidates);

// `; did you mean "x"?` when a close candidate exists, otherwise
// `; expected one of: a, b, c`.
std::string suggestion(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace cph::manifest::detail

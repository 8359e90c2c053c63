// Internal to the manifest loader: schema-driven validation of one resource
// block, and the "did you mean" helper shared by every unknown-name error.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "manifest/document.h"
#include "manifest/expression.h"
#include "manifest/manifest.h"
#include "resources/schema.h"

namespace cph::manifest::detail {

// Bounds of the `count` meta-argument. 0 is a block with no instances (as in
// Terraform: lowering a count to 0 destroys them all but keeps the block).
// The upper bound is a sanity limit against typos (a fleet of 10,000 servers
// is already 100 list pages).
constexpr int64_t kMinCount = 0;
constexpr int64_t kMaxCount = 10000;

// A reference found in a block, checked against the other blocks once all
// are read (link.cc).
struct PendingReference {
  enum class Kind {
    address,        // a block address in a reference attribute: "keypair.adb"
    interpolation,  // "${server.game[0].public_ip}" in a string
    depends_on,     // an element of depends_on
  };
  Kind kind = Kind::interpolation;
  Reference ref;
  SourcePos pos;
  std::string path;  // the attribute path it was written at ("keypair", "servers[1]", "depends_on[0]")
};

// Validates the body of the block [schema.type . label] (`table`, whose pos
// is the block header) against `schema`: unknown attributes, types, required
// attributes, every rule, nested tables and arrays, the `count`
// meta-argument, depends_on and lifecycle, and the schema's cross-attribute
// check. Rules are not run on strings that interpolate resource attributes
// (their value is known after apply) nor on block addresses in reference
// attributes; those references are appended to `refs`. Appends one
// diagnostic per problem and returns the configuration with defaults
// applied; it is meaningful only when no diagnostic was added.
ResourceConfig validate_block(const resources::ResourceSchema& schema, const std::string& label,
                              const doc::Node& table, std::vector<Diagnostic>& diags,
                              std::vector<PendingReference>& refs);

// The candidate nearest to `name` (case-insensitive edit distance at most 2,
// and less than the name's length), if any.
std::optional<std::string> closest(std::string_view name, const std::vector<std::string>& candidates);

// `; did you mean "x"?` when a close candidate exists, otherwise
// `; expected one of: a, b, c`; "" when there are no candidates.
std::string suggestion(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace cph::manifest::detail

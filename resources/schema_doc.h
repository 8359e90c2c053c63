// The manifest reference (docs/manifest.md), generated from the resource
// descriptors so that it cannot drift from what the loader accepts.
#pragma once

#include <optional>
#include <string>

#include "resources/schema.h"

namespace cph::resources {

// Markdown: for every registered type, its description, whether `count` is
// supported, and a table of its attributes (nested fields as "a.b" and
// "a[].b" rows) with type, required, default, how a change is carried out,
// references and the texts of their rules.
std::string render_manifest_reference();

// The text of a rule, when running it on values of the wrong JSON type for
// `attribute` gives one same message that is more than a type complaint
// (e.g. rules::server_name); nullopt when the text cannot be obtained so.
std::optional<std::string> rule_text(const Attribute& attribute, const Rule& rule);

}  // namespace cph::resources

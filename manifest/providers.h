// Internal to the manifest loader: [provider] and [provider.NAME] tables
// (issue 13, named providers) and which provider instance each resource
// block uses.
#pragma once

#include <optional>
#include <vector>

#include "manifest/document.h"
#include "manifest/manifest.h"

namespace cph::manifest::detail {

// The provider tables of every document, as read.
struct ProviderTables {
  std::vector<ProviderConfig> declared;  // in reading order
  std::optional<SourcePos> unnamed_at;   // where [provider] was, when it was
};

// ^[A-Za-z_][A-Za-z0-9_-]*$: block labels and provider names.
bool valid_label(const std::string& s);

// Reads the top-level `provider` entry of one document: the single
// [provider] form (attributes directly inside) and/or [provider.NAME] tables.
void read_providers(const doc::Entry& entry, ProviderTables& tables, std::vector<Diagnostic>& diags);

// Once every block is read: sets m.providers (declared ones plus, for a
// resource type none is declared for, the implicit one named after its
// type) and m.provider, and gives each block its provider instance
// (ResourceConfig::provider): the one its `provider = "provider.NAME"`
// names, else the only one of its type.
void resolve_providers(Manifest& m, ProviderTables& tables, std::vector<Diagnostic>& diags);

}  // namespace cph::manifest::detail

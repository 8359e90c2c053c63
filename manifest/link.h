// Internal to the manifest loader: what is checked across blocks once every
// file is read — [output.NAME] tables, references to other blocks,
// depends_on, dependency cycles, duplicate server names and two blocks
// claiming one cloud object.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "manifest/document.h"
#include "manifest/manifest.h"
#include "manifest/validate.h"

namespace cph::manifest::detail {

// Reads the [output] table of one document into `outputs`, and the
// references of their values into `refs` (keyed by "output.NAME").
void read_outputs(const doc::Entry& entry, std::vector<Output>& outputs,
                  std::map<std::string, std::vector<PendingReference>>& refs, std::vector<Diagnostic>& diags);

// Checks every pending reference (keyed by the address of the block or
// output that holds it) against the blocks of `m`, sets each block's
// depends_on, and reports dependency cycles, duplicate instance names and
// shared identities.
void link(Manifest& m, const std::map<std::string, std::vector<PendingReference>>& refs,
          std::vector<Diagnostic>& diags);

}  // namespace cph::manifest::detail

// `cphform docs manifest [-check FILE]` (hidden): prints docs/manifest.md,
// generated from the resource descriptors; with -check, fails when FILE
// differs from what would be generated.
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/command.h"
#include "cli/commands.h"
#include "resources/schema_doc.h"

namespace cph::engine {

int cmd_docs(Context& ctx, const std::vector<std::string>& args) {
  if (args.empty() || args[0] != "manifest") throw UsageError("usage: cphform docs manifest [-check FILE]");
  Flags flags = parse_command_flags("docs", std::vector<std::string>(args.begin() + 1, args.end()));
  const std::string reference = resources::render_manifest_reference();
  if (!flags.has("check")) {
    ctx.out << reference;
    return 0;
  }
  std::filesystem::path file = flags.get("check");
  if (file.is_relative()) file = ctx.dir / file;
  std::ifstream in(file, std::ios::binary);
  std::stringstream current;
  if (in) current << in.rdbuf();
  if (!in || current.str() != reference) {
    ctx.err << "docs/manifest.md is out of date; run: cphform docs manifest > docs/manifest.md\n";
    return 1;
  }
  return 0;
}

}  // namespace cph::engine

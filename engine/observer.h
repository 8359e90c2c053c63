// What the executor tells whoever watches a run (cli/progress.h prints it as
// Terraform-style lines, a live status line or -json events): the
// providers' runners report through the same interface
// (resources/runner.h), so that neither depends on the CLI.
#pragma once

#include "resources/runner.h"

namespace cph::engine {

using RunObserver = resources::RunObserver;

}  // namespace cph::engine

// The command line: `cphform [-chdir=DIR] COMMAND [flags]`. Flags are
// accepted as -flag, --flag, -flag=value and -flag value.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace cph::engine {

// Runs one command; returns the process exit code. Output goes to out/err,
// prompts read from in.
int run_cli(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace cph::engine

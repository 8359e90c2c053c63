#include <malloc.h>
#include <sys/stat.h>

#include <iostream>

#include "cli/cli.h"

int main(int argc, char** argv) {
  // No glibc fastbins: at fleet scale (10,000 servers of JSON, strings and
  // map nodes) freeing a large block after many small ones made glibc
  // consolidate them over and over (malloc_consolidate was ~7% of a plan).
  // Small blocks still go through the per-thread cache.
  mallopt(M_MXFAST, 0);
  // Everything cphform creates is owner-only: state (which keeps sensitive
  // values), .cphform/, plan files, drift reports, emulator data (issue 18).
  // Files that exist already are tightened where they are opened.
  umask(077);
  std::vector<std::string> args(argv + 1, argv + argc);
  return cph::engine::run_cli(args, std::cin, std::cout, std::cerr);
}

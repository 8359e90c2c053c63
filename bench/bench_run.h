// Measurement helpers shared by engine_bench's scenarios: one cphform run as
// a child of the bench (wall time, its own peak RSS and CPU), the emulator's
// API calls by operation template, and the printed figures.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tests/e2e/harness.h"

namespace cph::bench {

struct Run {
  int exit_code = -1;
  double wall_s = 0;
  double rss_mb = 0;  // peak resident set of the cphform process
  double cpu_s = 0;   // its user + system CPU: near wall_s means cphform itself is the bottleneck
  std::string out, err;
};

// Environment of the cphform child on top of the bench's own (which it
// inherits); an empty value unsets the variable.
using Env = std::map<std::string, std::string>;

// API calls by operation template (admin requests excluded).
using Counts = std::map<std::string, int64_t>;

Counts api_calls(const e2e::EmulatorProcess& emu);
Counts minus(const Counts& after, const Counts& before);
int64_t total(const Counts& c);
int64_t count_of(const Counts& c, const std::string& key);

// "key = value   (target ...)" lines.
void figure(const std::string& key, double value, const std::string& target = "");
void count_figure(const std::string& key, int64_t value, const std::string& target = "");
// Every template's calls, most called first.
void print_templates(const std::string& label, const Counts& c);

struct Phase {
  Run run;
  Counts calls;
};

// One measured `binary args...` run in dir against emu, and the API calls it
// made. Another exit code than expect_exit makes every figure meaningless:
// it throws with the run's output (so that the caller's emulator and
// temporary directory are cleaned up).
Phase measure(const std::string& label, const std::string& binary, const std::vector<std::string>& args,
              const e2e::TempDir& dir, const e2e::EmulatorProcess& emu, const Env& env, int expect_exit);

}  // namespace cph::bench

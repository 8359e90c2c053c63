// engine_bench: the real cphform binary against `cphform emulator serve`
// over real HTTP. The fleet scenarios (instant timing, fleet scale):
//   1. create N servers: 100 groups of N/100 (`count`), 100 shared bandwidths;
//   2. plan with refresh, no changes;
//   3. a 1% change: one group (N/100 servers) renamed, planned then applied.
// Then the realistic scenario (realistic.cc): simulated purchase and job
// durations, the engine's default polling, apply wall against the critical
// path and job-status calls per poll round. --scenario phones: the cost of
// listing 20,000 phones (phones_bench.cc).
// Prints wall seconds, peak RSS of the cphform child and emulator API calls
// (deltas of /_emulator/stats) next to the targets of the issue. Not a test:
// nothing is tuned, a missed target is printed as measured.
//   engine_bench [CPHFORM_BINARY] [--servers N] [--scenario fleet|realistic|phones|all] [--skip-realistic]
//   (default N = 10000, every scenario)
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/bench_run.h"
#include "bench/phones_bench.h"
#include "bench/realistic.h"
#include "tests/e2e/harness.h"

namespace fs = std::filesystem;
using cph::e2e::EmulatorProcess;
using cph::e2e::TempDir;
using namespace cph::bench;

namespace {

constexpr int kGroups = 100;           // server groups, each with its own shared bandwidth
constexpr double kTimeScale = 1e9;     // "instant" simulated timing: creation and jobs finish at once
const char* kList = "GET /v1/{project_id}/cloud-phone/servers";
const char* kRename = "PUT /v1/{project_id}/cloud-phone/servers/{server_id}";
// Short polls: with instant timing the first order/job poll already succeeds,
// so the engine's default back-off would only measure sleeping.
const Env kPollEnv = {{"CPHFORM_POLL_INITIAL_MS", "20"}, {"CPHFORM_POLL_MAX_MS", "200"}};

struct Options {
  std::string binary;
  int servers = 10000;
  bool fleet = true;      // the three fleet scenarios
  bool realistic = true;  // the realistic one, after them
  bool phones = false;    // --scenario phones only (issue 14)
};

// --scenario NAME: only that one ("all": the default).
void select_scenario(Options& o, const std::string& name) {
  if (name != "fleet" && name != "realistic" && name != "phones" && name != "all")
    throw std::runtime_error("--scenario must be fleet, realistic, phones or all");
  o.phones = name == "phones";
  o.fleet = name == "fleet" || name == "all";
  o.realistic = name == "realistic" || name == "all";
}

Options parse_options(int argc, char** argv) {
  Options o;
  if (const char* b = std::getenv("CPHFORM_BINARY")) o.binary = b;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--servers" && i + 1 < argc)
      o.servers = std::stoi(argv[++i]);
    else if (a.rfind("--servers=", 0) == 0)
      o.servers = std::stoi(a.substr(10));
    else if (a == "--scenario" && i + 1 < argc)
      select_scenario(o, argv[++i]);
    else if (a.rfind("--scenario=", 0) == 0)
      select_scenario(o, a.substr(11));
    else if (a == "--skip-realistic")
      o.realistic = false;
    else if (a.rfind("--", 0) != 0)
      o.binary = a;
    else
      throw std::runtime_error("unknown option " + a);
  }
  if (o.binary.empty() || !fs::exists(o.binary))
    throw std::runtime_error(
        "usage: engine_bench CPHFORM_BINARY [--servers N] [--scenario fleet|realistic|phones|all] [--skip-realistic] "
        "(or set CPHFORM_BINARY)");
  if (o.servers < kGroups || o.servers % kGroups != 0)
    throw std::runtime_error("--servers must be a positive multiple of " + std::to_string(kGroups));
  // Absolute: the harness's EmulatorProcess execs it from another directory.
  o.binary = fs::absolute(o.binary).string();
  return o;
}

// Group g's server name; `renamed` gives group 0 a new name (the 1% change:
// N/100 in-place renames, NAME-0001.. becoming r000-0001..).
std::string group_name(int g, bool renamed) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%c%03d", (g == 0 && renamed) ? 'r' : 'g', g);
  return buf;
}

std::string manifest(const std::string& endpoint, int servers, bool renamed) {
  std::ostringstream m;
  m << "[provider]\nendpoint = \"" << endpoint << "\"\nregion = \"cn-east-3\"\n\n";
  for (int g = 0; g < kGroups; ++g)
    m << "[bandwidth.bw" << g << "]\nsize = 300\ncharge_mode = \"bandwidth\"\n\n";
  for (int g = 0; g < kGroups; ++g)
    m << "[server.s" << g << "]\nname = \"" << group_name(g, renamed) << "\"\ncount = " << servers / kGroups
      << "\nserver_model = \"physical.rx1.xlarge\"\nphone_model = \"rx1.cp.c105.d6.e5v5\""
         "\nimage_id = \"20060220200717f201120a2300000e91\""
         "\nvpc_id = \"fca063f6-b942-42a8-9004-e5545f58d6a2\""
         "\nsubnet_id = \"f1cbfc37-eb42-4357-a0ec-9e4f11950908\""
         "\nbandwidth = \"bandwidth.bw"
      << g << "\"\n\n";
  return m.str();
}

void create_phase(const Options& o, const TempDir& dir, const EmulatorProcess& emu) {
  const std::string label = "create_" + std::to_string(o.servers);
  dir.write("main.toml", manifest(emu.url(), o.servers, false));
  Phase p = measure(label, o.binary, {"apply", "-auto-approve"}, dir, emu, kPollEnv, 0);
  figure(label + ".wall_s", p.run.wall_s, "<= 10 s");
  figure(label + ".cphform_cpu_s", p.run.cpu_s);
  figure(label + ".peak_rss_mb", p.run.rss_mb, "<= 300 MB");
  count_figure(label + ".calls.total", total(p.calls));
  figure(label + ".calls_per_server", static_cast<double>(total(p.calls)) / o.servers);
  print_templates(label, p.calls);
  // Checked through the emulator's own list API (after the measurement).
  count_figure(label + ".servers_in_emulator", static_cast<int64_t>(emu.servers().size()));
}

void plan_no_changes_phase(const Options& o, const TempDir& dir, const EmulatorProcess& emu) {
  const std::string label = "plan_nochange_" + std::to_string(o.servers);
  Phase p = measure(label, o.binary, {"plan", "-detailed-exitcode"}, dir, emu, kPollEnv, 0);
  figure(label + ".wall_s", p.run.wall_s, "<= 1 s");
  figure(label + ".cphform_cpu_s", p.run.cpu_s);
  figure(label + ".peak_rss_mb", p.run.rss_mb, "<= 150 MB");
  count_figure(label + ".list_calls", count_of(p.calls, kList), "<= " + std::to_string(o.servers / 100 + 1));
  count_figure(label + ".calls.total", total(p.calls));
  print_templates(label, p.calls);
}

void one_percent_phase(const Options& o, const TempDir& dir, const EmulatorProcess& emu) {
  const std::string label = "change_1pct_" + std::to_string(o.servers);
  dir.write("main.toml", manifest(emu.url(), o.servers, true));
  Phase plan = measure(label + ".plan", o.binary, {"plan", "-detailed-exitcode"}, dir, emu, kPollEnv, 2);
  figure(label + ".plan.wall_s", plan.run.wall_s, "<= 1.2 s");
  figure(label + ".plan.cphform_cpu_s", plan.run.cpu_s);
  figure(label + ".plan.peak_rss_mb", plan.run.rss_mb);
  count_figure(label + ".plan.list_calls", count_of(plan.calls, kList));
  count_figure(label + ".plan.calls.total", total(plan.calls));
  Phase apply = measure(label + ".apply", o.binary, {"apply", "-auto-approve"}, dir, emu, kPollEnv, 0);
  figure(label + ".apply.wall_s", apply.run.wall_s, "<= 3 s");
  figure(label + ".apply.cphform_cpu_s", apply.run.cpu_s);
  figure(label + ".apply.peak_rss_mb", apply.run.rss_mb);
  count_figure(label + ".apply.renames", count_of(apply.calls, kRename), "= " + std::to_string(o.servers / 100));
  count_figure(label + ".apply.calls.total", total(apply.calls));
  print_templates(label + ".apply", apply.calls);
}

// The three fleet scenarios, on one instant-timing emulator.
void fleet_scenarios(const Options& o) {
  std::printf("# engine_bench: %s, %d servers in %d groups (count = %d), %d shared bandwidths\n", o.binary.c_str(),
              o.servers, kGroups, o.servers / kGroups, kGroups);
  std::printf("# emulator: cphform emulator serve --time-scale %g (built-in catalog)\n", kTimeScale);
  std::printf("# cphform env:");
  for (const auto& [k, v] : kPollEnv) std::printf(" %s=%s", k.c_str(), v.c_str());
  std::printf("\n");
  EmulatorProcess emu(kTimeScale);
  TempDir dir;
  create_phase(o, dir, emu);
  plan_no_changes_phase(o, dir, emu);
  one_percent_phase(o, dir, emu);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Options o = parse_options(argc, argv);
    // The harness's EmulatorProcess starts `CPHFORM_BINARY emulator serve`.
    setenv("CPHFORM_BINARY", o.binary.c_str(), 1);
    if (o.fleet) fleet_scenarios(o);
    if (o.realistic) realistic_scenario(o.binary);
    if (o.phones) phones_scenario(o.binary);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "engine_bench: %s\n", e.what());
    return 1;
  }
}

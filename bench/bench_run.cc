#include "bench/bench_run.h"

#include <sys/resource.h>
#include <sys/time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace cph::bench {

namespace fs = std::filesystem;

namespace {

// One cphform run in dir, its own resource use read by wait4() (which
// RUSAGE_CHILDREN would mix with every child reaped before).
Run run_measured(const std::string& binary, const std::vector<std::string>& args, const fs::path& dir,
                 const e2e::EmulatorProcess& emu, const Env& env) {
  std::vector<std::string> argv = {binary};
  argv.insert(argv.end(), args.begin(), args.end());
  Env full = env;
  full["HW_ACCESS_KEY"] = emu.credentials().access_key;
  full["HW_SECRET_KEY"] = emu.credentials().secret_key;
  full["HW_PROJECT_ID"] = emu.credentials().project_id;
  full["HW_REGION_NAME"] = emu.credentials().region;
  auto start = std::chrono::steady_clock::now();
  e2e::Process child(argv, dir, full, dir / "run.out", dir / "run.err");
  rusage ru{};
  const int exit_code = child.wait(&ru);
  Run r;
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.rss_mb = static_cast<double>(ru.ru_maxrss) / 1024.0;  // Linux: kilobytes
  auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  r.cpu_s = secs(ru.ru_utime) + secs(ru.ru_stime);
  r.exit_code = exit_code;
  r.out = e2e::slurp(dir / "run.out");
  r.err = e2e::slurp(dir / "run.err");
  return r;
}

// cphform's own summary lines ("Refreshed ...", "Plan: ...", "Apply
// complete ..."), so a figure can be read against what the engine did.
void print_summary(const std::string& label, const std::string& out) {
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("Refreshed", 0) == 0 || line.rfind("Plan:", 0) == 0 || line.rfind("No changes", 0) == 0 ||
        line.rfind("Apply complete", 0) == 0)
      std::printf("# %s: %s\n", label.c_str(), line.c_str());
}

}  // namespace

Counts api_calls(const e2e::EmulatorProcess& emu) {
  Counts c;
  const nlohmann::json ops = emu.stats();  // items() must not outlive the object it walks
  for (const auto& [k, v] : ops.items())
    if (k.find("/_emulator") == std::string::npos) c[k] = v.at("count").get<int64_t>();
  return c;
}

Counts minus(const Counts& after, const Counts& before) {
  Counts d;
  for (const auto& [k, n] : after) {
    auto b = before.find(k);
    int64_t delta = n - (b == before.end() ? 0 : b->second);
    if (delta != 0) d[k] = delta;
  }
  return d;
}

int64_t total(const Counts& c) {
  int64_t t = 0;
  for (const auto& [k, n] : c) t += n;
  return t;
}

int64_t count_of(const Counts& c, const std::string& key) {
  auto it = c.find(key);
  return it == c.end() ? 0 : it->second;
}

void figure(const std::string& key, double value, const std::string& target) {
  std::printf("%-34s = %10.3f%s\n", key.c_str(), value, target.empty() ? "" : ("   (target " + target + ")").c_str());
}

void count_figure(const std::string& key, int64_t value, const std::string& target) {
  std::printf("%-34s = %10lld%s\n", key.c_str(), static_cast<long long>(value),
              target.empty() ? "" : ("   (target " + target + ")").c_str());
}

void print_templates(const std::string& label, const Counts& c) {
  std::vector<std::pair<std::string, int64_t>> rows(c.begin(), c.end());
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& [k, n] : rows) count_figure(label + ".calls[" + k + "]", n);
}

Phase measure(const std::string& label, const std::string& binary, const std::vector<std::string>& args,
              const e2e::TempDir& dir, const e2e::EmulatorProcess& emu, const Env& env, int expect_exit) {
  Counts before = api_calls(emu);
  Phase p{run_measured(binary, args, dir.path(), emu, env), {}};
  p.calls = minus(api_calls(emu), before);
  if (p.run.exit_code != expect_exit)
    throw std::runtime_error(label + ": cphform exited " + std::to_string(p.run.exit_code) + ", expected " +
                             std::to_string(expect_exit) + "\n--- stdout (tail)\n" +
                             p.run.out.substr(p.run.out.size() > 4000 ? p.run.out.size() - 4000 : 0) +
                             "\n--- stderr\n" + p.run.err);
  print_summary(label, p.run.out);
  return p;
}

}  // namespace cph::bench

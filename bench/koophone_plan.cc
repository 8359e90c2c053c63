#include "bench/koophone_plan.h"

#include <cstdio>
#include <sstream>

#include "bench/bench_run.h"

namespace cph::bench {

namespace {

const char* kStatus = "POST /v1/instances/batch-query-status";
const char* kVideo = "PUT /v1/instances/video-setting";

std::string kp_manifest(const std::string& endpoint, int instances) {
  std::ostringstream m;
  m << "[provider.kp]\ntype = \"koophone\"\nendpoint = \"" << endpoint << "\"\n\n[koophone_instances.fleet]\ninstance_ids = [";
  for (int i = 1; i <= instances; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "kp%06d", i);
    m << (i == 1 ? "\"" : ", \"") << id << "\"";
  }
  m << "]\nvideo_settings = [{ network_type = \"WIFI\", definition_540p = { code_rate = 1000, fps = 30 }, "
       "definition_720p = { code_rate = 2000, fps = 30 }, definition_1080p = { code_rate = 4000, fps = 60 } }]\n";
  return m.str();
}

}  // namespace

void koophone_plan_scenario(const std::string& binary, int instances) {
  std::printf("# koophone_bench engine: cphform against emulator serve --koophone-instances %d\n", instances);
  e2e::EmulatorProcess emu(1e9, {"--koophone-instances", std::to_string(instances)});  // instant timing
  e2e::TempDir dir;
  dir.write("main.toml", kp_manifest(emu.url(), instances));
  const Env quick = {{"CPHFORM_POLL_INITIAL_MS", "20"}, {"CPHFORM_POLL_MAX_MS", "200"}};
  const std::string pages = std::to_string((instances + 31) / 32);
  Phase apply = measure("koophone.apply", binary, {"apply", "-auto-approve"}, dir, emu, quick, 0);
  figure("koophone.apply.wall_s", apply.run.wall_s);
  count_figure("koophone.apply.video_calls", count_of(apply.calls, kVideo), "= ceil(N/32) = " + pages);
  for (int round = 1; round <= 3; ++round) {
    Phase plan = measure("koophone.plan", binary, {"plan", "-detailed-exitcode"}, dir, emu, quick, 0);
    const std::string key = "koophone.plan_no_change.round" + std::to_string(round);
    figure(key + ".wall_s", plan.run.wall_s, "< 1 s");
    figure(key + ".peak_rss_mb", plan.run.rss_mb);
    count_figure(key + ".status_calls", count_of(plan.calls, kStatus), "<= ceil(N/32) = " + pages);
    count_figure(key + ".other_calls", total(plan.calls) - count_of(plan.calls, kStatus), "= 0");
  }
}

}  // namespace cph::bench

// engine_bench --scenario phones (issue 14): what phones cost. 1,000
// servers of a 20-phone model (20,000 phones) are bought and planned with
// no change without a [phones] block (no phone may be listed); then a
// [phones] block over every server is applied and planned with no change
// (every phone listed, 5.1 pages of 200): the difference is the phones'
// share of a refresh. Last, one property of all 20,000 phones changes:
// 5.9 calls of 100 phones, their jobs followed by the shared poller.
#include "bench/phones_bench.h"

#include <cstdio>
#include <sstream>

#include "bench/bench_run.h"

namespace cph::bench {
namespace {

constexpr int kPhoneGroups = 10;
constexpr int kServersPerGroup = 100;  // 1,000 servers
constexpr int kPhonesPerServer = 20;   // kg1.cp.c20.d64SSD.e1v1 (10.2's 20-phone size)
const char* kPhoneList = "GET /v1/{project_id}/cloud-phone/phones";
const char* kUpdate = "POST /v1/{project_id}/cloud-phone/phones/batch-update-property";
const char* kJobs = "GET /v1/{project_id}/cloud-phone/jobs";
const Env kQuickPolls = {{"CPHFORM_POLL_INITIAL_MS", "20"}, {"CPHFORM_POLL_MAX_MS", "200"}};

std::string phones_manifest(const std::string& endpoint, bool with_phones, const std::string& wifi = "lab") {
  std::ostringstream m;
  m << "[provider]\nendpoint = \"" << endpoint << "\"\nregion = \"cn-east-3\"\n\n";
  for (int g = 0; g < kPhoneGroups; ++g)
    m << "[server.p" << g << "]\nname = \"p" << g << "\"\ncount = " << kServersPerGroup
      << "\nserver_model = \"physical.kg1.4xlarge.cp\"\nphone_model = \"kg1.cp.c20.d64SSD.e1v1\""
         "\nimage_id = \"20060220200717f201120a2300000e91\""
         "\nvpc_id = \"fca063f6-b942-42a8-9004-e5545f58d6a2\""
         "\nsubnet_id = \"f1cbfc37-eb42-4357-a0ec-9e4f11950908\""
         "\nbandwidth = { share_type = \"dedicated\", charge_mode = \"traffic\", size = 300 }\n\n";
  if (with_phones) {
    m << "[phones.all]\nservers = [";
    for (int g = 0; g < kPhoneGroups; ++g) m << (g ? ", " : "") << "\"server.p" << g << "\"";
    m << "]\nproperties = { \"sys.prop.writewifissid\" = \"" << wifi << "\" }\n";
  }
  return m.str();
}

}  // namespace

void phones_scenario(const std::string& binary) {
  const int servers = kPhoneGroups * kServersPerGroup;
  const int phones = servers * kPhonesPerServer;
  std::printf("# engine_bench phones: %d servers of kg1.cp.c20.d64SSD.e1v1, %d phones\n", servers, phones);
  e2e::EmulatorProcess emu(1e9);  // instant timing
  e2e::TempDir dir;
  dir.write("main.toml", phones_manifest(emu.url(), false));
  measure("phones.create", binary, {"apply", "-auto-approve"}, dir, emu, kQuickPolls, 0);

  Phase without = measure("phones.plan_without", binary, {"plan", "-detailed-exitcode"}, dir, emu, kQuickPolls, 0);
  figure("phones.plan_without.wall_s", without.run.wall_s);
  figure("phones.plan_without.peak_rss_mb", without.run.rss_mb);
  count_figure("phones.plan_without.phone_list_calls", count_of(without.calls, kPhoneList), "= 0");

  dir.write("main.toml", phones_manifest(emu.url(), true));
  Phase configure = measure("phones.configure", binary, {"apply", "-auto-approve"}, dir, emu, kQuickPolls, 0);
  figure("phones.configure.wall_s", configure.run.wall_s);
  count_figure("phones.configure.update_calls", count_of(configure.calls, kUpdate),
               "= ceil(" + std::to_string(phones) + "/100) = " + std::to_string((phones + 99) / 100));

  Phase with = measure("phones.plan_with", binary, {"plan", "-detailed-exitcode"}, dir, emu, kQuickPolls, 0);
  figure("phones.plan_with.wall_s", with.run.wall_s);
  figure("phones.plan_with.peak_rss_mb", with.run.rss_mb);
  count_figure("phones.plan_with.phone_list_calls", count_of(with.calls, kPhoneList),
               "= ceil(" + std::to_string(phones) + "/200) = " + std::to_string((phones + 199) / 200));
  figure("phones.extra_wall_s", with.run.wall_s - without.run.wall_s, "<= 1.5 s");
  figure("phones.extra_rss_mb", with.run.rss_mb - without.run.rss_mb, "<= 300 MB");

  dir.write("main.toml", phones_manifest(emu.url(), true, "lab2"));
  Phase change = measure("phones.change_all", binary, {"apply", "-auto-approve"}, dir, emu, kQuickPolls, 0);
  figure("phones.change_all.wall_s", change.run.wall_s, "< 15 s");
  count_figure("phones.change_all.update_calls", count_of(change.calls, kUpdate),
               "= " + std::to_string((phones + 99) / 100));
  count_figure("phones.change_all.job_polls", count_of(change.calls, kJobs));
  print_templates("phones.change_all", change.calls);
  print_templates("phones.plan_with", with.calls);
}

}  // namespace cph::bench

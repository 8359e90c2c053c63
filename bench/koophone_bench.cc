// koophone_bench: the KooPhone client (resources/koophone) against the
// embedded emulator over real HTTP, at 10,000 instances:
//   1. the status read a no-change plan makes (14.6): calls and seconds;
//   2. video settings applied to all of them (14.5): calls and seconds;
//   3. an async command on all of them with its task polling (14.3, 14.4).
//   4. with the cphform binary (argument or CPHFORM_BINARY): the provider's
//      no-change plan of 10,000 instances end to end (koophone_plan.h).
// Prints its figures; not a test (no pass/fail).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "bench/koophone_plan.h"
#include "emulator/emulator.h"
#include "resources/koophone/kp_client.h"
#include "resources/koophone/kp_exec.h"

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using namespace cph;
using namespace cph::koophone;

namespace {
constexpr int kInstances = 10000;
const cloud::Credentials kBenchCreds{"KPBENCHAK00000000001", "kp-bench-secret-key-0000000000000000001", "0b1c2d3e4f5a67890b1c2d3e4f5a6789",
                                     "cn-east-3"};

template <class T>
T run_on(asio::io_context& io, asio::awaitable<T> aw) {
  std::optional<T> result;
  std::exception_ptr error;
  asio::co_spawn(io, std::move(aw), [&](std::exception_ptr e, T v) {
    error = e;
    if (!e) result = std::move(v);
  });
  io.restart();
  io.run();
  if (error) std::rethrow_exception(error);
  return std::move(*result);
}

asio::awaitable<int> apply_video(KooPhoneClient& client, std::vector<std::string> ids) {
  // Named, not temporaries of the co_await (GCC 12).
  const std::vector<VideoSetting> settings{VideoSetting{"WIFI", "H264", {1000, 30}, {2000, 30}, {4000, 60}}};
  std::vector<std::vector<std::string>> batches = batches_of(ids);
  for (std::vector<std::string>& batch : batches) co_await client.set_video(std::move(batch), settings);
  co_return 0;
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
}  // namespace

int main(int argc, char** argv) {
  emulator::Options o;
  o.credentials = {emulator::Credential{kBenchCreds.access_key, kBenchCreds.secret_key, kBenchCreds.project_id}};
  o.koophone_instances = kInstances;
  o.durations.koophone_command_s = 0.5;
  emulator::EmbeddedEmulator emu(o);
  emu.start();
  asio::io_context io;
  KooPhoneClient client(io.get_executor(), cloud::parse_url(emu.url()),
                        aksk_auth(cloud::FoundCredentials{kBenchCreds, "bench", "", false}));
  std::vector<std::string> ids;
  for (int i = 1; i <= kInstances; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "kp%06d", i);
    ids.push_back(id);
  }

  std::printf("koophone_bench: %d instances, embedded emulator, -parallelism 10\n", kInstances);
  for (int round = 1; round <= 3; ++round) {
    const int64_t before = client.calls("POST /v1/instances/batch-query-status");
    const Clock::time_point t = Clock::now();
    const std::map<std::string, int> status = run_on(io, client.query_status(ids));
    std::printf("  status read (no-change plan's cloud side), round %d: %zu instances, %lld calls, %.3f s\n", round,
                status.size(), static_cast<long long>(client.calls("POST /v1/instances/batch-query-status") - before),
                seconds_since(t));
  }
  Clock::time_point t = Clock::now();
  run_on(io, apply_video(client, ids));
  std::printf("  video settings applied: %lld PUT calls, %.3f s (sequential, as one step's batches)\n",
              static_cast<long long>(client.calls("PUT /v1/instances/video-setting")), seconds_since(t));
  resources::PollPolicy poll;
  poll.initial = std::chrono::milliseconds(200);
  t = Clock::now();
  const FleetCommand run = run_on(io, run_fleet_command(client, ids, "getprop ro.build.version", false, poll));
  std::printf("  async command: %zu succeeded, %zu failed, %lld command calls, %lld task queries, %.3f s (jobs take 0.5 s)\n",
              run.results.size() - run.failed(), run.failed(), static_cast<long long>(run.command_calls),
              static_cast<long long>(run.task_queries), seconds_since(t));
  // The e2e harness that starts `emulator serve` reads CPHFORM_BINARY.
  if (argc > 1) setenv("CPHFORM_BINARY", std::filesystem::absolute(argv[1]).c_str(), 1);
  if (const char* binary = std::getenv("CPHFORM_BINARY")) bench::koophone_plan_scenario(binary, kInstances);
  return 0;
}

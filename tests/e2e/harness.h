// End-to-end harness: runs the real cphform binary (as a user would) against
// `cphform emulator serve` on loopback, and reads the emulator back through
// its own list API and admin stats.
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "resources/cph/cph_client.h"

namespace cph::e2e {

// Path of the built cphform binary (CPHFORM_BINARY, set by ctest).
std::string cphform_binary();

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// A fresh temporary directory, removed with the object.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  void write(const std::string& name, const std::string& content) const;

 private:
  std::filesystem::path path_;
};

// The whole content of a file ("" when it cannot be read).
std::string slurp(const std::filesystem::path& p);

// Whether `text` contains `part`.
inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Every regular file under dir whose content holds `secret`.
std::vector<std::string> files_holding(const std::filesystem::path& dir, const std::string& secret);

// A child process whose stdout/stderr go to files. An env entry with an
// empty value unsets that variable.
class Process {
 public:
  Process(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
          const std::map<std::string, std::string>& env, const std::filesystem::path& out_file,
          const std::filesystem::path& err_file, const std::string& stdin_text = "");
  ~Process();  // SIGKILL if still running
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  void signal(int sig);
  // Exit code, or 128+signal. `usage`, when given, receives this child's own
  // resource use (peak RSS, CPU) on the first wait.
  int wait(rusage* usage = nullptr);
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
};

// `cphform emulator serve` on 127.0.0.1 with a fresh data file.
class EmulatorProcess {
 public:
  explicit EmulatorProcess(double time_scale = 1000.0);
  // The same with further `emulator serve` flags appended to the command line
  // (e.g. {"--durations", "{\"job_s\": 30}"}; docs/emulator.md).
  // `project_id`, when given, is the one project its credentials accept
  // (two emulators as two projects of one account, issue 13).
  EmulatorProcess(double time_scale, const std::vector<std::string>& extra_args, const std::string& project_id = "");
  ~EmulatorProcess();
  const std::string& url() const { return url_; }
  const cloud::Credentials& credentials() const { return creds_; }
  // With --tls among the flags: the file holding the emulator's CA ("" otherwise).
  const std::string& ca_file() const { return http_.ca_file; }
  pid_t pid() const { return process_->pid(); }
  // Every server the emulator lists (its own list API, paged).
  std::vector<cloud::Server> servers() const;
  // GET /_emulator/stats "operations" object, and the count of one template.
  nlohmann::json stats() const;
  // A request to an admin path ("/_emulator/share-apps"), its answer parsed.
  nlohmann::json admin(const std::string& path, const std::string& method = "GET",
                       const std::string& body = "") const;
  // POST /_emulator/faults (docs/emulator.md "Faults"); {} clears them.
  void set_faults(const nlohmann::json& faults) const;
  // Shared and dedicated bandwidths, and every server's tags (list APIs).
  std::vector<cloud::BandWidthInfo> bandwidths() const;
  std::vector<cloud::TaggedResource> server_tags() const;
  int64_t calls(const std::string& method_and_template) const;
  int64_t total_calls() const;  // API calls, admin requests excluded

 private:
  TempDir dir_;
  std::unique_ptr<Process> process_;
  std::string url_;
  cloud::Credentials creds_;
  cloud::HttpOptions http_;  // the harness' own calls
};

// The emulator's call-log names of the purchase (cph-api.md 3.4) and of BSS's
// unsubscribe, which releases servers.
inline const std::string kPurchase = "POST /v2/{project_id}/cloud-phone/servers";
inline const std::string kUnsubscribe = "POST /v2/orders/subscriptions/resources/unsubscribe";

// Environment for a run that follows jobs and orders: poll every 20-100 ms.
inline const std::map<std::string, std::string> kFastPolls = {{"CPHFORM_POLL_INITIAL_MS", "20"},
                                                              {"CPHFORM_POLL_MAX_MS", "100"}};

// The server called `name` in a list answer, or null.
const cloud::Server* find_server(const std::vector<cloud::Server>& servers, const std::string& name);

// A manifest with one [server.web]-style block named `name` with `count`
// instances, against `endpoint`, with the reference's example values.
std::string server_manifest(const std::string& endpoint, const std::string& name, int count);
// The [server.BLOCK] block of server_manifest alone.
std::string server_block(const std::string& block, const std::string& name, int count);

// Runs cphform with args in dir, with the emulator's credentials in HW_*.
RunResult run_cphform(const std::vector<std::string>& args, const std::filesystem::path& dir,
                      const EmulatorProcess* emulator, const std::string& stdin_text = "",
                      const std::map<std::string, std::string>& extra_env = {});

// Starts cphform like run_cphform, without waiting: stdout and stderr go to
// dir/NAME.out and dir/NAME.err.
std::unique_ptr<Process> start_cphform(const std::vector<std::string>& args, const std::filesystem::path& dir,
                                       const EmulatorProcess* emulator, const std::string& name,
                                       const std::map<std::string, std::string>& extra_env = {});

// Requires a run's exit code, showing its output on failure. `run` is
// evaluated once (it may be a call that runs cphform).
#define REQUIRE_RUN(run, code)                                                         \
  do {                                                                                 \
    const ::cph::e2e::RunResult& require_run_result_ = (run);                          \
    INFO("stdout:\n" << require_run_result_.out << "\nstderr:\n" << require_run_result_.err); \
    REQUIRE(require_run_result_.exit_code == (code));                                  \
  } while (0)

// Runs a coroutine to completion on a private io_context.
template <typename F>
auto run_sync(F&& make);

}  // namespace cph::e2e

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace cph::e2e {
template <typename F>
auto run_sync(F&& make) {
  boost::asio::io_context io;
  auto fut = boost::asio::co_spawn(io, make(io.get_executor()), boost::asio::use_future);
  io.run();
  return fut.get();
}
}  // namespace cph::e2e

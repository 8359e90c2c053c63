#include "tests/e2e/harness.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace cph::e2e {

namespace fs = std::filesystem;

std::string cphform_binary() {
  const char* b = std::getenv("CPHFORM_BINARY");
  if (!b || !fs::exists(b)) throw std::runtime_error("CPHFORM_BINARY does not name the built cphform binary");
  return b;
}

TempDir::TempDir() {
  std::random_device rd;
  path_ = fs::temp_directory_path() / ("cphform-e2e-" + std::to_string(rd()) + std::to_string(getpid()));
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void TempDir::write(const std::string& name, const std::string& content) const {
  std::ofstream(path_ / name, std::ios::binary) << content;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> files_holding(const fs::path& dir, const std::string& secret) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && contains(slurp(e.path()), secret)) out.push_back(e.path().string());
  return out;
}

const cloud::Server* find_server(const std::vector<cloud::Server>& servers, const std::string& name) {
  for (const auto& s : servers)
    if (s.server_name == name) return &s;
  return nullptr;
}

Process::Process(const std::vector<std::string>& argv, const fs::path& cwd,
                 const std::map<std::string, std::string>& env, const fs::path& out_file, const fs::path& err_file,
                 const std::string& stdin_text) {
  fs::path in_file = out_file.string() + ".stdin";
  std::ofstream(in_file, std::ios::binary) << stdin_text;
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    if (chdir(cwd.c_str()) != 0) _exit(126);
    int in = open(in_file.c_str(), O_RDONLY);
    int out = open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || err < 0) _exit(126);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    for (const auto& [k, v] : env) v.empty() ? unsetenv(k.c_str()) : setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
}

Process::~Process() {
  if (!reaped_) {
    kill(pid_, SIGKILL);
    wait();
  }
}

void Process::signal(int sig) {
  if (!reaped_) kill(pid_, sig);
}

int Process::wait(rusage* usage) {
  if (!reaped_) {
    while (wait4(pid_, &status_, 0, usage) < 0 && errno == EINTR) {
    }
    reaped_ = true;
  }
  if (WIFEXITED(status_)) return WEXITSTATUS(status_);
  if (WIFSIGNALED(status_)) return 128 + WTERMSIG(status_);
  return -1;
}

EmulatorProcess::EmulatorProcess(double time_scale) : EmulatorProcess(time_scale, std::vector<std::string>{}) {}

EmulatorProcess::EmulatorProcess(double time_scale, const std::vector<std::string>& extra_args,
                                 const std::string& project_id) {
  creds_.access_key = "E2ETESTACCESSKEY0001";
  creds_.secret_key = "e2e-test-secret-key-0123456789abcdef";
  creds_.project_id = project_id.empty() ? "0a1b2c3d4e5f67890a1b2c3d4e5f6789" : project_id;
  creds_.region = "cn-east-3";
  fs::path out = dir_.path() / "emulator.out";
  std::ostringstream scale;
  scale << time_scale;
  std::vector<std::string> argv{cphform_binary(), "emulator", "serve", "--listen", "127.0.0.1:0", "--data",
                                (dir_.path() / "emulator.db").string(), "--time-scale", scale.str()};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  // --tls: the CA goes to this emulator's directory unless the test names a
  // file; the harness' own calls (admin, lists) trust it.
  if (std::find(extra_args.begin(), extra_args.end(), "--tls") != extra_args.end()) {
    auto named = std::find(extra_args.begin(), extra_args.end(), "--tls-ca-file");
    if (named != extra_args.end() && named + 1 != extra_args.end()) {
      http_.ca_file = *(named + 1);
    } else {
      http_.ca_file = (dir_.path() / "ca.pem").string();
      argv.insert(argv.end(), {"--tls-ca-file", http_.ca_file});
    }
    // An expired certificate is what such a test is about; the harness'
    // own reads of the emulator do not verify it.
    if (std::find(extra_args.begin(), extra_args.end(), "--tls-expired") != extra_args.end()) http_.verify_peer = false;
  }
  // The secret key goes through the environment: on argv, `ps` would show it.
  const std::map<std::string, std::string> env{
      {"CPHFORM_EMULATOR_CREDENTIALS", creds_.access_key + ":" + creds_.secret_key + ":" + creds_.project_id}};
  process_ = std::make_unique<Process>(argv, dir_.path(), env, out,
                                       dir_.path() / "emulator.err");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  const std::string prefix = "listening on ";
  while (std::chrono::steady_clock::now() < deadline) {
    std::string text = slurp(out);
    auto at = text.find(prefix);
    auto nl = text.find('\n', at);
    if (at != std::string::npos && nl != std::string::npos) {
      url_ = text.substr(at + prefix.size(), nl - at - prefix.size());
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("the emulator did not print its listening line; stderr: " +
                           slurp(dir_.path() / "emulator.err"));
}

EmulatorProcess::~EmulatorProcess() {
  process_->signal(SIGTERM);
  process_->wait();
}

std::vector<cloud::Server> EmulatorProcess::servers() const {
  return run_sync([&](boost::asio::any_io_executor ex) -> boost::asio::awaitable<std::vector<cloud::Server>> {
    cloud::Endpoints ep{cloud::parse_url(url_), cloud::parse_url(url_)};
    cloud::CphClient client(ex, ep, creds_, http_);
    co_return co_await client.list_all_servers();
  });
}

nlohmann::json EmulatorProcess::admin(const std::string& path, const std::string& method,
                                      const std::string& request_body) const {
  auto body = run_sync([&](boost::asio::any_io_executor ex) -> boost::asio::awaitable<std::string> {
    auto transport = cloud::make_http_transport(ex, cloud::parse_url(url_), http_);
    cloud::HttpRequest request;  // a named request: GCC 12 mishandles braced temporaries as coroutine arguments
    request.method = method;
    request.target = path;
    request.body = request_body;
    if (!request_body.empty()) request.headers.emplace_back("Content-Type", "application/json");
    cloud::HttpResponse r = co_await transport->send(std::move(request));
    if (r.status != 200) throw std::runtime_error(path + " answered HTTP " + std::to_string(r.status));
    co_return r.body;
  });
  return nlohmann::json::parse(body);
}

void EmulatorProcess::set_faults(const nlohmann::json& faults) const {
  admin("/_emulator/faults", "POST", faults.dump());
}

nlohmann::json EmulatorProcess::stats() const { return admin("/_emulator/stats").at("operations"); }

std::vector<cloud::BandWidthInfo> EmulatorProcess::bandwidths() const {
  return run_sync([&](boost::asio::any_io_executor ex) -> boost::asio::awaitable<std::vector<cloud::BandWidthInfo>> {
    cloud::Endpoints ep{cloud::parse_url(url_), cloud::parse_url(url_)};
    cloud::CphClient client(ex, ep, creds_, http_);
    co_return co_await client.list_all_bandwidths();
  });
}

std::vector<cloud::TaggedResource> EmulatorProcess::server_tags() const {
  return run_sync([&](boost::asio::any_io_executor ex) -> boost::asio::awaitable<std::vector<cloud::TaggedResource>> {
    cloud::Endpoints ep{cloud::parse_url(url_), cloud::parse_url(url_)};
    cloud::CphClient client(ex, ep, creds_, http_);
    co_return co_await client.list_all_server_tags();
  });
}

int64_t EmulatorProcess::calls(const std::string& key) const {
  auto ops = stats();
  return ops.contains(key) ? ops[key].at("count").get<int64_t>() : 0;
}

int64_t EmulatorProcess::total_calls() const {
  int64_t total = 0;
  const nlohmann::json ops = stats();  // items() must not outlive the object it walks
  for (const auto& [k, v] : ops.items())
    if (k.find("/_emulator") == std::string::npos) total += v.at("count").get<int64_t>();
  return total;
}

std::string server_manifest(const std::string& endpoint, const std::string& name, int count) {
  return "[provider]\nendpoint = \"" + endpoint + "\"\n\n" + server_block("web", name, count);
}

std::string server_block(const std::string& block, const std::string& name, int count) {
  return "[server." + block + "]\nname = \"" + name + "\"\ncount = " + std::to_string(count) + R"(
server_model  = "physical.rx1.xlarge"
phone_model   = "rx1.cp.c105.d6.e5v5"
image_id      = "20060220200717f201120a2300000e91"
vpc_id        = "fca063f6-b942-42a8-9004-e5545f58d6a2"
subnet_id     = "f1cbfc37-eb42-4357-a0ec-9e4f11950908"
bandwidth     = { share_type = "dedicated", charge_mode = "traffic", size = 300 }
)";
}

namespace {
std::map<std::string, std::string> cphform_env(const EmulatorProcess* emulator,
                                               const std::map<std::string, std::string>& extra_env) {
  std::map<std::string, std::string> env = {{"CPHFORM_POLL_INITIAL_MS", "50"}, {"CPHFORM_POLL_MAX_MS", "200"}};
  // The credential chain sees only what a test gives it: no variable of the
  // machine's, no profile, and a metadata service that refuses at once.
  for (const char* k : {"HW_ACCESS_KEY", "HW_SECRET_KEY", "HW_PROJECT_ID", "HW_REGION_NAME", "HW_SECURITY_TOKEN",
                        "HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_PROJECT_ID",
                        "HUAWEICLOUD_SDK_SECURITY_TOKEN"})
    env[k] = "";
  env["HUAWEICLOUD_SDK_CREDENTIALS_FILE"] = "";
  env["HOME"] = "/nonexistent-cphform-test-home";
  env["CPHFORM_METADATA_URL"] = "http://127.0.0.1:1";
  // The machine's proxy never carries a test's loopback traffic; proxy tests set their own.
  for (const char* k : {"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"}) env[k] = "";
  if (emulator) {
    env["HW_ACCESS_KEY"] = emulator->credentials().access_key;
    env["HW_SECRET_KEY"] = emulator->credentials().secret_key;
    env["HW_PROJECT_ID"] = emulator->credentials().project_id;
    env["HW_REGION_NAME"] = emulator->credentials().region;
  }
  for (const auto& [k, v] : extra_env) env[k] = v;
  return env;
}

std::vector<std::string> cphform_argv(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {cphform_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}
}  // namespace

std::unique_ptr<Process> start_cphform(const std::vector<std::string>& args, const fs::path& dir,
                                       const EmulatorProcess* emulator, const std::string& name,
                                       const std::map<std::string, std::string>& extra_env) {
  return std::make_unique<Process>(cphform_argv(args), dir, cphform_env(emulator, extra_env), dir / (name + ".out"),
                                   dir / (name + ".err"));
}

RunResult run_cphform(const std::vector<std::string>& args, const fs::path& dir, const EmulatorProcess* emulator,
                      const std::string& stdin_text, const std::map<std::string, std::string>& extra_env) {
  TempDir io;
  Process p(cphform_argv(args), dir, cphform_env(emulator, extra_env), io.path() / "out", io.path() / "err",
            stdin_text);
  RunResult r;
  r.exit_code = p.wait();
  r.out = slurp(io.path() / "out");
  r.err = slurp(io.path() / "err");
  return r;
}

}  // namespace cph::e2e

// Colour as Terraform users expect it (issue 12): on a terminal a plan shows
// green +, red -, yellow ~ and bold headings, errors a bold red "Error:";
// -no-color and NO_COLOR turn it off; pipes and files never get escape codes
// (CLICOLOR_FORCE asks for them anyway, as CI logs that render ANSI do).
#include <catch2/catch.hpp>

#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "tests/e2e/harness.h"

using namespace cph::e2e;

namespace {

constexpr const char* kGreenPlus = "\033[32m+\033[0m";
constexpr const char* kRedMinus = "\033[31m-\033[0m";
constexpr const char* kYellowTilde = "\033[33m~\033[0m";
constexpr const char* kBoldPlan = "\033[1mPlan:\033[0m";
constexpr const char* kBoldRedError = "\033[1;31mError:\033[0m";

struct PtyRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr, both the terminal
};

// Runs cphform in `dir` with a pseudo-terminal as its stdin, stdout and
// stderr, as a person at a terminal would; `env` entries are set (an empty
// value unsets the variable).
PtyRun run_in_pty(const std::vector<std::string>& args, const std::filesystem::path& dir,
                  const std::map<std::string, std::string>& env = {}) {
  const std::string binary = cphform_binary();
  int master = -1;
  const pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  if (pid < 0) throw std::runtime_error("forkpty failed");
  if (pid == 0) {
    if (chdir(dir.c_str()) != 0) _exit(126);
    setenv("TERM", "xterm", 1);
    unsetenv("NO_COLOR");
    unsetenv("CLICOLOR_FORCE");
    for (const auto& [k, v] : env) v.empty() ? unsetenv(k.c_str()) : setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> argv{const_cast<char*>(binary.c_str())};
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  PtyRun r;
  char buf[4096];
  for (;;) {  // EIO once the child has exited and the terminal is gone
    const ssize_t n = read(master, buf, sizeof buf);
    if (n <= 0) break;
    r.output.append(buf, static_cast<size_t>(n));
  }
  close(master);
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

bool has_escape(const std::string& s) { return s.find('\033') != std::string::npos; }

}  // namespace

TEST_CASE("plans and errors are coloured on a terminal only, and -no-color / NO_COLOR turn it off",
          "[e2e][color]") {
  EmulatorProcess emu;
  TempDir dir;
  dir.write("main.toml", server_manifest(emu.url(), "web", 2));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu), 0);
  // web[1] released, extra bought: + and - in one plan.
  dir.write("main.toml", server_manifest(emu.url(), "web", 1) + "\n" +
                             server_block("extra", "extra", 1));
  auto saved = run_cphform({"plan", "-out=next.plan"}, dir.path(), &emu);
  REQUIRE_RUN(saved, 0);
  INFO(saved.out);
  CHECK_FALSE(has_escape(saved.out));  // a pipe: no escape codes
  CHECK_FALSE(has_escape(saved.err));

  auto tty = run_in_pty({"show", "next.plan"}, dir.path());
  INFO(tty.output);
  CHECK(tty.exit_code == 0);
  CHECK(tty.output.find(kGreenPlus) != std::string::npos);
  CHECK(tty.output.find(kRedMinus) != std::string::npos);
  CHECK(tty.output.find(kBoldPlan) != std::string::npos);
  CHECK(tty.output.find("\033[1m# server.extra") != std::string::npos);  // bold resource heading

  for (const auto& [args, env] : std::vector<std::pair<std::vector<std::string>, std::map<std::string, std::string>>>{
           {{"show", "-no-color", "next.plan"}, {}},
           {{"show", "next.plan"}, {{"NO_COLOR", "1"}}},
           {{"show", "next.plan"}, {{"TERM", "dumb"}}}}) {
    auto plain = run_in_pty(args, dir.path(), env);
    INFO(plain.output);
    CHECK(plain.exit_code == 0);
    CHECK(plain.output.find("Plan: 1 to add, 0 to change, 1 to destroy.") != std::string::npos);
    CHECK_FALSE(has_escape(plain.output));
  }

  // Forced colour through a pipe, and NO_COLOR winning over it.
  auto forced = run_cphform({"show", "next.plan"}, dir.path(), nullptr, "", {{"CLICOLOR_FORCE", "1"}, {"NO_COLOR", ""}});
  CHECK(forced.out.find(kGreenPlus) != std::string::npos);
  auto both = run_cphform({"show", "next.plan"}, dir.path(), nullptr, "", {{"CLICOLOR_FORCE", "1"}, {"NO_COLOR", "1"}});
  CHECK_FALSE(has_escape(both.out));
  auto json = run_cphform({"plan", "-json"}, dir.path(), &emu, "", {{"CLICOLOR_FORCE", "1"}, {"NO_COLOR", ""}});
  CHECK_FALSE(has_escape(json.out));  // JSON is never coloured
}

TEST_CASE("in-place changes are yellow and errors bold red on a terminal", "[e2e][color]") {
  EmulatorProcess emu;
  TempDir dir;
  dir.write("main.toml", server_manifest(emu.url(), "web", 1));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu), 0);
  // The same server renamed: an in-place change.
  dir.write("main.toml", "[provider]\nendpoint = \"" + emu.url() + "\"\n\n" + server_block("web", "web2", 1));
  REQUIRE_RUN(run_cphform({"plan", "-out=rename.plan"}, dir.path(), &emu), 0);
  auto tty = run_in_pty({"show", "rename.plan"}, dir.path());
  INFO(tty.output);
  CHECK(tty.output.find(kYellowTilde) != std::string::npos);

  dir.write("broken.toml", "[server.bad\n");
  auto error = run_in_pty({"validate"}, dir.path());
  INFO(error.output);
  CHECK(error.exit_code == 1);
  CHECK(error.output.find(kBoldRedError) != std::string::npos);
  auto plain = run_in_pty({"validate", "-no-color"}, dir.path());
  CHECK(plain.exit_code == 1);
  CHECK(plain.output.find("Error: the manifests have") != std::string::npos);
  CHECK_FALSE(has_escape(plain.output));
  // A command without colour options refuses the flag like any unknown one.
  auto version = run_in_pty({"version", "-no-color"}, dir.path());
  CHECK(version.exit_code == 1);
}

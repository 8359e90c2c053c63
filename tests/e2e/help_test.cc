// Help and unknown flags, over every command (issue 12): `cphform COMMAND
// -help` and `cphform help COMMAND` print that command's usage, flags and
// exit codes with exit 0; an unknown flag is one line naming it, the closest
// flag and where help is, with exit 1.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <sstream>

#include "tests/e2e/harness.h"

using namespace cph::e2e;

namespace {

struct Case {
  std::vector<std::string> command;  // with its subcommand, when it needs one
  std::vector<std::string> flags;    // flags its usage must list
  std::string misspelled;            // an unknown flag near one of them
  std::string suggested;             // the flag the error line must suggest ("" for none)
};

const std::vector<Case> kCases = {
    {{"plan"}, {"-detailed-exitcode", "-destroy", "-out=FILE", "-refresh-only", "-target=ADDR", "-replace=ADDR", "-json", "-var=NAME=VALUE"}, "-detailed-exitcod", "-detailed-exitcode"},
    {{"apply"}, {"-auto-approve", "-lock-timeout=DURATION", "-allow-data-loss", "-parallelism=N", "-json"}, "-auto-aprove", "-auto-approve"},
    {{"destroy"}, {"-auto-approve", "-lock-timeout=DURATION", "-target=ADDR"}, "-autoapprove", "-auto-approve"},
    {{"show"}, {"-json"}, "-jsn", "-json"},
    {{"drift"}, {"-format=text|json|markdown", "-out=FILE", "-name-prefix=PREFIX", "-tag=KEY=VALUE", "-phone-properties"}, "-formt", "-format"},
    {{"graph"}, {"-type=plan|apply|destroy"}, "-typ", "-type"},
    {{"import"}, {"-filter=", "-generate-config-out=FILE.toml", "-lock-timeout=DURATION"}, "-filte", "-filter"},
    {{"koophone", "exec"}, {"-sync", "-timeout=DURATION", "-json", "-parallelism=N"}, "-snc", "-sync"},
    {{"state", "list"}, {"-to=pg|sqlite", "-force", "-lock-timeout=DURATION"}, "-forc", "-force"},
    {{"journal", "list"}, {"-json", "-auto-approve"}, "-jso", "-json"},
    {{"workspace", "list"}, {"-force"}, "-frce", "-force"},
    {{"history"}, {"-limit=N"}, "-limt", "-limit"},
    {{"force-unlock"}, {"-force"}, "-forse", "-force"},
    {{"validate"}, {"-json"}, "-jsonn", "-json"},
    {{"fmt"}, {"-check", "-diff"}, "-chek", "-check"},
    {{"output"}, {"-json"}, "-josn", "-json"},
    {{"docs", "manifest"}, {"-check=FILE"}, "-chck", "-check"},
    {{"emulator"}, {}, "-bogus-flag", ""},
    {{"version"}, {}, "-bogus-flag", ""},
    {{"help"}, {}, "-bogus-flag", ""},
};

size_t line_count(const std::string& s) { return static_cast<size_t>(std::count(s.begin(), s.end(), '\n')); }

}  // namespace

TEST_CASE("every command prints its usage on -help and one line for an unknown flag", "[e2e][help]") {
  TempDir dir;
  for (const Case& c : kCases) {
    const std::string& name = c.command.front();
    INFO(name);
    for (const char* help : {"-help", "--help", "-h"}) {
      std::vector<std::string> argv = c.command;
      argv.push_back(help);
      auto r = run_cphform(argv, dir.path(), nullptr);
      CHECK(r.exit_code == 0);
      CHECK(r.out.find("Usage: cphform " + name) == 0);
      CHECK(r.out.find("Exit codes: ") != std::string::npos);
      for (const std::string& f : c.flags) CHECK(r.out.find("  " + f) != std::string::npos);
    }
    auto via_help = run_cphform({"help", name}, dir.path(), nullptr);
    CHECK(via_help.exit_code == 0);
    std::vector<std::string> argv = c.command;
    argv.push_back("-help");
    CHECK(via_help.out == run_cphform(argv, dir.path(), nullptr).out);

    argv = c.command;
    argv.push_back(c.misspelled);
    auto bad = run_cphform(argv, dir.path(), nullptr);
    INFO(bad.err);
    CHECK(bad.exit_code == 1);
    CHECK(bad.out.empty());
    CHECK(line_count(bad.err) == 1);
    CHECK(bad.err.find("unknown flag " + c.misspelled) != std::string::npos);
    CHECK(bad.err.find("cphform " + name + " -help") != std::string::npos);
    if (!c.suggested.empty()) CHECK(bad.err.find("did you mean " + c.suggested + "?") != std::string::npos);
  }
}

TEST_CASE("the global help, help for unknown commands and the emulator's --help", "[e2e][help]") {
  TempDir dir;
  for (const char* help : {"-help", "--help", "-h"}) {
    auto r = run_cphform({help}, dir.path(), nullptr);
    CHECK(r.exit_code == 0);
    for (const Case& c : kCases) CHECK(r.out.find("\n  " + c.command.front() + " ") != std::string::npos);
  }
  CHECK(run_cphform({"help"}, dir.path(), nullptr).exit_code == 0);
  auto unknown = run_cphform({"help", "plam"}, dir.path(), nullptr);
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.err.find("did you mean plan?") != std::string::npos);
  CHECK(run_cphform({"help", "-"}, dir.path(), nullptr).exit_code == 1);
  auto typo = run_cphform({"plam"}, dir.path(), nullptr);
  CHECK(typo.exit_code == 1);
  CHECK(line_count(typo.err) == 1);
  CHECK(typo.err.find("did you mean plan?") != std::string::npos);

  auto serve = run_cphform({"emulator", "serve", "--help"}, dir.path(), nullptr);
  CHECK(serve.exit_code == 0);
  CHECK(serve.out.find("--listen") != std::string::npos);

  // A flag in the usage is one the parser takes (here with a value it refuses later, not as unknown).
  auto plan_usage = run_cphform({"plan", "-help"}, dir.path(), nullptr).out;
  CHECK(plan_usage.find("-parallelism=N") != std::string::npos);
  auto bad_value = run_cphform({"plan", "-parallelism=0"}, dir.path(), nullptr);
  CHECK(bad_value.exit_code == 1);
  CHECK(bad_value.err.find("unknown flag") == std::string::npos);
}

TEST_CASE("-input=false never prompts: apply and destroy without -auto-approve stop before any call", "[e2e][help]") {
  EmulatorProcess emu;
  TempDir dir;
  dir.write("main.toml", server_manifest(emu.url(), "web", 1));
  for (const char* command : {"apply", "destroy"}) {
    INFO(command);
    auto refused = run_cphform({command, "-input=false"}, dir.path(), &emu, "yes\n");
    CHECK(refused.exit_code == 1);
    CHECK(refused.err.find("-input=false forbids asking: pass -auto-approve") != std::string::npos);
  }
  CHECK(emu.servers().empty());
  auto bad = run_cphform({"plan", "-input=maybe"}, dir.path(), &emu);
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("-input takes true or false") != std::string::npos);
  REQUIRE_RUN(run_cphform({"plan", "-input=false"}, dir.path(), &emu), 0);
  REQUIRE_RUN(run_cphform({"apply", "-input=false", "-auto-approve"}, dir.path(), &emu), 0);
  CHECK(emu.servers().size() == 1);
}

TEST_CASE("history: aligned columns, and the OS user as the owner when USER and LOGNAME are unset",
          "[e2e][history]") {
  EmulatorProcess emu;
  TempDir dir;
  // An address longer than the old fixed column (24) ran into the owner.
  dir.write("main.toml", "[provider]\nendpoint = \"" + emu.url() + "\"\n\n" +
                             server_block("a_long_block_name_for_games", "web", 2));
  const std::map<std::string, std::string> no_user = {{"USER", ""}, {"LOGNAME", ""}};
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu, "", no_user), 0);
  auto history = run_cphform({"history"}, dir.path(), nullptr);
  REQUIRE_RUN(history, 0);
  INFO(history.out);
  CHECK(history.out.find("unknown@") == std::string::npos);
  std::istringstream lines(history.out);
  std::string line, header;
  std::getline(lines, line);  // Workspace "default", newest first:
  std::getline(lines, header);
  const size_t by = header.find("BY");
  REQUIRE(by != std::string::npos);
  int rows = 0;
  while (std::getline(lines, line)) {
    if (line.find("server.a_long_block_name_for_games[") == std::string::npos) continue;
    ++rows;
    CHECK(line.size() > by);
    CHECK(line.substr(by - 2, 2) == "  ");  // the column before ends apart from it
    CHECK(line[by] != ' ');
    CHECK(line.find('@', by) != std::string::npos);  // user@host pid N
  }
  CHECK(rows >= 2);
}

TEST_CASE("history: -limit counts runs, each run whole with its instances in natural order", "[e2e][history]") {
  EmulatorProcess emu;
  TempDir dir;
  dir.write("main.toml", server_manifest(emu.url(), "web", 12));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu), 0);
  // Twelve renames, one step each: their changes are committed in the order they finish.
  dir.write("main.toml", server_manifest(emu.url(), "game", 12));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu), 0);

  // RUN and ADDRESS of every row (the columns hold no spaces before BY).
  auto rows_of = [](const std::string& text) {
    std::vector<std::pair<std::string, std::string>> rows;
    std::istringstream in(text);
    std::string line;
    std::getline(in, line);  // Workspace "default", ...
    std::getline(in, line);  // the header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string time, serial, run, operation, change, address;
      fields >> time >> serial >> run >> operation >> change >> address;
      rows.emplace_back(run, address);
    }
    return rows;
  };
  auto newest = run_cphform({"history", "-limit=1"}, dir.path(), nullptr);
  REQUIRE_RUN(newest, 0);
  INFO(newest.out);
  auto rows = rows_of(newest.out);
  REQUIRE(!rows.empty());
  std::vector<int> indexes;
  for (const auto& [run, address] : rows) {
    CHECK(run == rows.front().first);  // one run only
    if (address.rfind("server.web[", 0) == 0 && address.back() == ']' && address.find("..") == std::string::npos)
      indexes.push_back(std::stoi(address.substr(11)));
  }
  REQUIRE(indexes.size() >= 12);
  CHECK(std::is_sorted(indexes.begin(), indexes.end()));  // web[2] before web[10]
  CHECK(indexes.front() == 0);
  CHECK(indexes.back() == 11);

  auto all = run_cphform({"history"}, dir.path(), nullptr);
  REQUIRE_RUN(all, 0);
  auto every = rows_of(all.out);
  CHECK(every.size() > rows.size());
  // The newest run first and whole: its rows lead, then the purchase's.
  for (size_t i = 0; i < rows.size(); ++i) CHECK(every[i].first == rows.front().first);
  CHECK(every[rows.size()].first != rows.front().first);
}

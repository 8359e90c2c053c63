// Flags and language Terraform users reach for (issue 12, part 2):
// -lock=false, count = 0, and the rest of their habits, end to end.
#include <catch2/catch.hpp>

#include <chrono>

#include "state/state.h"
#include "tests/e2e/harness.h"

using namespace cph::e2e;
namespace fs = std::filesystem;

namespace {


// The lock of the workspace's SQLite state, held by a process of another
// host (so it is never taken over as dead) for as long as the object lives.
struct ForeignLock {
  std::unique_ptr<cph::state::StateStore> store;
  std::unique_ptr<cph::state::ScopedLock> lock;
  explicit ForeignLock(const fs::path& dir) {
    cph::state::BackendConfig config;
    config.sqlite_dir = (dir / ".cphform").string();
    store = cph::state::open_state_store(config);
    lock = std::make_unique<cph::state::ScopedLock>(*store, "alice@elsewhere pid 1", "apply",
                                                    std::chrono::seconds(600), std::chrono::milliseconds(0));
  }
};

}  // namespace

TEST_CASE("-lock=false runs without the state lock and warns; the lock stays with its holder", "[e2e][habits]") {
  EmulatorProcess emu;
  TempDir dir;
  dir.write("main.toml", server_manifest(emu.url(), "web", 2));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu), 0);
  ForeignLock held(dir.path());

  dir.write("main.toml", server_manifest(emu.url(), "web", 3));
  auto locked = run_cphform({"apply", "-auto-approve"}, dir.path(), &emu);
  REQUIRE_RUN(locked, 1);
  CHECK(contains(locked.err, "the state is locked by alice@elsewhere pid 1"));
  CHECK(emu.servers().size() == 2);

  auto unlocked = run_cphform({"apply", "-auto-approve", "-lock=false"}, dir.path(), &emu);
  REQUIRE_RUN(unlocked, 0);
  CHECK(contains(unlocked.err, "Warning: -lock=false: apply runs without the state lock"));
  CHECK(emu.servers().size() == 3);

  auto rm = run_cphform({"state", "rm", "-lock=false", "server.web[2]"}, dir.path(), nullptr);
  REQUIRE_RUN(rm, 0);
  CHECK(contains(rm.err, "Warning: -lock=false: state rm runs without the state lock"));
  REQUIRE(held.store->current_lock());
  CHECK(held.store->current_lock()->holder == "alice@elsewhere pid 1");  // not released by the unlocked runs

  auto bad = run_cphform({"apply", "-auto-approve", "-lock=no"}, dir.path(), &emu);
  REQUIRE_RUN(bad, 1);
  CHECK(contains(bad.err, "-lock takes true or false"));
  REQUIRE_RUN(run_cphform({"plan", "-lock=false"}, dir.path(), &emu), 0);  // plan never locks; accepted
}

TEST_CASE("count = 0 is a block with no instances: lowering a count to 0 destroys them", "[e2e][habits]") {
  EmulatorProcess emu;
  TempDir dir;
  dir.write("main.toml", server_manifest(emu.url(), "web", 2));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu), 0);
  REQUIRE(emu.servers().size() == 2);

  dir.write("main.toml", server_manifest(emu.url(), "web", 0));
  REQUIRE_RUN(run_cphform({"validate"}, dir.path(), nullptr), 0);
  auto plan = run_cphform({"plan"}, dir.path(), &emu);
  REQUIRE_RUN(plan, 0);
  CHECK(contains(plan.out, "0 to add, 0 to change, 2 to destroy"));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu), 0);
  CHECK(emu.servers().empty());
  auto list = run_cphform({"state", "list"}, dir.path(), nullptr);
  REQUIRE_RUN(list, 0);
  CHECK(list.out.empty());
  REQUIRE_RUN(run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu), 0);
}

TEST_CASE("state mv and state rm of a whole counted block act on every instance", "[e2e][habits]") {
  EmulatorProcess emu;
  TempDir dir;
  dir.write("main.toml", "[provider]\nendpoint = \"" + emu.url() + "\"\n\n" + server_block("legacy", "old", 3) +
                             "\n" + server_block("keep", "keep", 1));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu), 0);

  auto mv = run_cphform({"state", "mv", "server.legacy", "server.fleet"}, dir.path(), nullptr);
  REQUIRE_RUN(mv, 0);
  CHECK(contains(mv.out, "Move \"server.legacy[2]\" to \"server.fleet[2]\""));
  CHECK(contains(mv.out, "Successfully moved 3 object(s)."));
  CHECK(run_cphform({"state", "list"}, dir.path(), nullptr).out ==
        "server.fleet[0]\nserver.fleet[1]\nserver.fleet[2]\nserver.keep[0]\n");
  auto onto = run_cphform({"state", "mv", "server.fleet", "server.keep"}, dir.path(), nullptr);
  REQUIRE_RUN(onto, 1);
  CHECK(contains(onto.err, "server.keep already has instances in the state; nothing was moved"));

  auto rm = run_cphform({"state", "rm", "server.fleet"}, dir.path(), nullptr);
  REQUIRE_RUN(rm, 0);
  CHECK(contains(rm.out, "Successfully removed 3 resource instance(s)."));
  CHECK(run_cphform({"state", "list"}, dir.path(), nullptr).out == "server.keep[0]\n");
  CHECK(emu.servers().size() == 4);  // the cloud is untouched
  auto none = run_cphform({"state", "rm", "server.fleet"}, dir.path(), nullptr);
  REQUIRE_RUN(none, 1);
  CHECK(contains(none.err, "no resource server.fleet in the state"));
}

TEST_CASE("messages name the API by its documented section title, never our internal files", "[e2e][habits]") {
  TempDir dir;
  auto docs = run_cphform({"docs", "manifest"}, dir.path(), nullptr);
  REQUIRE_RUN(docs, 0);
  CHECK_FALSE(contains(docs.out, "cph-api.md"));
  CHECK_FALSE(contains(docs.out, "A-13"));
  CHECK(contains(docs.out, "(CPH API: Update shared bandwidth size)"));

  std::string text = server_manifest("emulator", "web", 1);
  text.replace(text.find("size = 300"), 10, "size = 333");
  dir.write("main.toml", text);
  auto bad = run_cphform({"validate"}, dir.path(), nullptr);
  REQUIRE_RUN(bad, 1);
  CHECK(contains(bad.err, "in steps of 50"));
  CHECK(contains(bad.err, "(CPH API: Update shared bandwidth size)"));
  CHECK_FALSE(contains(bad.err, "cph-api.md"));

  auto undeclared = run_cphform({"plan", "-var", "zone=a"}, dir.path(), nullptr);
  REQUIRE_RUN(undeclared, 1);
  CHECK(contains(undeclared.err, "the manifests declare no variables"));
  CHECK_FALSE(contains(undeclared.err, "expected one of: \n"));
}

TEST_CASE("a saved plan stays good through a comment or a layout edit, and goes stale when the meaning changes",
          "[e2e][habits]") {
  EmulatorProcess emu;
  TempDir dir;
  const std::string text = server_manifest(emu.url(), "web", 1);
  dir.write("main.toml", text);
  REQUIRE_RUN(run_cphform({"plan", "-out=tf.plan"}, dir.path(), &emu), 0);

  std::string edited = "# reviewed by ops\n" + text + "\n\n";
  edited.replace(edited.find("count = 1"), 9, "count   =   1  # one for now");
  dir.write("main.toml", edited);
  auto apply = run_cphform({"apply", "tf.plan"}, dir.path(), &emu);
  REQUIRE_RUN(apply, 0);
  CHECK(emu.servers().size() == 1);

  REQUIRE_RUN(run_cphform({"plan", "-out=tf.plan"}, dir.path(), &emu), 0);
  edited.replace(edited.find("count   =   1"), 13, "count = 2");
  dir.write("main.toml", edited);
  auto stale = run_cphform({"apply", "tf.plan"}, dir.path(), &emu);
  REQUIRE_RUN(stale, 1);
  CHECK(contains(stale.err, "the manifests changed since it was made"));
}

TEST_CASE("${terraform.workspace} names the selected workspace in the manifests", "[e2e][habits]") {
  EmulatorProcess emu;
  TempDir dir;
  dir.write("main.toml", server_manifest(emu.url(), "game-${terraform.workspace}", 1));
  auto plan = run_cphform({"plan"}, dir.path(), &emu);
  REQUIRE_RUN(plan, 0);
  CHECK(contains(plan.out, "\"game-default-0001\""));
  REQUIRE_RUN(run_cphform({"workspace", "new", "staging"}, dir.path(), nullptr), 0);
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), &emu), 0);
  REQUIRE(emu.servers().size() == 1);
  CHECK(emu.servers()[0].server_name == "game-staging-0001");
}

TEST_CASE("validate and the read-only commands need no variable values; every manifest command takes -var",
          "[e2e][habits]") {
  EmulatorProcess emu;
  TempDir dir;
  std::string text = "[variables.image]\ntype = \"string\"\n\n[variables.n]\ntype = \"number\"\n\n" +
                     server_manifest(emu.url(), "web", 1);
  text.replace(text.find("count = 1"), 9, "count = \"${var.n}\"");
  text.replace(text.find("\"20060220200717f201120a2300000e91\""), 34, "\"${var.image}\"");
  dir.write("main.toml", text);
  const std::vector<std::string> vars = {"-var", "image=20060220200717f201120a2300000e91", "-var=n=2"};

  auto plan = run_cphform({"plan"}, dir.path(), &emu);  // planning needs the values
  REQUIRE_RUN(plan, 1);
  CHECK(contains(plan.err, "variable \"image\" has no value"));
  std::vector<std::string> apply = {"apply", "-auto-approve"};
  apply.insert(apply.end(), vars.begin(), vars.end());
  REQUIRE_RUN(run_cphform(apply, dir.path(), &emu), 0);
  REQUIRE(emu.servers().size() == 2);

  for (const std::vector<std::string>& command :
       std::vector<std::vector<std::string>>{{"validate"}, {"validate", "-json"}, {"state", "list"},
                                             {"state", "show", "server.web[1]"}, {"history"}, {"output"},
                                             {"workspace", "list"}, {"workspace", "show"}, {"journal", "list"},
                                             {"state", "pull"}}) {
    INFO(command.front() << " " << (command.size() > 1 ? command[1] : ""));
    REQUIRE_RUN(run_cphform(command, dir.path(), nullptr), 0);
    std::vector<std::string> with_vars = command;
    with_vars.insert(with_vars.end(), vars.begin(), vars.end());
    REQUIRE_RUN(run_cphform(with_vars, dir.path(), nullptr), 0);
  }
  CHECK(run_cphform({"state", "list"}, dir.path(), nullptr).out == "server.web[0]\nserver.web[1]\n");
  REQUIRE_RUN(run_cphform({"workspace", "new", "-var=n=1", "other"}, dir.path(), nullptr), 0);
  REQUIRE_RUN(run_cphform({"workspace", "select", "default"}, dir.path(), nullptr), 0);
  auto unlock = run_cphform({"force-unlock", "-force", "-var=n=1", "0000"}, dir.path(), nullptr);
  REQUIRE_RUN(unlock, 1);
  CHECK(contains(unlock.err, "the state is not locked"));  // got past the manifests

  // validate still checks everything that does not depend on the missing values
  text.replace(text.find("size = 300"), 10, "size = 333");
  dir.write("main.toml", text);
  auto invalid = run_cphform({"validate"}, dir.path(), nullptr);
  REQUIRE_RUN(invalid, 1);
  CHECK(contains(invalid.err, "in steps of 50"));
  CHECK_FALSE(contains(invalid.err, "has no value"));
}

TEST_CASE("instances are listed in numeric order: web[2] before web[10]", "[e2e][habits]") {
  EmulatorProcess emu;
  TempDir dir;
  dir.write("main.toml", server_manifest(emu.url(), "web", 11));
  auto in_order = [](const std::string& text) {
    size_t at = 0;
    for (int i = 0; i < 11; ++i) {
      size_t next = text.find("server.web[" + std::to_string(i) + "]", at);
      if (next == std::string::npos) return false;
      at = next;
    }
    return true;
  };
  auto plan = run_cphform({"plan", "-out=tf.plan"}, dir.path(), &emu);
  REQUIRE_RUN(plan, 0);
  CHECK(in_order(plan.out));
  auto show = run_cphform({"show", "tf.plan"}, dir.path(), nullptr);
  CHECK(in_order(show.out));
  auto report = nlohmann::json::parse(run_cphform({"show", "-json", "tf.plan"}, dir.path(), nullptr).out);
  REQUIRE(report["resource_changes"].size() == 11);
  CHECK(report["resource_changes"][2]["address"] == "server.web[2]");
  CHECK(report["resource_changes"][10]["address"] == "server.web[10]");
  REQUIRE_RUN(run_cphform({"apply", "tf.plan"}, dir.path(), &emu), 0);
  CHECK(in_order(run_cphform({"state", "list"}, dir.path(), nullptr).out));
}

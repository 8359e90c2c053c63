// Bad manifests end to end: for each case, `cphform plan` against a real
// emulator process must exit 1 with the exact file:line:column and the rule
// in stderr, before any cloud call (the emulator's stats stay empty) and
// before any state is written (no state file).
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>

#include <catch2/catch.hpp>

#include "common/sanitized.h"
#include "tests/e2e/harness.h"

using namespace cph::e2e;
namespace fs = std::filesystem;

namespace {

// A valid server block; `extra` lines are appended.
std::string srv(const std::string& label, const std::string& name, const std::string& extra = "") {
  return "[server." + label + "]\nname = \"" + name + "\"\n" + R"(server_model = "physical.rx1.xlarge"
phone_model = "rx1.cp.c105.d6.e5v5"
image_id = "20060220200717f201120a2300000e91"
vpc_id = "fca063f6-b942-42a8-9004-e5545f58d6a2"
subnet_id = "f1cbfc37-eb42-4357-a0ec-9e4f11950908"
bandwidth = { share_type = "dedicated", charge_mode = "traffic", size = 300 }
)" + extra;
}

struct Case {
  std::string title;
  std::map<std::string, std::string> files;  // name -> text; main.toml gets the [provider] appended
  std::string file;                          // where the error is reported
  std::string needle;                        // its first occurrence in `file` is the reported position
  std::string rule;                          // text the message must contain
  std::vector<std::string> args = {};        // extra plan arguments (-var ...)
  std::string after = "";                    // the needle is searched after the first occurrence of this
};

std::string position(const Case& c) {
  const std::string& text = c.files.at(c.file);
  size_t at = text.find(c.needle, text.find(c.after));
  REQUIRE(at != std::string::npos);
  int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
  size_t start = text.rfind('\n', at);
  int column = static_cast<int>(at - (start == std::string::npos ? 0 : start + 1)) + 1;
  return c.file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::vector<Case> cases() {
  const std::string fleet_app = "[share_app.app]\npackage_name = \"com.example.game\"\nbucket = \"apps\"\n"
                                "object = \"a/game.tar\"\n";
  std::string tags21 = "tags = {";
  for (int i = 0; i < 21; ++i) tags21 += (i ? ", " : " ") + std::string("k") + std::to_string(i) + " = \"v\"";
  tags21 += " }\n";
  const std::string phones = "[phones.p]\nservers = [\"server.a\"]\n";
  return {
      {"a string attribute given a number", {{"main.toml", srv("a", "a", "availability_zone = 3\n")}}, "main.toml",
       "3", "attribute \"availability_zone\" must be a string", {}, "availability_zone"},
      {"a quoted count", {{"main.toml", srv("a", "a", "count = \"2\"\n")}}, "main.toml", "\"2\"",
       "write the number without quotes"},
      {"a boolean given a string", {{"main.toml", srv("a", "a", "ports = [ { name = \"g\", listen_port = 20000, internet_accessible = \"yes\" } ]\n")}},
       "main.toml", "\"yes\"", "must be a boolean"},
      {"an unknown attribute", {{"main.toml", srv("a", "a", "nmae = \"x\"\n")}}, "main.toml", "nmae",
       "unknown attribute \"nmae\"; did you mean \"name\"?"},
      {"an unknown block type", {{"main.toml", "[servr.a]\nname = \"a\"\n"}}, "main.toml", "servr",
       "unknown block type \"servr\"; did you mean \"server\"?"},
      {"a computed attribute", {{"main.toml", srv("a", "a", "public_ip = \"1.2.3.4\"\n")}}, "main.toml", "public_ip",
       "is computed by the cloud and cannot be set"},
      {"a missing required attribute", {{"main.toml", "[server.a]\nname = \"a\"\n"}}, "main.toml", "[server.a]",
       "attribute \"server_model\" is required"},
      {"a name of 61 characters", {{"main.toml", srv("a", std::string(61, 'w'))}}, "main.toml", "\"www",
       "must be 1 to 60 characters of A-Z a-z 0-9 _ - or Chinese characters"},
      {"a name with a space", {{"main.toml", srv("a", "web 1")}}, "main.toml", "\"web 1\"",
       "must be 1 to 60 characters of A-Z a-z 0-9 _ - or Chinese characters"},
      {"a name too long for count", {{"main.toml", srv("a", std::string(56, 'w'), "count = 2\n")}}, "main.toml",
       "\"www", "must be at most 55 characters when count is set"},
      {"an eip_type outside the enum", {{"main.toml", srv("a", "a", "eip_type = \"5_fast\"\n")}}, "main.toml",
       "\"5_fast\"", "must be one of \"5_telcom\", \"5_union\", \"5_bgp\", \"5_sbgp\""},
      {"a bandwidth size off the steps", {{"main.toml", srv("a", "a").replace(srv("a", "a").find("size = 300"), 10, "size = 310")}},
       "main.toml", "310", "must be 1..300, or 300..1000 in steps of 50"},
      {"a listen_port below the range", {{"main.toml", srv("a", "a", "ports = [ { name = \"g\", listen_port = 9999 } ]\n")}},
       "main.toml", "9999", "must be between 10000 and 50000"},
      {"the reserved port name adb", {{"main.toml", srv("a", "a", "ports = [ { name = \"adb\", listen_port = 20000 } ]\n")}},
       "main.toml", "\"adb\"", "must not be \"adb\" or \"vnc\""},
      {"the reserved port name vnc", {{"main.toml", srv("a", "a", "ports = [ { name = \"vnc\", listen_port = 20000 } ]\n")}},
       "main.toml", "\"vnc\"", "must not be \"adb\" or \"vnc\""},
      {"a port name of 17 bytes", {{"main.toml", srv("a", "a", "ports = [ { name = \"abcdefghijklmnopq\", listen_port = 20000 } ]\n")}},
       "main.toml", "\"abcdefghijklmnopq\"", "must be 1 to 16 bytes"},
      {"a vpc_id that is not a UUID", {{"main.toml", srv("a", "a").replace(srv("a", "a").find("fca063f6"), 8, "zzzzzzzz")}},
       "main.toml", "\"zzzzzzzz", "must be a UUID"},
      {"ten months", {{"main.toml", srv("a", "a", "period = { unit = \"month\", length = 10 }\n")}}, "main.toml",
       "10 }", "must be 1..9 when unit is \"month\""},
      {"count negative", {{"main.toml", srv("a", "a", "count = -1\n")}}, "main.toml", "-1", "must be at least 0", {}, "count"},
      {"21 tags", {{"main.toml", srv("a", "a", tags21)}}, "main.toml", "{ k0", "must hold at most 20 tags"},
      {"a tag key reserved by the system", {{"main.toml", srv("a", "a", "tags = { _sys_x = \"v\" }\n")}}, "main.toml",
       "{ _sys_x", "not starting with _sys_"},
      {"a reference to a missing block", {{"main.toml", srv("a", "a-${server.nope.id}")}}, "main.toml",
       "\"a-${server.nope.id}\"", "refers to server.nope.id, but no block [server.nope] is declared"},
      {"an index out of range", {{"main.toml", srv("g", "g", "count = 2\n") + srv("a", "a-${server.g[2].id}")}},
       "main.toml", "\"a-${server.g[2].id}\"", "the index 2 is out of range: server.g has count = 2"},
      {"an attribute the target does not have", {{"main.toml", srv("g", "g") + srv("a", "a-${server.g.ipv6}")}},
       "main.toml", "\"a-${server.g.ipv6}\"", "\"server\" has no attribute \"ipv6\""},
      {"an unterminated interpolation", {{"main.toml", srv("a", "a-${server.g")}}, "main.toml", "\"a-${server.g\"",
       "unterminated \"${\""},
      {"a dependency cycle", {{"main.toml", srv("a", "a", "depends_on = [\"server.b\"]\n") + srv("b", "b-${server.a.id}")}},
       "main.toml", "\"server.b\"", "dependency cycle: server.a -> server.b -> server.a"},
      {"a block depending on itself", {{"main.toml", srv("a", "a", "depends_on = [\"server.a\"]\n")}}, "main.toml",
       "\"server.a\"", "dependency cycle: server.a -> server.a"},
      {"depends_on with a bare name", {{"main.toml", srv("a", "a", "depends_on = [\"web\"]\n")}}, "main.toml",
       "\"web\"", "must be a block address such as \"server.game\""},
      {"an undefined variable", {{"main.toml", srv("a", "${var.prefix}-a")}}, "main.toml", "\"${var.prefix}-a\"",
       "undefined variable \"prefix\""},
      {"a variable without a value", {{"main.toml", "[variables.zone]\ntype = \"string\"\n" + srv("a", "a")}},
       "main.toml", "[variables.zone]", "variable \"zone\" has no value"},
      {"a -var that is not a number", {{"main.toml", "[variables.n]\ntype = \"number\"\ndefault = 1\n" + srv("a", "a", "count = \"${var.n}\"\n")}},
       "main.toml", "[variables.n]", "the value from -var n must be a number", {"-var", "n=two"}},
      {"a -var-file value of the wrong type",
       {{"main.toml", "[variables.n]\ntype = \"number\"\ndefault = 1\n" + srv("a", "a")}, {"vars.toml", "n = \"two\"\n"}},
       "vars.toml", "\"two\"", "variable \"n\" must be a number", {"-var-file=vars.toml"}},
      {"a variable breaking a rule", {{"main.toml", "[variables.eip]\ndefault = \"5_fast\"\n" + srv("a", "a", "eip_type = \"${var.eip}\"\n")}},
       "main.toml", "\"${var.eip}\"", "must be one of \"5_telcom\""},
      {"ignore_changes naming no attribute", {{"main.toml", srv("a", "a", "lifecycle = { ignore_changes = [\"nmae\"] }\n")}},
       "main.toml", "\"nmae\"", "must name attributes of \"server\""},
      {"prevent_destroy as a string", {{"main.toml", srv("a", "a", "lifecycle = { prevent_destroy = \"yes\" }\n")}},
       "main.toml", "\"yes\"", "attribute \"lifecycle.prevent_destroy\" must be a boolean"},
      {"duplicate instance names", {{"main.toml", srv("a", "web", "count = 2\n") + srv("b", "web-0001")}},
       "main.toml", "\"web-0001\"", "the server name \"web-0001\", which server.a[0] also has"},
      {"a block declared in two files", {{"main.toml", srv("a", "a")}, {"more.toml", srv("a", "b")}}, "more.toml",
       "[server.a]", "duplicate resource block, also defined at main.toml:1:1"},
      {"an output referring to nothing", {{"main.toml", srv("a", "a") + "[output.ip]\nvalue = \"${server.b.public_ip}\"\n"}},
       "main.toml", "\"${server.b.public_ip}\"", "no block [server.b] is declared"},
      {"invalid TOML", {{"main.toml", srv("a", "a", "count = = 2\n")}}, "main.toml", "= 2", "invalid TOML"},
      {"a keypair reference to a server", {{"main.toml", srv("g", "g") + srv("a", "a", "keypair = \"server.g\"\n")}},
       "main.toml", "\"server.g\"", "must refer to a \"keypair\" block"},
      {"a keypair reference to a missing block", {{"main.toml", srv("a", "a", "keypair = \"keypair.adb\"\n")}},
       "main.toml", "\"keypair.adb\"", "no block [keypair.adb] is declared"},
      {"share_app servers out of range", {{"main.toml", srv("g", "g", "count = 2\n") + fleet_app + "servers = [\"server.g[2]\"]\n"}},
       "main.toml", "\"server.g[2]\"", "the index 2 is out of range"},
      {"two keypair blocks for one key pair", {{"main.toml", "[keypair.a]\nname = \"adb\"\n[keypair.b]\nname = \"adb\"\n"}},
       "main.toml", "\"adb\"", "names the same keypair as keypair.a", {}, "[keypair.b]"},
      // Issue 14: phone properties (cph-api.md 10.1), templates at their widest, model support.
      {"a phone IMSI with a letter", {{"main.toml", srv("a", "a") + phones + "properties = { \"sys.prop.writeimsi\" = \"4600x\" }\n"}},
       "main.toml", "\"4600x\"", "must be at most 15 characters, decimal digits only (CPH API: Cloud phone property list)"},
      {"a phone number template too wide", {{"main.toml", srv("a", "a") + phones + "properties = { phone_num = \"1380013800138${phone.server_number}${phone.number}\" }\n"}},
       "main.toml", "\"1380013800138$", "with its ${phone.*} values at their widest it is"},
      {"a bandwidth limit on a qemu phone", {{"main.toml", srv("a", "a").replace(srv("a", "a").find("rx1.cp.c105.d6.e5v5"), 19, "rx1.cp.c60.d32.e1v1.qemu") + phones + "properties = { \"com.cph.bandwidth_limit\" = \"500\" }\n"}},
       "main.toml", "\"500\"", "is not supported by phones of model rx1.cp.c60.d32.e1v1.qemu"},
  };
}

// Key pairs k0 <- k1 <- ... <- k(n-1), each depending on the one before;
// `closed`: k0 depends on the last, a cycle through all.
std::string keypair_chain(int n, bool closed) {
  std::string chain;
  for (int i = 0; i < n; ++i)
    chain += "[keypair.k" + std::to_string(i) + "]\nname = \"k" + std::to_string(i) + "\"\n" +
             (i || closed ? "depends_on = [\"keypair.k" + std::to_string(i ? i - 1 : n - 1) + "\"]\n" : "");
  return chain;
}

// `cphform plan` in `dir`, and how long it took in seconds.
RunResult timed_plan(const TempDir& dir, EmulatorProcess& emu, double& took) {
  auto start = std::chrono::steady_clock::now();
  RunResult r = run_cphform({"-chdir=.", "plan"}, dir.path(), &emu);
  took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

// Inputs that crashed, hung or exhausted memory before the limits of
// docs/manifest-language.md ("Limits"); each must now end like any bad manifest.
std::vector<Case> hostile_cases() {
  std::string dotted = "k0";
  for (int i = 1; i < 20000; ++i) dotted += ".k" + std::to_string(i);
  std::string chain = keypair_chain(30000, true);
  std::string counted;
  for (int i = 0; i < 200; ++i) counted += srv("s" + std::to_string(1000 + i), "s" + std::to_string(i), "count = 10000\n");
  std::string nested;
  for (int i = 0; i < 20000; ++i) nested += "${";
  nested += "var.x" + std::string(20000, '}');
  return {
      {"a dotted key of 20,000 parts", {{"main.toml", dotted + " = 1\n"}}, "main.toml", ".k16.", "more than 16 dotted parts"},
      {"arrays nested 1,000 deep", {{"main.toml", "x = " + std::string(1000, '[') + std::string(1000, ']') + "\n"}},
       "main.toml", std::string(1000 - 32, '[') + "]", "nested more than 32 deep"},
      {"a 30,000-block depends_on cycle", {{"main.toml", chain}}, "main.toml", "\"keypair.k29999\"",
       "dependency cycle: keypair.k0 -> keypair.k29999 -> keypair.k29998"},
      {"an interpolation nested 20,000 deep", {{"main.toml", "[variables.x]\ndefault = \"a\"\n" + srv("a", nested)}},
       "main.toml", "\"${${", "invalid interpolation"},
      {"public_key_file outside the directory", {{"main.toml", "[keypair.adb]\nname = \"adb\"\npublic_key_file = \"../../../../dev/zero\"\n"}},
       "main.toml", "\"../../../../dev/zero\"", "is outside the manifest directory"},
      {"200 blocks of count = 10000", {{"main.toml", counted}}, "main.toml", "10000",
       "this block brings the number of instances of the configuration to 110,000", {}, "[server.s1010]"},
  };
}

}  // namespace

TEST_CASE("bad manifests stop plan with file:line:column and the rule, before any call or state", "[e2e][manifest]") {
  EmulatorProcess emu;
  std::vector<Case> all = cases();
  REQUIRE(all.size() >= 30);
  for (Case& c : all) c.files["main.toml"] += "\n[provider]\nendpoint = \"" + emu.url() + "\"\n";
  for (const Case& c : all) {
    DYNAMIC_SECTION(c.title) {
      TempDir dir;
      for (const auto& [name, text] : c.files) dir.write(name, text);
      std::vector<std::string> args = {"-chdir=.", "plan"};
      args.insert(args.end(), c.args.begin(), c.args.end());
      RunResult r = run_cphform(args, dir.path(), &emu);
      INFO("stderr:\n" << r.err << "\nstdout:\n" << r.out);
      CHECK(r.exit_code == 1);
      CHECK(r.err.find(position(c) + ": error: ") != std::string::npos);
      CHECK(r.err.find(c.rule) != std::string::npos);
      CHECK(r.err.find("nothing was changed") != std::string::npos);
      CHECK(emu.total_calls() == 0);
      CHECK_FALSE(fs::exists(dir.path() / ".cphform" / "state.db"));
    }
  }
}

TEST_CASE("hostile manifests end in a located error within 10 s, before any call or state", "[e2e][manifest][limits]") {
  EmulatorProcess emu;
  std::vector<Case> all = hostile_cases();
  for (Case& c : all) c.files["main.toml"] += "\n[provider]\nendpoint = \"" + emu.url() + "\"\n";
  for (const Case& c : all) {
    DYNAMIC_SECTION(c.title) {
      TempDir dir;
      for (const auto& [name, text] : c.files) dir.write(name, text);
      double took = 0;
      RunResult r = timed_plan(dir, emu, took);
      INFO("stderr:\n" << r.err.substr(0, 2000));
      CHECK((cph::kSanitized || took < 10));
      CHECK(r.exit_code == 1);
      CHECK(r.err.find(position(c) + ": error: ") != std::string::npos);
      CHECK(r.err.find(c.rule) != std::string::npos);
      CHECK(r.err.size() < 4000);
      CHECK(emu.total_calls() == 0);
      CHECK_FALSE(fs::exists(dir.path() / ".cphform" / "state.db"));
      // validate refuses what plan refuses.
      RunResult v = run_cphform({"-chdir=.", "validate"}, dir.path(), &emu);
      CHECK(v.exit_code == 1);
      CHECK(v.err.find(position(c) + ": error: ") != std::string::npos);
    }
  }
}

TEST_CASE("a 30,000-block depends_on chain plans within 10 s", "[e2e][manifest][limits]") {
  EmulatorProcess emu;
  TempDir dir;
  dir.write("main.toml", "[provider]\nendpoint = \"" + emu.url() + "\"\n" + keypair_chain(30000, false));
  double took = 0;
  RunResult r = timed_plan(dir, emu, took);
  INFO("stderr:\n" << r.err.substr(0, 2000));
  CHECK((cph::kSanitized || took < 10));
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("30000 to add") != std::string::npos);
}

TEST_CASE("a sensitive variable's value is not printed when it breaks a rule", "[e2e][manifest]") {
  EmulatorProcess emu;
  TempDir dir;
  dir.write("main.toml", "[variables.secret]\nsensitive = true\n" + srv("a", "${var.secret}") + "\n[provider]\nendpoint = \"" +
                             emu.url() + "\"\n");
  RunResult r = run_cphform({"-chdir=.", "plan", "-var", "secret=top secret value"}, dir.path(), &emu);
  INFO("stderr:\n" << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("main.toml:4:8: error: server.a: attribute \"name\" must be 1 to 60 characters") != std::string::npos);
  CHECK(r.err.find("top secret") == std::string::npos);
  CHECK(emu.total_calls() == 0);
}

TEST_CASE("a valid phones block passes validate and plan, planned as one instance", "[e2e][manifest]") {
  EmulatorProcess emu;
  TempDir dir;
  dir.write("main.toml", srv("a", "a") + R"([phones.p]
servers = ["server.a"]
name = "a-${phone.number}"
properties = { phone_num = "13666666666", imsi = "460021624617113", iccid = "42947a38410b137c", wifi_name = "test_wifi" }
[provider]
endpoint = ")" + emu.url() + "\"\n");
  RunResult v = run_cphform({"-chdir=.", "validate"}, dir.path(), &emu);
  INFO("validate:\n" << v.err << v.out);
  CHECK(v.exit_code == 0);
  RunResult r = run_cphform({"-chdir=.", "plan"}, dir.path(), &emu);
  INFO("plan:\n" << r.err << r.out);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("phones.p") != std::string::npos);
  CHECK(r.out.find("2 to add") != std::string::npos);
}

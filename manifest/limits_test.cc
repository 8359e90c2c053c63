// The limits of docs/manifest-language.md ("Limits"): inputs that used to
// crash the loader (stack overflow), hang it or exhaust memory end, within
// seconds, in an error at the file:line:column that breaks the limit, and
// inputs within the limits still load.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "common/sanitized.h"
#include <chrono>
#include <filesystem>
#include <fstream>

#include "common/crypto.h"
#include "common/test_shared.h"
#include "manifest/limits.h"
#include "manifest/manifest.h"
#include "manifest/validate.h"

namespace fs = std::filesystem;
using namespace cph::manifest;

namespace {
using cph::testing::TempDir;

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The diagnostics of loading `text` as main.toml, checking it took < 10 s.
std::vector<Diagnostic> bounded_errors_of(const std::string& text, const VariableInputs& inputs = {}) {
  auto start = Clock::now();
  std::vector<Diagnostic> out;
  try {
    parse_manifest(text, "main.toml", inputs);
  } catch (const ManifestError& e) {
    out = e.diagnostics;
  }
  CHECK((cph::kSanitized || seconds_since(start) < 10));
  REQUIRE_FALSE(out.empty());
  return out;
}

std::vector<Diagnostic> dir_errors(const TempDir& tmp) {
  auto start = Clock::now();
  std::vector<Diagnostic> out;
  try {
    load_manifest_dir(tmp.dir);
  } catch (const ManifestError& e) {
    out = e.diagnostics;
  }
  CHECK((cph::kSanitized || seconds_since(start) < 10));
  REQUIRE_FALSE(out.empty());
  return out;
}

std::string keypair(const std::string& label, const std::string& extra = "") {
  return "[keypair." + label + "]\nname = \"" + label + "\"\n" + extra;
}

}  // namespace

TEST_CASE("a dotted key of 20,000 parts is refused at its 17th part, before toml++ parses it", "[manifest][limits]") {
  std::string key = "a";
  for (int i = 0; i < 20000; ++i) key += ".a";
  auto d = bounded_errors_of("# generated\n" + key + " = 1\n");
  REQUIRE(d.size() == 1);
  CHECK(d[0].pos.str() == "main.toml:2:" + std::to_string(2 * limits::kMaxKeyParts));
  CHECK_THAT(d[0].message, Catch::Contains("more than 16 dotted parts"));

  // The same in a [table] header, an [[array]] header and an inline table.
  CHECK(bounded_errors_of("[" + key + "]\n")[0].pos.str() == "main.toml:1:" + std::to_string(2 * limits::kMaxKeyParts + 1));
  CHECK(bounded_errors_of("[[" + key + "]]\n")[0].pos.str() == "main.toml:1:" + std::to_string(2 * limits::kMaxKeyParts + 2));
  CHECK(bounded_errors_of("x = { b = 1, " + key + " = 2 }\n")[0].pos.str() ==
        "main.toml:1:" + std::to_string(13 + 2 * limits::kMaxKeyParts));
}

TEST_CASE("arrays and inline tables nested 100,000 deep are refused at level 33", "[manifest][limits]") {
  auto arrays = bounded_errors_of("x = " + std::string(100000, '[') + std::string(100000, ']') + "\n");
  REQUIRE(arrays.size() == 1);
  CHECK(arrays[0].pos.str() == "main.toml:1:" + std::to_string(5 + limits::kMaxNesting));
  CHECK_THAT(arrays[0].message, Catch::Contains("nested more than 32 deep"));

  std::string tables = "x = ";
  for (int i = 0; i < 50000; ++i) tables += "{ a = ";
  tables += "1" + std::string(50000, '}') + "\n";
  auto d = bounded_errors_of(tables);
  CHECK(d[0].pos.str() == "main.toml:1:" + std::to_string(5 + 6 * limits::kMaxNesting));

  // Arrays over several lines count as one nesting.
  std::string lines = "x = [\n";
  for (int i = 0; i < 40; ++i) lines += "  [\n";
  CHECK(bounded_errors_of(lines)[0].pos.str() == "main.toml:" + std::to_string(1 + limits::kMaxNesting) + ":3");
}

TEST_CASE("dots and brackets inside strings and comments count for nothing", "[manifest][limits]") {
  std::string many(200, '.');
  std::string deep = std::string(100, '[') + std::string(100, '{');
  std::string text = "# " + deep + many + "\n"
                     "[variables.a]\n"
                     "default = { \"" + many + "\" = \"" + deep + many + "\" }\n"
                     "description = '" + deep + "'\n"
                     "[variables.b]\n"
                     "default = \"\"\"\n" + deep + "\n[x.y" + many + "]\n\\\"\"\" \"\"\"\n"
                     "description = '''\n" + deep + "\n'''\n"
                     "[variables.c]\n"
                     "default = [[[1.5, 2.5], {a = \"]}\"}], 3]\n";
  Manifest m = parse_manifest(text, "main.toml");
  REQUIRE(m.variables.size() == 3);
  CHECK(m.variables[1].value.get<std::string>().find("[x.y") != std::string::npos);
}

TEST_CASE("a line over 1 MiB, a file over 16 MiB and too many headers are refused", "[manifest][limits]") {
  auto line = bounded_errors_of("a = 1\nb = \"" + std::string(limits::kMaxLineBytes + 10, 'x') + "\"\n");
  CHECK(line[0].pos.str() == "main.toml:2:" + std::to_string(limits::kMaxLineBytes + 1));
  CHECK_THAT(line[0].message, Catch::Contains("a line may be at most 1,048,576 bytes"));

  std::string big;
  while (big.size() <= limits::kMaxFileBytes) big += "# " + std::string(1000, 'x') + "\n";
  auto file = bounded_errors_of(big);
  CHECK(file[0].pos.str() == "main.toml:1:1");
  CHECK_THAT(file[0].message, Catch::Contains("at most 16,777,216 bytes"));

  std::string headers;
  for (size_t i = 0; i <= limits::kMaxHeaders; ++i) headers += "[v.a" + std::to_string(i) + "]\n";
  auto h = bounded_errors_of(headers);
  CHECK(h[0].pos.str() == "main.toml:" + std::to_string(limits::kMaxHeaders + 1) + ":1");
  CHECK_THAT(h[0].message, Catch::Contains("more than 200,000 [table] headers"));
}

TEST_CASE("a 30,000-block depends_on chain loads; closing it into a cycle is one short located error",
          "[manifest][limits]") {
  std::string text;
  const int n = 30000;
  for (int i = 0; i < n; ++i)
    text += keypair("k" + std::to_string(i), i ? "depends_on = [\"keypair.k" + std::to_string(i - 1) + "\"]\n" : "");
  auto start = Clock::now();
  Manifest m = parse_manifest(text, "main.toml");
  CHECK((cph::kSanitized || seconds_since(start) < 10));
  CHECK(m.find("keypair.k29999")->depends_on == std::vector<std::string>{"keypair.k29998"});

  // keypair.k0 depends on the last one: a cycle through every block.
  std::string cyclic = text;
  cyclic.replace(cyclic.find("name = \"k0\"\n"), 12, "name = \"k0\"\ndepends_on = [\"keypair.k29999\"]\n");
  auto d = bounded_errors_of(cyclic);
  REQUIRE(d.size() == 1);
  CHECK(d[0].pos.str() == "main.toml:3:15");  // where keypair.k0 names keypair.k29999
  CHECK_THAT(d[0].message, Catch::StartsWith("keypair.k0: dependency cycle: keypair.k0 -> keypair.k29999 -> ") &&
                               Catch::Contains("(29,990 more)") && Catch::EndsWith("entries"));
  CHECK(d[0].message.size() < 500);
}

TEST_CASE("deeply nested interpolations and parentheses are errors at the string", "[manifest][limits]") {
  std::string nested;
  for (int i = 0; i < 20000; ++i) nested += "${";
  nested += "var.x" + std::string(20000, '}');
  std::string text = "[variables.x]\ndefault = \"a\"\n" + keypair("k", "public_key = \"" + nested + "\"\n");
  auto d = bounded_errors_of(text);
  CHECK(d[0].pos.str() == "main.toml:5:14");
  CHECK_THAT(d[0].message, Catch::Contains("invalid interpolation"));
  CHECK(d[0].message.size() < 400);

  std::string parens = "${" + std::string(20000, '(') + "keypair.k.name" + std::string(20000, ')') + "}";
  auto p = bounded_errors_of(keypair("k", "public_key = \"" + parens + "\"\n"));
  CHECK(p[0].pos.str() == "main.toml:3:14");
  CHECK_THAT(p[0].message, Catch::Contains("is not a reference"));
  CHECK(p[0].message.size() < 400);
}

TEST_CASE("a -var value nested 100,000 deep is refused at the variable", "[manifest][limits]") {
  VariableInputs inputs;
  inputs.vars = {"zones=" + std::string(100000, '[') + std::string(100000, ']')};
  auto d = bounded_errors_of("[variables.zones]\ntype = \"list\"\ndefault = []\n", inputs);
  CHECK(d[0].pos.str() == "main.toml:1:1");
  CHECK_THAT(d[0].message, Catch::Contains("nests arrays and objects more than 32 deep"));
  // A string variable takes brackets as text.
  inputs.vars = {"s=" + std::string(100, '[')};
  CHECK(parse_manifest("[variables.s]\ndefault = \"\"\n", "main.toml", inputs).variables[0].value ==
        std::string(100, '['));
}

TEST_CASE("public_key_file must be a small regular file inside the manifest directory", "[manifest][limits]") {
  TempDir tmp;
  tmp.write("adb.pub", "ssh-rsa AAAA test\n");
  auto with_file = [&](const std::string& path) {
    tmp.write("main.toml", "# keys\n" + keypair("adb", "public_key_file = \"" + path + "\"\n"));
  };
  std::string at = (tmp.dir / "main.toml").string() + ":4:19";

  with_file("adb.pub");
  CHECK(load_manifest_dir(tmp.dir).resources.size() == 1);

  with_file("../../../../dev/zero");
  auto d = dir_errors(tmp);
  REQUIRE(d.size() == 1);
  CHECK(d[0].pos.str() == at);
  CHECK_THAT(d[0].message, Catch::Contains("keypair.adb: attribute \"public_key_file\" names \"../../../../dev/zero\"") &&
                               Catch::Contains("is outside the manifest directory"));

  with_file("/dev/zero");
  CHECK_THAT(dir_errors(tmp)[0].message, Catch::Contains("is outside the manifest directory"));

  fs::create_symlink("/dev/zero", tmp.dir / "zero.pub");  // inside by name, outside once resolved
  with_file("zero.pub");
  CHECK_THAT(dir_errors(tmp)[0].message, Catch::Contains("is outside the manifest directory"));

  REQUIRE(::mkfifo((tmp.dir / "fifo.pub").c_str(), 0600) == 0);  // would block a reader forever
  with_file("fifo.pub");
  CHECK_THAT(dir_errors(tmp)[0].message, Catch::Contains("is not a regular file"));

  fs::create_directory(tmp.dir / "keys");
  with_file("keys");
  CHECK_THAT(dir_errors(tmp)[0].message, Catch::Contains("is not a regular file"));

  tmp.write("big.pub", std::string(limits::kMaxKeyFileBytes + 1, 'k'));
  with_file("big.pub");
  auto big = dir_errors(tmp);
  CHECK(big[0].pos.str() == at);
  CHECK_THAT(big[0].message, Catch::Contains("is 65,537 bytes; at most 65,536 bytes are read"));

  with_file("missing.pub");
  CHECK_THAT(dir_errors(tmp)[0].message, Catch::Contains("cannot be opened"));
}

TEST_CASE("manifest and -var-file files must be regular and bounded", "[manifest][limits]") {
  TempDir tmp;
  tmp.write("main.toml", "[variables.x]\ndefault = \"a\"\n");
  fs::create_symlink("/dev/zero", tmp.dir / "zero.toml");
  auto start = Clock::now();  // a *.toml that is a device is not a manifest file: never read
  CHECK(load_manifest_dir(tmp.dir).files.size() == 1);

  TempDir vars;
  vars.write("main.toml", "[variables.x]\ndefault = \"a\"\n");
  VariableInputs inputs;
  inputs.var_files = {"/dev/zero"};
  try {
    load_manifest_dir(vars.dir, inputs);
    FAIL("accepted");
  } catch (const ManifestError& e) {
    CHECK(e.diagnostics[0].pos.str() == "/dev/zero:1:1");
    CHECK_THAT(e.diagnostics[0].message, Catch::Contains("-var-file: it is not a regular file"));
  }
  CHECK((cph::kSanitized || seconds_since(start) < 10));
}

TEST_CASE("200 blocks of count = 10000 stop at the block that passes 100,000 instances", "[manifest][limits]") {
  std::string servers;
  for (int i = 0; i < 200; ++i)
    servers += "[server.s" + std::to_string(1000 + i) + "]\nname = \"s" + std::to_string(i) +
               "\"\nserver_model = \"physical.rx1.xlarge\"\nphone_model = \"rx1.cp.c105.d6.e5v5\"\n"
               "image_id = \"20060220200717f201120a2300000e91\"\nvpc_id = \"fca063f6-b942-42a8-9004-e5545f58d6a2\"\n"
               "subnet_id = \"f1cbfc37-eb42-4357-a0ec-9e4f11950908\"\n"
               "bandwidth = { share_type = \"dedicated\", charge_mode = \"traffic\", size = 300 }\ncount = 10000\n";
  auto d = bounded_errors_of(servers);
  REQUIRE(d.size() == 1);
  // The 11th block brings the total to 110,000.
  CHECK(d[0].pos.str() == "main.toml:" + std::to_string(10 * 9 + 9) + ":9");
  CHECK_THAT(d[0].message, Catch::StartsWith("server.s1010: this block brings the number of instances") &&
                               Catch::Contains("110,000") && Catch::Contains("over the limit of 100,000"));
  // A count over the per-block limit is refused at the count.
  std::string one = servers.substr(0, servers.find("[server.s1001]"));
  CHECK_THAT(bounded_errors_of(one.replace(one.find("count = 10000"), 13, "count = 10001"))[0].message,
             Catch::Contains("must be at most 10000"));
}

TEST_CASE("100,000 blocks load in seconds; one more is over the instance limit", "[manifest][limits]") {
  std::string text;
  for (int i = 0; i < limits::kMaxInstances; ++i) text += keypair("k" + std::to_string(i));
  auto start = Clock::now();
  Manifest m = parse_manifest(text, "main.toml");
  double took = seconds_since(start);
  CHECK((cph::kSanitized || took < 10));
  CHECK(m.resources.size() == static_cast<size_t>(limits::kMaxInstances));
  auto d = bounded_errors_of(text + keypair("one_more"));
  REQUIRE(d.size() == 1);
  CHECK_THAT(d[0].message, Catch::Contains("100,001"));
}

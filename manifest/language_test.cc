// Tests of the manifest language for fleets: variables, interpolation,
// references, depends_on, lifecycle, outputs, cross-block checks, the
// digest, and expression.h. Each error case checks its file:line:column and
// its rule text.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "common/crypto.h"
#include "common/test_shared.h"
#include "manifest/expression.h"
#include "manifest/manifest.h"

namespace fs = std::filesystem;
using namespace cph::manifest;

namespace {
using cph::testing::TempDir;

// A valid [server.LABEL] block with `extra` lines appended.
std::string server(const std::string& label, const std::string& name, const std::string& extra = "") {
  return "[server." + label + "]\nname = \"" + name + "\"\n" + R"(server_model = "physical.rx1.xlarge"
phone_model = "rx1.cp.c105.d6.e5v5"
image_id = "20060220200717f201120a2300000e91"
vpc_id = "fca063f6-b942-42a8-9004-e5545f58d6a2"
subnet_id = "f1cbfc37-eb42-4357-a0ec-9e4f11950908"
bandwidth = { share_type = "dedicated", charge_mode = "traffic", size = 300 }
)" + extra;
}

// "main.toml:L:C" of the first occurrence of needle.
std::string at(const std::string& text, const std::string& needle, const std::string& file = "main.toml") {
  size_t pos = text.find(needle);
  REQUIRE(pos != std::string::npos);
  int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(pos), '\n'));
  size_t start = text.rfind('\n', pos);
  int column = static_cast<int>(pos - (start == std::string::npos ? 0 : start + 1)) + 1;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string errors(const std::string& text, const VariableInputs& inputs = {}) {
  try {
    parse_manifest(text, "main.toml", inputs);
  } catch (const ManifestError& e) {
    return e.what();
  }
  FAIL("manifest was accepted:\n" << text);
  return {};
}

void expect_error(const std::string& text, const std::string& where, const std::string& rule,
                  const VariableInputs& inputs = {}) {
  std::string all = errors(text, inputs);
  INFO(all);
  CHECK(all.find(where + ": error: ") != std::string::npos);
  CHECK(all.find(rule) != std::string::npos);
}

}  // namespace

TEST_CASE("templates parse, list their references and evaluate", "[expression]") {
  auto t = parse_template("ip-${server.game[1].public_ip}-$${x}");
  REQUIRE(t);
  REQUIRE(t->parts.size() == 3);
  CHECK(t->parts[1].ref->str() == "server.game[1].public_ip");
  CHECK(t->parts[1].ref->block() == "server.game");
  CHECK(t->parts[2].literal == "-${x}");
  CHECK(t->render() == "ip-${server.game[1].public_ip}-$${x}");
  std::string why;
  CHECK_FALSE(parse_template("${server.game", &why));
  CHECK(why.find("unterminated") != std::string::npos);
  CHECK_FALSE(parse_template("${server}", &why));
  CHECK_FALSE(parse_template("${server.a[x].id}", &why));
  CHECK(why.find("index") != std::string::npos);
  CHECK(parse_reference("server.test[2]", false)->index == 2);
  CHECK_FALSE(parse_reference("server.test.id", false));

  Json value = {{"a", "${bandwidth.shared.id}"}, {"b", {"x-${server.g[0].public_ip}", 3}}, {"c", "$${lit}"}};
  auto refs = references(value);
  REQUIRE(refs.size() == 2);
  CHECK(refs[0].str() == "bandwidth.shared.id");
  CHECK(refs[1].str() == "server.g[0].public_ip");
  CHECK_FALSE(is_known(value));

  std::vector<Reference> unknown;
  Json out = evaluate(value, [](const Reference& r) -> std::optional<Json> {
    if (r.type == "bandwidth") return Json(42);
    return std::nullopt;
  }, &unknown);
  CHECK(out["a"] == 42);  // a whole interpolation keeps its type
  CHECK(out["b"][0] == "x-${server.g[0].public_ip}");  // unknown: left as the template
  CHECK(out["c"] == "${lit}");
  REQUIRE(unknown.size() == 1);
  CHECK(unknown[0].address() == "server.g[0]");
  Json text = evaluate(Json("n=${a.b.c}!"), [](const Reference&) -> std::optional<Json> { return Json(7); });
  CHECK(text == "n=7!");
}

TEST_CASE("variables: defaults, precedence, typed values and interpolation", "[variables]") {
  TempDir d;
  d.write("main.toml", R"([variables.prefix]
type = "string"
default = "web"
[variables.n]
type = "number"
default = 1
[variables.az]
description = "zone"
default = "cn-east-3a"
)" + server("web", "${var.prefix}-x", "count = \"${var.n}\"\navailability_zone = \"${var.az}\"\n"));
  std::ofstream(d.dir / "vars1.toml.in") << "prefix = \"from-file1\"\nn = 2\n";
  std::ofstream(d.dir / "vars2.toml.in") << "prefix = \"from-file2\"\n";

  Manifest m = load_manifest_dir(d.dir);
  REQUIRE(m.resources.size() == 1);
  CHECK(m.resources[0].attributes["name"] == "web-x");
  CHECK(m.resources[0].count == 1);
  CHECK(m.resources[0].attributes["availability_zone"] == "cn-east-3a");
  REQUIRE(m.variables.size() == 3);
  CHECK(m.variables[0].name == "az");
  CHECK(m.variables[0].type == "string");  // inferred from the default
  CHECK(m.variables[0].source == "default");

  VariableInputs in;
  in.environment = {{"prefix", "env"}, {"n", "3"}};
  Manifest env = load_manifest_dir(d.dir, in);
  CHECK(env.resources[0].attributes["name"] == "env-x");
  CHECK(env.resources[0].count == 3);
  CHECK(env.digest != m.digest);  // a saved plan goes stale when a variable changes

  in.var_files = {d.dir / "vars1.toml.in", d.dir / "vars2.toml.in"};
  Manifest files = load_manifest_dir(d.dir, in);
  CHECK(files.resources[0].attributes["name"] == "from-file2-x");  // later file wins
  CHECK(files.resources[0].count == 2);                           // env < file

  in.vars = {"prefix=flag1", "prefix=flag2"};
  Manifest flags = load_manifest_dir(d.dir, in);
  CHECK(flags.resources[0].attributes["name"] == "flag2-x");  // -var wins, later -var wins
  CHECK(flags.resources[0].count == 2);
}

TEST_CASE("${terraform.workspace} is the selected workspace's name", "[variables]") {
  VariableInputs in;
  in.workspace = "staging";
  Manifest m = parse_manifest(server("web", "game-${terraform.workspace}"), "main.toml", in);
  CHECK(m.resources[0].attributes["name"] == "game-staging");
  CHECK(parse_manifest(server("web", "game-${terraform.workspace}"), "main.toml").resources[0].attributes["name"] ==
        "game-default");
  std::string text = server("web", "game-${terraform.env}");
  expect_error(text, at(text, "\"game-${terraform.env}\""), "the one value of terraform is terraform.workspace");
}

TEST_CASE("variable errors are reported with their position", "[variables]") {
  const std::string decl = "[variables.size]\ntype = \"number\"\n";
  SECTION("a variable without a default and without a value") {
    std::string text = decl + server("web", "web");
    expect_error(text, at(text, "[variables.size]"), "variable \"size\" has no value");
  }
  SECTION("an undefined variable") {
    std::string text = server("web", "${var.nope}");
    expect_error(text, at(text, "\"${var.nope}\""), "undefined variable \"nope\"");
  }
  SECTION("a -var that does not parse as the declared type") {
    std::string text = decl + server("web", "web");
    VariableInputs in;
    in.vars = {"size=big"};
    expect_error(text, at(text, "[variables.size]"), "the value from -var size must be a number", in);
  }
  SECTION("a -var of an undeclared variable") {
    std::string text = server("web", "web");
    VariableInputs in;
    in.vars = {"zone=a"};
    CHECK(errors(text, in).find("-var: error: -var zone: variable \"zone\" is not declared") != std::string::npos);
    CHECK(errors(text, in).find("the manifests declare no variables") != std::string::npos);
    CHECK(errors(text, in).find("expected one of") == std::string::npos);
  }
  SECTION("a -var of an undeclared variable lists the declared ones") {
    std::string text = "[variables.region]\ndefault = \"x\"\n[variables.size]\ndefault = 1\n" + server("web", "web");
    VariableInputs in;
    in.vars = {"zone=a"};
    CHECK(errors(text, in).find("variable \"zone\" is not declared; declare it with [variables.zone] in the manifests; "
                                "expected one of: region, size") != std::string::npos);
  }
  SECTION("a default of the wrong type") {
    std::string text = "[variables.n]\ntype = \"number\"\ndefault = \"x\"\n" + server("web", "web");
    expect_error(text, at(text, "\"x\""), "\"default\" must be a number");
  }
  SECTION("an unknown type") {
    std::string text = "[variables.n]\ntype = \"integer\"\ndefault = 1\n" + server("web", "web");
    expect_error(text, at(text, "\"integer\""), "\"type\" must be one of");
  }
  SECTION("a typed value breaks the attribute's type") {
    std::string text = "[variables.n]\ntype = \"bool\"\ndefault = true\n" + server("web", "web", "count = \"${var.n}\"\n");
    expect_error(text, at(text, "\"${var.n}\""), "attribute \"count\" must be an integer");
  }
  SECTION("a list inside a longer string") {
    std::string text = "[variables.l]\ntype = \"list\"\ndefault = [\"a\"]\n" + server("web", "x${var.l}");
    expect_error(text, at(text, "\"x${var.l}\""), "cannot be part of a longer string");
  }
}

TEST_CASE("sensitive variable values never appear in diagnostics", "[variables]") {
  std::string text = "[variables.secret]\nsensitive = true\ntype = \"string\"\n" + server("web", "${var.secret}");
  VariableInputs in;
  in.vars = {"secret=has spaces/and-slash"};
  std::string all = errors(text, in);
  INFO(all);
  CHECK(all.find(at(text, "\"${var.secret}\"") + ": error: server.web: attribute \"name\" must be") != std::string::npos);
  CHECK(all.find("has spaces") == std::string::npos);
  CHECK(all.find("(sensitive value)") != std::string::npos);

  VariableInputs bad;
  bad.environment = {{"n", "hunter2"}};
  std::string typed = "[variables.n]\nsensitive = true\ntype = \"number\"\n" + server("web", "web");
  std::string msg = errors(typed, bad);
  CHECK(msg.find("hunter2") == std::string::npos);
  CHECK(msg.find("CPHFORM_VAR_n must be a number") != std::string::npos);

  // The digest changes with a sensitive value, but is not its plain hash.
  std::string ok = "[variables.s]\nsensitive = true\ndefault = \"a\"\n" + server("web", "web");
  VariableInputs b;
  b.vars = {"s=b"};
  CHECK(parse_manifest(ok, "main.toml").digest != parse_manifest(ok, "main.toml", b).digest);
}

TEST_CASE("interpolated resource attributes are kept and make dependencies", "[references]") {
  std::string text = server("game", "game", "count = 3\n") +
                     server("web", "web-${server.game[2].id}", "depends_on = [\"server.game\"]\n"
                                                               "lifecycle = { prevent_destroy = true, ignore_changes = [\"name\"], allow_data_loss = true }\n") +
                     "[output.ip]\nvalue = \"${server.game[0].public_ip}\"\ndescription = \"first\"\n";
  Manifest m = parse_manifest(text, "main.toml");
  const ResourceConfig* web = m.find("server.web");
  REQUIRE(web);
  CHECK(web->attributes["name"] == "web-${server.game[2].id}");  // the rule waits for the value
  CHECK(web->depends_on == std::vector<std::string>{"server.game"});
  CHECK(web->lifecycle.prevent_destroy);
  CHECK(web->lifecycle.allow_data_loss);
  CHECK_FALSE(web->lifecycle.create_before_destroy);
  CHECK(web->lifecycle.ignore_changes == std::vector<std::string>{"name"});
  CHECK(m.find("server.game")->depends_on.empty());
  REQUIRE(m.outputs.size() == 1);
  CHECK(m.outputs[0].expression == "${server.game[0].public_ip}");
  CHECK(m.outputs[0].description == "first");
  CHECK(m.outputs[0].pos.str() == at(text, "[output.ip]"));
}

TEST_CASE("reference errors", "[references]") {
  SECTION("no such block") {
    std::string text = server("web", "x-${server.nope.id}");
    expect_error(text, at(text, "\"x-${server.nope.id}\""), "but no block [server.nope] is declared");
  }
  SECTION("no such type") {
    std::string text = server("web", "x-${disk.a.id}");
    expect_error(text, at(text, "\"x-${disk.a.id}\""), "there is no resource type \"disk\"");
  }
  SECTION("index out of range") {
    std::string text = server("game", "game", "count = 2\n") + server("web", "x-${server.game[2].id}");
    expect_error(text, at(text, "\"x-${server.game[2].id}\""), "the index 2 is out of range: server.game has count = 2");
  }
  SECTION("index into a block without count") {
    std::string text = server("game", "game") + server("web", "x-${server.game[0].id}");
    expect_error(text, at(text, "\"x-${server.game[0].id}\""), "server.game has no count");
  }
  SECTION("no index into a counted block") {
    std::string text = server("game", "game", "count = 2\n") + server("web", "x-${server.game.id}");
    expect_error(text, at(text, "\"x-${server.game.id}\""), "pick one instance");
  }
  SECTION("an attribute the target does not have") {
    std::string text = server("game", "game") + server("web", "x-${server.game.ipv6}");
    expect_error(text, at(text, "\"x-${server.game.ipv6}\""), "\"server\" has no attribute \"ipv6\"");
  }
  SECTION("a malformed interpolation") {
    std::string text = server("web", "x-${server.game");
    expect_error(text, at(text, "\"x-${server.game\""), "unterminated \"${\"");
  }
  SECTION("an output referring to nothing") {
    std::string text = server("web", "web") + "[output.ip]\nvalue = \"${server.db.public_ip}\"\n";
    expect_error(text, at(text, "\"${server.db.public_ip}\""), "output.ip: \"value\" refers to server.db.public_ip");
  }
  SECTION("an output from a sensitive variable must be sensitive") {
    std::string text = "[variables.s]\nsensitive = true\ndefault = \"a\"\n" + server("web", "web") +
                       "[output.s]\nvalue = \"${var.s}\"\n";
    expect_error(text, at(text, "\"${var.s}\""), "set sensitive = true on the output");
  }
}

TEST_CASE("depends_on, lifecycle and cycles", "[references]") {
  SECTION("a cycle is named") {
    std::string text = server("a", "a", "depends_on = [\"server.b\"]\n") + server("b", "b-${server.a.id}");
    expect_error(text, at(text, "\"server.b\""), "dependency cycle: server.a -> server.b -> server.a");
  }
  SECTION("a block that depends on itself") {
    std::string text = server("a", "a", "depends_on = [\"server.a\"]\n");
    expect_error(text, at(text, "\"server.a\""), "dependency cycle: server.a -> server.a");
  }
  SECTION("depends_on names a missing block") {
    std::string text = server("a", "a", "depends_on = [\"server.zz\"]\n");
    expect_error(text, at(text, "\"server.zz\""), "no block [server.zz] is declared");
  }
  SECTION("depends_on elements must be addresses") {
    std::string text = server("a", "a", "depends_on = [\"web\"]\n");
    expect_error(text, at(text, "\"web\""), "must be a block address such as \"server.game\"");
  }
  SECTION("ignore_changes must name attributes of the type") {
    std::string text = server("a", "a", "lifecycle = { ignore_changes = [\"nmae\"] }\n");
    expect_error(text, at(text, "\"nmae\""), "must name attributes of \"server\"");
  }
  SECTION("lifecycle flags are booleans") {
    std::string text = server("a", "a", "lifecycle = { prevent_destroy = \"yes\" }\n");
    expect_error(text, at(text, "\"yes\""), "attribute \"lifecycle.prevent_destroy\" must be a boolean");
  }
  SECTION("unknown lifecycle keys") {
    std::string text = server("a", "a", "lifecycle = { prevent_destroyed = true }\n");
    expect_error(text, at(text, "prevent_destroyed"), "did you mean \"prevent_destroy\"");
  }
}

TEST_CASE("duplicate server instance names across blocks", "[cross-block]") {
  std::string text = server("a", "web", "count = 2\n") + server("b", "web-0002");
  std::string where = at(text, "\"web-0002\"");
  expect_error(text, where, "the server name \"web-0002\", which server.a[1] also has");
  CHECK_NOTHROW(parse_manifest(server("a", "web", "count = 2\n") + server("b", "web-0003"), "main.toml"));
}

// The fleet types (keypair, bandwidth, share_app) and their reference attributes.
TEST_CASE("block addresses in reference attributes", "[references][fleet]") {
  const std::string kp = "[keypair.adb]\nname = \"fleet-adb\"\n";
  std::string text = kp + server("game", "game", "count = 3\nkeypair = \"keypair.adb\"\n") +
                     "[share_app.app]\npackage_name = \"com.example.game\"\nbucket = \"apps\"\nobject = \"a/game.tar\"\n"
                     "servers = [\"server.game\", \"server.game[2]\"]\n";
  Manifest m = parse_manifest(text, "main.toml");
  CHECK(m.find("server.game")->attributes["keypair"] == "keypair.adb");
  CHECK(m.find("server.game")->depends_on == std::vector<std::string>{"keypair.adb"});
  CHECK(m.find("share_app.app")->depends_on == std::vector<std::string>{"server.game"});
  CHECK(m.find("share_app.app")->attributes["servers"] == Json{"server.game", "server.game[2]"});

  SECTION("a literal cloud name is kept") {
    Manifest lit = parse_manifest(server("game", "game", "keypair = \"existing-pair\"\n"), "main.toml");
    CHECK(lit.find("server.game")->attributes["keypair"] == "existing-pair");
    CHECK(lit.find("server.game")->depends_on.empty());
  }
  SECTION("a missing target") {
    std::string bad = server("game", "game", "keypair = \"keypair.nope\"\n");
    expect_error(bad, at(bad, "\"keypair.nope\""), "no block [keypair.nope] is declared");
  }
  SECTION("a target of the wrong type") {
    std::string bad = server("game", "game") + server("x", "x", "keypair = \"server.game\"\n");
    expect_error(bad, at(bad, "\"server.game\""), "must refer to a \"keypair\" block");
  }
  SECTION("an index out of range in a list") {
    std::string bad = server("game", "game", "count = 2\n") +
                      "[share_app.app]\npackage_name = \"com.example.game\"\nbucket = \"apps\"\nobject = \"a/game.tar\"\n"
                      "servers = [\"server.game[5]\"]\n";
    expect_error(bad, at(bad, "\"server.game[5]\""), "the index 5 is out of range");
  }
  SECTION("two blocks claiming one key pair") {
    std::string bad = kp + "[keypair.other]\nname = \"fleet-adb\"\n";
    std::string all = errors(bad);
    CHECK(all.find("keypair.other: attribute \"name\" names the same keypair as keypair.adb") != std::string::npos);
    CHECK(all.find("main.toml:4:8: error:") != std::string::npos);
  }
}

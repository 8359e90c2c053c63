// Tests of the manifest loader: a valid manifest, one table-driven case per
// kind of error (each checked for its file:line:column and its rule), error
// collection, and loading a directory of files.
//
// Rule texts come from resources/; where a message carries one, the expected
// text is computed from the schema rather than copied here.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "common/crypto.h"
#include "common/test_shared.h"
#include "manifest/manifest.h"
#include "manifest/validate.h"
#include "resources/schema.h"

namespace fs = std::filesystem;
using namespace cph::manifest;
using cph::resources::find_schema;

namespace {
using cph::testing::TempDir;

struct Line {
  std::string key, value;
};

// The server block of the manifest contract, one `key = value` per line.
std::vector<Line> server_lines() {
  return {
      {"name", "\"web\""},
      {"count", "2"},
      {"server_model", "\"physical.rx1.xlarge\""},
      {"phone_model", "\"rx1.cp.c105.d6.e5v5\""},
      {"image_id", "\"20060220200717f201120a2300000e91\""},
      {"vpc_id", "\"fca063f6-b942-42a8-9004-e5545f58d6a2\""},
      {"subnet_id", "\"f1cbfc37-eb42-4357-a0ec-9e4f11950908\""},
      {"availability_zone", "\"cn-east-3a\""},
      {"keypair", "\"fleet-adb\""},
      {"bandwidth", "{ share_type = \"dedicated\", charge_mode = \"traffic\", size = 300 }"},
      {"eip_type", "\"5_bgp\""},
      {"period", "{ unit = \"month\", length = 1, auto_renew = false }"},
      {"ports", "[ { name = \"game\", listen_port = 20000, internet_accessible = true } ]"},
  };
}

std::vector<Line> with(std::vector<Line> lines, const std::string& key, const std::string& value) {
  for (Line& l : lines)
    if (l.key == key) {
      l.value = value;
      return lines;
    }
  lines.push_back({key, value});
  return lines;
}

std::vector<Line> without(std::vector<Line> lines, const std::string& key) {
  lines.erase(std::remove_if(lines.begin(), lines.end(), [&](const Line& l) { return l.key == key; }), lines.end());
  return lines;
}

std::string block(const std::string& header, const std::vector<Line>& lines) {
  std::string out = header + "\n";
  for (const Line& l : lines) out += l.key + " = " + l.value + "\n";
  return out;
}

// 1-based line and column of the first occurrence of `needle` in `text`.
std::pair<int, int> locate(const std::string& text, const std::string& needle) {
  size_t at = text.find(needle);
  REQUIRE(at != std::string::npos);
  int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
  size_t line_start = text.rfind('\n', at);
  int column = static_cast<int>(at - (line_start == std::string::npos ? 0 : line_start + 1)) + 1;
  return {line, column};
}

std::vector<Diagnostic> errors_of(const std::string& text, const std::string& file = "main.toml") {
  try {
    parse_manifest(text, file);
  } catch (const ManifestError& e) {
    return e.diagnostics;
  }
  FAIL("manifest was accepted:\n" << text);
  return {};
}

// The text the schema's first failing rule gives for `value` at `path`.
std::string rule_text(const std::string& path, const Json& value) {
  const cph::resources::ResourceSchema* s = find_schema("server");
  REQUIRE(s);
  const cph::resources::Attribute* a = nullptr;
  const std::vector<cph::resources::Attribute>* fields = &s->attributes;
  size_t start = 0;
  while (start <= path.size()) {
    size_t dot = path.find('.', start);
    std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (size_t bracket = part.find('['); bracket != std::string::npos) part = part.substr(0, bracket);
    auto it = std::find_if(fields->begin(), fields->end(), [&](const auto& f) { return f.name == part; });
    REQUIRE(it != fields->end());
    a = &*it;
    fields = &a->fields;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  for (const auto& rule : a->rules)
    if (auto broken = rule(value)) return *broken;
  FAIL("no rule of " << path << " rejects " << value.dump());
  return {};
}

}  // namespace

TEST_CASE("a valid manifest yields typed attributes, defaults and positions", "[manifest]") {
  std::string text = "[provider]\nendpoint = \"https://cph.cn-east-3.myhuaweicloud.com\"\nregion = \"cn-east-3\"\n"
                     "project_id = \"0123456789abcdef0123456789abcdef\"\n\n" +
                     block("[server.web]", server_lines()) + "\n" +
                     block("[server.db]", without(without(without(server_lines(), "count"), "period"), "eip_type"));
  Manifest m = parse_manifest(text, "main.toml");

  CHECK(m.provider.endpoint == "https://cph.cn-east-3.myhuaweicloud.com");
  CHECK(m.provider.region == "cn-east-3");
  CHECK(m.provider.project_id == "0123456789abcdef0123456789abcdef");
  CHECK(m.provider.pos.str() == "main.toml:1:1");
  CHECK(m.files == std::vector<std::string>{"main.toml"});
  CHECK(m.digest.size() == 64);

  REQUIRE(m.resources.size() == 2);
  CHECK(m.resources[0].address() == "server.db");  // sorted by address
  const ResourceConfig* web = m.find("server.web");
  REQUIRE(web);
  CHECK(web->type == "server");
  CHECK(web->name == "web");
  CHECK(web->count == 2);
  CHECK(web->attributes.at("name") == "web");
  CHECK(web->attributes.at("image_id") == "20060220200717f201120a2300000e91");
  CHECK(web->attributes.at("bandwidth") == Json{{"share_type", "dedicated"}, {"charge_mode", "traffic"}, {"size", 300}});
  CHECK(web->attributes.at("period") == Json{{"unit", "month"}, {"length", 1}, {"auto_renew", false}});
  CHECK(web->attributes.at("ports") ==
        Json::array({{{"name", "game"}, {"listen_port", 20000}, {"internet_accessible", true}}}));
  CHECK_FALSE(web->attributes.contains("count"));  // a meta-argument, not an attribute

  auto [header_line, header_col] = locate(text, "[server.web]");
  CHECK(web->pos.line == header_line);
  CHECK(web->pos.column == header_col);
  auto [count_line, count_col] = locate(text, "count = 2");
  CHECK(web->pos_of("count").line == count_line);
  CHECK(web->pos_of("count").column == count_col + 8);  // the value
  std::string ports_line = block("", {server_lines().back()}).substr(1);
  auto [pl, pc] = locate(text, ports_line);
  CHECK(web->pos_of("ports[0].listen_port").line == pl);
  CHECK(web->pos_of("ports[0].listen_port").column == pc + static_cast<int>(ports_line.find("20000")));
  auto [size_line, size_col] = locate(text, "size = 300");
  CHECK(web->pos_of("bandwidth.size").str() ==
        "main.toml:" + std::to_string(size_line) + ":" + std::to_string(size_col + 7));

  // server.db leaves count, period and eip_type out: no count, schema defaults.
  const ResourceConfig* db = m.find("server.db");
  REQUIRE(db);
  CHECK_FALSE(db->count);
  const auto* schema = find_schema("server");
  CHECK(db->attributes.at("period") == schema->find("period")->default_value);
  CHECK(db->attributes.at("eip_type") == schema->find("eip_type")->default_value);
  // An attribute that was not written falls back to the block header.
  CHECK(db->pos_of("period.unit").str() == db->pos.str());
  CHECK_FALSE(m.find("server.nope"));
}

TEST_CASE("defaults apply inside nested tables and array elements", "[manifest]") {
  std::string text = block("[server.web]", with(with(server_lines(), "period", "{ unit = \"year\" }"), "ports",
                                                "[ { name = \"game\", listen_port = 20000 } ]"));
  Manifest m = parse_manifest(text, "main.toml");
  const auto* schema = find_schema("server");
  const auto& period_fields = schema->find("period")->fields;
  const auto& port_fields = schema->find("ports")->fields;
  auto field_default = [](const auto& fields, const std::string& name) {
    for (const auto& f : fields)
      if (f.name == name) return f.default_value;
    return Json();
  };
  const Json& a = m.resources.at(0).attributes;
  CHECK(a.at("period").at("unit") == "year");
  CHECK(a.at("period").at("length") == field_default(period_fields, "length"));
  CHECK(a.at("period").at("auto_renew") == field_default(period_fields, "auto_renew"));
  CHECK(a.at("ports").at(0).at("internet_accessible") == field_default(port_fields, "internet_accessible"));
}

TEST_CASE("an empty manifest and the default provider", "[manifest]") {
  Manifest m = parse_manifest("# nothing yet\n", "empty.toml");
  CHECK(m.resources.empty());
  CHECK(m.provider.endpoint.empty());  // the region's endpoint, never the emulator implicitly
  CHECK_FALSE(m.provider.region);
  CHECK_FALSE(m.provider.project_id);
}

TEST_CASE("each kind of manifest error names file:line:column and the rule", "[manifest][errors]") {
  const std::vector<Line> ok = server_lines();
  struct Case {
    std::string what;
    std::string text;
    std::string at;         // the error is where this text starts...
    int offset;             // ...plus this many columns
    std::vector<std::string> says;  // substrings of the message
  };
  const std::string header = "[server.web]";
  std::vector<Case> cases = {
      {"unknown attribute", block(header, with(ok, "nmae", "\"x\"")), "nmae", 0,
       {"server.web: unknown attribute \"nmae\"", "did you mean \"name\""}},
      {"wrong type", block(header, with(ok, "image_id", "42")), "image_id = 42", 11,
       {"attribute \"image_id\" must be a string", "got integer 42", "quotes"}},
      {"count -1", block(header, with(ok, "count", "-1")), "count = -1", 8,
       {"server.web: attribute \"count\" must be at least 0 (got -1)"}},
      {"count too large", block(header, with(ok, "count", "20000")), "count = 20000", 8,
       {"attribute \"count\" must be at most 10000 (got 20000)"}},
      {"count a string", block(header, with(ok, "count", "\"2\"")), "count = \"2\"", 8,
       {"attribute \"count\" must be an integer", "got string \"2\"", "without quotes"}},
      {"count a float", block(header, with(ok, "count", "1.5")), "count = 1.5", 8,
       {"attribute \"count\" must be an integer", "got float 1.5"}},
      {"name with /", block(header, with(ok, "name", "\"web/1\"")), "name = \"web/1\"", 7,
       {"attribute \"name\" " + rule_text("name", "web/1"), "(got \"web/1\")"}},
      {"missing required attribute", block(header, without(ok, "image_id")), header, 0,
       {"attribute \"image_id\" is required", "add image_id = ..."}},
      {"unknown block type", block("[servers.web]", ok), "servers", 0,
       {"unknown block type \"servers\"", "did you mean \"server\"", "provider", "server"}},
      {"unknown top-level key", "colour = \"blue\"\n" + block(header, ok), "colour", 0,
       {"unknown block type \"colour\""}},
      {"bad label", block("[server.\"web/1\"]", ok), "\"web/1\"", 0,
       {"block label \"web/1\"", "^[A-Za-z_][A-Za-z0-9_-]*$"}},
      {"label starting with a digit", block("[server.1web]", ok), "1web", 0, {"block label \"1web\""}},
      {"array of tables", "[[server]]\nname = \"x\"\n", "[[server]]", 0, {"[server.LABEL]"}},
      {"block without a label", "[server]\nname = \"x\"\n", "\"x\"", 0,
       {"server.name: expected a resource block [server.name]", "labelled block"}},
      {"unknown provider key", "[provider]\nendpiont = \"emulator\"\n", "endpiont", 0,
       {"provider: unknown attribute \"endpiont\"", "did you mean \"endpoint\""}},
      {"bad endpoint URL", "[provider]\nendpoint = \"ftp://example.com\"\n", "\"ftp", 0,
       {"attribute \"endpoint\" must be \"emulator\" or an http:// or https:// URL", "(got \"ftp://example.com\")"}},
      {"unknown way to pay orders", "[provider]\npay_orders = \"later\"\n", "\"later", 0,
       {"attribute \"pay_orders\" must be \"auto\"", "\"bss\"", "\"manual\"", "(got \"later\")"}},
      {"unknown timeout", "[provider]\ntimeouts = { connect = \"5s\", raed = \"5s\" }\n", "raed", 0,
       {"provider: unknown timeout \"raed\"", "did you mean \"read\""}},
      {"timeout without a unit", "[provider]\ntimeouts = { read = \"30\" }\n", "\"30\"", 0,
       {"provider: timeouts.read must be a duration such as \"30s\"", "from 100ms to 60m", "(got \"30\")"}},
      {"timeout as a number", "[provider]\ntimeouts = { request = 60 }\n", "60 }", 0,
       {"provider: timeouts.request must be a duration", "(got 60)"}},
      {"unknown service endpoint", "[provider]\nendpoints = { cph = \"https://a.example\", bsss = \"https://b\" }\n",
       "bsss", 0, {"provider: unknown service \"bsss\" in endpoints (cph, iam, kps or bss)", "did you mean \"bss\""}},
      {"service endpoint not a URL", "[provider]\nendpoints = { kps = \"kps.example.com\" }\n", "\"kps.example", 0,
       {"provider: endpoints.kps must be an http:// or https:// URL", "(got \"kps.example.com\")"}},
      {"service endpoint emulator", "[provider]\nendpoints = { iam = \"emulator\" }\n", "\"emulator", 0,
       {"provider: endpoints.iam must be an http:// or https:// URL"}},
      {"endpoints not a table", "[provider]\nendpoints = \"https://x\"\n", "\"https://x", 0,
       {"provider: attribute \"endpoints\" must be a table"}},
      {"timeouts not a table", "[provider]\ntimeouts = \"10s\"\n", "\"10s\"", 0,
       {"attribute \"timeouts\" must be a table such as { connect = \"10s\""}},
      {"nested wrong type",
       block(header, with(ok, "bandwidth", "{ share_type = \"dedicated\", charge_mode = \"traffic\", size = \"300\" }")),
       "\"300\"", 0, {"attribute \"bandwidth.size\" must be an integer", "without quotes"}},
      {"nested unknown key",
       block(header, with(ok, "bandwidth", "{ share_type = \"dedicated\", charge_mode = \"traffic\", sise = 300 }")),
       "sise", 0, {"unknown attribute \"bandwidth.sise\"", "did you mean \"size\""}},
      {"nested missing required", block(header, with(ok, "bandwidth", "{ share_type = \"dedicated\", size = 300 }")),
       "{ share_type", 0, {"attribute \"bandwidth.charge_mode\" is required"}},
      {"rule inside an array element",
       block(header, with(ok, "ports", "[ { name = \"game\", listen_port = 5 } ]")), "5 }", 0,
       {"attribute \"ports[0].listen_port\" " + rule_text("ports.listen_port", 5), "(got 5)"}},
      {"boolean written as a string",
       block(header, with(ok, "ports", "[ { name = \"g\", listen_port = 20000, internet_accessible = \"true\" } ]")),
       "\"true\"", 0, {"\"ports[0].internet_accessible\" must be a boolean", "write true without quotes"}},
      {"computed attribute set", block(header, with(ok, "id", "\"abc\"")), "id = \"abc\"", 0,
       {"attribute \"id\" is computed by the cloud", "remove it"}},
      {"invalid TOML", block(header, with(ok, "name", "\"web")), "name = \"web", -1, {"invalid TOML"}},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.what) {
      std::vector<Diagnostic> d = errors_of(c.text);
      INFO(c.text);
      REQUIRE(d.size() == 1);
      INFO(d[0].str());
      auto [line, column] = locate(c.text, c.at);
      CHECK(d[0].pos.file == "main.toml");
      CHECK(d[0].pos.line == line);
      if (c.offset >= 0) CHECK(d[0].pos.column == column + c.offset);
      else CHECK(d[0].pos.column > 0);  // toml++ decides where in the line
      for (const std::string& s : c.says) CHECK_THAT(d[0].message, Catch::Contains(s));
      CHECK_THAT(d[0].str(), Catch::StartsWith("main.toml:" + std::to_string(line) + ":"));
    }
  }
}

TEST_CASE("cross-attribute rules of the schema are reported at the attribute", "[manifest][errors]") {
  std::string text = block("[server.web]", with(server_lines(), "period", "{ unit = \"month\", length = 10 }"));
  const auto* schema = find_schema("server");
  REQUIRE(schema->check_block);
  Json attrs = {{"period", {{"unit", "month"}, {"length", 10}, {"auto_renew", false}}}};
  std::string expected;
  for (const auto& p : schema->check_block(attrs, std::nullopt))
    if (p.path == "period.length") expected = p.message;
  REQUIRE_FALSE(expected.empty());

  std::vector<Diagnostic> d = errors_of(text);
  REQUIRE(d.size() == 1);
  auto [line, column] = locate(text, "10 }");
  CHECK(d[0].pos.line == line);
  CHECK(d[0].pos.column == column);
  CHECK_THAT(d[0].message, Catch::Contains("attribute \"period.length\" " + expected) && Catch::Contains("(got 10)"));
}

TEST_CASE("all errors of a load are collected, in file order", "[manifest][errors]") {
  std::string text = "[provider]\nendpoint = \"gopher://x\"\n\n" +
                     block("[server.web]", with(with(without(server_lines(), "vpc_id"), "count", "-1"), "colour",
                                                "\"red\"")) +
                     block("[server.db]", with(server_lines(), "image_id", "7"));
  try {
    parse_manifest(text, "fleet.toml");
    FAIL("accepted");
  } catch (const ManifestError& e) {
    REQUIRE(e.diagnostics.size() == 5);
    std::vector<int> lines;
    for (const Diagnostic& d : e.diagnostics) lines.push_back(d.pos.line);
    CHECK(std::is_sorted(lines.begin(), lines.end()));
    CHECK(lines[0] == 2);                                                     // endpoint
    CHECK(lines[1] == locate(text, "[server.web]").first);                    // missing vpc_id, at the header
    CHECK(lines[2] == locate(text, "count = -1").first);
    CHECK(lines[3] == locate(text, "colour").first);
    CHECK(lines[4] == locate(text, "image_id = 7").first);
    std::string what = e.what();
    CHECK(std::count(what.begin(), what.end(), '\n') == 4);  // one line each
    for (const Diagnostic& d : e.diagnostics) CHECK_THAT(what, Catch::Contains(d.str()));
  }
}

TEST_CASE("endpoint values", "[manifest]") {
  for (const char* good : {"emulator", "https://cph.cn-east-3.myhuaweicloud.com", "http://127.0.0.1:8080",
                           "http://[::1]:9000/base", "https://host/path/"}) {
    INFO(good);
    CHECK(parse_manifest(std::string("[provider]\nendpoint = \"") + good + "\"\n", "p.toml").provider.endpoint == good);
  }
  for (const char* bad : {"", "Emulator", "ftp://x", "http://", "https://host:0", "https://host:99999",
                          "http://ho st", "https://:80", "http://[::1"}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_manifest(std::string("[provider]\nendpoint = \"") + bad + "\"\n", "p.toml"), ManifestError);
  }
}

TEST_CASE("provider endpoints per service", "[manifest]") {
  const Manifest m = parse_manifest(
      "[provider]\nregion = \"ap-southeast-1\"\nendpoints = { bss = \"https://bss-intl.myhuaweicloud.com\", "
      "kps = \"http://127.0.0.1:8080/kps\" }\n",
      "p.toml");
  CHECK(m.provider.endpoints == std::map<std::string, std::string>{{"bss", "https://bss-intl.myhuaweicloud.com"},
                                                                   {"kps", "http://127.0.0.1:8080/kps"}});
  CHECK(parse_manifest("[provider]\nregion = \"cn-east-3\"\n", "p.toml").provider.endpoints.empty());
}

TEST_CASE("provider timeouts", "[manifest]") {
  const Manifest m = parse_manifest(
      "[provider]\ntimeouts = { connect = \"500ms\", tls = \"10s\", read = \"2m\", request = \"60m\" }\n", "p.toml");
  CHECK(m.provider.timeouts.connect == std::chrono::milliseconds(500));
  CHECK(m.provider.timeouts.tls == std::chrono::seconds(10));
  CHECK(m.provider.timeouts.read == std::chrono::minutes(2));
  CHECK(m.provider.timeouts.request == std::chrono::minutes(60));
  const Manifest partial = parse_manifest("[provider]\ntimeouts = { read = \"5s\" }\n", "p.toml");
  CHECK_FALSE(partial.provider.timeouts.connect);  // unset: the transport's default
  CHECK(partial.provider.timeouts.read == std::chrono::seconds(5));
  for (const char* bad : {"99ms", "61m", "0s", "-1s", "1h", "1.5s", "s", "99999999s"}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_manifest(std::string("[provider]\ntimeouts = { read = \"") + bad + "\" }\n", "p.toml"),
                    ManifestError);
  }
}

TEST_CASE("did-you-mean suggestions", "[manifest]") {
  using cph::manifest::detail::closest;
  CHECK(closest("nmae", {"name", "count"}) == "name");
  CHECK(closest("IMAGE_ID", {"image_id"}) == "image_id");
  CHECK(closest("server_modle", {"server_model", "phone_model"}) == "server_model");
  CHECK_FALSE(closest("colour", {"name", "count"}));
  CHECK_FALSE(closest("x", {"id"}));  // a one-letter typo is not a hint
}

TEST_CASE("load_manifest_dir merges the *.toml files of a directory", "[manifest][dir]") {
  TempDir tmp;
  std::string web = block("[server.web]", server_lines());
  std::string db = block("[server.db]", without(server_lines(), "count"));
  tmp.write("b.toml", db);
  tmp.write("a.toml", "[provider]\nregion = \"cn-east-3\"\n\n" + web);
  tmp.write("notes.md", "not a manifest = [");
  tmp.write("sub/c.toml", "this is not read");

  Manifest m = load_manifest_dir(tmp.dir);
  CHECK(m.files == std::vector<std::string>{(tmp.dir / "a.toml").string(), (tmp.dir / "b.toml").string()});
  REQUIRE(m.resources.size() == 2);
  CHECK(m.resources[0].address() == "server.db");
  CHECK(m.resources[0].pos.file == (tmp.dir / "b.toml").string());
  CHECK(m.resources[1].pos.file == (tmp.dir / "a.toml").string());
  CHECK(m.provider.region == "cn-east-3");

  // The digest covers what the manifests mean, and nothing else in the directory.
  std::string digest = m.digest;
  tmp.write("notes.md", "changed");
  CHECK(load_manifest_dir(tmp.dir).digest == digest);
  tmp.write("b.toml", "# a comment\n" + db + "\n\n");  // comments and blank lines mean nothing
  CHECK(load_manifest_dir(tmp.dir).digest == digest);
  tmp.write("b.toml", block("[server.db]", with(without(server_lines(), "count"), "name", "\"db2\"")));
  CHECK(load_manifest_dir(tmp.dir).digest != digest);
  tmp.write("b.toml", db);
  TempDir other;
  other.write("a.toml", "[provider]\nregion = \"cn-east-3\"\n\n" + web);
  other.write("b.toml", db);
  CHECK(load_manifest_dir(other.dir).digest == digest);  // independent of where the directory is
}

TEST_CASE("load_manifest_dir reports duplicates across files with both positions", "[manifest][dir]") {
  TempDir tmp;
  tmp.write("a.toml", "[provider]\n\n" + block("[server.web]", server_lines()));
  tmp.write("b.toml", "# second\n" + block("[server.web]", server_lines()) + "[provider]\nregion = \"cn-east-3\"\n");
  try {
    load_manifest_dir(tmp.dir);
    FAIL("accepted");
  } catch (const ManifestError& e) {
    REQUIRE(e.diagnostics.size() == 2);
    std::string a = (tmp.dir / "a.toml").string(), b = (tmp.dir / "b.toml").string();
    CHECK(e.diagnostics[0].pos.str() == b + ":2:1");
    CHECK_THAT(e.diagnostics[0].message, Catch::Contains("server.web: duplicate resource block") &&
                                             Catch::Contains("also defined at " + a + ":3:1"));
    int provider_line = 2 + static_cast<int>(server_lines().size()) + 1;
    CHECK(e.diagnostics[1].pos.str() == b + ":" + std::to_string(provider_line) + ":1");
    CHECK_THAT(e.diagnostics[1].message, Catch::Contains("also defined at " + a + ":1:1"));
  }
}

TEST_CASE("load_manifest_dir errors name the directory or the file", "[manifest][dir]") {
  TempDir tmp;
  CHECK_THROWS_WITH(load_manifest_dir(tmp.dir), Catch::Contains(tmp.dir.string()) && Catch::Contains("no *.toml"));
  CHECK_THROWS_WITH(load_manifest_dir(tmp.dir / "missing"), Catch::Contains("does not exist"));

  // A syntax error in one file does not hide the errors of another.
  tmp.write("a.toml", "[server.web\n");
  tmp.write("b.toml", block("[server.db]", with(server_lines(), "count", "-1")));
  try {
    load_manifest_dir(tmp.dir);
    FAIL("accepted");
  } catch (const ManifestError& e) {
    REQUIRE(e.diagnostics.size() == 2);
    CHECK(e.diagnostics[0].pos.file == (tmp.dir / "a.toml").string());
    CHECK(e.diagnostics[0].pos.line == 1);
    CHECK_THAT(e.diagnostics[0].message, Catch::StartsWith("invalid TOML"));
    CHECK(e.diagnostics[1].pos.file == (tmp.dir / "b.toml").string());
    CHECK_THAT(e.diagnostics[1].message, Catch::Contains("must be at least 0"));
  }
}

TEST_CASE("positions and diagnostics render as file:line:column", "[manifest]") {
  CHECK(SourcePos{"m.toml", 7, 15}.str() == "m.toml:7:15");
  CHECK(SourcePos{"m.toml", 7, 0}.str() == "m.toml:7");
  CHECK(SourcePos{"dir", 0, 0}.str() == "dir");
  CHECK(Diagnostic{{"m.toml", 7, 15}, "server.web: attribute \"count\" must be at least 1 (got 0)"}.str() ==
        "m.toml:7:15: error: server.web: attribute \"count\" must be at least 1 (got 0)");
  ManifestError e({Diagnostic{{"a", 1, 1}, "x"}, Diagnostic{{"b", 2, 2}, "y"}});
  CHECK(std::string(e.what()) == "a:1:1: error: x\nb:2:2: error: y");
}

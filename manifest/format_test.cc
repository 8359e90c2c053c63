// Tests of `cphform fmt`'s formatter: the canonical layout of each construct,
// comment preservation, idempotence, and the refusal of text it cannot read.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "manifest/format.h"

using namespace cph::manifest;

namespace {

std::string fmt(const std::string& text) {
  FormatResult r = format_manifest(text, "t.toml");
  if (!r.diagnostics.empty()) FAIL(r.diagnostics.front().str());
  return r.text;
}

}  // namespace

TEST_CASE("fmt aligns = in runs of key/value lines, runs end at blank and comment lines") {
  std::string in =
      "[server.web]\n"
      "  name = \"web\"\n"
      "count=2\n"
      "server_model    =   \"m\"\n"
      "\n"
      "\n"
      "a = 1\n"
      "# about bb\n"
      "bb = 2\n";
  std::string want =
      "[server.web]\n"
      "name         = \"web\"\n"
      "count        = 2\n"
      "server_model = \"m\"\n"
      "\n"
      "a = 1\n"
      "# about bb\n"
      "bb = 2\n";
  CHECK(fmt(in) == want);
}

TEST_CASE("fmt puts one blank line before headers and their comments, none at the start") {
  std::string in =
      "\n\n[provider]\nendpoint = \"emulator\"\n# servers\n[server.a]\nname = \"a\"\n\n\n\n[server.b]   \nname = \"b\"";
  std::string want =
      "[provider]\nendpoint = \"emulator\"\n\n# servers\n[server.a]\nname = \"a\"\n\n[server.b]\nname = \"b\"\n";
  CHECK(fmt(in) == want);
}

TEST_CASE("fmt normalises headers, dotted keys, trailing whitespace and line ends") {
  CHECK(fmt("[ server . web ]  \r\nperiod . unit = \"month\"\t \r\n\r\n\r\n") ==
        "[server.web]\nperiod.unit = \"month\"\n");
  CHECK(fmt("[[ rule ]]\nx = 1\n") == "[[rule]]\nx = 1\n");
  CHECK(fmt("\"quoted key\" = 1\nb = 2\n") == "\"quoted key\" = 1\nb            = 2\n");
}

TEST_CASE("fmt keeps comments and aligns trailing comments of a run") {
  std::string in =
      "# head comment   \n"
      "\n"
      "[provider]   # the provider\n"
      "endpoint = \"emulator\"   # in-process\n"
      "region = \"cn-east-3\"#  region\n"
      "  # standalone, indented\n"
      "x = 1 # one\n";
  std::string want =
      "# head comment\n"
      "\n"
      "[provider] # the provider\n"
      "endpoint = \"emulator\"  # in-process\n"
      "region   = \"cn-east-3\" #  region\n"
      "# standalone, indented\n"
      "x = 1 # one\n";
  CHECK(fmt(in) == want);
}

TEST_CASE("fmt writes inline tables with single spaces and one-line arrays compactly") {
  CHECK(fmt("b = {share_type=\"dedicated\",size=300}\n") == "b = { share_type = \"dedicated\", size = 300 }\n");
  CHECK(fmt("e = {  }\n") == "e = {}\n");
  CHECK(fmt("p = [ { name = \"game\" , listen_port = 20000 } ]\n") == "p = [{ name = \"game\", listen_port = 20000 }]\n");
  CHECK(fmt("a = [1,2,   3]\nb = [ ]\nc = [[1,2],[\"x\"]]\n") == "a = [1, 2, 3]\nb = []\nc = [[1, 2], [\"x\"]]\n");
}

TEST_CASE("fmt keeps multi-line arrays, one line per source line, with comments") {
  std::string in =
      "ports = [  # the ports\n"
      "{ name = \"a\", listen_port = 20000 },\n"
      "      # second one\n"
      "   { name = \"b\", listen_port = 20001 }   # b\n"
      "]\n"
      "nums = [1, 2,\n"
      "  3]\n"
      "nested = [\n"
      "[1,\n"
      "2],\n"
      "# end\n"
      "]\n";
  std::string want =
      "ports = [\n"
      "  # the ports\n"
      "  { name = \"a\", listen_port = 20000 },\n"
      "  # second one\n"
      "  { name = \"b\", listen_port = 20001 }, # b\n"
      "]\n"
      "nums = [\n"
      "  1, 2,\n"
      "  3,\n"
      "]\n"
      "nested = [\n"
      "  [\n"
      "    1,\n"
      "    2,\n"
      "  ],\n"
      "  # end\n"
      "]\n";
  CHECK(fmt(in) == want);
}

TEST_CASE("fmt ends a run after a multi-line value") {
  std::string in = "a = 1\nports = [\n1,\n]\nlonger_key = 2\nb = 3\n";
  std::string want = "a     = 1\nports = [\n  1,\n]\nlonger_key = 2\nb          = 3\n";
  CHECK(fmt(in) == want);
}

TEST_CASE("fmt leaves the text of strings, numbers and dates alone") {
  std::string in =
      "a = \"x = 1 # not a comment {\"\n"
      "b = 'c:\\path{ = #'\n"
      "c = \"\"\"\n"
      "line = one   \n"
      "  # not a comment ]\"\"\"\"\n"
      "d = '''{ raw ''' # real comment\n"
      "e = 1979-05-27 07:32:00Z\n"
      "f = [ \"a,b\" , 'c]' , 1_000 , +1.5e3 , inf ]\n"
      "g = { s = \"}\", t = \"\\\"{\" }\n";
  std::string want =
      "a = \"x = 1 # not a comment {\"\n"
      "b = 'c:\\path{ = #'\n"
      "c = \"\"\"\n"
      "line = one   \n"
      "  # not a comment ]\"\"\"\"\n"
      "d = '''{ raw ''' # real comment\n"
      "e = 1979-05-27 07:32:00Z\n"
      "f = [\"a,b\", 'c]', 1_000, +1.5e3, inf]\n"
      "g = { s = \"}\", t = \"\\\"{\" }\n";
  CHECK(fmt(in) == want);
}

TEST_CASE("fmt is idempotent") {
  std::vector<std::string> inputs = {
      "# c\n[provider]\nendpoint=\"emulator\" # e\n  region = \"r\"\n[server.a]\nname = \"a\"\n",
      "x = [\n1, # one\n  2,3\n# tail\n]\ny = { a = [1,\n2] }\n",
      "a.b . c = 1\n\n\n# x\n\n[t]\n'k' = \"v\"\nlong_key = {x=1}\n",
      "",
      "# only a comment",
  };
  for (const std::string& in : inputs) {
    std::string once = fmt(in);
    CHECK(fmt(once) == once);
  }
}

TEST_CASE("fmt output has no trailing whitespace and one final newline") {
  std::string out = fmt("a = 1   \n\n\n[t]\t\nb = [\n1 ,  \n]   \n\n\n");
  CHECK(out == "a = 1\n\n[t]\nb = [\n  1,\n]\n");
  CHECK(out.find(" \n") == std::string::npos);
  CHECK(fmt("") == "");
}

TEST_CASE("fmt reports syntax errors with their position and returns no text") {
  FormatResult r = format_manifest("[server.a]\nname = \"a\nx = 1\n", "bad.toml");
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.text.empty());
  CHECK(r.diagnostics[0].str().rfind("bad.toml:2:", 0) == 0);
  CHECK(r.diagnostics[0].str().find(": error: ") != std::string::npos);
  CHECK_THROWS_AS(format_toml("a = \n"), FormatError);
}

TEST_CASE("the example manifests are in the canonical layout") {
  const char* source = std::getenv("CPHFORM_SOURCE_DIR");
  REQUIRE(source != nullptr);
  namespace fs = std::filesystem;
  int checked = 0;
  for (const char* dir : {"examples/quickstart", "examples/ci"}) {
    for (const auto& entry : fs::directory_iterator(fs::path(source) / dir)) {
      if (entry.path().extension() != ".toml") continue;
      std::ifstream f(entry.path(), std::ios::binary);
      std::stringstream text;
      text << f.rdbuf();
      INFO(entry.path().string());
      CHECK(fmt(text.str()) == text.str());
      ++checked;
    }
  }
  CHECK(checked >= 2);
}

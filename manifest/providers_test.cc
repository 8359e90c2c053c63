// Named providers (issue 13): [provider.NAME] tables, several of one type,
// and which one each resource block uses; every error located at
// file:line:column.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "manifest/manifest.h"

using namespace cph::manifest;

namespace {

// A valid server block with `extra` lines inside it.
std::string server(const std::string& label, const std::string& extra = "") {
  return "[server." + label + "]\n" + extra +
         "name = \"" + label + "\"\n"
         "server_model = \"physical.rx1.xlarge\"\n"
         "phone_model = \"rx1.cp.c105.d6.e5v5\"\n"
         "image_id = \"20060220200717f201120a2300000e91\"\n"
         "vpc_id = \"fca063f6-b942-42a8-9004-e5545f58d6a2\"\n"
         "subnet_id = \"f1cbfc37-eb42-4357-a0ec-9e4f11950908\"\n"
         "availability_zone = \"cn-east-3a\"\n"
         "bandwidth = { share_type = \"dedicated\", charge_mode = \"traffic\", size = 300 }\n"
         "eip_type = \"5_bgp\"\n"
         "period = { unit = \"month\", length = 1, auto_renew = false }\n";
}

const std::string kTwo =
    "[provider.east]\ntype = \"cph\"\nregion = \"cn-east-3\"\nproject_id = \"p-east\"\nendpoint = \"http://127.0.0.1:1\"\n"
    "[provider.south]\ntype = \"cph\"\nregion = \"cn-south-1\"\nproject_id = \"p-south\"\n";

// The single error of `text`, at the first occurrence of `at` (line and column).
Diagnostic the_error(const std::string& text, const std::string& at) {
  std::vector<Diagnostic> d;
  try {
    parse_manifest(text, "main.toml");
  } catch (const ManifestError& e) {
    d = e.diagnostics;
  }
  INFO(text);
  REQUIRE(d.size() == 1);
  size_t offset = text.find(at);
  REQUIRE(offset != std::string::npos);
  int line = 1, column = 1;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') line++, column = 1;
    else column++;
  }
  INFO(d[0].str());
  CHECK(d[0].pos.file == "main.toml");
  CHECK(d[0].pos.line == line);
  CHECK(d[0].pos.column == column);
  return d[0];
}

}  // namespace

TEST_CASE("providers: the single [provider] form is the provider named after its type", "[manifest][providers]") {
  Manifest m = parse_manifest("[provider]\nregion = \"cn-east-3\"\n" + server("web"), "main.toml");
  REQUIRE(m.providers.size() == 1);
  CHECK(m.providers[0].name == "cph");
  CHECK(m.providers[0].type == "cph");
  CHECK(m.providers[0].region == "cn-east-3");
  CHECK(m.provider.name == "cph");
  CHECK(m.resources.at(0).provider == "cph");
  // No [provider] at all: the implicit one, every setting at its default.
  Manifest none = parse_manifest(server("web"), "main.toml");
  REQUIRE(none.providers.size() == 1);
  CHECK(none.providers[0].name == "cph");
  CHECK(none.resources.at(0).provider == "cph");
  // [provider.cph] without type: the name is the type.
  Manifest named = parse_manifest("[provider.cph]\nregion = \"cn-east-3\"\n" + server("web"), "main.toml");
  CHECK(named.providers.at(0).type == "cph");
  CHECK(named.resources.at(0).provider == "cph");
}

TEST_CASE("providers: several of one type, chosen per block", "[manifest][providers]") {
  Manifest m = parse_manifest(kTwo + server("a", "provider = \"provider.east\"\n") +
                                  server("b", "provider = \"provider.south\"\n"),
                              "main.toml");
  REQUIRE(m.providers.size() == 2);
  CHECK(m.providers[0].name == "east");
  CHECK(m.providers[0].project_id == "p-east");
  CHECK(m.providers[0].endpoint == "http://127.0.0.1:1");
  CHECK(m.providers[1].name == "south");
  CHECK(m.providers[1].region == "cn-south-1");
  CHECK(m.find("server.a")->provider == "east");
  CHECK(m.find("server.b")->provider == "south");
  CHECK(m.find_provider("south")->project_id == "p-south");
  CHECK_FALSE(m.find_provider("cph"));
  // One provider of the type: blocks need not name it.
  Manifest one = parse_manifest("[provider.east]\ntype = \"cph\"\n" + server("a"), "main.toml");
  CHECK(one.resources.at(0).provider == "east");
}

TEST_CASE("providers: manifest errors", "[manifest][providers]") {
  SECTION("two of a type and no provider =") {
    Diagnostic d = the_error(kTwo + server("a"), "[server.a]");
    CHECK_THAT(d.message, Catch::Contains("server.a: several \"cph\" providers are declared (provider.east, "
                                          "provider.south); choose one with provider = \"provider.east\""));
  }
  SECTION("an unknown provider") {
    Diagnostic d = the_error(kTwo + server("a", "provider = \"provider.west\"\n"), "\"provider.west\"");
    CHECK_THAT(d.message, Catch::Contains("server.a: unknown provider \"provider.west\"; declared: provider.east, "
                                          "provider.south"));
  }
  SECTION("not written as provider.NAME") {
    Diagnostic d = the_error(kTwo + server("a", "provider = \"east\"\n"), "\"east\"\nname");
    CHECK_THAT(d.message, Catch::Contains("attribute \"provider\" must name a provider as \"provider.NAME\""));
  }
  SECTION("a named provider without a type") {
    Diagnostic d = the_error("[provider.east]\nregion = \"cn-east-3\"\n" + server("a"), "[provider.east]");
    CHECK_THAT(d.message, Catch::Contains("provider.east: attribute \"type\" is required"));
  }
  SECTION("an unknown type") {
    Diagnostic d = the_error("[provider.east]\ntype = \"aws\"\n" + server("a"), "\"aws\"");
    CHECK_THAT(d.message, Catch::Contains("provider.east: attribute \"type\" must be a provider type (cph, koophone, tencent_bm)"));
  }
  SECTION("an unknown attribute of a named provider") {
    Diagnostic d = the_error("[provider.east]\ntype = \"cph\"\nregoin = \"x\"\n" + server("a"), "regoin");
    CHECK_THAT(d.message, Catch::Contains("provider.east: unknown attribute \"regoin\""));
    CHECK_THAT(d.message, Catch::Contains("did you mean \"region\""));
  }
  SECTION("[provider] and [provider.cph] are the same provider") {
    Diagnostic d = the_error("[provider.cph]\nregion = \"cn-east-3\"\n[provider]\nregion = \"cn-east-4\"\n",
                             "region = \"cn-east-4\"");
    CHECK_THAT(d.message, Catch::Contains("[provider] is the provider \"cph\", also defined at main.toml:1:1"));
  }
}

TEST_CASE("providers: one name in two files is an error", "[manifest][providers]") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("cphform-providers-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "a.toml") << "[provider.east]\ntype = \"cph\"\n";
  std::ofstream(dir / "b.toml") << "\n[provider.east]\ntype = \"cph\"\n";
  std::vector<Diagnostic> d;
  try {
    load_manifest_dir(dir);
  } catch (const ManifestError& e) {
    d = e.diagnostics;
  }
  fs::remove_all(dir);
  REQUIRE(d.size() == 1);
  CHECK(d[0].pos.line == 2);
  CHECK_THAT(d[0].pos.file, Catch::EndsWith("b.toml"));
  CHECK_THAT(d[0].message, Catch::Contains("provider \"east\" is also defined at"));
  CHECK_THAT(d[0].message, Catch::Contains("a.toml:1:1"));
}

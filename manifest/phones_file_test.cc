// phones_file (issue 14): per-phone names and properties of a [phones]
// block from a CSV or JSON file beside the manifest. The rows become the
// block's `phones` attribute; every problem is located at its cell in that
// file (file:line:column), and a bad file loads nothing.
#include <algorithm>
#include <catch2/catch.hpp>

#include "common/test_shared.h"
#include "manifest/manifest.h"

using namespace cph::manifest;
using cph::testing::TempDir;

namespace {

std::string manifest_with(const std::string& phone_model, const std::string& block_body) {
  return R"([server.game]
name = "game"
count = 2
server_model = "physical.rx1.xlarge"
phone_model = ")" + phone_model + R"("
image_id = "20060220200717f201120a2300000e91"
vpc_id = "fca063f6-b942-42a8-9004-e5545f58d6a2"
subnet_id = "f1cbfc37-eb42-4357-a0ec-9e4f11950908"
bandwidth = { share_type = "dedicated", charge_mode = "traffic", size = 300 }

[phones.game]
servers = ["server.game"]
)" + block_body;
}

// The errors of loading main.toml with `file` (phones.csv or phones.json)
// holding `rows`; empty when it loads.
std::string errors_of(const std::string& file, const std::string& rows, const std::string& block_body = "",
                      const std::string& phone_model = "rx1.cp.c105.d6.e5v5") {
  TempDir d;
  d.write("main.toml", manifest_with(phone_model, "name = \"game-${phone.number}\"\nphones_file = \"" + file + "\"\n" +
                                                     block_body));
  d.write(file, rows);
  try {
    load_manifest_dir(d.dir);
  } catch (const ManifestError& e) {
    std::string all = e.what();
    // Positions carry the directory: keep what follows it.
    for (size_t at; (at = all.find(d.dir.string() + "/")) != std::string::npos;)
      all.erase(at, d.dir.string().size() + 1);
    return all;
  }
  return "";
}

bool has(const std::string& text, const std::string& part) {
  INFO(text);
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("phones_file: CSV rows become the block's per-phone values", "[phones][phones_file]") {
  TempDir d;
  d.write("main.toml", manifest_with("rx1.cp.c105.d6.e5v5", "name = \"game-${phone.number}\"\nphones_file = \"phones.csv\"\n"));
  d.write("phones.csv",
          "server,phone,name,sys.prop.writephonenum,imsi\n"
          "server.game[0],0001,front-desk,13800000001,\"460021624617113\"\n"
          "server.game[1],2,,1390000${phone.number},\n");
  Manifest m = load_manifest_dir(d.dir);
  auto block = std::find_if(m.resources.begin(), m.resources.end(), [](const ResourceConfig& r) { return r.type == "phones"; });
  REQUIRE(block != m.resources.end());
  CHECK_FALSE(block->attributes.contains("phones_file"));
  const Json& rows = block->attributes.at("phones");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0] == Json({{"server", "server.game[0]"}, {"phone", 1}, {"name", "front-desk"},
                         {"sys.prop.writephonenum", "13800000001"}, {"imsi", "460021624617113"}}));
  CHECK(rows[1] == Json({{"server", "server.game[1]"}, {"phone", 2}, {"sys.prop.writephonenum", "1390000${phone.number}"}}));
}

TEST_CASE("phones_file: JSON rows load as CSV rows do", "[phones][phones_file]") {
  CHECK(errors_of("phones.json", R"([{"server": "server.game[0]", "phone": 2, "name": "bar", "wifi_name": "lab"}])") == "");
}

TEST_CASE("phones_file: a bad cell is reported at its line and column in the file", "[phones][phones_file]") {
  // 10.1: a phone number is digits only.
  std::string e = errors_of("phones.csv", "server,phone,sys.prop.writephonenum\nserver.game[0],1,13800x0001\n");
  CHECK(has(e, "phones.csv:2:18: error: phones.game: attribute \"phones[0].sys.prop.writephonenum\""));
  // A phone name breaks 5.8's characters.
  e = errors_of("phones.csv", "server,phone,name\nserver.game[0],1,ok\nserver.game[0],2,no way\n");
  CHECK(has(e, "phones.csv:3:18: error: phones.game: attribute \"phones[1].name\" must be 1 to 60 characters"));
  // JSON: the value's own line.
  e = errors_of("phones.json", "[\n {\"server\": \"server.game[0]\",\n  \"phone\": 0}\n]");
  CHECK(has(e, "phones.json:3:12: error: phones.game: attribute \"phones[0].phone\" must be"));
  e = errors_of("phones.csv", "server,phone\nserver.game[0],two\n");
  CHECK(has(e, "phones.csv:2:16: error: phones.game: attribute \"phones[0].phone\" must be an integer"));
}

TEST_CASE("phones_file: columns are checked once, at the header", "[phones][phones_file]") {
  std::string e = errors_of("phones.csv", "server,phone,wifi_nmae\nserver.game[0],1,x\nserver.game[0],2,y\n");
  CHECK(has(e, "phones.csv:1:14: error: phones.game: attribute \"phones_file\": unknown column \"wifi_nmae\"; did you "
               "mean \"wifi_name\"?"));
  CHECK(std::count(e.begin(), e.end(), '\n') == 0);  // one problem, not one a row
  e = errors_of("phones.csv", "server,name\nserver.game[0],x\n");
  CHECK(has(e, "phones.csv:1:1: error: phones.game: attribute \"phones_file\": the file has no column \"phone\""));
}

TEST_CASE("phones_file: servers, duplicate phones and duplicate names", "[phones][phones_file]") {
  std::string e = errors_of("phones.csv", "server,phone\nserver.other[0],1\n");
  CHECK(has(e, "phones.csv:2:1: error: phones.game: attribute \"phones[0].server\" is not one of the block's servers"));
  e = errors_of("phones.csv", "server,phone\nserver.game[0],1\nserver.game[0],0001\n");
  CHECK(has(e, "phones.csv:3:16: error: phones.game: attribute \"phones[1].phone\" is given a second row for "
               "server.game[0] phone 1 (the first is phones[0])"));
  e = errors_of("phones.csv", "server,phone,name\nserver.game[0],1,desk\nserver.game[0],2,desk\n");
  CHECK(has(e, "phones.csv:3:18: error: phones.game: attribute \"phones[1].name\" gives server.game[0] phone 2 the "
               "name \"desk\", as phones[0] does another phone of it"));
  // The same name on two servers is fine; the block's name for phone 3 is not.
  CHECK(errors_of("phones.csv", "server,phone,name\nserver.game[0],1,desk\nserver.game[1],1,desk\n") == "");
  e = errors_of("phones.csv", "server,phone,name\nserver.game[0],1,game-0003\n");
  CHECK(has(e, "phones.csv:2:18: error: phones.game: attribute \"phones[0].name\" is the name the block's name gives "
               "server.game[0] phone 3"));
}

TEST_CASE("phones_file: a key the server's phone model refuses, at the first row that sets it", "[phones][phones_file]") {
  std::string e = errors_of("phones.csv", "server,phone,com.cph.bandwidth_limit\nserver.game[0],1,\nserver.game[1],1,500\n",
                            "", "rx1.cp.c60.d32.e1v1.qemu");
  CHECK(has(e, "phones.csv:3:18: error: phones.game: attribute \"phones[1].com.cph.bandwidth_limit\""));
  CHECK(has(e, "server.game[1] has phone_model = \"rx1.cp.c60.d32.e1v1.qemu\""));
}

TEST_CASE("phones_file: a missing, outside or malformed file, and phones_file with phones", "[phones][phones_file]") {
  TempDir d;
  d.write("main.toml", manifest_with("rx1.cp.c105.d6.e5v5", "phones_file = \"nope.csv\"\n"));
  std::string e;
  try {
    load_manifest_dir(d.dir);
  } catch (const ManifestError& x) {
    e = x.what();
  }
  CHECK(has(e, "main.toml:13:15: error: phones.game: attribute \"phones_file\" names \"nope.csv\", which cannot be opened"));
  e = errors_of("phones.csv", "server,phone\n\"server.game[0],1\n");
  CHECK(has(e, "phones.csv:2:1: error: phones.game: attribute \"phones_file\" names \"phones.csv\", which has a quoted "
               "field that is never closed"));
  e = errors_of("phones.csv", "server,phone\n", "phones = []\n");
  CHECK(has(e, "attribute \"phones_file\" and \"phones\" are both set; keep one"));
}

// The [phones.NAME] block (issue 14): names, cph-api.md 10.1 properties and
// power state of the phones of listed servers, checked at load time. Each
// error case checks its file:line:column and its rule text.
#include <algorithm>
#include <catch2/catch.hpp>

#include "manifest/manifest.h"

using namespace cph::manifest;

namespace {

// A server block of phone model `phone_model`, with count = 2.
std::string game_servers(const std::string& phone_model = "rx1.cp.c105.d6.e5v5") {
  return R"([server.game]
name = "game"
count = 2
server_model = "physical.rx1.xlarge"
phone_model = ")" + phone_model + R"("
image_id = "20060220200717f201120a2300000e91"
vpc_id = "fca063f6-b942-42a8-9004-e5545f58d6a2"
subnet_id = "f1cbfc37-eb42-4357-a0ec-9e4f11950908"
bandwidth = { share_type = "dedicated", charge_mode = "traffic", size = 300 }
)";
}

std::string phones_block(const std::string& body) { return "[phones.game]\nservers = [\"server.game\"]\n" + body; }

// "main.toml:L:C" of the first occurrence of needle.
std::string where(const std::string& text, const std::string& needle) {
  size_t pos = text.find(needle);
  REQUIRE(pos != std::string::npos);
  int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(pos), '\n'));
  size_t start = text.rfind('\n', pos);
  int column = static_cast<int>(pos - (start == std::string::npos ? 0 : start + 1)) + 1;
  return "main.toml:" + std::to_string(line) + ":" + std::to_string(column);
}

void refused(const std::string& text, const std::string& needle, const std::string& rule) {
  std::string all;
  try {
    parse_manifest(text, "main.toml");
  } catch (const ManifestError& e) {
    all = e.what();
  }
  INFO(text << "\n---\n" << all);
  REQUIRE_FALSE(all.empty());
  CHECK(all.find(where(text, needle) + ": error: ") != std::string::npos);
  CHECK(all.find(rule) != std::string::npos);
}

}  // namespace

TEST_CASE("a phones block declares names, 10.1 properties and power for the phones of servers", "[phones]") {
  std::string text = game_servers() + phones_block(R"(name = "game-${phone.server_number}-${phone.number}"
power = "stopped"
properties = { "sys.prop.writephonenum" = "1380${phone.server_number}${phone.number}", "sys.prop.writeimsi" = "460021624617113", "sys.prop.writewifissid" = "lab_wifi", "ro.com.cph.non_root" = 0, "com.cph.bandwidth_limit" = "-1", iccid = "42947a38410b137c" }
)");
  Manifest m = parse_manifest(text, "main.toml");
  REQUIRE(m.resources.size() == 2);
  REQUIRE(m.find("phones.game"));
  const ResourceConfig& p = *m.find("phones.game");
  CHECK(p.address() == "phones.game");
  CHECK(p.attributes["name"] == "game-${phone.server_number}-${phone.number}");  // kept for each phone
  CHECK(p.attributes["power"] == "stopped");
  CHECK(p.attributes["properties"]["sys.prop.writephonenum"] == "1380${phone.server_number}${phone.number}");
  CHECK(p.attributes["properties"]["ro.com.cph.non_root"] == 0);
  CHECK(p.depends_on == std::vector<std::string>{"server.game"});

  Manifest defaults = parse_manifest(game_servers() + phones_block(""), "main.toml");
  CHECK(defaults.find("phones.game")->attributes["power"] == "running");
}

TEST_CASE("every 10.1 key and value rule is checked where it is written", "[phones]") {
  auto with = [](const std::string& props) { return game_servers() + phones_block("properties = { " + props + " }\n"); };
  std::string t = with(R"("sys.prop.writeimsi" = "46002162461711x")");
  refused(t, "\"46002162461711x\"", "attribute \"properties.sys.prop.writeimsi\" must be at most 15 characters, decimal digits only (CPH API: Cloud phone property list)");
  t = with(R"("sys.prop.writephonenum" = "123456789012345678901")");
  refused(t, "\"1234567", "at most 20 characters, decimal digits only");
  t = with(R"("sys.prop.writewifissid" = "")");
  refused(t, "\"\"", "1 to 64 characters of A-Z a-z 0-9 - _ . /");
  t = with(R"("persist.sys.locale" = "zh_CN")");
  refused(t, "\"zh_CN\"", "1 to 64 characters of A-Z a-z 0-9 -");
  t = with(R"("com.cph.bandwidth_limit" = "0")");
  refused(t, "\"0\"", "\"1\"..\"99999999\" (kbit/s) or \"-1\" for unlimited");
  t = with(R"("com.cph.mainkeys" = 2)");
  refused(t, "2 }", "must be 0 or 1 (CPH API: Cloud phone property list)");
  t = with(R"("com.cph.mainkeys" = "1")");
  refused(t, "\"1\"", "write the number without quotes");
  t = with(R"("gsm.operator.iso-country" = "c1")");
  refused(t, "\"c1\"", "at most 10 characters of A-Z a-z and the comma");
  t = with(R"("com.cph.cg.heartbeat_url" = "ftp://x")");
  refused(t, "\"ftp://x\"", "must start with http:// or https://");
  t = with(R"("com.cph.cg.app_port" = "9999")");
  refused(t, "\"9999\"", "\"10000\"..\"11000\"");
  t = with(R"("sys.prop.writephonenun" = "1")");
  refused(t, "\"sys.prop.writephonenun\"", "unknown attribute \"properties.sys.prop.writephonenun\"; did you mean \"sys.prop.writephonenum\"?");
  t = with(R"(phone_num = "1", "sys.prop.writephonenum" = "2")");
  refused(t, "\"1\", \"sys", "is the legacy name of \"sys.prop.writephonenum\", which is set too");
}

TEST_CASE("phone templates are judged at their widest, and only phones blocks have them", "[phones]") {
  // 16 literal digits + server_number at its widest (5) = 21 > 20.
  std::string t = game_servers() +
                  phones_block("properties = { \"sys.prop.writephonenum\" = \"1234567890123456${phone.server_number}\" }\n");
  refused(t, "\"1234567890123456$", "with its ${phone.*} values at their widest it is \"123456789012345610000\"");
  t = game_servers() + phones_block("name = \"game-${phone.server_number}\"\n");
  refused(t, "\"game-${phone.server_number}\"", "must contain ${phone.index} or ${phone.number}");
  t = game_servers() + phones_block("name = \"g-${phone.number}!\"\n");
  refused(t, "\"g-${phone.number}!\"", "1 to 60 characters of A-Z a-z 0-9 - _ or Chinese characters (CPH API: Rename phone)");
  t = game_servers() + phones_block("properties = { \"gsm.operator.iso-country\" = \"c${phone.index}\" }\n");
  refused(t, "\"c${phone.index}\"", "it is \"c999\"");
  t = game_servers();
  t.replace(t.find("name = \"game\""), 13, "name = \"game-${phone.index}\"");
  refused(t, "\"game-${phone.index}\"", "uses ${phone.index}, which only a [phones.NAME] block gives a value");
}

TEST_CASE("keys a listed server's phone model does not support are refused at load", "[phones]") {
  std::string t = game_servers("rx1.cp.c60.d32.e1v1.qemu") +
                  phones_block("properties = { \"com.cph.bandwidth_limit\" = \"1000\" }\n");
  refused(t, "\"1000\"", "is not supported by phones of model rx1.cp.c60.d32.e1v1.qemu, which cannot be throttled");
  t = game_servers("aphs1.large.2.aosp") + phones_block("properties = { \"ro.install.auto\" = 1 }\n");
  refused(t, "1 }", "attribute \"properties.ro.install.auto\" is not supported by phones of model aphs1.large.2.aosp");
  CHECK(parse_manifest(game_servers("aphs1.large.2.aosp") +
                           phones_block("properties = { \"sys.prop.writeimsi\" = \"460021624617113\" }\n"),
                       "main.toml")
            .resources.size() == 2);
  t = game_servers() + "[phones.game]\nservers = [\"server.other\"]\n";
  refused(t, "\"server.other\"", "no block [server.other] is declared");
  t = game_servers() + "[phones.game]\nservers = []\n";
  refused(t, "[]", "must list at least one server");
  t = game_servers() + phones_block("power = \"off\"\n");
  refused(t, "\"off\"", "must be one of");
  t = game_servers() + phones_block("") + "[phones.other]\nservers = [\"server.game[1]\"]\n";
  refused(t, "[\"server.game[1]\"]", "names the same phones as phones.game (\"server.game[1]\")");
}

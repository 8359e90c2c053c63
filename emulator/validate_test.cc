// Purchase (cph-api.md 3.4) and rename (3.13) validation: every rule answers
// its documented status and CPS code with the table's message, and a refused
// request changes nothing.
#include <functional>
#include <string>
#include <vector>

#include "emulator/test_support.h"
#include "emulator/validate.h"

using namespace cph::emulator;
using namespace cph::emulator::testing;

TEST_CASE("server names follow cph-api.md 11.5", "[validate]") {
  CHECK(valid_server_name("cph-kertus-1110"));
  CHECK(valid_server_name("a"));
  CHECK(valid_server_name("Server_01-x"));
  CHECK(valid_server_name("\xe4\xb8\x80"));                       // U+4E00, first of the range
  CHECK(valid_server_name("\xe9\xbf\xbf"));                       // U+9FFF, last of the range
  CHECK(valid_server_name("\xe4\xba\x91\xe6\x89\x8b\xe6\x9c\xba-1"));  // "云手机-1"
  CHECK(valid_server_name(std::string(60, 'a')));
  // 60 Chinese characters are 180 bytes but 60 characters: allowed.
  std::string sixty_cjk;
  for (int i = 0; i < 60; ++i) sixty_cjk += "\xe4\xba\x91";
  CHECK(valid_server_name(sixty_cjk));

  CHECK_FALSE(valid_server_name(""));
  CHECK_FALSE(valid_server_name(std::string(61, 'a')));
  CHECK_FALSE(valid_server_name(sixty_cjk + "a"));
  CHECK_FALSE(valid_server_name("with space"));
  CHECK_FALSE(valid_server_name("dot.name"));
  CHECK_FALSE(valid_server_name("\xe3\x80\x80"));      // U+3000 ideographic space: outside the range
  CHECK_FALSE(valid_server_name("\xea\xb0\x80"));      // U+AC00 Hangul: outside the range
  CHECK_FALSE(valid_server_name("\xf0\x9f\x98\x80"));  // emoji (4 bytes)
  CHECK_FALSE(valid_server_name("\xe4\xb8"));          // truncated UTF-8
  CHECK_FALSE(valid_server_name("\xe4\x41\x41"));      // bad continuation bytes
  CHECK_FALSE(valid_server_name(std::string("a\0b", 3)));
}

TEST_CASE("bandwidth sizes follow the A-13 step rules", "[validate]") {
  for (int ok : {1, 2, 299, 300, 350, 400, 1000, 1500, 2000}) {
    INFO(ok);
    CHECK(valid_bandwidth_size(ok));
  }
  for (int bad : {0, -1, 301, 325, 1001, 1250, 1999}) {
    INFO(bad);
    CHECK_FALSE(valid_bandwidth_size(bad));
  }
}

namespace {
struct Case {
  const char* what;
  std::function<void(json&)> edit;
  int status;
  const char* code;
};

void erase(json& j, const char* key) { j.erase(key); }
}  // namespace

TEST_CASE("purchase validation answers the documented codes and changes nothing", "[validate][purchase]") {
  const std::vector<Case> cases = {
      // server_name -> CPS.0087
      {"server_name missing", [](json& b) { erase(b, "server_name"); }, 400, "CPS.0087"},
      {"server_name empty", [](json& b) { b["server_name"] = ""; }, 400, "CPS.0087"},
      {"server_name 61 chars", [](json& b) { b["server_name"] = std::string(61, 'x'); }, 400, "CPS.0087"},
      {"server_name bad char", [](json& b) { b["server_name"] = "a b"; }, 400, "CPS.0087"},
      {"server_name not a string", [](json& b) { b["server_name"] = 5; }, 400, "CPS.0087"},
      // models and image
      {"server_model_name missing", [](json& b) { erase(b, "server_model_name"); }, 400, "CPS.0088"},
      {"server_model_name empty", [](json& b) { b["server_model_name"] = ""; }, 400, "CPS.0088"},
      {"server_model_name unknown", [](json& b) { b["server_model_name"] = "physical.nope"; }, 400, "CPS.0089"},
      {"server_model_name not a string", [](json& b) { b["server_model_name"] = 1; }, 400, "CPS.0089"},
      {"server_model_name null (absent)", [](json& b) { b["server_model_name"] = nullptr; }, 400, "CPS.0088"},
      {"phone_model_name missing", [](json& b) { erase(b, "phone_model_name"); }, 400, "CPS.0027"},
      {"phone_model_name unknown", [](json& b) { b["phone_model_name"] = "rx9.nope"; }, 400, "CPS.0028"},
      {"phone model of another server model",
       [](json& b) { b["phone_model_name"] = "rx1.cp.c60.d10.e1v1"; }, 400, "CPS.0257"},
      {"image_id missing", [](json& b) { erase(b, "image_id"); }, 400, "CPS.0029"},
      {"image_id unknown", [](json& b) { b["image_id"] = "00000000000000000000000000000000"; }, 400, "CPS.0030"},
      {"image_id too long", [](json& b) { b["image_id"] = std::string(33, 'a'); }, 400, "CPS.0030"},
      // count 1..10 -> CPS.0024
      {"count missing", [](json& b) { erase(b, "count"); }, 400, "CPS.0024"},
      {"count 0", [](json& b) { b["count"] = 0; }, 400, "CPS.0024"},
      {"count 11", [](json& b) { b["count"] = 11; }, 400, "CPS.0024"},
      {"count as string", [](json& b) { b["count"] = "1"; }, 400, "CPS.0024"},
      {"count fractional", [](json& b) { b["count"] = 1.5; }, 400, "CPS.0024"},
      // keypair
      {"keypair_name empty", [](json& b) { b["keypair_name"] = ""; }, 400, "CPS.0068"},
      {"keypair_name too long", [](json& b) { b["keypair_name"] = std::string(65, 'k'); }, 400, "CPS.0067"},
      // ports (1.10)
      {"ports not an array", [](json& b) { b["ports"] = json::object(); }, 400, "CPS.0037"},
      {"port not an object", [](json& b) { b["ports"][0] = 1; }, 400, "CPS.0037"},
      {"port name adb", [](json& b) { b["ports"][0]["name"] = "adb"; }, 400, "CPS.0038"},
      {"port name VNC", [](json& b) { b["ports"][0]["name"] = "VNC"; }, 400, "CPS.0038"},
      {"port name 17 bytes", [](json& b) { b["ports"][0]["name"] = std::string(17, 'p'); }, 400, "CPS.0038"},
      {"port name missing", [](json& b) { b["ports"][0].erase("name"); }, 400, "CPS.0038"},
      {"port names conflict", [](json& b) { b["ports"][1]["name"] = "myServer1"; }, 400, "CPS.0039"},
      {"listen_port 9999", [](json& b) { b["ports"][0]["listen_port"] = 9999; }, 400, "CPS.0040"},
      {"listen_port 50001", [](json& b) { b["ports"][0]["listen_port"] = 50001; }, 400, "CPS.0040"},
      {"listen_port as string", [](json& b) { b["ports"][0]["listen_port"] = "20000"; }, 400, "CPS.0040"},
      {"listen ports conflict", [](json& b) { b["ports"][1]["listen_port"] = 20000; }, 400, "CPS.0041"},
      {"internet_accessible missing", [](json& b) { b["ports"][0].erase("internet_accessible"); }, 400, "CPS.0093"},
      {"internet_accessible empty", [](json& b) { b["ports"][0]["internet_accessible"] = ""; }, 400, "CPS.0093"},
      {"internet_accessible boolean", [](json& b) { b["ports"][0]["internet_accessible"] = true; }, 400, "CPS.0037"},
      {"too many ports",
       [](json& b) {
         b["ports"] = json::array();
         for (int i = 0; i <= kMaxPorts; ++i) {
           std::string name = std::to_string(i);
           name.insert(0, 1, 'p');  // not "p" + ...: GCC 12 -Wrestrict false positive (bug 105651)
           b["ports"].push_back({{"name", name}, {"listen_port", 20000 + i}, {"internet_accessible", "false"}});
         }
       },
       400, "CPS.0145"},
      // extend_param (table 5-26)
      {"extend_param missing", [](json& b) { erase(b, "extend_param"); }, 400, "CPS.0055"},
      {"extend_param not an object", [](json& b) { b["extend_param"] = 0; }, 400, "CPS.0055"},
      {"charging_mode 1", [](json& b) { b["extend_param"]["charging_mode"] = 1; }, 400, "CPS.0056"},
      {"charging_mode missing", [](json& b) { b["extend_param"].erase("charging_mode"); }, 400, "CPS.0056"},
      {"period_type 1", [](json& b) { b["extend_param"]["period_type"] = 1; }, 400, "CPS.0057"},
      {"period_num month 10", [](json& b) { b["extend_param"]["period_num"] = 10; }, 400, "CPS.0058"},
      {"period_num 0", [](json& b) { b["extend_param"]["period_num"] = 0; }, 400, "CPS.0058"},
      {"period_num year 11",
       [](json& b) {
         b["extend_param"]["period_type"] = 3;
         b["extend_param"]["period_num"] = 11;
       },
       400, "CPS.0058"},
      {"is_auto_renew 2", [](json& b) { b["extend_param"]["is_auto_renew"] = 2; }, 400, "CPS.0059"},
      {"is_auto_pay 2", [](json& b) { b["extend_param"]["is_auto_pay"] = 2; }, 400, "CPS.0060"},
      {"is_auto_pay as string", [](json& b) { b["extend_param"]["is_auto_pay"] = "1"; }, 400, "CPS.0060"},
      {"enterprise_project_id not a uuid",
       [](json& b) { b["extend_param"]["enterprise_project_id"] = "default"; }, 400, "CPS.0316"},
      // network
      {"tenant_vpc_id missing", [](json& b) { erase(b, "tenant_vpc_id"); }, 400, "CPS.0223"},
      {"tenant_vpc_id not a uuid", [](json& b) { b["tenant_vpc_id"] = "vpc-1"; }, 400, "CPS.0223"},
      {"tenant_vpc_id unknown",
       [](json& b) { b["tenant_vpc_id"] = "00000000-0000-0000-0000-000000000000"; }, 404, "CPS.0236"},
      {"nics missing", [](json& b) { erase(b, "nics"); }, 400, "CPS.0226"},
      {"nics empty", [](json& b) { b["nics"] = json::array(); }, 400, "CPS.0226"},
      {"subnet_id not a uuid", [](json& b) { b["nics"][0]["subnet_id"] = "subnet"; }, 400, "CPS.0224"},
      {"subnet_id unknown",
       [](json& b) { b["nics"][0]["subnet_id"] = "00000000-0000-0000-0000-000000000000"; }, 404, "CPS.0229"},
      {"subnet of another VPC",
       [](json& b) { b["nics"][0]["subnet_id"] = "c7f9983d-03ca-4a2e-a0e1-d6bd97174669"; }, 400, "CPS.0228"},
      {"ipv6_enable not a boolean", [](json& b) { b["nics"][0]["ipv6_enable"] = "true"; }, 400, "CPS.0320"},
      {"ipv6 on a subnet without IPv6",
       [](json& b) {
         b["tenant_vpc_id"] = "9a11e291-967f-4dd6-99bd-9be54f10583c";
         b["nics"][0]["subnet_id"] = "c7f9983d-03ca-4a2e-a0e1-d6bd97174669";
         b["nics"][0]["ipv6_enable"] = true;
       },
       400, "CPS.0319"},
      {"ipv6_bandwidth unknown",
       [](json& b) {
         b["nics"][0]["ipv6_enable"] = true;
         b["nics"][0]["ipv6_bandwidth"] = {{"band_width_id", "nope"}};
       },
       400, "CPS.0318"},
      // public_ip (tables 5-29, 5-30)
      {"public_ip missing", [](json& b) { erase(b, "public_ip"); }, 400, "CPS.0238"},
      {"public_ip empty", [](json& b) { b["public_ip"] = json::object(); }, 400, "CPS.0238"},
      {"public_ip count above the model's IPs", [](json& b) { b["public_ip"]["count"] = 2; }, 400, "CPS.0238"},
      {"eip type unknown", [](json& b) { b["public_ip"]["eip"]["type"] = "5_mobile"; }, 400, "CPS.0239"},
      {"eip without type", [](json& b) { b["public_ip"]["eip"] = json::object(); }, 400, "CPS.0239"},
      {"ids with two EIPs",
       [](json& b) {
         b["public_ip"] = {{"ids", {"11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"}}};
       },
       400, "CPS.0253"},
      {"ids for a batch",
       [](json& b) {
         b["count"] = 2;
         b["public_ip"] = {{"ids", {"11111111-1111-1111-1111-111111111111"}}};
       },
       400, "CPS.0251"},
      {"ids for a multi-EIP model",
       [](json& b) {
         b["server_model_name"] = "physical.rx1.xlarge";
         b["phone_model_name"] = "rx1.cp.c105.d6.e5v5";
         b["public_ip"] = {{"ids", {"11111111-1111-1111-1111-111111111111"}}};
       },
       400, "CPS.0252"},
      // phone_count_per_ip, volumes (no documented codes: docs/emulator.md)
      {"phone_count_per_ip 0", [](json& b) { b["phone_count_per_ip"] = 0; }, 400, "CPS.0241"},
      {"phone_count_per_ip above capacity", [](json& b) { b["phone_count_per_ip"] = 21; }, 400, "CPS.0241"},
      {"2.0 model without phone_data_volume",
       [](json& b) {
         b["server_model_name"] = "physical.rx2.32xlarge.4";
         b["phone_model_name"] = "rc2.se";
       },
       400, "CPS.0157"},
      {"phone_data_volume type", [](json& b) { b["phone_data_volume"] = {{"volume_type", "SAS"}, {"size", 10}}; },
       400, "CPS.0116"},
      {"phone_data_volume size",
       [](json& b) { b["phone_data_volume"] = {{"volume_type", "SSD"}, {"size", 32769}}; }, 400, "CPS.0321"},
      // band_width (table 5-33)
      {"band_width missing", [](json& b) { erase(b, "band_width"); }, 400, "CPS.0031"},
      {"share_type 2", [](json& b) { b["band_width"]["band_width_share_type"] = 2; }, 400, "CPS.0034"},
      {"share_type missing", [](json& b) { b["band_width"].erase("band_width_share_type"); }, 400, "CPS.0034"},
      {"charge_mode 2", [](json& b) { b["band_width"]["band_width_charge_mode"] = 2; }, 400, "CPS.0035"},
      {"size 0", [](json& b) { b["band_width"]["band_width_size"] = 0; }, 400, "CPS.0036"},
      {"size off the step", [](json& b) { b["band_width"]["band_width_size"] = 325; }, 400, "CPS.0036"},
      {"new bandwidth without size", [](json& b) { b["band_width"].erase("band_width_size"); }, 400, "CPS.0036"},
      {"band_width_id empty", [](json& b) { b["band_width"]["band_width_id"] = ""; }, 400, "CPS.0032"},
      {"band_width_id for a dedicated bandwidth",
       [](json& b) { b["band_width"]["band_width_id"] = "70bb40-bef5-0e4a-14b116-a5a527fd7432"; }, 400, "CPS.0034"},
      {"band_width_id unknown",
       [](json& b) {
         b["band_width"]["band_width_share_type"] = 1;
         b["band_width"]["band_width_id"] = "70bb40-bef5-0e4a-14b116-a5a527fd7432";
       },
       404, "CPS.0115"},
      {"availability_zone unknown", [](json& b) { b["availability_zone"] = "cn-north-9z"; }, 400, "CPS.0211"},
  };

  Emulator emu;
  for (const Case& c : cases) {
    SECTION(c.what) {
      json body = json::parse(kPurchaseExample);
      c.edit(body);
      HttpResponse r = emu.purchase(body);
      check_cps_error(r, c.status, c.code);
    }
  }
  // Nothing was created by any refused purchase.
  CHECK(emu.list()["count"] == 0);
  HttpResponse bws = emu.get(project_path("/cloud-phone/bandwidths"));
  CHECK(body_of(bws)["band_widths"].empty());
}

TEST_CASE("a body that is not a JSON object reports the first required field", "[validate][purchase]") {
  Emulator emu;
  for (const char* body : {"", "not json", "[1,2]", "\"text\"", "{\"server_name\": "}) {
    INFO(body);
    HttpResponse r = emu.call("POST", "/v2/" + kCaller.project_id + "/cloud-phone/servers", body);
    check_cps_error(r, 400, "CPS.0087");
    r = emu.call("PUT", project_path("/cloud-phone/servers/00000000000000000000000000000000"), body);
    check_cps_error(r, 400, "CPS.0087");
  }
  CHECK(emu.list()["count"] == 0);
}

TEST_CASE("valid variations of the purchase example are accepted", "[validate][purchase]") {
  const std::vector<std::pair<const char*, std::function<void(json&)>>> ok = {
      {"example as printed", [](json&) {}},
      {"brief's rx1 combination", [](json& b) { b = rx1_purchase(); }},
      {"no optional fields",
       [](json& b) {
         b.erase("keypair_name");
         b.erase("ports");
         b["extend_param"].erase("is_auto_pay");
       }},
      {"year period 10", [](json& b) { b["extend_param"]["period_type"] = 3; b["extend_param"]["period_num"] = 10; }},
      {"month period 9", [](json& b) { b["extend_param"]["period_num"] = 9; }},
      {"enterprise project 0", [](json& b) { b["extend_param"]["enterprise_project_id"] = "0"; }},
      {"enterprise project uuid",
       [](json& b) { b["extend_param"]["enterprise_project_id"] = "b6a2b4f0-1c1e-4d5e-8d0a-0123456789ab"; }},
      {"port name 16 bytes and internet_accessible TRUE",
       [](json& b) {
         b["ports"][0]["name"] = std::string(16, 'p');
         b["ports"][0]["internet_accessible"] = "TRUE";
         b["ports"][0]["listen_port"] = 10000;
         b["ports"][1]["listen_port"] = 50000;
       }},
      {"Chinese server name", [](json& b) { b["server_name"] = "\xe4\xba\x91\xe6\x89\x8b\xe6\x9c\xba"; }},
      {"count 10", [](json& b) { b["count"] = 10; }},
      {"no EIP", [](json& b) { b["public_ip"] = {{"count", 0}}; }},
      {"existing EIP", [](json& b) { b["public_ip"] = {{"ids", {"11111111-1111-1111-1111-111111111111"}}}; }},
      {"each EIP type",
       [](json& b) {
         static int i = 0;
         const char* types[] = {"5_telcom", "5_union", "5_bgp", "5_sbgp"};
         b["public_ip"]["eip"]["type"] = types[i++ % 4];
       }},
      {"IPv6 NIC", [](json& b) { b["nics"][0]["ipv6_enable"] = true; }},
      {"2.0 model with volumes",
       [](json& b) {
         b["server_model_name"] = "physical.rx2.32xlarge.4";
         b["phone_model_name"] = "rc2.se";
         b["phone_data_volume"] = {{"volume_type", "GPSSD"}, {"size", 32}};
         b["server_share_data_volume"] = {{"volume_type", "SSD"}, {"size", 0}};
       }},
      {"phone_count_per_ip 1", [](json& b) { b["phone_count_per_ip"] = 1; }},
      {"bandwidth 1000 by bandwidth", [](json& b) {
         b["band_width"]["band_width_size"] = 1000;
         b["band_width"]["band_width_charge_mode"] = 0;
       }},
      {"shared bandwidth", [](json& b) { b["band_width"]["band_width_share_type"] = 1; }},
      {"unknown extra fields are ignored", [](json& b) { b["future_field"] = {1, 2}; }},
      {"null optional fields are absent",
       [](json& b) {
         b["keypair_name"] = nullptr;
         b["ports"] = nullptr;
         b["availability_zone"] = nullptr;
         b["extend_param"]["is_auto_pay"] = nullptr;
       }},
  };
  for (const auto& [what, edit] : ok) {
    SECTION(what) {
      Emulator emu;
      json body = json::parse(kPurchaseExample);
      edit(body);
      json r = emu.buy(body);
      CHECK(r["server_ids"].size() == body["count"].get<size_t>());
      CHECK(emu.list()["count"] == body["count"]);
    }
  }
}

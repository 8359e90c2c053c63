// cph-api.md 5.3 (phone models) and 5.4 (phone images).
#include "emulator/test_support.h"

using namespace cph::emulator;
using namespace cph::emulator::testing;

TEST_CASE("5.3 phone models: every documented field with its type; status filter and paging", "[catalog][phones]") {
  Emulator emu;
  HttpResponse r = emu.get(project_path("/cloud-phone/phone-models"));  // the example
  INFO(r.body);
  REQUIRE(r.status == 200);
  json b = body_of(r);
  check_fields(b, {{"request_id", Kind::string}, {"phone_models", Kind::array}});
  REQUIRE(b["phone_models"].size() > 2);
  for (const json& m : b["phone_models"]) {
    check_fields(m, {{"server_model_name", Kind::string}, {"phone_model_name", Kind::string}, {"status", Kind::integer},
                     {"cpu", Kind::integer}, {"memory", Kind::integer}, {"disk", Kind::integer},
                     {"resolution", Kind::string}, {"extend_spec", Kind::string}, {"spec_code", Kind::string},
                     {"phone_capacity", Kind::integer}, {"image_label", Kind::string}, {"product_type", Kind::integer},
                     {"phone_model_version", Kind::integer}, {"dpi", Kind::integer}, {"fps", Kind::string},
                     {"volume_mode", Kind::integer}});
    CHECK(json::parse(m["extend_spec"].get<std::string>()).is_object());
  }
  const size_t all = b["phone_models"].size();
  json in_use = body_of(emu.get(project_path("/cloud-phone/phone-models?status=1")));
  for (const json& m : in_use["phone_models"]) CHECK(m["status"] == 1);
  json page = body_of(emu.get(project_path("/cloud-phone/phone-models?offset=1&limit=2")));
  REQUIRE(page["phone_models"].size() == 2);
  CHECK(page["phone_models"][0] == b["phone_models"][1]);
  CHECK(body_of(emu.get(project_path("/cloud-phone/phone-models?offset=" + std::to_string(all))))["phone_models"].empty());
  check_cps_error(emu.get(project_path("/cloud-phone/phone-models?status=2")), 400, "CPS.0010");
  check_cps_error(emu.get(project_path("/cloud-phone/phone-models?limit=101")), 400, "CPS.0002");
}

TEST_CASE("5.4 phone images: every documented field with its type", "[catalog][phones]") {
  Emulator emu;
  json b = body_of(emu.get(project_path("/cloud-phone/phone-images")));
  check_fields(b, {{"request_id", Kind::string}, {"phone_images", Kind::array}});
  REQUIRE_FALSE(b["phone_images"].empty());
  bool example = false;
  for (const json& i : b["phone_images"]) {
    check_fields(i, {{"image_name", Kind::string}, {"os_type", Kind::string}, {"is_public", Kind::integer},
                     {"os_name", Kind::string}, {"image_label", Kind::string}, {"image_id", Kind::string}});
    example = example || i["image_id"] == "be4d231e44d2a4ccf612660a473fe1e3";
  }
  CHECK(example);
}

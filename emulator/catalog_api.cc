// Catalog reads of the phone chapter: cph-api.md 5.3 (phone models) and 5.4
// (phone images), from the built-in catalog (catalog.cc).
#include <nlohmann/json.hpp>

#include "emulator/api.h"

namespace cph::emulator {
namespace {
using ojson = nlohmann::ordered_json;

// 5.3 GET /v1/{project_id}/cloud-phone/phone-models?status=&offset=&limit=
HttpResponse list_phone_models(const ApiCall& c) {
  QueryParams q(c.request.query());
  std::optional<PageWindow> page = page_window(q);
  if (!page) return cps_error(c.request_id, ApiError::cps("CPS.0002"));
  std::optional<int> status;
  if (auto v = q.get("status")) {
    if (*v != "0" && *v != "1") return cps_error(c.request_id, ApiError::cps("CPS.0010"));  // "status is invalid"
    status = *v == "1" ? 1 : 0;
  }
  ojson models = ojson::array();
  int64_t index = 0;
  for (const PhoneModel& m : c.catalog.phone_models()) {
    if (status && m.status != *status) continue;
    if (index++ < page->offset || static_cast<int64_t>(models.size()) >= page->limit) continue;
    // extend_spec is a JSON string (table 5-112); A-16: both the table's
    // fields and the example's render_fps/stream_fps are emitted.
    ojson extend{{"eip_count", m.eip_count}, {"vip_count", m.vip_count}};
    const int fps = std::atoi(m.fps.c_str());
    models.push_back(ojson{{"server_model_name", m.server_model_name},
                           {"phone_model_name", m.name},
                           {"status", m.status},
                           {"cpu", m.cpu},
                           {"memory", m.memory_mb},
                           {"disk", m.disk_g},
                           {"resolution", m.resolution},
                           {"extend_spec", extend.dump()},
                           {"spec_code", m.name},
                           {"phone_capacity", m.capacity},
                           {"image_label", m.image_label},
                           {"product_type", m.product_type},
                           {"phone_model_version", m.version},
                           {"dpi", m.dpi},
                           {"fps", m.fps},
                           {"render_fps", fps},
                           {"stream_fps", fps},
                           {"volume_mode", m.volume_mode}});
  }
  return json_response(200, ojson{{"request_id", c.request_id}, {"phone_models", std::move(models)}});
}

// 5.4 GET /v1/{project_id}/cloud-phone/phone-images
HttpResponse list_phone_images(const ApiCall& c) {
  ojson images = ojson::array();
  for (const PhoneImage& i : c.catalog.images())
    images.push_back(ojson{{"image_name", i.image_name},
                           {"os_type", i.os_type},
                           {"is_public", i.is_public},
                           {"os_name", i.os_name},
                           {"image_label", i.image_label},
                           {"image_id", i.image_id}});
  return json_response(200, ojson{{"request_id", c.request_id}, {"phone_images", std::move(images)}});
}
}  // namespace

std::vector<RouteDef> catalog_routes() {
  return {
      {"GET", "/v1/{project_id}/cloud-phone/phone-models", list_phone_models},
      {"GET", "/v1/{project_id}/cloud-phone/phone-images", list_phone_images},
  };
}

}  // namespace cph::emulator

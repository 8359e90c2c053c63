// The KooPhone part's admin API (docs/emulator.md "KooPhone") and its fault
// answers: not signed, not counted, loopback only like the rest of /_emulator/.
#include <limits>

#include "emulator/api.h"
#include "emulator/koophone.h"

namespace cph::emulator {
namespace {
using nlohmann::json;
using ojson = nlohmann::ordered_json;

HttpResponse kp_admin_usage(const std::string& what) { return plain_error(400, "EMULATOR.0400", what); }
}  // namespace

HttpResponse koophone_fault_answer(FaultInjector::Kind kind) {
  if (kind == FaultInjector::Kind::throttle) {
    HttpResponse r = koophone_error(
        429, "APIGW.0308", "The throttling threshold has been reached: policy user over ratelimit,limit:100,time:1 minute");
    r.headers.emplace_back("Retry-After", "1");
    return r;
  }
  if (kind == FaultInjector::Kind::error_503) return koophone_error(503, "APIGW.0503", "The backend service is unavailable.");
  return koophone_error(500, "KOOPHONE.API.9999", "服务器内部错误");  // 14.1's table
}

ojson KooPhone::instance_json(const KooPhoneInstance& i) const {
  return ojson{{"instance_id", i.id},
               {"status", static_cast<int>(i.status)},
               {"command_fails", i.command_fails},
               {"resets", i.resets},
               {"video_setting_calls", i.video_setting_calls},
               {"video_settings", i.video_settings}};
}

// GET  /_emulator/koophone/instances[?id=ID]: the instances (or one).
// POST /_emulator/koophone/instances {"instance_id", "status"?: 0..5,
//      "command_fails"?: bool}: adds the instance or changes the fields given.
//      Status 4 set this way stays until changed (no reset completes it).
// GET/POST /_emulator/koophone/config {"status_shape"?: "table"|"example"}.
HttpResponse KooPhone::admin(const HttpRequest& req, int64_t sim_us) {
  advance(sim_us);
  const std::string_view path = req.path();
  if (path == "/_emulator/koophone/config" && (req.method == "GET" || req.method == "POST")) {
    if (req.method == "POST") {
      const json body = body_object(req);
      if (body.contains("status_shape")) {
        if (body["status_shape"] != "table" && body["status_shape"] != "example")
          return kp_admin_usage("body must be {\"status_shape\": \"table\" | \"example\"}");
        status_shape_ = body["status_shape"].get<std::string>();
      }
    }
    return json_response(200, ojson{{"status_shape", status_shape_}});
  }
  if (path != "/_emulator/koophone/instances" || (req.method != "GET" && req.method != "POST"))
    return plain_error(404, "EMULATOR.0404", "unknown admin operation " + req.method + " " + std::string(path));
  if (req.method == "GET") {
    const std::optional<std::string> one = QueryParams(req.query()).get("id");
    ojson list = ojson::array();
    for (const auto& [id, i] : instances_)
      if (!one || *one == id) list.push_back(instance_json(i));
    return json_response(200, ojson{{"instances", std::move(list)}});
  }
  const json body = body_object(req);
  const bool id_ok = body.contains("instance_id") && body["instance_id"].is_string() &&
                     !body["instance_id"].get<std::string>().empty() && body["instance_id"].get<std::string>().size() <= 32;
  const bool status_ok = !body.contains("status") || (body["status"].is_number_integer() && body["status"].get<int>() >= 0 &&
                                                      body["status"].get<int>() <= 5);
  const bool fails_ok = !body.contains("command_fails") || body["command_fails"].is_boolean();
  if (!id_ok || !status_ok || !fails_ok)
    return kp_admin_usage("body must be {\"instance_id\": string of 1 to 32 characters, \"status\"?: 0..5, \"command_fails\"?: bool}");
  const std::string id = body["instance_id"];
  KooPhoneInstance& i = instances_.try_emplace(id, KooPhoneInstance{id}).first->second;
  if (body.contains("status")) {
    i.status = static_cast<KooPhoneStatus>(body["status"].get<int>());
    i.ready_us = std::numeric_limits<int64_t>::max();
  }
  if (body.contains("command_fails")) i.command_fails = body["command_fails"].get<bool>();
  return json_response(200, instance_json(i));
}

}  // namespace cph::emulator

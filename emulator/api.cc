// Response helpers shared by the handlers (api.h).
#include "emulator/api.h"

#include "common/timefmt.h"

namespace cph::emulator {
using nlohmann::json;
using ojson = nlohmann::ordered_json;

HttpResponse json_response(int status, std::string serialized_body) {
  HttpResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json;charset=UTF-8");
  r.body = std::move(serialized_body);
  return r;
}

HttpResponse json_response(int status, const ojson& body) { return json_response(status, body.dump()); }

HttpResponse cps_error(const std::string& request_id, const ApiError& e) {
  return json_response(e.status, ojson{{"request_id", request_id}, {"error_code", e.code}, {"error_msg", e.message}});
}

HttpResponse plain_error(int status, const std::string& code, const std::string& message,
                         const std::string& request_id) {
  ojson body{{"error_code", code}, {"error_msg", message}};
  if (!request_id.empty()) body["request_id"] = request_id;
  return json_response(status, body);
}

std::string api_time(int64_t sim_us) {
  // Floor division: pre-1970 times never occur, but be exact anyway.
  int64_t s = sim_us >= 0 ? sim_us / 1000000 : -((-sim_us + 999999) / 1000000);
  return iso8601_utc(s);
}

json body_object(const HttpRequest& req) {
  json j = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  return j.is_object() ? j : json::object();
}

}  // namespace cph::emulator

// Response helpers shared by the handlers (api.h).
#include "emulator/api.h"

#include <charconv>

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

std::optional<PageWindow> page_window(const QueryParams& q, int64_t max_limit) {
  auto parse = [](const std::optional<std::string>& raw, int64_t def, int64_t min, int64_t max) -> std::optional<int64_t> {
    if (!raw) return def;
    int64_t v = 0;
    const char* end = raw->data() + raw->size();
    auto [p, ec] = std::from_chars(raw->data(), end, v);
    if (raw->empty() || ec != std::errc() || p != end || v < min || v > max) return std::nullopt;
    return v;
  };
  auto offset = parse(q.get("offset"), 0, 0, INT64_MAX);
  auto limit = parse(q.get("limit"), max_limit, 1, max_limit);
  if (!offset || !limit) return std::nullopt;
  return PageWindow{*offset, *limit};
}

HttpResponse batch_jobs_response(const ApiCall& c, const std::vector<BatchItem>& items) {
  std::vector<World::JobSpec> specs;
  for (const BatchItem& i : items)
    if (!i.error) specs.push_back(i.job);
  std::vector<std::string> job_ids = c.world.start_jobs(c.caller.project_id, c.request_id, specs);
  ojson jobs = ojson::array();
  size_t next = 0;
  for (const BatchItem& i : items) {
    ojson item;
    if (i.phone)
      item["phone_id"] = i.phone_id;
    else if (!i.encode_server_id.empty())
      item["encode_server_id"] = i.encode_server_id;
    else
      item["server_id"] = i.server_id;
    if (i.error) {
      item["error_code"] = i.error->code;
      item["error_msg"] = i.error->message;
    } else {
      item["job_id"] = job_ids.at(next++);
    }
    jobs.push_back(std::move(item));
  }
  return json_response(200, ojson{{"request_id", c.request_id}, {"jobs", std::move(jobs)}});
}

json body_object(const HttpRequest& req) {
  json j = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  return j.is_object() ? j : json::object();
}

}  // namespace cph::emulator

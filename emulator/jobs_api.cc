// Job queries: cph-api.md 6.1 (show job) and 6.2 (jobs of one or more
// requests). Empty error_code/error_msg/execute_msg/end_time are "" (A-19:
// one consistent choice, the documented String type).
#include "emulator/api.h"
#include "emulator/json_writer.h"

namespace cph::emulator {
namespace {

// A-46 / 6.2: at most 20 request ids (CPS.0161).
constexpr size_t kMaxRequestIds = 20;

void write_job_fields(JsonWriter& w, const Job& j) {
  const bool done = j.status != job_status::running;
  w.field("job_id", j.id)
      .field("begin_time", api_time(j.begin_us))
      .field("end_time", done ? api_time(j.end_us) : std::string())
      .field("status", j.status)
      .field("error_code", j.error_code)
      .field("error_msg", j.error_msg)
      .field("execute_msg", j.execute_msg);
}

// 6.1 GET /v1/{project_id}/cloud-phone/jobs/{job_id}
HttpResponse show_job(const ApiCall& c) {
  const Job* j = c.world.find_job(c.caller.project_id, c.match.param("job_id"));
  if (!j) return cps_error(c.request_id, ApiError::cps("CPS.0011"));
  JsonWriter w;
  w.begin_object().field("request_id", c.request_id);
  write_job_fields(w, *j);
  w.end_object();
  return json_response(200, w.take());
}

// A request id as the emulator issues them is 32 hex digits; other ids are
// accepted when made of letters, digits and '-', up to 64 bytes.
bool plausible_request_id(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char ch : s)
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '-')) return false;
  return true;
}

// 6.2 GET /v1/{project_id}/cloud-phone/jobs?request_id= | request_ids=a,b
HttpResponse list_jobs(const ApiCall& c) {
  QueryParams q(c.request.query());
  std::optional<PageWindow> page = page_window(q);
  if (!page) return cps_error(c.request_id, ApiError::cps("CPS.0002"));
  std::vector<std::string> ids;
  // request_ids takes precedence over request_id.
  std::optional<std::string> many = q.get("request_ids");
  std::optional<std::string> one = q.get("request_id");
  if (many && !many->empty()) {
    size_t start = 0;
    for (;;) {
      size_t comma = many->find(',', start);
      ids.push_back(many->substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (ids.size() > kMaxRequestIds) return cps_error(c.request_id, ApiError::cps("CPS.0161"));
  } else if (one && !one->empty()) {
    ids.push_back(*one);
  } else {
    return cps_error(c.request_id, ApiError::cps("CPS.0049"));
  }
  for (const std::string& id : ids)
    if (!plausible_request_id(id)) return cps_error(c.request_id, ApiError::cps("CPS.0264"));

  std::vector<const Job*> jobs;
  for (size_t i = 0; i < ids.size(); ++i) {
    bool repeated = false;
    for (size_t k = 0; k < i; ++k) repeated = repeated || ids[k] == ids[i];
    if (repeated) continue;
    for (const Job* j : c.world.jobs_of_request(c.caller.project_id, ids[i])) jobs.push_back(j);
  }
  if (jobs.empty()) return cps_error(c.request_id, ApiError::cps("CPS.0050"));

  JsonWriter w;
  w.begin_object().field("request_id", c.request_id).key("jobs").begin_array();
  for (int64_t i = page->offset; i < static_cast<int64_t>(jobs.size()) && i < page->offset + page->limit; ++i) {
    const Job& j = *jobs[static_cast<size_t>(i)];
    w.begin_object();
    if (!j.phone_id.empty()) w.field("phone_id", j.phone_id);
    if (!j.server_id.empty()) w.field("server_id", j.server_id);
    if (!j.phone_id.empty()) w.field("node_id", j.server_id);  // deprecated alias (6.2)
    write_job_fields(w, j);
    w.end_object();
  }
  w.end_array().end_object();
  return json_response(200, w.take());
}
}  // namespace

std::vector<RouteDef> jobs_routes() {
  return {
      {"GET", "/v1/{project_id}/cloud-phone/jobs/{job_id}", show_job},
      {"GET", "/v1/{project_id}/cloud-phone/jobs", list_jobs},
  };
}

}  // namespace cph::emulator

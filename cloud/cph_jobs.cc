// Jobs (cph-api.md 1.9(a), 6.1, 6.2) and the ServerJob items every
// job-producing call answers (1.10).
#include <stdexcept>

#include "cloud/cph_call.h"
#include "cloud/paging.h"

namespace cph::cloud {

using namespace detail;

namespace {

Job parse_job(const json& j) {
  Job job;
  job.job_id = str(j, "job_id");
  job.server_id = str(j, "server_id");
  job.phone_id = str(j, "phone_id");
  job.status = num(j, "status");
  job.begin_time = str(j, "begin_time");
  job.end_time = str(j, "end_time");
  job.error_code = str(j, "error_code");
  job.error_msg = str(j, "error_msg");
  job.execute_msg = str(j, "execute_msg");
  return job;
}

}  // namespace

namespace detail {

JobsResult parse_jobs_result(const json& j) {
  JobsResult result;
  result.request_id = str(j, "request_id");
  const json& jobs = member(j, "jobs");
  if (jobs.is_array()) {
    for (const json& item : jobs) {
      ServerJobItem i;
      i.server_id = str(item, "server_id");
      i.job_id = str(item, "job_id");
      i.error_code = str(item, "error_code");
      i.error_msg = str(item, "error_msg");
      result.jobs.push_back(std::move(i));
    }
  }
  return result;
}

}  // namespace detail

std::vector<std::string> JobsResult::job_ids() const {
  std::vector<std::string> ids;
  for (const ServerJobItem& i : jobs)
    if (!i.job_id.empty()) ids.push_back(i.job_id);
  return ids;
}

asio::awaitable<Job> CphClient::show_job(std::string job_id) {
  Call c = impl_->cph_call("GET", "GET /v1/{project_id}/cloud-phone/jobs/{job_id}",
                           impl_->project_path("v1", "/cloud-phone/jobs/" + encode(job_id)));
  const HttpResponse r = co_await impl_->call(c);
  co_return parse_job(parse_body(r, c));
}

asio::awaitable<std::vector<Job>> CphClient::list_jobs(std::vector<std::string> request_ids, int offset,
                                                       int limit) {
  if (request_ids.empty() || request_ids.size() > kMaxRequestIdsPerJobQuery)
    throw std::invalid_argument("list_jobs: 1 to 20 request ids per call (cph-api.md 6.2)");
  Call c = impl_->cph_call("GET", "GET /v1/{project_id}/cloud-phone/jobs",
                           impl_->project_path("v1", "/cloud-phone/jobs"));
  if (request_ids.size() == 1) {
    add_query(c.query, "request_id", request_ids.front());
  } else {
    std::string joined;
    for (const std::string& id : request_ids) joined += (joined.empty() ? "" : ",") + id;
    add_query(c.query, "request_ids", joined);
  }
  add_query(c.query, "offset", std::to_string(offset));
  add_query(c.query, "limit", std::to_string(limit));
  const HttpResponse r = co_await impl_->call(c);
  const json j = parse_body(r, c);
  std::vector<Job> jobs;
  const json& list = member(j, "jobs");
  if (list.is_array())
    for (const json& item : list) jobs.push_back(parse_job(item));
  co_return jobs;
}

asio::awaitable<std::vector<Job>> CphClient::list_all_jobs(std::vector<std::string> request_ids) {
  co_return co_await read_all_pages<Job>(
      job_list(),
      [this, &request_ids](int offset) -> asio::awaitable<Page<Job>> {
        // Not in the braces below: see cph_bandwidths.cc.
        std::vector<Job> items = co_await list_jobs(request_ids, offset, kJobPageSize);
        co_return Page<Job>{std::move(items), 0};
      },
      job_key);
}

}  // namespace cph::cloud

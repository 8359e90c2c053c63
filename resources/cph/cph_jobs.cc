// Jobs (cph-api.md 1.9(a), 6.1, 6.2) and the ServerJob items every
// job-producing call answers (1.10).
#include <stdexcept>

#include "resources/cph/cph_call.h"
#include "resources/cph/job_list.h"

namespace cph::cloud {

using namespace detail;

namespace {

// 6.1/6.2: a job without its id or status cannot be waited on.
Job parse_job(const Answer& j) {
  Job job;
  job.job_id = j.id("job_id");
  job.server_id = j.opt_text("server_id");
  job.phone_id = j.opt_text("phone_id");
  job.status = j.integer("status");
  job.begin_time = j.opt_text("begin_time");
  job.end_time = j.opt_text("end_time");
  job.error_code = j.opt_text("error_code");
  job.error_msg = j.opt_text("error_msg");
  job.execute_msg = j.opt_text("execute_msg");
  return job;
}

}  // namespace

namespace detail {

// 1.5 "Per-item errors": each item started a job (job_id) or was refused
// (error_code); an item with neither says nothing about its server.
JobsResult parse_jobs_result(const Answer& j) {
  JobsResult result;
  result.request_id = j.opt_text("request_id");
  for (const Answer& item : j.objects("jobs")) {
    ServerJobItem i;
    i.server_id = item.opt_text("server_id");
    i.phone_id = item.opt_text("phone_id");
    i.job_id = item.opt_text("job_id");
    i.error_code = item.opt_text("error_code");
    i.error_msg = item.opt_text("error_msg");
    if (i.job_id.empty() && i.error_code.empty()) item.fail("job_id", "is missing, and so is error_code");
    result.jobs.push_back(std::move(i));
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
  co_return parse_job(Answer::of(r, c));
}

asio::awaitable<std::vector<Job>> CphClient::list_jobs(std::vector<std::string> request_ids, int offset,
                                                       int limit) {
  if (request_ids.empty() || request_ids.size() > kMaxRequestIdsPerJobQuery)
    throw std::invalid_argument("list_jobs: 1 to 20 request ids per call (CPH API: List jobs)");
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
  std::vector<Job> jobs;
  for (const Answer& item : Answer::of(r, c).objects("jobs")) jobs.push_back(parse_job(item));
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

// The generic job engine of World (cph-api.md 1.9(a), 6.1, 6.2): a
// job-producing call creates one running job (status 1) per accepted item;
// after Durations::job_duration_s(operation) of simulated time the job ends
// with status 2, applying its effect on the server, or -1 with
// error_code/error_msg. Whether it fails is drawn when it is created, from a
// generator seeded with Options::seed, so a run is reproducible.
#include <algorithm>

#include "emulator/ids.h"
#include "emulator/world.h"

namespace cph::emulator {

void World::set_job_failure(double rate, uint64_t seed) {
  job_failure_rate_ = rate;
  job_rng_.seed(seed);
}

std::vector<std::string> World::start_jobs(std::string_view project, const std::string& request_id,
                                           const std::vector<JobSpec>& specs) {
  Changes ch;
  std::vector<std::string> ids;
  std::uniform_real_distribution<double> draw(0.0, 1.0);
  for (const JobSpec& spec : specs) {
    Job j;
    do j.id = ids::request_id();
    while (jobs_.count(j.id));
    j.project_id = std::string(project);
    j.request_id = request_id;
    j.server_id = spec.server_id;
    j.phone_id = spec.phone_id;
    j.operation = spec.operation;
    j.argument = spec.argument;
    j.status = job_status::running;
    j.begin_us = now_us_;
    j.end_us = now_us_ + static_cast<int64_t>(std::max(0.0, durations_.job_duration_s(spec.operation)) * 1e6);
    // Always draw, so the sequence of draws depends only on the jobs created.
    double x = draw(job_rng_);
    j.will_fail = x < job_failure_rate_;
    j.seq = next_seq_++;
    schedule(j.end_us, Event::job_done, j.id);
    ids.push_back(j.id);
    ch.jobs.insert(j.id);
    jobs_by_request_[request_id].push_back(j.id);
    jobs_.emplace(j.id, std::move(j));
  }
  if (!ch.empty()) flush(ch);
  return ids;
}

void World::finish_job(const Event& e, Changes& ch) {
  auto it = jobs_.find(e.id);
  if (it == jobs_.end() || it->second.status != job_status::running) return;
  Job& j = it->second;
  j.end_us = e.due_us;
  ch.jobs.insert(j.id);
  auto server = j.server_id.empty() ? servers_.end() : servers_.find(j.server_id);
  const bool gone = !j.server_id.empty() && server == servers_.end();
  if (j.will_fail || gone) {
    j.status = job_status::failed;
    // cph-api.md 9: CPS.0260 "Sub job execute failed."; a server released
    // while its job ran: CPS.0015.
    const ApiError err = ApiError::cps(gone ? "CPS.0015" : "CPS.0260");
    j.error_code = err.code;
    j.error_msg = err.message;
    return;
  }
  j.status = job_status::success;
  if (server == servers_.end()) return;
  Server& s = server->second;
  if (j.operation == "open_access") {
    s.keypair_name = j.argument;  // 6.3: the server now uses the new key pair
  } else if (j.operation == "change_server") {
    // 3.6: the phones are re-created with the new phone model and image.
    // argument: "phone_model\nimage_id\nkeypair_name".
    const std::string& a = j.argument;
    size_t p1 = a.find('\n'), p2 = a.find('\n', p1 + 1);
    s.phone_model_name = a.substr(0, p1);
    s.image_id = a.substr(p1 + 1, p2 - p1 - 1);
    s.keypair_name = a.substr(p2 + 1);
  } else if (j.operation == "query_share_files") {
    // the listing goes into execute_msg (the emulator keeps no files).
    j.execute_msg = "{\"path\":\"" + j.argument + "\",\"files\":[]}";
  }
  if (j.operation == "open_access" || j.operation == "change_server") {
    s.update_us = e.due_us;
    ch.servers.insert(s.id);
  }
}

const Job* World::find_job(std::string_view project, std::string_view id) const {
  auto it = jobs_.find(std::string(id));
  return it != jobs_.end() && it->second.project_id == project ? &it->second : nullptr;
}

std::vector<const Job*> World::jobs_of_request(std::string_view project, std::string_view request_id) const {
  std::vector<const Job*> out;
  auto it = jobs_by_request_.find(std::string(request_id));
  if (it == jobs_by_request_.end()) return out;
  for (const std::string& id : it->second) {
    const Job* j = find_job(project, id);
    if (j) out.push_back(j);
  }
  return out;
}

const Job* World::running_job(std::string_view server_id, std::string_view operation) const {
  // Linear in the jobs; only used by calls that are rare (3.5, 3.6).
  for (const auto& [id, j] : jobs_)
    if (j.status == job_status::running && j.server_id == server_id && j.operation == operation) return &j;
  return nullptr;
}

}  // namespace cph::emulator

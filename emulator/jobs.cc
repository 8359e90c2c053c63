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
    j.seq = next_seq_++;
    if (spec.final_status) {
      // Already finished (7.5): no duration, no failure draw.
      j.status = *spec.final_status;
      j.end_us = now_us_;
      j.error_code = spec.error_code;
      j.error_msg = spec.error_msg;
      j.execute_msg = spec.execute_msg;
    } else {
      j.end_us = now_us_ + static_cast<int64_t>(std::max(0.0, durations_.job_duration_s(spec.operation)) * 1e6);
      // Always draw, so the sequence of draws depends only on the jobs created.
      double x = draw(job_rng_);
      j.will_fail = x < job_failure_rate_;
      schedule(j.end_us, Event::job_done, j.id);
      if (!j.phone_id.empty()) begin_phone_job(j, ch);
      if (j.operation == "restart_encode_server") encode_restarting_.insert(j.argument);
    }
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
  if (j.operation == "restart_encode_server") encode_restarting_.erase(j.argument);  // 6.5: 3 -> 1
  auto server = j.server_id.empty() ? servers_.end() : servers_.find(j.server_id);
  const bool gone = !j.server_id.empty() && server == servers_.end();
  const bool phone_job = !j.phone_id.empty();
  if (j.will_fail || gone) {
    j.status = job_status::failed;
    // cph-api.md 9: CPS.0260 "Sub job execute failed."; a server released
    // while its job ran: CPS.0015 (its phones: CPS.0005).
    const ApiError err = ApiError::cps(gone ? (phone_job ? "CPS.0005" : "CPS.0015") : "CPS.0260");
    j.error_code = err.code;
    j.error_msg = err.message;
    if (phone_job && !gone) finish_phone_job(j, true, e.due_us, ch);
    return;
  }
  j.status = job_status::success;
  if (server == servers_.end()) return;
  if (phone_job)
    finish_phone_job(j, false, e.due_us, ch);
  else
    apply_server_job(j, server->second, e.due_us, ch);
}

bool World::draw_job_failure() {
  std::uniform_real_distribution<double> draw(0.0, 1.0);
  return draw(job_rng_) < job_failure_rate_;
}

bool World::admit_sync_command(const std::string& caller) {
  constexpr int64_t kWindowUs = 60 * 1000000LL;
  constexpr size_t kMaxPerWindow = 6;  // 7.5: "at most 6 calls per user per minute"
  std::vector<int64_t>& times = sync_commands_[caller];
  std::erase_if(times, [&](int64_t t) { return t <= now_us_ - kWindowUs; });
  if (times.size() >= kMaxPerWindow) return false;
  times.push_back(now_us_);
  return true;
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

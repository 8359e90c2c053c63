// Batches of server jobs: chunking, journaling, waiting, outcomes.
#include "resources/cph/server_jobs.h"

#include <map>
#include <algorithm>

namespace cph::resources {

namespace asio = boost::asio;

std::string group_address(const std::vector<ServerRef>& servers) {
  if (servers.empty()) return {};
  if (servers.size() == 1) return servers.front().address;
  return servers.front().address + ".." + servers.back().address;
}

namespace {

std::string describe(const std::string& code, const std::string& msg) {
  if (code.empty() && msg.empty()) return "failed without an error code";
  if (msg.empty()) return code;
  if (code.empty()) return msg;
  return code + " " + msg;
}

Json jobs_json(const cloud::JobsResult& r) {
  Json jobs = Json::array();
  for (const cloud::ServerJobItem& i : r.jobs) {
    Json item = {{"server_id", i.server_id}};
    if (!i.job_id.empty()) item["job_id"] = i.job_id;
    if (!i.error_code.empty() || i.job_id.empty()) {
      item["error_code"] = i.error_code;
      item["error_msg"] = i.error_msg;
    }
    jobs.push_back(std::move(item));
  }
  return jobs;
}

}  // namespace

asio::awaitable<std::vector<ItemOutcome>> run_server_jobs(cloud::JobPoller& poller, OperationJournal& journal,
                                                          std::string address, std::string operation, Json body,
                                                          Json idempotency, std::vector<ServerRef> servers,
                                                          SendServerJobs send) {
  std::vector<ItemOutcome> outcomes;
  for (const ServerRef& s : servers) outcomes.push_back({s.address, s.server_id, ""});
  if (servers.empty()) co_return outcomes;

  // Send every chunk first, so that their jobs run (and are polled) together.
  std::vector<cloud::JobsResult> sent;
  for (size_t start = 0; start < servers.size(); start += kMaxServersPerBatch) {
    const size_t end = std::min(servers.size(), start + kMaxServersPerBatch);
    std::vector<std::string> ids;
    Json refs = Json::array();
    for (size_t i = start; i < end; ++i) {
      ids.push_back(servers[i].server_id);
      refs.push_back({{"address", servers[i].address}, {"server_id", servers[i].server_id}});
    }
    Json chunk_body = body;
    chunk_body["server_ids"] = ids;
    Json chunk_idempotency = idempotency;
    chunk_idempotency["servers"] = refs;
    const int64_t entry = journal.intent(address, operation, chunk_body.dump(), chunk_idempotency);
    cloud::JobsResult result = co_await send(ids);
    journal.answered(entry, {{"request_id", result.request_id}, {"jobs", jobs_json(result)}});
    sent.push_back(std::move(result));
  }

  // server id -> outcome index (duplicates in `servers` share the answer).
  std::multimap<std::string, size_t> index;
  for (size_t i = 0; i < servers.size(); ++i) index.emplace(servers[i].server_id, i);
  std::map<std::string, bool> answered;
  auto set_error = [&](const std::string& server_id, const std::string& error) {
    auto [from, to] = index.equal_range(server_id);
    for (auto it = from; it != to; ++it) outcomes[it->second].error = error;
  };
  for (const cloud::JobsResult& result : sent) {
    std::map<std::string, std::string> job_server;  // job id -> server id
    for (const cloud::ServerJobItem& item : result.jobs) {
      answered[item.server_id] = true;
      if (item.job_id.empty())
        set_error(item.server_id, describe(item.error_code, item.error_msg));
      else
        job_server[item.job_id] = item.server_id;
    }
    std::vector<cloud::Job> jobs = co_await poller.wait(result.request_id, result.job_ids());
    for (const cloud::Job& job : jobs) {
      if (job.succeeded()) continue;
      auto it = job_server.find(job.job_id);
      set_error(it != job_server.end() ? it->second : job.server_id, describe(job.error_code, job.error_msg));
    }
  }
  for (const ServerRef& s : servers)
    if (!answered.count(s.server_id)) set_error(s.server_id, "the response had no job for this server");
  co_return outcomes;
}

}  // namespace cph::resources

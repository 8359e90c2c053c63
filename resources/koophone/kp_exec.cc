// Fleet commands (kp_exec.h).
#include "resources/koophone/kp_exec.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <string_view>

#include "resources/polling.h"

namespace cph::koophone {
namespace {
namespace asio = boost::asio;

// What one batch's command call gave: the results (sync), or the task to
// poll (async), or the refusal that failed every instance of it.
struct BatchRun {
  std::vector<std::string> ids;
  std::vector<CommandResult> results;
  std::optional<AsyncCommand> task;
};

std::vector<CommandResult> failed_batch(const std::vector<std::string>& ids, const KpError& e) {
  std::vector<CommandResult> out;
  for (const std::string& id : ids) out.push_back(CommandResult{id, -1, e.error_code, e.error_msg, ""});
  return out;
}

// A call whose outcome is unknown (a 5xx, a lost answer): its instances may
// run the command or not; each is failed with UNKNOWN and the reason.
std::vector<CommandResult> unknown_batch(const std::vector<std::string>& ids, const std::string& why) {
  std::vector<CommandResult> out;
  for (const std::string& id : ids)
    out.push_back(CommandResult{id, -1, "UNKNOWN", "the command call's outcome is unknown (" + why + "); not sent again", ""});
  return out;
}

bool ended(const CommandResult& r) { return r.status == 2 || r.status == -1; }
}  // namespace

size_t FleetCommand::failed() const {
  return static_cast<size_t>(std::count_if(results.begin(), results.end(), [](const CommandResult& r) { return r.status != 2; }));
}

asio::awaitable<FleetCommand> run_fleet_command(KooPhoneClient& client, std::vector<std::string> ids, std::string command,
                                                bool sync, resources::PollPolicy poll,
                                                std::function<void(const std::vector<std::string>&)> started) {
  FleetCommand run;
  KooPhoneClient* c = &client;
  // Named, not temporaries of the co_await below (GCC 12 destroys those twice).
  std::vector<std::vector<std::string>> id_batches = batches_of(ids);
  std::function<asio::awaitable<BatchRun>(std::vector<std::string>)> one_batch = [c, command, sync](std::vector<std::string> batch)
      -> asio::awaitable<BatchRun> {
    BatchRun b{batch, {}, std::nullopt};
    try {
      if (sync) b.results = co_await c->sync_command(batch, command);
      else b.task = co_await c->async_command(batch, command);
    } catch (const KpError& e) {
      if (!e.refused()) {
        b.results = unknown_batch(batch, e.what());
      } else {
        b.results = failed_batch(batch, e);
      }
    } catch (const std::exception& e) {
      // A lost answer (the connection dropped): the command may be running.
      // Never sent again (the client resends no command); the other batches
      // and their tasks go on.
      b.results = unknown_batch(batch, e.what());
    }
    co_return b;
  };
  std::vector<BatchRun> batches = co_await for_each_batch<BatchRun>(std::move(id_batches), one_batch);
  run.command_calls = static_cast<int64_t>(batches.size());

  // Latest result per instance; async jobs start as running.
  std::map<std::string, CommandResult> by_id;
  for (BatchRun& b : batches) {
    for (CommandResult& r : b.results) by_id[r.instance_id] = std::move(r);
    if (b.task) {
      run.task_ids.push_back(b.task->task_id);
      for (const auto& [job, instance] : b.task->job_instance) by_id[instance] = CommandResult{instance, 1, "", "", ""};
    }
  }
  if (started && !run.task_ids.empty()) started(run.task_ids);
  // One query per unfinished task per round.
  std::vector<AsyncCommand> open;
  for (BatchRun& b : batches)
    if (b.task) open.push_back(*b.task);
  const auto start = std::chrono::steady_clock::now();
  std::chrono::milliseconds interval = poll.initial;
  while (!open.empty()) {
    co_await resources::poll_sleep(interval, poll);
    std::vector<AsyncCommand> still;
    bool progressed = false;
    for (const AsyncCommand& task : open) {
      const std::vector<CommandResult> jobs = co_await client.query_task(task);
      ++run.task_queries;
      bool all = !jobs.empty();
      for (const CommandResult& r : jobs) {
        progressed |= ended(r) && !ended(by_id[r.instance_id]);
        by_id[r.instance_id] = r;
        all &= ended(r);
      }
      if (!all) still.push_back(task);
    }
    open = std::move(still);
    if (!open.empty() && std::chrono::steady_clock::now() - start > poll.timeout) {
      for (const AsyncCommand& task : open)
        for (const auto& [job, instance] : task.job_instance)
          if (!ended(by_id[instance]))
            by_id[instance] = CommandResult{instance, -1, "TIMEOUT",
                                            "still running after " + std::to_string(poll.timeout.count()) + " s (task " + task.task_id + ")", ""};
      break;
    }
    interval = resources::next_poll_interval(interval, poll, progressed);
  }
  for (const std::string& id : ids) {
    auto it = by_id.find(id);
    // An id the answer did not mention: nothing says it ran.
    run.results.push_back(it != by_id.end() ? it->second : CommandResult{id, -1, "MISSING", "the answer has no result for it", ""});
  }
  co_return run;
}

std::string command_error(const std::string& command) {
  const char* api = " (KooPhone API: Instance async command)";
  if (command.empty()) return std::string("the command is empty") + api;
  if (command.size() > 1024)
    return "the command is " + std::to_string(command.size()) + " bytes; at most 1024 are accepted" + api;
  for (const char c : command) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    std::string_view("_./:- ").find(c) != std::string_view::npos;
    if (!ok)
      return "the command contains '" + std::string(1, c) +
             "'; only letters, digits, spaces and _ . / : - are accepted" + api;
  }
  return "";
}

std::string format_fleet_command(const FleetCommand& run) {
  std::string out;
  for (const CommandResult& r : run.results) {
    out += r.instance_id + (r.status == 2 ? "  ok" : "  failed " + r.error_code + " " + r.error_msg);
    if (!r.output.empty()) out += "  " + r.output;
    out += "\n";
  }
  for (const std::string& t : run.task_ids) out += "task " + t + "\n";
  const size_t failed = run.failed();
  out += std::to_string(run.results.size() - failed) + " succeeded, " + std::to_string(failed) + " failed (" +
         std::to_string(run.command_calls) + " command calls, " + std::to_string(run.task_queries) + " task queries).\n";
  return out;
}

}  // namespace cph::koophone

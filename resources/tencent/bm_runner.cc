#include "resources/tencent/bm_runner.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "resources/polling.h"
#include "resources/tencent/bm_kind.h"
#include "resources/tencent/bm_reset.h"
#include "resources/write_only.h"

namespace cph::resources {

namespace {

using Clock = std::chrono::steady_clock;

// One ResetDevicePasswd call whose task runs.
struct SentReset {
  int64_t task = 0;
  std::vector<std::string> devices;
};

// The rows of a set: the wanted attributes, the password as its digest,
// the devices that hold it and the tasks that set it.
InstanceResult set_row(const Action& a, const Json& wanted, const std::vector<std::string>& ids,
                       const std::vector<int64_t>& tasks, const std::string& prior_id) {
  Json attrs = wanted;
  attrs["instance_ids"] = ids;
  attrs["task_ids"] = tasks;
  const std::string id = tasks.empty() ? prior_id : "task-" + std::to_string(tasks.back());
  return {a.address, id, std::move(attrs), a.type};
}

// `ids` in the order of the manifest's list (`order`), without repeats.
std::vector<std::string> in_order(const std::vector<std::string>& order, const std::set<std::string>& ids) {
  std::vector<std::string> out;
  for (const std::string& id : order)
    if (ids.count(id)) out.push_back(id);
  return out;
}

// The recorded secret (password digest, os, password_version) is `b`'s.
bool same_secret(const Json& a, const Json& b) {
  for (const char* key : {"password", "os", "password_version"})
    if (a.value(key, Json()) != b.value(key, Json())) return false;
  return true;
}

std::string joined(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) out += (out.empty() ? "" : ", ") + id;
  return out;
}

class BmStepRunner final : public StepRunner {
 public:
  BmStepRunner(tencent::BmClient& client, const Records& records, RunPlan plan, RunObserver& progress, PollPolicy poll)
      : client_(client), records_(records), plan_(plan), progress_(progress), poll_(poll) {}

  boost::asio::awaitable<void> run(const Step& step, StepJournal& journal, RunReport&) override {
    for (size_t i : step.actions) {
      const Action& a = plan_.actions.at(i);
      progress_.started(a.address, a.kind, a.cloud_id);
      if (step.operation == "forget") {
        journal.finish({}, {a.address});  // nothing un-sets a password: the devices keep theirs
        progress_.finished(a.address, a.cloud_id, false);
        continue;
      }
      co_await reset(a, journal);
    }
  }

  // An answered call of an earlier run: its task is followed to the end and
  // its devices join the set's row (the record as it is now, so that
  // several resumed calls of one set add up in any order).
  boost::asio::awaitable<void> resume(const ResumedOperation& op, StepJournal& journal, RunReport&) override {
    const OpenEntry& e = op.entry;
    const int64_t task = e.response.value("taskId", int64_t{0});
    const std::vector<std::string> devices = e.intent.value("devices", std::vector<std::string>{});
    const std::vector<SentReset> sent = {{task, devices}};
    const std::map<int64_t, tencent::BmTaskStatus> outcome = co_await follow(e.address, sent);
    InstanceResult row = bm_entry_record(e);
    // Entries resume in the order they were written: the first one's row
    // starts from the devices that held the password before its step, each
    // later one from the row the one before it wrote.
    const std::optional<InstanceResult> now = records_.find(e.address);
    std::set<std::string> holding;
    if (now && same_secret(now->attributes, row.attributes))
      for (const Json& id : now->attributes.value("instance_ids", Json::array())) holding.insert(id.get<std::string>());
    else
      for (const std::string& id : e.intent.value("kept", std::vector<std::string>{})) holding.insert(id);
    const bool ok = outcome.at(task) == tencent::BmTaskStatus::success;
    if (ok) holding.insert(devices.begin(), devices.end());
    const std::vector<std::string> order = row.attributes.value("instance_ids", std::vector<std::string>{});
    row.attributes["instance_ids"] = in_order(order, holding);
    if (!ok)
      throw OperationFailed(e.address + ": task " + std::to_string(task) + " failed: the password of " +
                                joined(devices) + " was not reset (DescriptionOperationResult)",
                            {row});
    journal.finish({row}, {});
  }

  // Waits end through poll_sleep, which the run's StopSignal wakes.
  void stop() override {}

 private:
  boost::asio::awaitable<void> reset(const Action& a, StepJournal& journal) {
    if (!a.after.contains("password") || !a.after["password"].is_string())
      throw std::runtime_error(a.address + ": the password is not known to this run (write-only values are never "
                               "saved; plan again from the variables)");
    const std::string password = a.after["password"].get<std::string>();
    Json wanted = a.after;
    wanted["password"] = write_only_digest(records_.write_only_key(), password);
    const std::optional<InstanceResult> now = records_.find(a.address);
    // Decided again from the record as it is now: a resumed task may have
    // set this password on some devices since the plan was made.
    const bool same = now && same_secret(now->attributes, wanted);
    const ResetScope scope = reset_scope(now ? now->attributes : Json(), wanted, same);
    const std::string prior_id = now ? now->cloud_id : "";
    const std::vector<std::string> order = wanted.value("instance_ids", std::vector<std::string>{});
    std::set<std::string> holding(scope.kept.begin(), scope.kept.end());
    std::vector<SentReset> sent;
    std::vector<int64_t> tasks;
    std::exception_ptr send_error;
    for (const std::vector<std::string>& batch : reset_batches(scope.todo)) {
      std::set<std::string> after_call = holding;
      for (const SentReset& s : sent) after_call.insert(s.devices.begin(), s.devices.end());
      after_call.insert(batch.begin(), batch.end());
      const InstanceResult record = set_row(a, wanted, in_order(order, after_call), tasks, prior_id);
      // The intent holds the devices and the digest, never the password.
      const Json intent = {{"devices", batch},
                           {"kept", scope.kept},
                           {"record", {{"cloud_id", record.cloud_id}, {"attributes", record.attributes}}}};
      const int64_t entry = journal.intent(a.address, "reset_password", "ResetDevicePasswd " + Json(batch).dump() +
                                           " " + wanted["password"].get<std::string>(), intent);
      try {
        const int64_t task = co_await client_.reset_device_passwd(batch, password);
        journal.answered(entry, {{"taskId", task}});
        sent.push_back({task, batch});
        tasks.push_back(task);
      } catch (...) {
        send_error = std::current_exception();
        break;
      }
    }
    if (send_error && sent.empty()) std::rethrow_exception(send_error);  // nothing runs: the journal decides
    const std::map<int64_t, tencent::BmTaskStatus> outcome = co_await follow(a.address, sent);
    std::vector<std::string> failed;
    for (const SentReset& s : sent) {
      if (outcome.at(s.task) == tencent::BmTaskStatus::success)
        holding.insert(s.devices.begin(), s.devices.end());
      else
        failed.push_back("task " + std::to_string(s.task) + " (" + joined(s.devices) + ")");
    }
    InstanceResult row = set_row(a, wanted, in_order(order, holding), tasks, prior_id);
    if (send_error || !failed.empty()) {
      std::string why;
      if (!failed.empty()) why = "the password was not reset by " + joined(failed);
      if (send_error) {
        std::string sent_error;
        try {
          std::rethrow_exception(send_error);
        } catch (const std::exception& e) {
          sent_error = e.what();
        }
        why += std::string(why.empty() ? "" : "; ") + "a later call failed: " + sent_error;
      }
      throw OperationFailed(a.address + ": " + why + "; the devices that did reset are recorded", {row});
    }
    if (tasks.empty() && now && now->attributes.contains("task_ids"))  // no call: the last reset's tasks stay
      row.attributes["task_ids"] = now->attributes["task_ids"];
    journal.finish({row}, {});
    progress_.finished(a.address, row.cloud_id, journal.called());
  }

  // Polls every task of `sent` once a round until none runs, at the pace of
  // the engine's one backoff rule, for at most poll.timeout.
  boost::asio::awaitable<std::map<int64_t, tencent::BmTaskStatus>> follow(const std::string& address,
                                                                        const std::vector<SentReset>& sent) {
    std::map<int64_t, tencent::BmTaskStatus> status;
    for (const SentReset& s : sent) status[s.task] = tencent::BmTaskStatus::running;
    const Clock::time_point start = Clock::now();
    std::chrono::milliseconds interval = poll_.initial;
    auto running = [&] {
      return std::any_of(status.begin(), status.end(),
                         [](const auto& t) { return t.second == tencent::BmTaskStatus::running; });
    };
    while (running()) {
      co_await poll_sleep(interval, poll_);
      bool progressed = false;
      for (auto& [task, st] : status) {
        if (st != tencent::BmTaskStatus::running) continue;
        const tencent::BmTask answer = co_await client_.operation_result(task);
        st = answer.status;
        progressed |= st != tencent::BmTaskStatus::running;
      }
      if (running() && Clock::now() - start > poll_.timeout)
        throw std::runtime_error(address + ": the reset tasks were still running after " +
                                 std::to_string(poll_.timeout.count()) + " s; the journal keeps their ids and the "
                                 "next apply follows them");
      interval = next_poll_interval(interval, poll_, progressed);
    }
    co_return status;
  }

  tencent::BmClient& client_;
  const Records& records_;
  RunPlan plan_;
  RunObserver& progress_;
  PollPolicy poll_;
};

}  // namespace

std::unique_ptr<StepRunner> bm_step_runner(tencent::BmClient& client, const Records& records, RunPlan plan,
                                           RunObserver& progress, PollPolicy poll) {
  return std::make_unique<BmStepRunner>(client, records, plan, progress, poll);
}

}  // namespace cph::resources

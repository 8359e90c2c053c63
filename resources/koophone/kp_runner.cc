#include "resources/koophone/kp_runner.h"

#include <chrono>
#include <set>

#include "resources/koophone/kp_batches.h"
#include "resources/koophone/kp_kind.h"
#include "resources/koophone/kp_schema.h"
#include "resources/polling.h"

namespace cph::resources {

namespace {

using Clock = std::chrono::steady_clock;

std::string joined(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) out += (out.empty() ? "" : ", ") + id;
  return out;
}

// `ids` in the order of `order`, without repeats.
std::vector<std::string> in_order(const std::vector<std::string>& order, const std::set<std::string>& ids) {
  std::vector<std::string> out;
  for (const std::string& id : order)
    if (ids.count(id)) out.push_back(id);
  return out;
}

// The set's row: the wanted attributes with the instances that hold them;
// its id is the first instance of the set.
InstanceResult set_row(const Action& a, Json attributes, const std::vector<std::string>& ids) {
  const std::vector<std::string> all = instance_ids_of(a.after);
  attributes["instance_ids"] = ids;
  attributes.erase("unavailable");
  return {a.address, all.empty() ? std::string() : all.front(), std::move(attributes), a.type};
}

// The wanted attributes as a reset of `reset` leaves them: those instances
// no longer count as holding the video settings.
Json after_reset(const Action& a, const std::vector<std::string>& reset) {
  const std::set<std::string> gone(reset.begin(), reset.end());
  std::vector<std::string> kept;
  for (const std::string& id : instance_ids_of(a.after))
    if (!gone.count(id)) kept.push_back(id);
  Json attributes = a.after;
  attributes["instance_ids"] = kept;
  attributes.erase("unavailable");
  return attributes;
}

class KpStepRunner final : public StepRunner {
 public:
  KpStepRunner(koophone::KooPhoneClient& client, StatusBook& statuses, const Records& records, RunPlan plan,
               RunObserver& progress, PollPolicy poll)
      : client_(client), statuses_(statuses), records_(records), plan_(plan), progress_(progress), poll_(poll) {}

  boost::asio::awaitable<void> run(const Step& step, StepJournal& journal, RunReport&) override {
    for (size_t i : step.actions) {
      const Action& a = plan_.actions.at(i);
      progress_.started(a.address, a.kind, a.cloud_id);
      if (step.operation == "forget") {
        journal.finish({}, {a.address});  // the instances are not released: only forgotten
        progress_.finished(a.address, a.cloud_id, false);
        continue;
      }
      const std::optional<InstanceResult> now = records_.find(a.address);
      Json recorded = now ? now->attributes : Json();
      if (step.operation == "reset") {
        co_await reset(a, journal);
        recorded = after_reset(a, reset_ids(a));
      }
      InstanceResult row = co_await set_video(a, recorded, journal);
      journal.finish({row}, {});
      progress_.finished(a.address, row.cloud_id, journal.called());
    }
  }

  // A reset answered in an earlier run: its instances are followed until
  // they run; the row is the one its intent recorded (without them among the
  // instances holding the video settings).
  boost::asio::awaitable<void> resume(const ResumedOperation& op, StepJournal& journal, RunReport&) override {
    const std::vector<std::string> ids = op.entry.intent.value("ids", std::vector<std::string>{});
    co_await follow_reset(op.entry.address, ids);
    InstanceResult row = koophone_entry_record(op.entry);
    row.attributes["unavailable"] = co_await unavailable(instance_ids_of(row.attributes));
    journal.finish({row}, {});
  }

  void stop() override {}  // waits end through poll_sleep, which the run's StopSignal wakes

 private:
  // 14.7 in calls of 32 (each journaled first), then every reset instance
  // followed until it runs. A refused call fails its instances and the
  // others go on; a call whose outcome is unknown ends the step at once.
  boost::asio::awaitable<void> reset(const Action& a, StepJournal& journal) {
    const std::vector<std::string> ids = reset_ids(a);
    const Json left = after_reset(a, ids);
    const InstanceResult record = set_row(a, left, instance_ids_of(left));
    std::vector<std::string> sent, failures;
    std::exception_ptr unknown_outcome;
    for (std::vector<std::string>& batch : koophone::batches_of(ids)) {
      const Json intent = {{"ids", batch}, {"record", {{"cloud_id", record.cloud_id}, {"attributes", record.attributes}}}};
      const int64_t entry = journal.intent(a.address, "reset", "POST /v1/instances/batch-reset " + Json(batch).dump(), intent);
      try {
        co_await client_.reset(batch);
        journal.answered(entry, Json::object());
        sent.insert(sent.end(), batch.begin(), batch.end());
      } catch (const koophone::KpError& e) {
        if (!e.refused()) {
          unknown_outcome = std::current_exception();
          break;
        }
        failures.push_back(joined(batch) + ": " + e.what());
      } catch (...) {
        unknown_outcome = std::current_exception();
        break;
      }
    }
    // Not known whether the last call reset anything: every entry of the
    // step stays open, and the next plan reconciles them (kp_kind.h): the
    // answered ones are followed, the unanswered one is not sent again.
    if (unknown_outcome) std::rethrow_exception(unknown_outcome);
    if (!sent.empty()) co_await follow_reset(a.address, sent);
    for (const std::string& id : sent) progress_.note(a.address + ": " + id + " reset, running");
    if (failures.empty()) co_return;
    // What a reset made is recorded without the reset instances holding the
    // video settings, so that the next plan applies them again.
    std::vector<InstanceResult> made;
    if (!sent.empty()) made.push_back(record);
    throw OperationFailed(a.address + ": the reset failed for " + joined(failures) +
                              (sent.empty() ? "" : "; " + std::to_string(sent.size()) + " instances were reset"),
                          made);
  }

  // Polls the status of `ids` (32 a call) once a round until every one runs
  // (14.7: a reset instance goes through 4 starting to 2 running), at the
  // pace of the engine's one backoff rule, for at most poll.timeout.
  boost::asio::awaitable<void> follow_reset(const std::string& address, std::vector<std::string> waiting) {
    const Clock::time_point start = Clock::now();
    std::chrono::milliseconds interval = poll_.initial;
    while (!waiting.empty()) {
      co_await poll_sleep(interval, poll_);
      const std::map<std::string, int> answer = co_await client_.query_status(waiting);
      statuses_.add(waiting, answer);
      std::vector<std::string> still;
      for (const std::string& id : waiting) {
        auto found = answer.find(id);
        if (found == answer.end() || found->second != static_cast<int>(koophone::InstanceStatus::running))
          still.push_back(id);
      }
      const bool progressed = still.size() < waiting.size();
      waiting = std::move(still);
      if (waiting.empty()) break;
      if (Clock::now() - start > poll_.timeout) {
        std::string states;
        for (const std::string& id : waiting) {
          auto found = answer.find(id);
          states += (states.empty() ? "" : ", ") + id + " (" +
                    (found == answer.end() ? std::string("unknown") : koophone::status_name(found->second)) + ")";
        }
        throw std::runtime_error(address + ": after " + std::to_string(poll_.timeout.count()) +
                                 " s these reset instances were still not running: " + states +
                                 " (KooPhone API: Batch instance status query)");
      }
      interval = next_poll_interval(interval, poll_, progressed);
    }
  }

  // The video settings to the instances that need them (kp_kind.h
  // video_targets), 32 ids a call, each call journaled first. Returns the
  // set's row: the instances that hold the settings, or every instance when
  // the block has none.
  boost::asio::awaitable<InstanceResult> set_video(const Action& a, const Json& recorded, StepJournal& journal) {
    const std::vector<std::string> order = instance_ids_of(a.after);
    const std::vector<koophone::VideoSetting> settings = video_settings_of(a.after);
    const std::vector<std::string> targets = video_targets(recorded, a.after);
    std::set<std::string> holding(order.begin(), order.end());
    for (const std::string& id : targets) holding.erase(id);
    std::vector<std::string> failures;
    for (std::vector<std::string>& batch : koophone::batches_of(targets)) {
      std::set<std::string> after_call = holding;
      after_call.insert(batch.begin(), batch.end());
      const InstanceResult record = set_row(a, a.after, in_order(order, after_call));
      const Json intent = {{"ids", batch}, {"record", {{"cloud_id", record.cloud_id}, {"attributes", record.attributes}}}};
      const int64_t entry =
          journal.intent(a.address, "set_video", "PUT /v1/instances/video-setting " + Json(batch).dump(), intent);
      try {
        co_await client_.set_video(batch, settings);
        journal.answered(entry, Json::object());
        holding.insert(batch.begin(), batch.end());
      } catch (const koophone::KpError& e) {
        if (!e.refused()) throw;  // not known whether it was applied: the journal decides
        failures.push_back(joined(batch) + ": " + e.what());
      }
    }
    InstanceResult row = set_row(a, a.after, in_order(order, holding));
    row.attributes["unavailable"] = co_await unavailable(order);
    if (!failures.empty())
      throw OperationFailed(a.address + ": the video settings were refused for " + joined(failures) +
                                "; the instances that took them are recorded",
                            {row});
    co_return row;
  }

  // The set's `unavailable`, reading only the statuses not read yet.
  boost::asio::awaitable<Json> unavailable(const std::vector<std::string>& ids) {
    const std::vector<std::string> missing = statuses_.missing(ids);
    if (!missing.empty()) {
      const std::map<std::string, int> answer = co_await client_.query_status(missing);
      statuses_.add(missing, answer);
    }
    co_return statuses_.unavailable(ids);
  }

  koophone::KooPhoneClient& client_;
  StatusBook& statuses_;
  const Records& records_;
  RunPlan plan_;
  RunObserver& progress_;
  PollPolicy poll_;
};

}  // namespace

std::unique_ptr<StepRunner> koophone_step_runner(koophone::KooPhoneClient& client, StatusBook& statuses,
                                                 const Records& records, RunPlan plan, RunObserver& progress,
                                                 PollPolicy poll) {
  return std::make_unique<KpStepRunner>(client, statuses, records, plan, progress, poll);
}

}  // namespace cph::resources

// [phones] steps (phone_steps.h). The calls are chosen against the phones
// as listed now (5.1; not the plan's refresh: servers bought earlier in
// this run have phones the refresh never saw) and against the row, which
// records the properties last applied (they cannot be read back).
#include "resources/cph/phone_steps.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "resources/cph/all_at_once.h"
#include "resources/cph/phone_slots.h"
#include "resources/polling.h"

namespace cph::resources {
namespace {

namespace asio = boost::asio;
using phone_slots::Slot;

// Fewer servers than this are listed one by one (5.1 ?server_id=): a block
// of a few servers in a project of thousands need not list them all.
constexpr size_t kListedOneByOne = 20;

}  // namespace

asio::awaitable<PhonesByServer> list_phones_of(cloud::CphClient& cloud, const std::set<std::string>& server_ids) {
  PhonesByServer out;
  if (server_ids.size() < kListedOneByOne) {
    std::vector<asio::awaitable<std::vector<cloud::Phone>>> lists;
    for (const std::string& id : server_ids) lists.push_back(cloud.list_server_phones(id));
    for (std::vector<cloud::Phone>& list : co_await all_at_once(std::move(lists)))
      for (cloud::Phone& p : list) {
        std::string server = p.server_id;
        out[server].push_back(std::move(p));
      }
  } else {
    for (cloud::Phone& p : co_await cloud.list_all_phones())
      if (server_ids.count(p.server_id)) {
        std::string server = p.server_id;
        out[server].push_back(std::move(p));
      }
  }
  for (auto& [server, list] : out)
    std::sort(list.begin(), list.end(), [](const cloud::Phone& a, const cloud::Phone& b) { return a.phone_id < b.phone_id; });
  co_return out;
}

namespace {

// How long an apply waits for phones in transition to settle.
constexpr std::chrono::minutes kSettleWait{10};

bool in_transition(const PhonesByServer& phones) {
  for (const auto& [server, list] : phones)
    for (const cloud::Phone& p : list)
      if (phone_slots::in_transition(p.status)) return true;
  return false;
}

// One phone's part of a batch call: the properties it gets (JSON text; ""
// none).
struct PhoneWork {
  const Slot* slot;
  std::string property;
};

// Phone id -> what went wrong, with the API that said so.
using Errors = std::map<std::string, std::string>;

std::string error_text(const std::string& code, const std::string& msg) {
  if (code.empty() && msg.empty()) return "failed without an error code";
  return msg.empty() ? code : code.empty() ? msg : code + " " + msg;
}

using SendPhones = std::function<asio::awaitable<cloud::JobsResult>(std::vector<PhoneWork>)>;
// Called as each call's jobs have ended, with its phones and their errors.
using BatchDone = std::function<void(const std::vector<PhoneWork>& phones, const Errors& errors)>;

// One request's jobs followed to their end: a phone whose item was refused
// or whose job failed gets its error.
asio::awaitable<Errors> follow(cloud::JobPoller& poller, cloud::JobsResult result, std::string api) {
  Errors errors;
  std::map<std::string, std::string> job_phone;
  for (const cloud::ServerJobItem& item : result.jobs) {
    if (item.job_id.empty())
      errors[item.phone_id] = api + ": " + error_text(item.error_code, item.error_msg);
    else
      job_phone[item.job_id] = item.phone_id;
  }
  std::vector<std::string> job_ids = result.job_ids();
  for (const cloud::Job& job : co_await poller.wait(result.request_id, std::move(job_ids))) {
    if (job.succeeded()) continue;
    auto it = job_phone.find(job.job_id);
    errors[it != job_phone.end() ? it->second : job.phone_id] =
        api + ": job " + job.job_id + " failed: " + error_text(job.error_code, job.error_msg);
  }
  co_return errors;
}

// `work` in calls of at most kMaxPhonesPerCall, each journaled first (the
// phones and their properties) and its answer on arrival; every call is
// sent before any job is waited for, so that their jobs run and are
// polled together. A call the service refuses as a whole fails its phones.
asio::awaitable<Errors> follow_batch(cloud::JobPoller& poller, cloud::JobsResult result, std::string api,
                                     std::vector<PhoneWork> phones, BatchDone done) {
  Errors errors = co_await follow(poller, std::move(result), std::move(api));
  if (done) done(phones, errors);
  co_return errors;
}

asio::awaitable<Errors> phone_batches(RunContext& ctx, StepJournal& journal, const std::string& address,
                                      const std::string& operation, const std::string& api,
                                      const std::vector<PhoneWork>& work, SendPhones send, BatchDone done = {}) {
  Errors errors;
  std::vector<asio::awaitable<Errors>> waits;
  for (size_t start = 0; start < work.size(); start += cloud::kMaxPhonesPerCall) {
    std::vector<PhoneWork> chunk(work.begin() + static_cast<long>(start),
                                 work.begin() + static_cast<long>(std::min(work.size(), start + cloud::kMaxPhonesPerCall)));
    Json phones = Json::array();
    for (const PhoneWork& w : chunk) {
      Json p = {{"phone_id", w.slot->phone->phone_id}, {"server", w.slot->server_address}};
      if (!w.property.empty()) p["property"] = w.property;
      phones.push_back(std::move(p));
    }
    Json idempotency = {{"phones", phones}};
    const int64_t entry = journal.intent(address, operation, idempotency.dump(), idempotency);
    cloud::JobsResult result;
    try {
      result = co_await send(chunk);
    } catch (const cloud::CloudError& e) {
      for (const PhoneWork& w : chunk) errors[w.slot->phone->phone_id] = api + ": " + e.what();
      if (done) done(chunk, errors);
      continue;
    }
    Json jobs = Json::array();
    for (const cloud::ServerJobItem& i : result.jobs)
      jobs.push_back({{"phone_id", i.phone_id}, {"job_id", i.job_id}, {"error_code", i.error_code}});
    journal.answered(entry, {{"request_id", result.request_id}, {"jobs", jobs}});
    waits.push_back(follow_batch(ctx.poller, std::move(result), api, std::move(chunk), done));
  }
  for (Errors& e : co_await all_at_once(std::move(waits))) errors.merge(e);
  co_return errors;
}

// 5.8, one call per phone, all at once within the call slots. They are
// journaled 100 to an entry (the phones and their new names, before any of
// them is sent): 20,000 renames are 200 durable writes, not 20,000.
asio::awaitable<Errors> rename_all(RunContext& ctx, StepJournal& journal, const std::string& address,
                                   const std::vector<std::pair<const Slot*, std::string>>& renames) {
  auto one = [&ctx](const Slot* s, std::string name) -> asio::awaitable<std::string> {
    try {
      co_await ctx.cloud.rename_phone(s->phone->phone_id, name);
    } catch (const cloud::CloudError& e) {
      co_return std::string("PUT /v1/{project_id}/cloud-phone/phones/{phone_id}: ") + e.what();
    }
    co_return std::string();
  };
  Errors errors;
  for (size_t start = 0; start < renames.size(); start += cloud::kMaxPhonesPerCall) {
    const size_t end = std::min(renames.size(), start + cloud::kMaxPhonesPerCall);
    Json phones = Json::array();
    for (size_t i = start; i < end; ++i)
      phones.push_back({{"phone_id", renames[i].first->phone->phone_id},
                        {"server", renames[i].first->server_address},
                        {"phone_name", renames[i].second}});
    Json idempotency = {{"phones", phones}};
    const int64_t entry = journal.intent(address, "rename_phones", idempotency.dump(), idempotency);
    std::vector<asio::awaitable<std::string>> calls;
    for (size_t i = start; i < end; ++i) calls.push_back(one(renames[i].first, renames[i].second));
    std::vector<std::string> outcomes = co_await all_at_once(std::move(calls));
    Json failed = Json::array();
    for (size_t i = 0; i < outcomes.size(); ++i)
      if (!outcomes[i].empty()) {
        errors[renames[start + i].first->phone->phone_id] = outcomes[i];
        failed.push_back(renames[start + i].first->phone->phone_id);
      }
    journal.answered(entry, {{"failed", failed}});
  }
  co_return errors;
}

// What each phone needs, chosen before any call.
struct Work {
  std::vector<std::pair<const Slot*, std::string>> renames;
  std::vector<PhoneWork> starts;    // not running: 5.6 with the changed properties
  std::vector<PhoneWork> updates;   // running: 5.9
  std::vector<const Slot*> restarts;  // after an update of a key read at boot
  std::vector<const Slot*> stops;
  std::vector<PhoneWork> resets;    // -replace: 5.5 with every declared property
  std::vector<std::string> settled;   // phones whose properties are as wanted already
  Errors busy;                        // in transition: nothing can be done now
  // The phones a reset or requested operation names (Action::members; all
  // when none), for their outcomes in the summary.
  std::vector<const Slot*> asked;
};

// Whether the action's reset or requested operation is for this phone.
bool asked_for(const Action& a, const Slot& s) {
  return a.members.empty() || std::any_of(a.members.begin(), a.members.end(),
                                          [&](const std::string& m) { return phone_slots::names_phone(m, s); });
}

Work plan_work(const Action& a, const std::vector<Slot>& all) {
  Work w;
  const Json before = a.before.is_object() ? a.before : Json::object();
  const Json old_props = before.value("properties", Json());
  const Json old_ids = before.value("server_ids", Json::object());
  const Json name = a.after.value("name", Json());
  const std::string power = a.after.value("power", std::string("running"));
  const Json props = a.after.value("properties", Json::object());
  // An apply that ended before every phone had its properties recorded
  // which phones had them (`applying`): those are not sent them again.
  const Json applying = before.value("applying", Json::object());
  // Per-phone values (phones_file) over the block's: as recorded, as being
  // applied, as wanted.
  const phone_slots::PerPhone old_rows(before.value("phones", Json()));
  const phone_slots::PerPhone applied_rows(applying.value("phones_rows", Json()));
  const phone_slots::PerPhone rows(a.after.value("phones", Json()));
  const Json applied_props = applying.value("properties", Json::object());
  std::set<std::string> applied;
  for (const Json& id : applying.value("phones", Json::array()))
    if (id.is_string()) applied.insert(id.get<std::string>());
  for (const Slot& s : all) {
    const int status = s.phone->status;
    // A replacement of a [phones] instance (-replace, of all its phones or
    // the members named) is a reset: its consent is asked for by the
    // executor (ResourceSchema::replacement_loses). Restart and stop are
    // asked for by name (cphform phone restart|stop).
    const bool asked = (a.kind == ActionKind::replace || !a.requested.empty()) && asked_for(a, s);
    const bool reset = asked && a.kind == ActionKind::replace;
    const bool restart = asked && a.requested == "restart";
    const bool stop = asked && a.requested == "stop";
    if (asked) w.asked.push_back(&s);
    // Properties already applied are not sent again: the row says what the
    // phones of the recorded servers got.
    const bool known = old_ids.is_object() && old_ids.value(s.server_address, std::string()) == s.server_id;
    const Json old = applied.count(s.phone->phone_id)
                         ? phone_slots::wanted_properties(applied_props, applied_rows.row(s.server_address, s.index),
                                                          s.index, s.server_index)
                     : known ? phone_slots::wanted_properties(old_props, old_rows.row(s.server_address, s.index),
                                                              s.index, s.server_index)
                             : Json::object();
    Json delta = Json::object();
    bool at_boot = false;
    const Json* row = rows.row(s.server_address, s.index);
    const Json wanted_props = phone_slots::wanted_properties(props, row, s.index, s.server_index);
    for (const auto& [key, value] : wanted_props.items())
      if (!old.contains(key) || old[key] != value) {
        delta[key] = value;
        at_boot = at_boot || phone_slots::needs_restart(key);
      }
    if (delta.empty() && !reset) w.settled.push_back(s.phone->phone_id);
    std::string wanted = phone_slots::wanted_name(name, row, s.index, s.server_index);
    if (!wanted.empty() && s.phone->phone_name != wanted) w.renames.emplace_back(&s, std::move(wanted));
    const bool powered = phone_slots::power_matches(power, status);
    if (phone_slots::in_transition(status) || status == 6) {
      if (asked || !delta.empty() || !powered)
        w.busy[s.phone->phone_id] = "the phone is " + phone_slots::status_text(status) + "; apply again once it settles";
      continue;
    }
    if (reset) {
      // Factory state with every declared property (5.5); the phone runs after.
      w.resets.push_back({&s, wanted_props.empty() ? std::string() : wanted_props.dump()});
      if (power == "stopped") w.stops.push_back(&s);
      continue;
    }
    const std::string property = delta.empty() ? std::string() : delta.dump();
    if (stop) {
      // Its changed properties first (a stopped phone gets them on a start
      // 5.6 asks for anyway), then 5.7.
      if (!delta.empty()) (status == 2 ? w.updates : w.starts).push_back({&s, property});
      if (status != 8 || !delta.empty()) w.stops.push_back(&s);
      continue;
    }
    if (restart) {
      // One restart whatever else changes (5.6); a phone not running is
      // started by it, with its changed properties set on the way.
      if (status != 2) {
        w.starts.push_back({&s, property});
      } else {
        if (!delta.empty()) w.updates.push_back({&s, property});
        w.restarts.push_back(&s);
      }
      continue;
    }
    if (status != 2) {
      // Stopped or failed: a restart starts (or recovers) it with its
      // properties set on the way (5.6).
      if (power == "running" || !delta.empty() || status != 8) {
        w.starts.push_back({&s, property});
        if (power == "stopped") w.stops.push_back(&s);
      }
      continue;
    }
    if (!delta.empty()) {
      w.updates.push_back({&s, property});
      if (at_boot) w.restarts.push_back(&s);
    }
    if (power == "stopped") w.stops.push_back(&s);
  }
  return w;
}

std::vector<PhoneWork> as_work(const std::vector<const Slot*>& slots, const Errors& failed) {
  std::vector<PhoneWork> out;
  for (const Slot* s : slots)
    if (!failed.count(s->phone->phone_id)) out.push_back({s, ""});
  return out;
}

// Up to this many phones of a reset or requested operation get a line
// each in the summary; more get a count.
constexpr size_t kListedOutcomes = 20;

// The outcome of a reset or requested operation on each phone it names (the
// failed ones are reported as failures too, with their errors).
void note_outcomes(RunContext& ctx, const Action& a, const std::vector<const Slot*>& asked, const Errors& failed) {
  if (asked.empty()) return;
  const std::string done = a.kind == ActionKind::replace ? "reset" : a.requested == "stop" ? "stopped" : "restarted";
  if (asked.size() <= kListedOutcomes) {
    for (const Slot* s : asked) {
      auto f = failed.find(s->phone->phone_id);
      ctx.progress.note(a.address + ": " + phone_slots::describe(*s) +
                        (f == failed.end() ? " " + done : " failed: " + f->second));
    }
    return;
  }
  const size_t ok = static_cast<size_t>(std::count_if(
      asked.begin(), asked.end(), [&](const Slot* s) { return !failed.count(s->phone->phone_id); }));
  ctx.progress.note(a.address + ": " + done + " " + std::to_string(ok) + " of " + std::to_string(asked.size()) +
                    " phones" + (ok == asked.size() ? "" : "; the others failed (listed with the errors)"));
}

asio::awaitable<void> configure_phones(RunContext& ctx, const Step& step, StepJournal& journal) {
  const Action& a = ctx.plan.actions.at(step.actions.front());
  ctx.progress.started(a.address, a.kind, a.cloud_id);
  const Json servers = a.after.value("servers", Json::array());
  Json ids = Json::object();
  std::set<std::string> server_ids;
  for (const Json& s : servers) {
    const std::string address = s.get<std::string>();
    auto r = ctx.records.find(address);
    if (!r || r->type != "server") throw std::runtime_error(a.address + ": " + address + " is not a recorded server");
    ids[address] = r->cloud_id;
    server_ids.insert(r->cloud_id);
  }
  PhonesByServer listed = co_await list_phones_of(ctx.cloud, server_ids);
  // Phones pass through creating, resetting, restarting and shutting down
  // on their own (a server just bought, a restart by hand): they are
  // waited for, listed again at the run's poll pace, for at most
  // kSettleWait; one still in transition then fails as busy.
  const auto waiting_since = std::chrono::steady_clock::now();
  std::chrono::milliseconds interval = ctx.poll.initial;
  while (in_transition(listed) && std::chrono::steady_clock::now() - waiting_since < kSettleWait) {
    co_await poll_sleep(interval, ctx.poll);
    interval = next_poll_interval(interval, ctx.poll, false, std::chrono::steady_clock::now() - waiting_since);
    listed = co_await list_phones_of(ctx.cloud, server_ids);
  }
  const std::vector<Slot> all = phone_slots::slots(servers, ids, listed);
  // The plan checked the members against the phones (CphProvider::
  // check_changes); one renamed or gone since is refused before any call.
  if (const std::vector<std::string> unknown = phone_slots::unmatched_members(a.members, all); !unknown.empty())
    throw std::runtime_error(a.address + ": no phone of its servers has the id or name \"" + unknown.front() +
                             "\" any more (renamed or gone since the plan); nothing was sent for " + a.address);
  Work w = plan_work(a, all);

  Errors failed = w.busy;
  Errors renames = co_await rename_all(ctx, journal, a.address, w.renames);
  const std::string restart_api = "POST /v1/{project_id}/cloud-phone/phones/batch-restart";
  SendPhones restart = [&ctx](std::vector<PhoneWork> chunk) -> asio::awaitable<cloud::JobsResult> {
    std::vector<cloud::PhoneSetting> phones;
    for (const PhoneWork& p : chunk) phones.push_back({p.slot->phone->phone_id, p.property});
    co_return co_await ctx.cloud.restart_phones(std::move(phones));
  };
  SendPhones update = [&ctx](std::vector<PhoneWork> chunk) -> asio::awaitable<cloud::JobsResult> {
    std::vector<cloud::PhoneSetting> phones;
    for (const PhoneWork& p : chunk) phones.push_back({p.slot->phone->phone_id, p.property});
    co_return co_await ctx.cloud.update_phone_properties(std::move(phones));
  };
  SendPhones stop = [&ctx](std::vector<PhoneWork> chunk) -> asio::awaitable<cloud::JobsResult> {
    std::vector<std::string> phones;
    for (const PhoneWork& p : chunk) phones.push_back(p.slot->phone->phone_id);
    co_return co_await ctx.cloud.stop_phones(std::move(phones));
  };
  SendPhones reset = [&ctx](std::vector<PhoneWork> chunk) -> asio::awaitable<cloud::JobsResult> {
    std::vector<cloud::PhoneSetting> phones;
    for (const PhoneWork& p : chunk) phones.push_back({p.slot->phone->phone_id, p.property});
    co_return co_await ctx.cloud.reset_phones(std::move(phones));
  };
  // Progress, so that an interrupted or partly failed apply resumes without
  // sending finished phones their properties again: the phones that have
  // them go to the row's `applying` as their jobs end, written at most once
  // a second (each write also closes the entries journaled so far).
  std::set<std::string> done(w.settled.begin(), w.settled.end());
  auto progress_row = [&] {
    const std::optional<InstanceResult> recorded = ctx.records.find(a.address);
    Json row = recorded ? recorded->attributes : Json::object();
    if (!recorded) row = {{"servers", Json::array()}, {"properties", Json::object()}, {"server_ids", Json::object()}};
    for (const char* k : {"name", "power"}) {
      if (a.after.contains(k))
        row[k] = a.after[k];
      else
        row.erase(k);
    }
    row["applying"] = {{"properties", a.after.value("properties", Json::object())}, {"phones", Json(done)}};
    if (a.after.contains("phones")) row["applying"]["phones_rows"] = a.after["phones"];
    return row;
  };
  auto last_write = std::chrono::steady_clock::now();
  BatchDone record = [&](const std::vector<PhoneWork>& batch, const Errors& errors) {
    for (const PhoneWork& p : batch)
      if (!errors.count(p.slot->phone->phone_id)) done.insert(p.slot->phone->phone_id);
    const auto now = std::chrono::steady_clock::now();
    if (now - last_write < std::chrono::seconds(1)) return;
    last_write = now;
    journal.finish({{a.address, a.address, progress_row(), "phones"}}, {});
  };
  // Properties are applied when every reset, start and update with
  // properties succeeded.
  Errors property_errors = co_await phone_batches(ctx, journal, a.address, "reset_phones",
                                                  "POST /v1/{project_id}/cloud-phone/phones/batch-reset", w.resets,
                                                  reset, record);
  Errors started =
      co_await phone_batches(ctx, journal, a.address, "start_phones", restart_api, w.starts, restart, record);
  property_errors.merge(started);
  Errors updated = co_await phone_batches(ctx, journal, a.address, "update_phone_properties",
                                          "POST /v1/{project_id}/cloud-phone/phones/batch-update-property", w.updates,
                                          update, record);
  property_errors.merge(updated);
  // One restart per phone, once its boot-time keys are set.
  Errors restarted = co_await phone_batches(ctx, journal, a.address, "restart_phones", restart_api,
                                            as_work(w.restarts, property_errors), restart);
  Errors merged = property_errors;
  merged.insert(restarted.begin(), restarted.end());
  Errors stopped = co_await phone_batches(ctx, journal, a.address, "stop_phones",
                                          "POST /v1/{project_id}/cloud-phone/phones/batch-stop",
                                          as_work(w.stops, merged), stop);
  for (Errors* e : {&renames, &property_errors, &restarted, &stopped}) failed.insert(e->begin(), e->end());

  // The row: what was applied. When some phone did not get its properties,
  // the recorded properties (and the servers they were applied to) stay,
  // with `applying` naming the phones that have the new ones: the next plan
  // plans the change again, and its apply sends them to the others only.
  Json row = a.after;
  row["server_ids"] = ids;
  if (!property_errors.empty() || !w.busy.empty()) row = progress_row();
  journal.finish({{a.address, a.address, row, "phones"}}, {});
  note_outcomes(ctx, a, w.asked, failed);
  if (failed.empty()) {
    ctx.progress.finished(a.address, a.address, journal.called());
    co_return;
  }
  std::map<std::string, const Slot*> by_id;
  for (const Slot& s : all) by_id[s.phone->phone_id] = &s;
  std::vector<Failure> failures;
  for (const auto& [phone_id, error] : failed) {
    auto s = by_id.find(phone_id);
    failures.push_back({a.address, (s == by_id.end() ? "phone " + phone_id : phone_slots::describe(*s->second)) + ": " + error});
  }
  for (size_t k = 1; k < failures.size(); ++k) ctx.report.failures.push_back(failures[k]);
  throw std::runtime_error(failures.front().message +
                           (failures.size() > 1 ? " (and " + std::to_string(failures.size() - 1) + " more phones)" : ""));
}

}  // namespace

asio::awaitable<void> phones_step(RunContext& ctx, const Step& step, StepJournal& journal) {
  if (step.operation == "configure_phones") {
    co_await configure_phones(ctx, step, journal);
    co_return;
  }
  if (step.operation == "forget_phones") {
    const Action& a = ctx.plan.actions.at(step.actions.front());
    ctx.progress.started(a.address, a.kind, a.cloud_id);
    journal.finish({}, {a.address});
    ctx.progress.finished(a.address, "", false);
    co_return;
  }
  throw std::logic_error("not a phones step: " + step.operation);
}

}  // namespace cph::resources

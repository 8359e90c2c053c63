// plan, apply, destroy, show and graph: the verbs around a Plan.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include <boost/asio/this_coro.hpp>

#include "common/ansi.h"
#include "common/crypto.h"
#include "cli/command.h"
#include "cli/progress.h"
#include "engine/executor.h"
#include "engine/step_journal.h"
#include "engine/interrupt.h"
#include "engine/outputs.h"
#include "planner/plan_json.h"
#include "planner/render.h"
#include "planner/sensitive.h"

namespace cph::engine {

namespace asio = boost::asio;

namespace {

// Owner-only: plans hold no secrets (sensitive values are left out:
// planner/sensitive.h), but they describe the fleet.
void write_plan_file(const std::string& path, const planner::Plan& plan) {
  write_private_file(path, planner::plan_to_json(plan).dump(1) + "\n", "the plan");
}

planner::Plan read_plan_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read the plan file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded()) throw std::runtime_error(path + " is not a cphform plan file (not JSON)");
  try {
    return planner::plan_from_json(j);
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

// A saved plan may only be applied to the state and manifests it was made
// from: anything else could buy or release the wrong servers.
void check_not_stale(const planner::Plan& plan, const Session& s, const std::string& path) {
  state::Meta meta = s.store->meta();
  if (plan.lineage != meta.lineage)
    throw std::runtime_error("the saved plan " + path + " was made for another state (lineage " + plan.lineage +
                             ", this state is " + meta.lineage + "); run plan again");
  if (plan.serial != meta.serial)
    throw std::runtime_error("the saved plan " + path + " is stale: the state changed since it was made (serial " +
                             std::to_string(plan.serial) + ", now " + std::to_string(meta.serial) +
                             ", e.g. by another apply or because this plan was applied already); run plan again");
  if (plan.manifest_digest != s.ws.manifest.digest)
    throw std::runtime_error("the saved plan " + path +
                             " is stale: the manifests changed since it was made; run plan again");
}

// A saved plan holds neither sensitive values nor journal intents (which may
// hold them too): both come back from where they live. Intents are read from
// the state's open journal by id (check_not_stale made sure the state is the
// one the plan was made from). Sensitive values are re-resolved from the
// variables by planning again; every action carrying one must come out the
// same but for those values, or the saved plan is refused.
asio::awaitable<void> restore_saved_plan(Context& ctx, Session& s, planner::Plan& plan, const std::string& path) {
  std::vector<state::JournalEntry> open = s.store->open_journal();
  for (planner::PendingOperation& op : plan.pending) {
    auto it = std::find_if(open.begin(), open.end(), [&](const state::JournalEntry& e) { return e.id == op.entry.id; });
    if (it == open.end())
      throw std::runtime_error("the saved plan " + path + " is stale: journal entry " + std::to_string(op.entry.id) +
                               " is no longer open; run plan again");
    op.entry = *it;
  }
  if (!planner::has_sensitive(plan)) co_return;
  std::ostringstream sink;  // the refresh line of this second look is not shown
  Context quiet{ctx.dir, ctx.in, sink, ctx.err};
  quiet.vars = ctx.vars;
  const planner::Plan fresh = co_await refresh_and_plan(quiet, s, plan.destroy);
  const planner::Plan fresh_masked = planner::redacted(fresh, nullptr);
  const nlohmann::json saved = planner::plan_to_json(plan);
  const nlohmann::json again = planner::plan_to_json(fresh_masked);
  for (size_t i = 0; i < plan.actions.size(); ++i) {
    planner::Action& a = plan.actions[i];
    if (a.sensitive.empty()) continue;
    auto same = std::find_if(fresh.actions.begin(), fresh.actions.end(),
                             [&](const planner::Action& f) { return f.address == a.address; });
    size_t j = static_cast<size_t>(same - fresh.actions.begin());
    if (same == fresh.actions.end() || saved["actions"][i] != again["actions"][j])
      throw std::runtime_error("the saved plan " + path + " holds sensitive values, which plan files never store; "
                               "planning again to restore them gave a different change for " + a.address +
                               " (the cloud or the state changed since); run plan again");
    a.before = same->before;
    a.after = same->after;
    a.changes = same->changes;
  }
}

bool confirm(Context& ctx, bool destroy) {
  ctx.out << (destroy ? "\nDo you really want to destroy all resources?\n" : "\nDo you want to perform these actions?\n")
          << "  cphform will perform the actions described above.\n"
          << "  Only 'yes' will be accepted to approve.\n\n"
          << "  Enter a value: " << std::flush;
  std::string answer;
  if (!std::getline(ctx.in, answer)) answer.clear();
  ctx.out << "\n";
  return answer == "yes";
}

// 130 (128 + SIGINT) for an interrupted run, as a shell reports Ctrl-C.
int exit_code(const ExecReport& report) { return report.ok() ? 0 : report.stopped ? 130 : 1; }

asio::awaitable<int> execute(Context& ctx, Session& s, const planner::Plan& plan, bool allow_data_loss) {
  const char* verb = plan.destroy ? "Destroy" : "Apply";
  Progress progress(ctx.out, std::chrono::seconds(10), [] { return Progress::Clock::now(); }, ctx.json);
  // A person at a terminal gets one live status line; logs get lines.
  const char* term = std::getenv("TERM");
  progress.set_live(&ctx.out == &std::cout && isatty(STDOUT_FILENO) && !(term && std::string(term) == "dumb"));
  ExecOptions options;
  options.run_id = crypto::random_hex(8);
  options.actor = actor();
  options.poll = poll_policy();
  const std::string& pay = s.ws.manifest.provider.pay_orders;
  options.poll.payment = pay == "bss"      ? resources::Payment::bss
                         : pay == "manual" ? resources::Payment::manual
                                           : resources::Payment::automatic;
  options.allow_data_loss = allow_data_loss;
  // No lock to refresh or release under -lock=false.
  const std::string lock_id = s.lock ? s.lock->id() : "";
  state::StateStore* store = s.store.get();
  if (s.lock) options.heartbeat = [store, lock_id] { store->refresh_lock(lock_id, std::chrono::seconds(600)); };
  resources::StopSignal stop;
  options.stop = &stop;
  // Named, not temporaries in the co_await's full expression: GCC 12
  // destroys those twice.
  const asio::any_io_executor ex = co_await asio::this_coro::executor;
  std::function<void()> release_lock;
  if (s.lock) release_lock = [store, lock_id] { store->unlock(lock_id); };
  InterruptHandler interrupts(ex, ctx.err, stop, release_lock);
  const StoreRecords records(*s.store);
  std::unique_ptr<StepRunner> runner = s.conn.step_runner(records, plan, progress, options);
  ExecReport report = co_await execute_plan(*runner, *s.store, plan, progress, options);
  if (ctx.json) {
    for (const auto& f : report.failures) ctx.json->diagnostic(f.message, "", f.address);
    for (const auto& sk : report.skipped)
      ctx.json->diagnostic("skipped: a step it depends on failed", "", sk);
    for (const auto& a : report.interrupted)
      ctx.json->diagnostic("interrupted: kept in the journal for the next apply", "", a);
    for (const auto& a : report.not_started) ctx.json->diagnostic("not started: interrupted", "", a);
    ctx.json->change_summary(report.added, report.changed, report.destroyed, plan.destroy ? "destroy" : "apply");
    if (!plan.destroy) ctx.json->outputs(outputs_event(evaluate_outputs(s.ws.manifest, s.store->resources())));
    co_return exit_code(report);
  }
  std::ostream& o = report.ok() ? ctx.out : ctx.err;
  if (!report.ok()) {
    ctx.err << "\n";
    if (!report.succeeded.empty())
      ctx.err << "Succeeded: " << planner::compact_addresses(report.succeeded) << "\n";
    for (const auto& f : report.failures)
      ctx.err << ansi::paint(ctx.err_color, ansi::kBoldRed, "Error:") << " " << f.address << ": " << f.message << "\n";
    for (const auto& sk : report.skipped) ctx.err << "Skipped: " << sk << " (a step it depends on failed)\n";
  }
  for (const auto& a : report.interrupted)
    ctx.err << "Interrupted: " << a << " (in flight: kept in the journal, the next apply resumes it)\n";
  for (const auto& a : report.not_started) ctx.err << "Not started: " << a << " (interrupted)\n";
  const std::string outcome =
      verb + std::string(report.ok() ? " complete!" : report.stopped ? " interrupted." : " failed.");
  o << "\n"
    << ansi::paint(&o == &ctx.out ? ctx.color : ctx.err_color, report.ok() ? ansi::kBoldGreen : ansi::kBoldRed, outcome)
    << " Resources: " << report.added << " added, " << report.changed << " changed, " << report.destroyed
    << " destroyed."
    << (report.recorded ? " " + std::to_string(report.recorded) + " updated in the state only (no cloud call needed)." : "")
    << (report.ok() ? "" : " Every finished resource is recorded in state.") << "\n";
  if (!plan.destroy) print_outputs(ctx.out, evaluate_outputs(s.ws.manifest, s.store->resources()), true);
  co_return exit_code(report);
}

}  // namespace

// The refresh-only view of a plan: its drift, as text or events.
void show_drift(Context& ctx, const planner::Plan& plan) {
  if (!ctx.json) {
    ctx.out << planner::render_drift(plan, {ctx.color});
    return;
  }
  planner::Plan drift_only;
  drift_only.drift = plan.drift;
  ctx.json->plan(drift_only, "plan");
}

// The rows a refresh-only apply records: live values over recorded ones,
// and vanished servers dropped.
void accept_drift(state::StateStore& store, const planner::Plan& plan) {
  std::vector<state::ResourceRow> put;
  std::vector<std::string> remove;
  for (const planner::Drift& d : plan.drift) {
    if (d.deleted) {
      remove.push_back(d.address);
      continue;
    }
    auto row = store.resource(d.address);
    if (!row) continue;
    for (const auto& c : d.changes) row->attributes[c.name] = c.after;
    put.push_back(*row);
  }
  commit_state_edit(store, "refresh-only", "*", put, remove);
}

asio::awaitable<int> cmd_plan(Context& ctx, const Flags& flags) {
  SessionOptions read_only;  // named: GCC 12 double-destroys braced temporaries passed to coroutines
  read_only.parallelism = parse_parallelism(flags);
  auto s = co_await open_session(ctx, read_only);
  const PlanScope scope = PlanScope::from(flags);
  planner::Plan plan = co_await refresh_and_plan(ctx, *s, flags.has("destroy"), nullptr, &scope);
  if (flags.has("refresh-only")) {
    // "No changes" here means exit 0, unlike Terraform's refresh-only plans.
    show_drift(ctx, plan);
    co_return flags.has("detailed-exitcode") && !plan.drift.empty() ? 2 : 0;
  }
  if (ctx.json)
    ctx.json->plan(plan, "plan");
  else
    ctx.out << planner::render_plan(plan, {ctx.color});
  if (flags.has("out")) {
    write_plan_file(flags.get("out"), plan);
    if (ctx.json)
      ctx.json->emit("log", "info", "Saved the plan to: " + flags.get("out"), nlohmann::json::object());
    else
      ctx.out << "\nSaved the plan to: " << flags.get("out") << "\n\nTo perform exactly these actions, run:\n"
              << "  cphform apply " << flags.get("out") << "\n";
  }
  if (flags.has("detailed-exitcode")) co_return plan.has_changes() ? 2 : 0;
  co_return 0;
}

asio::awaitable<int> cmd_apply(Context& ctx, const Flags& flags, bool destroy, const PlanScope* asked,
                               std::function<void(const planner::Plan&)> check) {
  SessionOptions options;
  options.operation = destroy ? "destroy" : "apply";
  options.lock_timeout = parse_duration(flags.get("lock-timeout", "0s"));
  options.take_lock = lock_wanted(ctx, flags, options.operation);
  options.parallelism = parse_parallelism(flags);
  if (!asked && !flags.positional.empty()) {
    // A saved plan: exactly that plan, no new refresh, no question asked.
    const std::string path = flags.positional.front();
    planner::Plan plan = read_plan_file(path);
    auto s = co_await open_session(ctx, options);
    check_not_stale(plan, *s, path);
    co_await restore_saved_plan(ctx, *s, plan, path);
    if (ctx.json)
      ctx.json->plan(plan, "plan");
    else
      ctx.out << "Applying the saved plan " << path << ".\n\n" << planner::render_plan(plan, {ctx.color});
    if (!plan.has_changes()) co_return release_lock(ctx, *s, 0);
    const int code = co_await execute(ctx, *s, plan, flags.has("allow-data-loss"));
    co_return release_lock(ctx, *s, code);
  }
  auto s = co_await open_session(ctx, options);
  const PlanScope scope = asked ? *asked : PlanScope::from(flags);
  planner::Plan plan = co_await refresh_and_plan(ctx, *s, destroy, nullptr, &scope);
  if (check) check(plan);
  if (flags.has("refresh-only")) {
    show_drift(ctx, plan);
    if (plan.drift.empty()) co_return release_lock(ctx, *s, 0);
    if (!flags.has("auto-approve") && !confirm(ctx, false)) {
      ctx.err << "Error: Apply cancelled; nothing was changed.\n";
      co_return release_lock(ctx, *s, 1);
    }
    accept_drift(*s->store, plan);
    if (ctx.json) {
      ctx.json->emit("refresh_recorded", "info", "Recorded the live values in the state",
                     {{"resources", plan.drift.size()}});
      co_return release_lock(ctx, *s, 0);
    }
    ctx.out << "\nApply complete! Recorded the live values of " << plan.drift.size()
            << " resource(s) in the state; nothing changed in the cloud.\n";
    co_return release_lock(ctx, *s, 0);
  }
  if (ctx.json) {
    ctx.json->plan(plan, "plan");
    if (!plan.has_changes()) {
      ctx.json->change_summary(0, 0, 0, destroy ? "destroy" : "apply");
      co_return release_lock(ctx, *s, 0);
    }
    // -json requires -auto-approve (checked by the CLI)
    const int code = co_await execute(ctx, *s, plan, flags.has("allow-data-loss"));
    co_return release_lock(ctx, *s, code);
  }
  ctx.out << planner::render_plan(plan, {ctx.color});
  if (!plan.has_changes()) {
    ctx.out << "\n" << ansi::paint(ctx.color, ansi::kBoldGreen, destroy ? "Destroy complete!" : "Apply complete!")
            << " Resources: 0 added, 0 changed, 0 destroyed.\n";
    co_return release_lock(ctx, *s, 0);
  }
  if (!flags.has("auto-approve") && !confirm(ctx, destroy)) {
    ctx.err << "Error: " << (destroy ? "Destroy" : "Apply") << " cancelled; nothing was changed.\n";
    co_return release_lock(ctx, *s, 1);
  }
  const int code = co_await execute(ctx, *s, plan, flags.has("allow-data-loss"));
  co_return release_lock(ctx, *s, code);
}

int cmd_show(Context& ctx, const Flags& flags) {
  if (flags.positional.empty()) throw UsageError("usage: cphform show [-json] PLANFILE");
  planner::Plan plan = read_plan_file(flags.positional.front());
  if (flags.has("json"))
    ctx.out << planner::plan_report_json(plan).dump() << "\n";
  else
    ctx.out << planner::render_plan(plan, {ctx.color});
  return 0;
}

asio::awaitable<int> cmd_graph(Context& ctx, const Flags& flags) {
  std::string type = flags.get("type", "plan");
  if (type != "plan" && type != "apply" && type != "destroy")
    throw UsageError("-type must be plan, apply or destroy");
  const SessionOptions read_only;  // named: GCC 12 double-destroys braced temporaries passed to coroutines
  auto s = co_await open_session(ctx, read_only);
  std::ostringstream sink;  // the refresh line is not part of the DOT output
  Context quiet{ctx.dir, ctx.in, sink, ctx.err};
  planner::Plan plan = co_await refresh_and_plan(quiet, *s, type == "destroy");
  ctx.out << planner::render_dot(plan);
  co_return 0;
}

}  // namespace cph::engine

// koophone exec SET -- COMMAND (issue 15 "Operations"): one adb shell command
// on every instance of a koophone_instances set, through
// koophone::run_fleet_command (batches of 32, each task polled once a round).
//
// A command is not state: this opens no state, takes no lock and journals
// nothing (the task ids are printed instead, so that people can look them
// up). It reads the set's instance_ids from the manifests and connects to the
// block's provider instance only, so that other providers' credentials are
// not needed. Every mistake of the command line or the set is reported before
// anything is connected: no call is made for them.
#include <algorithm>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/this_coro.hpp>

#include "cli/command.h"
#include "cli/commands.h"
#include "manifest/validate.h"
#include "resources/koophone/kp_exec.h"
#include "resources/koophone/kp_provider.h"
#include "resources/koophone/kp_schema.h"

namespace cph::engine {

namespace asio = boost::asio;
using ExecJson = nlohmann::ordered_json;  // -json keeps the order written: format_version first

namespace {

constexpr const char* kUsage = "usage: cphform koophone exec [options] SET -- COMMAND";

struct ExecRequest {
  Flags flags;
  std::string set;      // as written: koophone_instances.NAME or NAME
  std::string command;  // the words after --, joined by spaces
  int parallelism = cloud::kDefaultParallelism;
  // -timeout; unset: poll_policy()'s, the one every wait of the engine has.
  std::optional<std::chrono::seconds> timeout;
};

const std::string& set_type() { return resources::koophone_instances_schema().type; }

// The command line after "koophone". Only what precedes "--" is flags: the
// command's own words (ls -l) are never read as cphform's.
ExecRequest parse_exec(Context& ctx, const std::vector<std::string>& args) {
  const auto dash = std::find(args.begin(), args.end(), std::string("--"));
  std::vector<std::string> before(args.begin(), dash);
  const bool exec = !before.empty() && before.front() == "exec";
  if (exec) before.erase(before.begin());
  take_variable_flags(ctx, before);
  ExecRequest r;
  r.flags = parse_command_flags("koophone", before);  // an unknown flag first, as for every command
  if (!exec) throw UsageError(kUsage);
  if (dash == args.end())
    throw UsageError("koophone exec needs the command after --, as in cphform koophone exec fleet -- getprop "
                     "ro.build.version");
  if (r.flags.positional.size() != 1)
    throw UsageError("koophone exec takes one set before -- (koophone_instances.NAME or NAME)");
  r.set = r.flags.positional.front();
  for (auto w = dash + 1; w != args.end(); ++w) r.command += (r.command.empty() ? "" : " ") + *w;
  if (const std::string problem = koophone::command_error(r.command); !problem.empty()) throw UsageError(problem);
  r.parallelism = parse_parallelism(r.flags);
  if (r.flags.has("timeout")) {
    const std::chrono::milliseconds t = parse_duration(r.flags.get("timeout"));
    if (t.count() <= 0) throw UsageError("-timeout must be longer than 0s");
    // PollPolicy counts whole seconds: a part of one is a whole one, never none.
    r.timeout = std::chrono::ceil<std::chrono::seconds>(t);
  }
  return r;
}

// "; the koophone_instances blocks are: a, b" (or that there is none).
std::string known_sets(const manifest::Manifest& m) {
  std::string names;
  for (const manifest::ResourceConfig& rc : m.resources)
    if (rc.type == set_type()) names += (names.empty() ? "" : ", ") + rc.address();
  return names.empty() ? "; the manifests declare no " + set_type() + " block"
                       : "; the " + set_type() + " blocks are: " + names;
}

// The block SET names (koophone_instances.NAME or NAME); a UsageError that
// says what is there otherwise.
const manifest::ResourceConfig& find_set(const manifest::Manifest& m, const std::string& set) {
  const bool bare = set.find('.') == std::string::npos;
  const std::string address = bare ? set_type() + "." + set : set;
  const manifest::ResourceConfig* rc = m.find(address);
  // A bare NAME may be a block of another type: say so rather than "unknown".
  if (!rc && bare)
    for (const manifest::ResourceConfig& other : m.resources)
      if (other.name == set) rc = &other;
  if (rc && rc->type == set_type()) return *rc;
  if (rc)
    throw UsageError(rc->address() + " is a " + rc->type + " block of provider " + rc->provider +
                     ": koophone exec runs commands on " + set_type() + " sets" + known_sets(m));
  std::vector<std::string> sets;
  for (const manifest::ResourceConfig& other : m.resources)
    if (other.type == set_type()) sets.push_back(other.address());
  const auto near = manifest::detail::closest(address, sets);
  throw UsageError("the manifests have no [" + address + "]" + (near ? " (did you mean " + *near + "?)" : "") +
                   known_sets(m));
}

// The set's instance ids from its validated attributes.
std::vector<std::string> ids_of(const manifest::ResourceConfig& rc) {
  const nlohmann::json ids = rc.attributes.value("instance_ids", nlohmann::json());
  const bool strings = ids.is_array() && !ids.empty() &&
                       std::all_of(ids.begin(), ids.end(), [](const nlohmann::json& id) { return id.is_string(); });
  if (!strings)
    throw std::runtime_error(rc.address() + ".instance_ids is not a list of instance ids that is known before "
                             "apply, so koophone exec cannot tell where to run the command");
  return resources::instance_ids_of(rc.attributes);
}

// One JSON document (-json): what a script needs to act on every outcome.
ExecJson exec_json(const std::string& address, const ExecRequest& r, const koophone::FleetCommand& run) {
  ExecJson results = ExecJson::array();
  for (const koophone::CommandResult& c : run.results) {
    ExecJson one = {{"instance_id", c.instance_id}, {"ok", c.status == 2}, {"output", c.output}};
    if (c.status != 2) {
      one["error_code"] = c.error_code;
      one["error_msg"] = c.error_msg;
    }
    results.push_back(std::move(one));
  }
  return {{"format_version", "1.0"},
          {"set", address},
          {"command", r.command},
          {"mode", r.flags.has("sync") ? "sync" : "async"},
          {"results", std::move(results)},
          {"task_ids", run.task_ids},
          {"succeeded", run.results.size() - run.failed()},
          {"failed", run.failed()},
          {"command_calls", run.command_calls},
          {"task_queries", run.task_queries}};
}

asio::awaitable<int> exec_on_set(Context& ctx, const Workspace& ws, const manifest::ResourceConfig& rc,
                                 const ExecRequest& r) {
  std::vector<std::string> ids = ids_of(rc);
  const std::string provider = rc.provider;  // named: passed by reference into the coroutine below
  const asio::any_io_executor executor = co_await asio::this_coro::executor;
  CloudConnection conn = co_await connect_provider(ws, provider, executor, nullptr);
  for (const std::string& warning : conn.warnings) warn(ctx, warning);
  auto* kp = dynamic_cast<resources::KooPhoneProvider*>(conn.provider.get());
  if (!kp) throw std::logic_error("provider instance " + provider + " of " + rc.address() + " is not a koophone one");
  kp->set_parallelism(r.parallelism);
  resources::PollPolicy poll = poll_policy();
  if (r.timeout) poll.timeout = *r.timeout;
  const bool sync = r.flags.has("sync");
  const bool json = r.flags.has("json");
  if (!json)
    ctx.out << rc.address() << ": running \"" << r.command << "\" on " << ids.size() << " instance"
            << (ids.size() == 1 ? "" : "s") << (sync ? " (sync)" : " (async, tasks polled until every instance ends)")
            << " through " << conn.description << "\n"
            << std::flush;
  const size_t count = ids.size();
  std::string command = r.command;
  // The task ids before the wait, so that a run stopped while it polls has
  // said where its commands can be looked up (-json keeps stdout one document).
  std::function<void(const std::vector<std::string>&)> started;
  if (!json)
    started = [&ctx](const std::vector<std::string>& tasks) {
      ctx.out << "Started " << tasks.size() << " task" << (tasks.size() == 1 ? "" : "s") << ":";
      for (const std::string& t : tasks) ctx.out << " " << t;
      ctx.out << "\n" << std::flush;
    };
  koophone::FleetCommand run = co_await koophone::run_fleet_command(kp->client(), std::move(ids), std::move(command),
                                                                    sync, poll, std::move(started));
  if (run.results.size() != count) throw std::logic_error("koophone exec: a result per instance was expected");
  if (json) ctx.out << exec_json(rc.address(), r, run).dump(2) << "\n";
  else ctx.out << koophone::format_fleet_command(run);
  co_return run.failed() == 0 ? 0 : 1;
}

}  // namespace

int cmd_koophone(Context& ctx, const std::vector<std::string>& args) {
  const ExecRequest request = parse_exec(ctx, args);
  const Workspace ws = load_workspace(ctx);  // manifest errors stop here: nothing connected
  const manifest::ResourceConfig& rc = find_set(ws.manifest, request.set);
  return run_async([&] { return exec_on_set(ctx, ws, rc, request); });
}

}  // namespace cph::engine

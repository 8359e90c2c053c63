#include "engine/cli.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include <cstdlib>
#include <filesystem>
#include <future>
#include <iostream>
#include <map>
#include <optional>
#include <set>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "common/crypto.h"
#include "engine/executor.h"
#include "engine/workspace.h"
#include "planner/planner.h"
#include "planner/render.h"

namespace cph::engine {

namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

constexpr const char* kUsage = R"(Usage: cphform [-chdir=DIR] COMMAND [options]

Commands:
  plan       Show what apply would change (-detailed-exitcode: 0 none, 1 error, 2 changes)
  apply      Make the cloud match the manifests (-auto-approve to skip the prompt)
  destroy    Release every server this state manages (-auto-approve)
  validate   Check the manifests without contacting the cloud
  emulator   Run the CPH emulator: cphform emulator serve --listen 127.0.0.1:PORT --data FILE
             --credentials AK:SK:PROJECT_ID [--time-scale N]
  version    Print the version

Options may be written -flag or --flag, and -flag=value or -flag value.
)";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Parsed flags of one command: names without dashes -> value ("" for switches).
struct Flags {
  std::map<std::string, std::string> values;
  bool has(const std::string& name) const { return values.count(name) > 0; }
  std::string get(const std::string& name, const std::string& fallback = "") const {
    auto it = values.find(name);
    return it == values.end() ? fallback : it->second;
  }
};

// switches: flags without a value; valued: flags that take one.
Flags parse_flags(const std::vector<std::string>& args, const std::set<std::string>& switches,
                  const std::set<std::string>& valued) {
  Flags flags;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    if (a.size() < 2 || a[0] != '-') throw UsageError("unexpected argument \"" + a + "\"");
    a = a.substr(a[1] == '-' ? 2 : 1);
    std::optional<std::string> value;
    if (auto eq = a.find('='); eq != std::string::npos) {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
    }
    if (switches.count(a)) {
      if (value && *value != "true" && *value != "false") throw UsageError("-" + a + " takes no value");
      if (!value || *value == "true") flags.values[a] = "";
    } else if (valued.count(a)) {
      if (!value) {
        if (i + 1 >= args.size()) throw UsageError("-" + a + " needs a value");
        value = args[++i];
      }
      flags.values[a] = *value;
    } else {
      throw UsageError("unknown flag -" + a);
    }
  }
  return flags;
}

std::chrono::milliseconds env_ms(const char* name, std::chrono::milliseconds fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  try {
    return std::chrono::milliseconds(std::stol(v));
  } catch (const std::exception&) {
    throw std::runtime_error(std::string(name) + " must be a number of milliseconds");
  }
}

// "30s", "2m", "500ms" or a plain number of seconds.
std::chrono::milliseconds parse_duration(const std::string& s) {
  try {
    size_t pos = 0;
    long n = std::stol(s, &pos);
    std::string unit = s.substr(pos);
    if (n < 0) throw std::invalid_argument("negative");
    if (unit.empty() || unit == "s") return std::chrono::seconds(n);
    if (unit == "ms") return std::chrono::milliseconds(n);
    if (unit == "m") return std::chrono::minutes(n);
  } catch (const std::exception&) {
  }
  throw UsageError("bad duration \"" + s + "\" (use e.g. 30s, 2m, 500ms)");
}

std::string lock_holder() {
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  const char* user = std::getenv("USER");
  return std::string(user ? user : "unknown") + "@" + host + " pid " + std::to_string(getpid());
}

// A lock whose holder ran on this host under a pid that no longer exists
// was left by a process that was killed: it can be taken over at once
// rather than after it expires.
bool holder_is_dead(const std::string& holder) {
  auto at = holder.find('@');
  auto pid_at = holder.rfind(" pid ");
  if (at == std::string::npos || pid_at == std::string::npos || pid_at < at) return false;
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  if (holder.substr(at + 1, pid_at - at - 1) != host) return false;
  try {
    pid_t pid = static_cast<pid_t>(std::stol(holder.substr(pid_at + 5)));
    return pid > 0 && kill(pid, 0) != 0 && errno == ESRCH;
  } catch (const std::exception&) {
    return false;
  }
}

struct Context {
  fs::path dir;
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
};

void print_manifest_errors(const manifest::ManifestError& e, std::ostream& err) {
  for (const auto& d : e.diagnostics) err << d.str() << "\n";
  err << "Error: the manifests have " << e.diagnostics.size() << " error"
      << (e.diagnostics.size() == 1 ? "" : "s") << "; nothing was changed.\n";
}

// What plan, apply and destroy share: load, connect, refresh, plan.
struct Prepared {
  Workspace ws;
  CloudConnection conn;
  std::unique_ptr<state::StateStore> store;
  std::optional<state::ScopedLock> lock;
  planner::Plan plan;
};

asio::awaitable<std::unique_ptr<Prepared>> prepare(Context& ctx, bool destroy, bool take_lock,
                                                   std::chrono::milliseconds lock_timeout, const char* operation) {
  auto p = std::make_unique<Prepared>();
  p->ws = load_workspace(ctx.dir);  // manifest errors stop here: no state, no request
  p->store = open_state(p->ws);
  if (take_lock) {
    try {
      p->lock.emplace(*p->store, lock_holder(), operation, std::chrono::seconds(600), lock_timeout);
    } catch (const state::LockHeld& held) {
      if (!holder_is_dead(held.holder.holder)) throw;
      ctx.out << "Taking over the state lock of " << held.holder.holder << " (" << held.holder.operation
              << "), a process that no longer runs.\n";
      p->store->unlock(held.holder.id);
      p->lock.emplace(*p->store, lock_holder(), operation, std::chrono::seconds(600), lock_timeout);
    }
  }
  p->conn = connect_cloud(p->ws, co_await asio::this_coro::executor);
  planner::PlanInput input;
  input.manifest = &p->ws.manifest;
  input.meta = p->store->meta();
  input.rows = p->store->resources();
  input.open_journal = p->store->open_journal();
  input.destroy = destroy;
  planner::Inventory live = co_await planner::refresh(*p->conn.client);
  input.live = &live;
  auto calls = p->conn.client->call_counts();
  ctx.out << "Refreshed " << input.rows.size() << " recorded server" << (input.rows.size() == 1 ? "" : "s")
          << " against " << live.servers.size() << " in the cloud (" << p->conn.description << ", "
          << calls["GET /v1/{project_id}/cloud-phone/servers"] << " list call"
          << (calls["GET /v1/{project_id}/cloud-phone/servers"] == 1 ? "" : "s") << ").\n\n";
  p->plan = planner::make_plan(input);
  co_return p;
}

resources::PollPolicy poll_policy() {
  resources::PollPolicy poll;
  poll.initial = env_ms("CPHFORM_POLL_INITIAL_MS", poll.initial);
  poll.max = env_ms("CPHFORM_POLL_MAX_MS", poll.max);
  return poll;
}

asio::awaitable<int> cmd_plan(Context& ctx, Flags flags) {
  auto p = co_await prepare(ctx, flags.has("destroy"), false, {}, "plan");
  ctx.out << planner::render_plan(p->plan);
  if (flags.has("detailed-exitcode")) co_return p->plan.has_changes() ? 2 : 0;
  co_return 0;
}

bool confirm(Context& ctx, bool destroy) {
  ctx.out << (destroy ? "\nDo you really want to destroy all resources?\n"
                      : "\nDo you want to perform these actions?\n")
          << "  cphform will perform the actions described above.\n"
          << "  Only 'yes' will be accepted to approve.\n\n"
          << "  Enter a value: " << std::flush;
  std::string answer;
  if (!std::getline(ctx.in, answer)) answer.clear();
  ctx.out << "\n";
  return answer == "yes";
}

asio::awaitable<int> cmd_apply(Context& ctx, Flags flags, bool destroy) {
  auto timeout = parse_duration(flags.get("lock-timeout", "0s"));
  auto p = co_await prepare(ctx, destroy, true, timeout, destroy ? "destroy" : "apply");
  ctx.out << planner::render_plan(p->plan);
  if (!p->plan.has_changes()) {
    ctx.out << "\n" << (destroy ? "Destroy" : "Apply") << " complete! Resources: 0 added, 0 changed, 0 destroyed.\n";
    co_return 0;
  }
  if (!flags.has("auto-approve") && !confirm(ctx, destroy)) {
    ctx.err << "Error: " << (destroy ? "Destroy" : "Apply") << " cancelled; nothing was changed.\n";
    co_return 1;
  }
  Progress progress(ctx.out);
  ExecOptions options;
  options.run_id = crypto::random_hex(8);
  options.poll = poll_policy();
  std::string lock_id = p->lock->id();
  state::StateStore* store = p->store.get();
  options.heartbeat = [store, lock_id] { store->refresh_lock(lock_id, std::chrono::seconds(600)); };
  ExecReport report = co_await execute_plan(*p->conn.client, *p->store, p->plan, progress, options);
  if (!report.ok()) {
    ctx.err << "\n";
    for (const auto& f : report.failures) ctx.err << "Error: " << f.address << ": " << f.message << "\n";
    for (const auto& s : report.skipped) ctx.err << "Skipped: " << s << " (a step it depends on failed)\n";
    ctx.err << "\n" << (destroy ? "Destroy" : "Apply") << " failed. Resources: " << report.added << " added, "
            << report.changed << " changed, " << report.destroyed
            << " destroyed; every finished resource is recorded in state.\n";
    co_return 1;
  }
  ctx.out << "\n" << (destroy ? "Destroy" : "Apply") << " complete! Resources: " << report.added << " added, "
          << report.changed << " changed, " << report.destroyed << " destroyed.\n";
  co_return 0;
}

int run_async(std::function<asio::awaitable<int>()> command) {
  asio::io_context io;
  auto result = asio::co_spawn(io, command(), asio::use_future);
  io.run();
  return result.get();
}

}  // namespace

int run_cli(const std::vector<std::string>& all_args, std::istream& in, std::ostream& out, std::ostream& err) {
  std::vector<std::string> args = all_args;
  fs::path dir = fs::current_path();
  // Global options come before the command.
  while (!args.empty() && (args[0].rfind("-chdir=", 0) == 0 || args[0].rfind("--chdir=", 0) == 0)) {
    dir = args[0].substr(args[0].find('=') + 1);
    args.erase(args.begin());
  }
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    out << kUsage;
    return args.empty() ? 1 : 0;
  }
  std::string command = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  Context ctx{dir, in, out, err};
  try {
    if (command == "version" || command == "-version" || command == "--version") {
      out << "cphform v0.1.0\n";
      return 0;
    }
    if (command == "emulator") {
      if (rest.empty() || rest[0] != "serve") throw UsageError("usage: cphform emulator serve [flags]");
      return emulator::serve_main(std::vector<std::string>(rest.begin() + 1, rest.end()));
    }
    if (command == "validate") {
      parse_flags(rest, {"no-color"}, {});
      load_workspace(dir);
      out << "Success! The configuration is valid.\n";
      return 0;
    }
    if (command == "plan") {
      Flags flags = parse_flags(rest, {"detailed-exitcode", "destroy", "no-color"}, {});
      return run_async([&] { return cmd_plan(ctx, flags); });
    }
    if (command == "apply" || command == "destroy") {
      Flags flags = parse_flags(rest, {"auto-approve", "no-color"}, {"lock-timeout"});
      return run_async([&] { return cmd_apply(ctx, flags, command == "destroy"); });
    }
    throw UsageError("unknown command \"" + command + "\"");
  } catch (const UsageError& e) {
    err << "Error: " << e.what() << "\n\n" << kUsage;
    return 1;
  } catch (const manifest::ManifestError& e) {
    print_manifest_errors(e, err);
    return 1;
  } catch (const state::LockHeld& e) {
    err << "Error: the state is locked by " << e.holder.holder << " (" << e.holder.operation << ", since "
        << e.holder.created_at << ", expires " << e.holder.expires_at << ", lock id " << e.holder.id << ").\n";
    return 1;
  } catch (...) {
    err << "Error: " << describe_error(std::current_exception()) << "\n";
    return 1;
  }
}

}  // namespace cph::engine

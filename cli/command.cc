#include "cli/command.h"
#include "cli/commands.h"

#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <cstdlib>
#include <algorithm>
#include <future>
#include <map>
#include <optional>
#include <set>
#include <ostream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_future.hpp>

#include <sqlite3.h>

#include "common/ansi.h"
#include "common/crypto.h"
#include "common/duration.h"
#include "common/sqlite.h"
#include "cli/refresh.h"
#include "engine/outputs.h"
#include "planner/planner.h"
#include "resources/write_only.h"

namespace cph::engine {

namespace asio = boost::asio;
namespace fs = std::filesystem;

std::string Flags::get(const std::string& name, const std::string& fallback) const {
  auto it = values.find(name);
  return it == values.end() ? fallback : it->second;
}

std::vector<std::string> Flags::all(const std::string& name) const {
  auto it = lists.find(name);
  return it == lists.end() ? std::vector<std::string>{} : it->second;
}

Flags parse_flags(const std::vector<std::string>& args, const std::set<std::string>& switches,
                  const std::set<std::string>& valued, size_t max_positional) {
  Flags flags;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    if (a.size() < 2 || a[0] != '-') {
      if (flags.positional.size() >= max_positional) throw UsageError("unexpected argument \"" + a + "\"");
      flags.positional.push_back(a);
      continue;
    }
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
      flags.lists[a].push_back(*value);
    } else {
      throw UnknownFlag(a);
    }
  }
  return flags;
}

void take_variable_flags(Context& ctx, std::vector<std::string>& args) {
  std::vector<std::string> rest;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    std::string name = a.rfind("--", 0) == 0 ? a.substr(2) : a.rfind("-", 0) == 0 ? a.substr(1) : "";
    std::string flag = name.substr(0, name.find('='));
    if (flag != "var" && flag != "var-file") {
      rest.push_back(a);
      continue;
    }
    std::string value;
    if (name.size() > flag.size()) value = name.substr(flag.size() + 1);
    else if (i + 1 < args.size()) value = args[++i];
    else throw UsageError("-" + flag + " needs a value (" + (flag == "var" ? "NAME=VALUE" : "a .toml file") + ")");
    if (flag == "var") ctx.vars.vars.push_back(value);
    else ctx.vars.var_files.push_back(value);
  }
  args = rest;
}

Workspace load_workspace(const Context& ctx) {
  Workspace ws;
  ws.dir = ctx.dir;
  ws.data_dir = ctx.dir / ".cphform";
  manifest::VariableInputs inputs = ctx.vars;
  inputs.workspace = current_workspace(ws);  // ${terraform.workspace}
  ws.manifest = manifest::load_manifest_dir(ctx.dir, inputs);
  return ws;
}

int parse_parallelism(const Flags& flags) {
  const std::string v = flags.get("parallelism", std::to_string(cloud::kDefaultParallelism));
  const bool digits = !v.empty() && v.size() <= 4 && v.find_first_not_of("0123456789") == std::string::npos;
  if (!digits || std::stoi(v) < 1)
    throw UsageError("-parallelism must be a whole number from 1 to 9999, not \"" + v + "\"");
  return std::stoi(v);
}

std::chrono::milliseconds parse_duration(const std::string& s) {
  if (const auto d = parse_duration_text(s)) return *d;
  throw UsageError("bad duration \"" + s + "\" (use e.g. 30s, 2m, 500ms)");
}

namespace {

std::string host_name() {
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  return host;
}

// A holder "user@host pid N" of this host whose pid no longer exists.
bool holder_is_dead(const std::string& holder) {
  auto at = holder.find('@');
  auto pid_at = holder.rfind(" pid ");
  if (at == std::string::npos || pid_at == std::string::npos || pid_at < at) return false;
  if (holder.substr(at + 1, pid_at - at - 1) != host_name()) return false;
  try {
    pid_t pid = static_cast<pid_t>(std::stol(holder.substr(pid_at + 5)));
    return pid > 0 && kill(pid, 0) != 0 && errno == ESRCH;
  } catch (const std::exception&) {
    return false;
  }
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

}  // namespace

std::string actor() {
  const char* user = std::getenv("USER");
  if (!user || !*user) user = std::getenv("LOGNAME");
  std::string name = user && *user ? user : "";
  if (name.empty()) {  // cron, containers and sudo -i often set neither: ask the OS
    const struct passwd* pw = getpwuid(geteuid());
    if (pw && pw->pw_name && *pw->pw_name) name = pw->pw_name;
  }
  return (name.empty() ? "unknown" : name) + "@" + host_name() + " pid " + std::to_string(getpid());
}

void warn(Context& ctx, const std::string& warning, const char* json_level) {
  if (ctx.json)
    ctx.json->emit("log", json_level, "Warning: " + warning, nlohmann::json::object());
  else
    ctx.err << ansi::paint(ctx.err_color, ansi::kBoldYellow, "Warning:") << " " << warning << "\n\n";
}

std::function<void(const std::string&)> note_to(Context& ctx) {
  return [&ctx](const std::string& line) {
    if (ctx.json)
      ctx.json->emit("log", "info", line, nlohmann::json::object());
    else
      ctx.out << line << "\n" << std::flush;
  };
}

namespace {
std::unique_ptr<state::ScopedLock> take_lock_once(state::StateStore& store, const std::string& operation,
                                                  std::chrono::milliseconds timeout,
                                                  const std::function<void(const std::string&)>& note);
}  // namespace

std::unique_ptr<state::ScopedLock> take_lock(state::StateStore& store, const std::string& operation,
                                             std::chrono::milliseconds timeout,
                                             const std::function<void(const std::string&)>& note) {
  try {
    return take_lock_once(store, operation, timeout, note);
  } catch (const sql::Error& e) {
    // SQLite stayed busy for its whole busy timeout: someone writes the state
    // file. Name the lock holder when one is recorded (issue 18, D13).
    const int primary = e.code & 0xff;
    if (primary != SQLITE_BUSY && primary != SQLITE_LOCKED) throw;
    if (std::optional<state::LockInfo> held = store.current_lock()) throw state::LockHeld(*held);
    throw std::runtime_error(std::string("the state is busy: another cphform process is writing it but holds no "
                                         "lock yet (") + e.what() + "); retry, or wait with -lock-timeout=DURATION");
  }
}

namespace {
std::unique_ptr<state::ScopedLock> take_lock_once(state::StateStore& store, const std::string& operation,
                                                  std::chrono::milliseconds timeout,
                                                  const std::function<void(const std::string&)>& note) {
  const auto ttl = std::chrono::seconds(600);  // refreshed every minute by the executor
  try {
    // First without waiting, so that a busy lock is named before the wait.
    return std::make_unique<state::ScopedLock>(store, actor(), operation, ttl, std::chrono::milliseconds(0));
  } catch (const state::LockHeld& held) {
    if (holder_is_dead(held.holder.holder)) {
      note("Taking over the state lock of " + held.holder.holder + " (" + held.holder.operation +
           "), a process that no longer runs.");
      store.unlock(held.holder.id);
    } else if (timeout.count() > 0) {
      note("Waiting up to " + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) +
           "s for the state lock held by " + held.holder.holder + " (" + held.holder.operation + ", since " +
           held.holder.created_at + ")...");
    } else {
      throw;
    }
    return std::make_unique<state::ScopedLock>(store, actor(), operation, ttl, timeout);
  }
}
}  // namespace

bool lock_wanted(Context& ctx, const Flags& flags, const std::string& operation) {
  const std::string v = flags.get("lock", "true");
  if (v != "true" && v != "false") throw UsageError("-lock takes true or false (got \"" + v + "\")");
  if (v == "true") return true;
  const std::string warning = "-lock=false: " + operation + " runs without the state lock. Another cphform run on "
                              "this state at the same time could buy or release the same servers twice or lose "
                              "their record; use it only when no other run can touch this state.";
  warn(ctx, warning, "warn");
  return false;
}

std::unique_ptr<state::ScopedLock> lock_as_asked(Context& ctx, state::StateStore& store, const Flags& flags,
                                                 const std::string& operation) {
  const auto timeout = parse_duration(flags.get("lock-timeout", "0s"));
  if (!lock_wanted(ctx, flags, operation)) return nullptr;
  return take_lock(store, operation, timeout, note_to(ctx));
}

void commit_state_edit(state::StateStore& store, const std::string& operation, const std::string& address,
                       const std::vector<state::ResourceRow>& put, const std::vector<std::string>& remove) {
  nlohmann::json what = {{"put", nlohmann::json::array()}, {"remove", remove}, {"by", actor()}};
  for (const auto& r : put) what["put"].push_back(r.address);
  int64_t id = store.journal_intent(crypto::random_hex(8), address, operation, crypto::sha256_hex(what.dump()), what);
  store.journal_done(id, put, remove);
}

asio::awaitable<std::unique_ptr<Session>> open_session(Context& ctx, const SessionOptions& options) {
  auto s = std::make_unique<Session>();
  s->ws = load_workspace(ctx);  // manifest errors stop here: no state, no request
  s->store = open_state(s->ws);
  if (options.take_lock) s->lock = take_lock(*s->store, options.operation, options.lock_timeout, note_to(ctx));
  s->conn = co_await connect_cloud(s->ws, co_await asio::this_coro::executor, s->store.get());
  for (const std::string& warning : s->conn.warnings) warn(ctx, warning);
  for (CloudConnection* c : s->conn.instances())
    if (c->provider) c->provider->set_parallelism(options.parallelism);
  co_return s;
}

int release_lock(Context& ctx, Session& s, int code) {
  if (!s.lock) return code;
  const std::string id = s.lock->id();
  try {
    s.lock->release();
    return code;
  } catch (const std::exception& e) {
    std::string message = "could not release the state lock " + id + ": " + e.what() +
                          "; once the cause is fixed, run cphform force-unlock " + id;
    if (ctx.json) ctx.json->diagnostic(message);
    ctx.err << "Error: " << message << "\n";
    return 1;
  }
}

void write_private_file(const std::string& path, const std::string& text, const std::string& what) {
  auto fail = [&](int error) {
    throw std::runtime_error("cannot write " + what + " to " + path + ": " + std::strerror(error));
  };
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) fail(errno);
  if (::fchmod(fd, 0600) != 0) {  // an existing file keeps its mode through O_TRUNC
    int error = errno;
    ::close(fd);
    fail(error);
  }
  for (size_t done = 0; done < text.size();) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int error = n < 0 ? errno : EIO;
      ::close(fd);
      fail(error);
    }
    done += static_cast<size_t>(n);
  }
  // A full disk may only show at fsync or close (delayed allocation, NFS).
  if (::fsync(fd) != 0 && errno != EINVAL) {
    int error = errno;
    ::close(fd);
    fail(error);
  }
  if (::close(fd) != 0) fail(errno);
}

namespace {

// The provider's checks name the instance ("server.web[0]: server_model
// ..."); a manifest problem is also shown where the manifest sets the model.
planner::PlanError located_model_problems(const planner::PlanError& e, const planner::Plan& plan,
                                          const manifest::Manifest& m) {
  std::map<std::string, const manifest::ResourceConfig*> blocks;
  for (const manifest::ResourceConfig& rc : m.resources) blocks.emplace(rc.address(), &rc);
  std::map<std::string, std::string> where;  // instance address -> "file:line:column: "
  for (const planner::Action& a : plan.actions)
    if (auto rc = blocks.find(a.block); rc != blocks.end() && !a.operations.empty())
      where[a.address] = rc->second->pos_of("server_model").str() + ": ";
  std::vector<std::string> problems;
  for (const std::string& p : e.problems) {
    auto it = where.find(p.substr(0, p.find(": ")));
    problems.push_back(it == where.end() ? p : it->second + p);
  }
  return planner::PlanError(problems);
}

}  // namespace

asio::awaitable<planner::Plan> refresh_and_plan(Context& ctx, Session& s, bool destroy,
                                                Inventories* inventories, const PlanScope* scope,
                                                bool unmanaged) {
  planner::PlanInput input;
  input.manifest = &s.ws.manifest;
  input.meta = s.store->meta();
  input.rows = s.store->resources();
  // The store lists rows by text (game[10] before game[2]); drift and
  // everything else read from them are shown in instance order.
  std::sort(input.rows.begin(), input.rows.end(),
            [](const auto& x, const auto& y) { return planner::address_less(x.address, y.address); });
  input.open_journal = s.store->open_journal();
  input.destroy = destroy;
  input.write_only_key = s.store->setting(std::string(resources::kWriteOnlyKeySetting)).value_or("");
  if (scope) {
    input.targets = scope->targets;
    input.excludes = scope->excludes;
    input.replace = scope->replace;
    input.requests = scope->requests;
    if (!scope->own_targets && (!input.targets.empty() || !input.excludes.empty())) {
      const std::string warning =
          "-target/-exclude narrow this plan: the rest of the manifests is not applied, so the result may "
          "not match them. Use it for exceptional situations, then run a full plan.";
      warn(ctx, warning);
    }
  }
  resources::RefreshScope needs = planner::refresh_scope(destroy ? nullptr : &s.ws.manifest, input.rows);
  needs.unmanaged = unmanaged;
  Inventories live = co_await refresh_instances(s.conn, needs);
  for (const auto& [name, read] : live) {
    input.inventories[name] = read.get();
    for (const std::string& notice : read->notices()) warn(ctx, notice);
  }
  input.live = live.at(s.conn.name).get();
  if (ctx.json) {
    size_t objects = 0;
    int64_t lists = 0;
    for (CloudConnection* c : s.conn.instances()) {
      objects += live.at(c->name)->size();
      lists += c->provider->list_calls();
    }
    ctx.json->refreshed(input.rows.size(), objects, lists);
  } else {
    ctx.out << refresh_summary(s.conn, live, input.rows.size());
  }
  planner::Plan plan = planner::make_plan(input);
  std::vector<std::string> problems = co_await check_planned_changes(s.conn, plan);
  if (!problems.empty()) throw located_model_problems(planner::PlanError(problems), plan, s.ws.manifest);
  plan.outputs = output_changes(s.ws.manifest, input.rows, plan);
  if (inventories) *inventories = std::move(live);
  co_return plan;
}

resources::PollPolicy poll_policy() {
  resources::PollPolicy poll;
  poll.initial = env_ms("CPHFORM_POLL_INITIAL_MS", poll.initial);
  poll.max = env_ms("CPHFORM_POLL_MAX_MS", poll.max);
  const std::chrono::milliseconds timeout = env_ms("CPHFORM_POLL_TIMEOUT_MS", poll.timeout);
  if (timeout.count() <= 0) throw std::runtime_error("CPHFORM_POLL_TIMEOUT_MS must be a positive number of milliseconds");
  poll.timeout = std::chrono::duration_cast<std::chrono::seconds>(timeout + std::chrono::milliseconds(999));
  return poll;
}

int run_async(std::function<asio::awaitable<int>()> command) {
  asio::io_context io;
  auto result = asio::co_spawn(io, command(), asio::use_future);
  io.run();
  return result.get();
}

}  // namespace cph::engine

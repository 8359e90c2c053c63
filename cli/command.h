// What the CLI verbs share: flag parsing, the staged opening of a
// workspace (manifests, then state and lock, then the cloud, then refresh
// and plan), and the plumbing to run a verb as a coroutine.
#pragma once

#include <chrono>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "cli/json_events.h"
#include "cloud/call_slots.h"
#include "engine/workspace.h"
#include "planner/plan.h"
#include "planner/planner.h"
#include "resources/operation.h"
#include "state/state.h"

namespace cph::engine {

// A mistake in the command line itself; the usage text follows the message.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Parsed flags of one command: names without dashes -> value ("" for
// switches), plus positional arguments in order.
struct Flags {
  std::map<std::string, std::string> values;              // the last value of each flag
  std::map<std::string, std::vector<std::string>> lists;  // every value of repeatable flags
  std::vector<std::string> positional;
  bool has(const std::string& name) const { return values.count(name) > 0; }
  std::string get(const std::string& name, const std::string& fallback = "") const;
  std::vector<std::string> all(const std::string& name) const;
};

// switches take no value; valued flags take one (-f=v or -f v); at most
// max_positional bare arguments are accepted.
Flags parse_flags(const std::vector<std::string>& args, const std::set<std::string>& switches,
                  const std::set<std::string>& valued, size_t max_positional = 0);

// "30s", "2m", "500ms" or a plain number of seconds.
std::chrono::milliseconds parse_duration(const std::string& s);

// -parallelism=N (N >= 1; UsageError otherwise): requests of one API in
// flight at once. cloud::kDefaultParallelism when absent.
int parse_parallelism(const Flags& flags);

struct Context {
  std::filesystem::path dir;
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  JsonEvents* json = nullptr;  // set by -json: events on out instead of text
  // Variable values for the manifests: -var, -var-file and CPHFORM_VAR_*.
  manifest::VariableInputs vars = manifest::VariableInputs::from_environment();
  // ANSI colour on out and on err (cli/commands.h color_wanted): only for a
  // terminal, never under -no-color or NO_COLOR.
  bool color = false;
  bool err_color = false;
};

// Takes the repeatable -var NAME=VALUE and -var-file FILE flags out of
// args (for the commands that load manifests) and adds them to ctx.vars in
// the order given.
void take_variable_flags(Context& ctx, std::vector<std::string>& args);

// Stage 1 with the variables of ctx: load_workspace(ctx.dir) plus ctx.vars.
Workspace load_workspace(const Context& ctx);

// Who is acting: "user@host pid N". Recorded as the lock holder and in
// every journal entry ("by"), so that history can say who changed what.
std::string actor();

// The write lock for `operation`, waiting up to `timeout` (and saying whom
// it waits for); a lock left by a
// process of this host that no longer runs is taken over (with a note).
// `note` receives a line for people (waiting for X, taking over Y).
std::unique_ptr<state::ScopedLock> take_lock(state::StateStore& store, const std::string& operation,
                                             std::chrono::milliseconds timeout,
                                             const std::function<void(const std::string&)>& note);
// The write lock as the command's flags ask for it: -lock-timeout=DURATION,
// and -lock=false, which takes no lock at all and warns (on err, or as a
// log event with -json), as Terraform allows for a state whose lock is
// known to be broken. nullptr when -lock=false.
std::unique_ptr<state::ScopedLock> lock_as_asked(Context& ctx, state::StateStore& store, const Flags& flags,
                                                 const std::string& operation);
// -lock=true|false (true when absent; UsageError otherwise). With false,
// prints the warning for `operation` and returns false.
bool lock_wanted(Context& ctx, const Flags& flags, const std::string& operation);

// "Warning: TEXT" and a blank line on err (the prefix in bold yellow with
// colour), or a log event of json_level with -json.
void warn(Context& ctx, const std::string& warning, const char* json_level = "info");

// The note function of a command: text on out, or a log event with -json.
std::function<void(const std::string&)> note_to(Context& ctx);

// One journaled edit of the state outside a cloud operation (state rm/mv,
// refresh-only): rows put and addresses removed in a single transaction.
void commit_state_edit(state::StateStore& store, const std::string& operation, const std::string& address,
                       const std::vector<state::ResourceRow>& put, const std::vector<std::string>& remove);

// A workspace opened for planning or applying.
struct Session {
  Workspace ws;
  std::unique_ptr<state::StateStore> store;
  std::unique_ptr<state::ScopedLock> lock;  // held for write operations
  CloudConnection conn;                     // declared after store: closed first
};

struct SessionOptions {
  bool take_lock = false;
  std::chrono::milliseconds lock_timeout{0};
  std::string operation = "plan";
  int parallelism = cloud::kDefaultParallelism;
};
// Manifests (errors stop here: nothing opened, nothing sent), state, lock, cloud.
boost::asio::awaitable<std::unique_ptr<Session>> open_session(Context& ctx, const SessionOptions& options);

// Releases the session's write lock (if it holds one) and returns `code`;
// when the release fails (a full disk, a busy database) says so on err (or
// as a diagnostic) and returns 1: a run that leaves its lock row behind must
// not look like a clean success (issue 18, D9).
int release_lock(Context& ctx, Session& s, int code);

// Writes `text` to `path` as an owner-only file (0600, also when it existed),
// checking every write and the close; throws std::runtime_error naming
// `what` ("the plan"), the path and the system's reason.
void write_private_file(const std::string& path, const std::string& text, const std::string& what);

// Which instances a plan covers (-target / -exclude, repeatable), and which
// it replaces on purpose (-replace, repeatable).
struct PlanScope {
  std::vector<std::string> targets;
  std::vector<std::string> excludes;
  std::vector<std::string> replace;
  // Operations asked for by name (cphform phone restart|stop).
  std::vector<planner::PlanInput::Request> requests = {};
  // The targets are the command's own (cphform phone narrows to the blocks
  // it names), not -target: no warning that the plan is narrowed.
  bool own_targets = false;
  static PlanScope from(const Flags& flags) { return {flags.all("target"), flags.all("exclude"), flags.all("replace")}; }
};

// Refresh through the provider and make the plan; prints one line on what
// the refresh read (and a warning when the scope is narrowed), then asks
// the provider to check the planned changes (Provider::check_changes:
// problems throw planner::PlanError, located in the manifests). Every
// instance's refreshed inventory, by instance name, is kept in *inventories
// if given. unmanaged: also read what listing unmanaged objects needs
// (drift's -name-prefix/-tag).
using Inventories = std::map<std::string, std::unique_ptr<resources::Inventory>>;
boost::asio::awaitable<planner::Plan> refresh_and_plan(Context& ctx, Session& s, bool destroy,
                                                       Inventories* inventories = nullptr,
                                                       const PlanScope* scope = nullptr, bool unmanaged = false);

// Polling intervals (CPHFORM_POLL_INITIAL_MS / CPHFORM_POLL_MAX_MS).
resources::PollPolicy poll_policy();

// Runs a verb on a fresh io_context; returns its exit code.
int run_async(std::function<boost::asio::awaitable<int>()> command);

// Verbs (each returns the process exit code).
boost::asio::awaitable<int> cmd_plan(Context& ctx, const Flags& flags);
// `asked`: the scope instead of the flags' (cphform phone); `check` may
// refuse the plan (throwing) before anything is shown or done.
boost::asio::awaitable<int> cmd_apply(Context& ctx, const Flags& flags, bool destroy,
                                      const PlanScope* asked = nullptr,
                                      std::function<void(const planner::Plan&)> check = {});
// phone reset|restart|stop ADDR... (cli/cmd_phone.cc): an apply of that
// operation on the named phones only.
boost::asio::awaitable<int> cmd_phone(Context& ctx, const Flags& flags);
int cmd_show(Context& ctx, const Flags& flags);
boost::asio::awaitable<int> cmd_graph(Context& ctx, const Flags& flags);
boost::asio::awaitable<int> cmd_drift(Context& ctx, const Flags& flags);
boost::asio::awaitable<int> cmd_import(Context& ctx, const Flags& flags);
int cmd_state(Context& ctx, const std::vector<std::string>& args);
int cmd_journal(Context& ctx, const std::vector<std::string>& args);
int cmd_force_unlock(Context& ctx, const Flags& flags);
int cmd_validate(Context& ctx, const Flags& flags);
int cmd_workspace(Context& ctx, const std::vector<std::string>& args);
int cmd_history(Context& ctx, const Flags& flags);
int cmd_output(Context& ctx, const Flags& flags);
int cmd_fmt(Context& ctx, const std::vector<std::string>& args);
// koophone exec SET -- COMMAND (cli/cmd_koophone.cc): opens no state, takes no lock.
int cmd_koophone(Context& ctx, const std::vector<std::string>& args);
int cmd_docs(Context& ctx, const std::vector<std::string>& args);  // docs/manifest.md (hidden from usage)

}  // namespace cph::engine

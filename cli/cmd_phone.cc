// phone reset|restart|stop [options] ADDR... (issue 14, "explicit operations
// as planned actions"): an apply whose plan holds only that operation on
// the phones named. ADDR is phones.NAME (every phone of the block) or
// phones.NAME[MEMBER], a member being a phone id, a phone name or a server
// address; the provider checks the members against the phones it lists
// (ResourceSchema::live_members).
//
// reset is -replace of those phones (a reset is their replacement: the
// consent of ResourceSchema::replacement_loses, -allow-data-loss); restart
// and stop are requested operations (PlanInput::requests). The plan is
// narrowed to the named blocks (as -target), and refused when they, or the
// blocks they depend on, have manifest edits not applied yet: a command
// that restarts phones must not also carry those out. Drift of the named
// blocks is put back, and the plan shows it, as apply would.
#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/commands.h"
#include "resources/schema.h"

namespace cph::engine {

namespace {

constexpr const char* kType = "phones";

// The block a pattern names ("phones.game[game-0002]" -> "phones.game").
std::string block_named(const std::string& pattern) { return pattern.substr(0, pattern.find('[')); }

// The scope of the operation: the blocks as targets, the patterns as
// -replace (reset) or as requests.
PlanScope scope_of(const std::string& verb, const std::vector<std::string>& patterns) {
  const resources::ResourceSchema* schema = resources::find_schema(kType);
  const std::vector<std::string> ops = schema ? schema->requestable : std::vector<std::string>{};
  if (verb != "reset" && std::find(ops.begin(), ops.end(), verb) == ops.end())
    throw UsageError("cphform phone takes reset, restart or stop (got \"" + verb + "\")");
  if (patterns.empty())
    throw UsageError("cphform phone " + verb + " needs the phones: phones.NAME, or phones.NAME[MEMBER] with a phone "
                     "id, a phone name or a server address as MEMBER");
  PlanScope scope;
  scope.own_targets = true;
  std::set<std::string> blocks;
  for (const std::string& p : patterns) {
    const std::string block = block_named(p);
    if (block.rfind(std::string(kType) + ".", 0) != 0 || block.size() == std::string(kType).size() + 1 ||
        (p.size() > block.size() && (p.back() != ']' || p.size() == block.size() + 2)))
      throw UsageError("\"" + p + "\" is not a phones address: give phones.NAME, or phones.NAME[MEMBER] with a phone "
                       "id, a phone name or a server address as MEMBER (quote it in the shell)");
    if (blocks.insert(block).second) scope.targets.push_back(block);
    if (verb == "reset")
      scope.replace.push_back(p);
    else
      scope.requests.push_back({verb, p});
  }
  return scope;
}

// Refuses a plan that would carry out manifest edits along with the
// operation. Drift of the named blocks (a phone stopped or renamed by hand)
// is not an edit: the plan shows it put back, as any apply would.
void only_the_operation(const planner::Plan& plan, const std::string& verb) {
  std::map<std::string, std::set<std::string>> drifted;  // address -> attributes
  for (const planner::Drift& d : plan.drift)
    for (const planner::AttrChange& c : d.changes) drifted[d.address].insert(c.name);
  std::vector<std::string> problems;
  for (const planner::Action& a : plan.actions) {
    const bool asked = a.type == kType && (verb == "reset" ? a.replace_requested : a.requested == verb);
    if (!asked) {
      problems.push_back(a.address + " has changes not applied yet (" + std::string(planner::to_string(a.kind)) +
                         "): run cphform apply first, then cphform phone " + verb);
      continue;
    }
    std::string names;
    for (const planner::AttrChange& c : a.changes)
      if (!drifted[a.address].count(c.name)) names += (names.empty() ? "" : ", ") + c.name;
    if (names.empty()) continue;
    problems.push_back(a.address + " has changes not applied yet (" + names + "): run cphform apply first, then "
                       "cphform phone " + verb);
  }
  if (!problems.empty()) throw planner::PlanError(problems);
}

}  // namespace

boost::asio::awaitable<int> cmd_phone(Context& ctx, const Flags& flags) {
  if (flags.positional.empty())
    throw UsageError("usage: cphform phone reset|restart|stop [options] ADDR...");
  const std::string verb = flags.positional.front();
  const PlanScope scope =
      scope_of(verb, std::vector<std::string>(flags.positional.begin() + 1, flags.positional.end()));
  std::function<void(const planner::Plan&)> check = [verb](const planner::Plan& plan) {
    only_the_operation(plan, verb);
  };
  const int code = co_await cmd_apply(ctx, flags, false, &scope, std::move(check));
  co_return code;
}

}  // namespace cph::engine

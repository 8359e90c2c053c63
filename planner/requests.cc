// What the user asked for by name rather than by manifest: -replace=ADDR
// (Terraform's -replace) and requested operations (cphform phone
// restart|stop ADDR). Both name recorded instances the manifest still
// declares, whole or by members ("koophone_instances.fleet[kp000003]",
// "phones.game[game-0002]"); the plan carries them out even when nothing
// changed.
#include <algorithm>

#include "planner/internal.h"
#include "resources/schema.h"

namespace cph::planner::detail {

namespace res = cph::resources;

namespace {

// The members `patterns` name of `address`, in the order named; empty when
// a pattern names the whole instance (or none names it at all).
std::vector<std::string> members_named(const std::vector<std::string>& patterns, const std::string& address) {
  std::vector<std::string> members;
  for (const std::string& pattern : patterns) {
    const std::optional<MemberPattern> m = member_pattern(pattern);
    if (!m && address_matches(address, pattern)) return {};  // the whole instance
    if (m && m->address == address && std::find(members.begin(), members.end(), m->member) == members.end())
      members.push_back(m->member);
  }
  return members;
}

bool names(const std::string& pattern, const std::string& address) {
  const std::optional<MemberPattern> m = member_pattern(pattern);
  return m ? m->address == address : address_matches(address, pattern);
}

std::vector<std::string> patterns_of(const PlanInput& in, const std::string& operation) {
  std::vector<std::string> out;
  for (const PlanInput::Request& r : in.requests)
    if (r.operation == operation) out.push_back(r.pattern);
  return out;
}

// "-replace=P" or "restart P", for messages.
std::string as_asked(const std::string& operation, const std::string& pattern) {
  return operation.empty() ? "-replace=" + pattern : operation + " " + pattern;
}

// The problem with one pattern, "" none.
std::string pattern_problem(const std::string& operation, const std::string& pattern,
                            const std::map<std::string, Prior>& prior, const std::map<std::string, Desired>& desired) {
  const std::string asked = as_asked(operation, pattern);
  const std::optional<MemberPattern> m = member_pattern(pattern);
  const Desired* named = nullptr;  // the first instance named that is both recorded and declared
  for (const auto& [address, d] : desired)
    if ((m ? m->address == address : address_matches(address, pattern)) && prior.count(address)) {
      named = &d;
      break;
    }
  if (!named)
    return asked + ": no resource of that address is both recorded in state and declared in the manifests";
  const res::ResourceSchema* schema = res::find_schema(named->type);
  if (!schema) return asked + ": no resource type " + named->type;
  const std::vector<std::string>& ops = schema->requestable;
  if (!operation.empty() && std::find(ops.begin(), ops.end(), operation) == ops.end())
    return asked + ": a " + schema->type + " block has no \"" + operation + "\" operation";
  if (!m || !schema->live_members.empty()) return "";  // live members: the provider's check_changes judges them
  const std::vector<std::string> members = adopted_members(*schema, named->attributes);
  if (std::find(members.begin(), members.end(), m->member) == members.end())
    return asked + ": " + m->address + " is not both recorded and declared with " + m->member +
           " among the objects it adopts";
  return "";
}

}  // namespace

void check_requests(const PlanInput& in, const std::map<std::string, Prior>& prior,
                    const std::map<std::string, Desired>& desired) {
  std::vector<std::string> problems;
  for (const std::string& pattern : in.replace)
    if (std::string p = pattern_problem("", pattern, prior, desired); !p.empty()) problems.push_back(std::move(p));
  for (const PlanInput::Request& r : in.requests)
    if (std::string p = pattern_problem(r.operation, r.pattern, prior, desired); !p.empty())
      problems.push_back(std::move(p));
  if (in.destroy && !in.replace.empty()) problems.push_back("-replace cannot be combined with -destroy");
  if (in.destroy && !in.requests.empty()) problems.push_back("a requested operation cannot be combined with -destroy");
  if (!in.replace.empty() && !in.requests.empty())
    problems.push_back("-replace cannot be combined with a requested operation: ask for one at a time");
  std::set<std::string> operations;
  for (const PlanInput::Request& r : in.requests) operations.insert(r.operation);
  if (operations.size() > 1) problems.push_back("one requested operation at a time");
  if (!problems.empty()) throw PlanError(problems);
}

bool replace_requested(const PlanInput& in, const std::string& address) {
  return std::any_of(in.replace.begin(), in.replace.end(),
                     [&](const std::string& pattern) { return names(pattern, address); });
}

void take_requests(const PlanInput& in, Action& a) {
  a.replace_requested = replace_requested(in, a.address);
  std::vector<std::string> patterns = in.replace;
  std::string asked = "-replace asked for ";
  if (!a.replace_requested) {
    for (const PlanInput::Request& r : in.requests)
      if (names(r.pattern, a.address)) a.requested = r.operation;
    if (a.requested.empty()) return;
    patterns = patterns_of(in, a.requested);
    asked = a.requested + " requested for ";
  }
  a.members = members_named(patterns, a.address);
  std::string named;
  for (const std::string& m : a.members) named += (named.empty() ? "" : ", ") + m;
  a.reason = asked + (named.empty() ? std::string("it") : named);
}

}  // namespace cph::planner::detail

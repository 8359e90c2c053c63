// The execution graph: each provider type turns the actions of its
// resource types into steps (API operations, batched as its cloud allows:
// resources::ProviderKind::add_steps); the planner orders them so that what
// a block depends on is created or changed first, and deleted last
// (ARCHITECTURE decision 2: the walk starts a step as soon as the steps it
// comes after have finished).
#include <algorithm>
#include <map>
#include <set>

#include "planner/internal.h"

namespace cph::planner::detail {
namespace {

using resources::StepRole;

// Reorders steps so that every step comes after those it waits for.
// Depth-first with an explicit stack: a chain of 30,000 dependent blocks
// is a chain of 30,000 steps, too deep for recursion.
void topological_order(Plan& plan) {
  const size_t n = plan.steps.size();
  std::vector<int> state(n, 0);  // 0 new, 1 on the stack, 2 placed
  std::vector<size_t> order;
  std::vector<std::pair<size_t, size_t>> stack;  // step, index of the next `after` to visit
  for (size_t root = 0; root < n; ++root) {
    if (state[root] != 0) continue;
    state[root] = 1;
    stack.push_back({root, 0});
    while (!stack.empty()) {
      auto& [i, next] = stack.back();
      if (next == plan.steps[i].after.size()) {
        state[i] = 2;
        order.push_back(i);
        stack.pop_back();
        continue;
      }
      size_t d = plan.steps[i].after[next++];
      if (state[d] == 1) throw std::logic_error("the execution graph has a cycle at step " + std::to_string(d));
      if (state[d] == 0) {
        state[d] = 1;
        stack.push_back({d, 0});
      }
    }
  }
  std::vector<size_t> position(n);
  for (size_t k = 0; k < n; ++k) position[order[k]] = k;
  std::vector<Step> sorted;
  for (size_t i : order) {
    Step s = plan.steps[i];
    for (size_t& d : s.after) d = position[d];
    std::sort(s.after.begin(), s.after.end());
    s.after.erase(std::unique(s.after.begin(), s.after.end()), s.after.end());
    sorted.push_back(std::move(s));
  }
  plan.steps = std::move(sorted);
}

// The steps of each provider type's actions, in the order the types first
// appear among the actions.
void add_provider_steps(Plan& plan, const Dependencies& deps, const std::map<std::string, bool>& create_before_destroy) {
  std::vector<std::string> types;
  std::map<std::string, std::vector<size_t>> mine;
  for (size_t i = 0; i < plan.actions.size(); ++i) {
    const std::string type = resources::provider_type_of(plan.actions[i].type);
    if (!mine.count(type)) types.push_back(type);
    mine[type].push_back(i);
  }
  for (const std::string& type : types) {
    const resources::ProviderKind* kind = resources::find_provider_kind(type);
    if (!kind || !kind->add_steps)
      throw std::logic_error("no provider type makes the steps of " + plan.actions[mine[type].front()].address);
    try {
      kind->add_steps({plan.actions, mine[type], create_before_destroy}, plan.steps);
    } catch (const resources::StepProblem& e) {
      plan.steps.clear();
      auto at = deps.where.find(e.block);
      throw PlanError({(at == deps.where.end() ? "" : at->second) + e.what()});
    }
  }
}

// Whether `user` must run before `release`, a step of a block it depended on.
bool must_precede(const Plan& plan, const Step& user, const Step& release) {
  const resources::ProviderKind* kind = resources::find_provider_kind(resources::provider_type_of(release.type));
  return !(kind && kind->need_not_precede && kind->need_not_precede(plan.actions, user, release));
}

// Block-level edges. Creates and updates wait for those of the blocks they
// depend on; releases wait for every step of the blocks that depended on
// them; a detach waits for neither.
void add_block_edges(Plan& plan, const Dependencies& deps) {
  std::map<std::string, std::vector<size_t>> forward, all;
  for (size_t s = 0; s < plan.steps.size(); ++s) {
    all[plan.steps[s].block].push_back(s);
    if (plan.steps[s].role == StepRole::forward) forward[plan.steps[s].block].push_back(s);
  }
  // Who depends on each block, so that a delete finds them without a scan
  // of every block (that made plans quadratic in blocks).
  std::map<std::string, std::vector<std::string>> recorded_users, desired_users;
  for (const auto& [block, used] : deps.recorded)
    for (const std::string& u : used) recorded_users[u].push_back(block);
  for (const auto& [block, used] : deps.desired)
    for (const std::string& u : used) desired_users[u].push_back(block);
  for (size_t s = 0; s < plan.steps.size(); ++s) {
    Step& step = plan.steps[s];
    if (step.role == StepRole::release) {
      if (auto it = recorded_users.find(step.block); it != recorded_users.end())
        for (const std::string& block : it->second)
          for (size_t o : all[block])
            if (must_precede(plan, plan.steps[o], step)) step.after.push_back(o);
      if (auto it = desired_users.find(step.block); it != desired_users.end())
        for (const std::string& block : it->second)
          for (size_t o : forward[block])
            if (must_precede(plan, plan.steps[o], step)) step.after.push_back(o);
    } else if (step.role == StepRole::forward) {
      auto it = deps.desired.find(step.block);
      if (it == deps.desired.end()) continue;
      for (const std::string& dep : it->second)
        for (size_t o : forward[dep])
          if (o != s) step.after.push_back(o);
    }
  }
}

}  // namespace

void add_steps(Plan& plan, const Dependencies& deps, const std::map<std::string, bool>& create_before_destroy) {
  add_provider_steps(plan, deps, create_before_destroy);
  add_block_edges(plan, deps);
  // Each step runs on one provider instance: releases and detaches where the
  // objects are, the rest where they are going (a block has one provider).
  for (Step& step : plan.steps) {
    const Action& first = plan.actions[step.actions.front()];
    step.provider = step.role == StepRole::forward ? first.provider : first.prior_provider;
  }
  topological_order(plan);
}

}  // namespace cph::planner::detail

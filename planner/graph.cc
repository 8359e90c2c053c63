// The execution graph: each action becomes one or more steps (API calls),
// ordered so that what a block depends on is created or changed first, and
// deleted last (ARCHITECTURE decision 2: the walk starts a step as soon as
// the steps it comes after have finished).
#include <algorithm>
#include <map>
#include <set>

#include "planner/internal.h"

namespace cph::planner::detail {
namespace {

bool is_delete(StepKind k) {
  return k == StepKind::unsubscribe || k == StepKind::delete_keypair || k == StepKind::forget;
}

StepKind step_for_operation(const std::string& op) {
  if (op == "rename") return StepKind::rename;
  if (op == "change_model") return StepKind::change_model;
  if (op == "switch") return StepKind::switch_server;
  if (op == "open_access") return StepKind::open_access;
  if (op == "tags") return StepKind::tags;
  if (op == "resize") return StepKind::resize_bandwidth;
  if (op == "record") return StepKind::record;
  return StepKind::push_share;  // "share": push to added servers, delete from removed ones
}

// A share step that takes the share off none of the servers `release`
// releases need not run first: a replaced server's successor gets the share
// after its purchase, which itself follows the release (found by
// convergence_test: waiting made a cycle).
bool pushes_only(const Plan& plan, const Step& share, const Step& release) {
  if (share.kind != StepKind::push_share || release.kind != StepKind::unsubscribe) return false;
  for (size_t i : share.actions) {
    const Action& a = plan.actions[i];
    // The servers this step takes the share off (sets: a share may name thousands).
    auto servers = [](const Json& side) {
      std::set<std::string> out;
      if (side.is_object() && side.contains("servers") && side["servers"].is_array())
        for (const Json& s : side["servers"])
          if (s.is_string()) out.insert(s.get<std::string>());
      return out;
    };
    const std::set<std::string> after = servers(a.after);
    std::set<std::string> removed;
    for (const std::string& s : servers(a.before))
      if (!after.count(s)) removed.insert(s);
    if (removed.empty()) continue;
    for (size_t r : release.actions)
      if (removed.count(plan.actions[r].address)) return false;
  }
  return true;
}

// Chunks of at most `n`, in index order.
std::vector<std::vector<size_t>> chunks(std::vector<size_t> list, const Plan& plan, size_t n) {
  std::sort(list.begin(), list.end(), [&](size_t x, size_t y) { return plan.actions[x].index < plan.actions[y].index; });
  std::vector<std::vector<size_t>> out;
  for (size_t at = 0; at < list.size(); at += n)
    out.emplace_back(list.begin() + static_cast<long>(at), list.begin() + static_cast<long>(std::min(list.size(), at + n)));
  return out;
}

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

}  // namespace

namespace {

size_t add_step(Plan& plan, StepKind kind, const std::string& block, std::vector<size_t> actions) {
  plan.steps.push_back({kind, block, std::move(actions), {}});
  return plan.steps.size() - 1;
}

// What add_steps gathers per block before making the batched steps.
struct Batches {
  std::map<std::string, std::vector<size_t>> creates, removes;  // server actions by block
  std::map<std::string, bool> block_replaces;
};

// The steps of one action each (key pairs, shares, bandwidths, in-place
// updates chained in order), open-access calls per block and key pair; the
// server actions are gathered into `batches` for purchase and release orders.
Batches add_action_steps(Plan& plan) {
  Batches batches;
  auto& [creates, removes, block_replaces] = batches;
  std::map<std::string, std::map<std::string, std::vector<size_t>>> open_access;  // block -> key pair -> actions
  auto add = [&](StepKind kind, const std::string& block, std::vector<size_t> actions) {
    return add_step(plan, kind, block, std::move(actions));
  };
  std::map<size_t, std::vector<size_t>> chain;  // action -> its update steps, in order
  for (size_t i = 0; i < plan.actions.size(); ++i) {
    const Action& a = plan.actions[i];
    const bool server = a.type == "server";
    if (a.kind == ActionKind::create || a.kind == ActionKind::replace) {
      if (server) creates[a.block].push_back(i);
      if (a.type == "keypair") add(StepKind::create_keypair, a.block, {i});
      if (a.type == "share_app" || a.type == "share_file") add(StepKind::push_share, a.block, {i});
      if (a.type == "bandwidth" && a.after.contains("id")) add(StepKind::adopt_bandwidth, a.block, {i});
    }
    if (a.kind == ActionKind::remove || a.kind == ActionKind::replace) {
      if (server) removes[a.block].push_back(i);
      if (a.type == "keypair") {
        size_t d = add(StepKind::delete_keypair, a.block, {i});
        // Same name again: KPS must have let the old one go first.
        if (a.kind == ActionKind::replace) plan.steps[d - 1].after.push_back(d);
      }
      if (a.type == "bandwidth") add(StepKind::forget, a.block, {i});
      if (a.type == "share_app" || a.type == "share_file") {
        size_t d = add(StepKind::delete_share, a.block, {i});
        // A new package or object: off every server first, then pushed again.
        if (a.kind == ActionKind::replace) plan.steps[d - 1].after.push_back(d);
      }
    }
    if (a.kind == ActionKind::replace) block_replaces[a.block] = true;
    if (a.kind == ActionKind::update || a.kind == ActionKind::switch_phones) {
      for (const std::string& op : a.operations) {
        if (op == "open_access") {
          open_access[a.block][a.after.value("keypair", std::string())].push_back(i);
          continue;
        }
        size_t s = add(step_for_operation(op), a.block, {i});
        if (!chain[i].empty()) plan.steps[s].after.push_back(chain[i].back());
        chain[i].push_back(s);
      }
    }
  }
  // Servers that move to the same key pair: one open-access call (6.3).
  for (auto& [block, by_key] : open_access)
    for (auto& [key, list] : by_key) {
      size_t s = add(StepKind::open_access, block, list);
      for (size_t a : list)
        if (!chain[a].empty()) plan.steps[s].after.push_back(chain[a].back());
    }
  return batches;
}

// Purchase and release orders of up to ten servers per block (cph-api.md
// 3.4: `count` at most 10; releases are batched alike), ordered for
// replacements. Returns the purchase steps per block.
std::map<std::string, std::vector<size_t>> add_order_steps(Plan& plan, const Batches& batches,
                                                           const std::map<std::string, bool>& create_before_destroy) {
  auto add = [&](StepKind kind, const std::string& block, std::vector<size_t> actions) {
    return add_step(plan, kind, block, std::move(actions));
  };
  const auto& [creates, removes, block_replaces] = batches;
  std::map<std::string, std::vector<size_t>> release_steps, purchase_steps;
  for (auto& [block, list] : removes)
    for (auto& c : chunks(list, plan, 10)) release_steps[block].push_back(add(StepKind::unsubscribe, block, c));
  for (auto& [block, list] : creates)
    for (auto& c : chunks(list, plan, 10)) purchase_steps[block].push_back(add(StepKind::purchase, block, c));

  // A replacement keeps its address and name: release the old server first,
  // unless create_before_destroy asks for the new one first.
  for (auto& [block, replaced] : block_replaces) {
    if (!replaced) continue;
    auto cbd = create_before_destroy.find(block);
    bool new_first = cbd != create_before_destroy.end() && cbd->second;
    for (size_t p : purchase_steps[block])
      for (size_t r : release_steps[block]) (new_first ? plan.steps[r].after : plan.steps[p].after).push_back(new_first ? p : r);
  }

  return purchase_steps;
}

// A new shared bandwidth is made by the first purchase that uses it; the
// bandwidth's action rides on that step, later purchases wait for it.
void attach_new_bandwidths(Plan& plan, const Dependencies& deps,
                           const std::map<std::string, std::vector<size_t>>& purchase_steps) {
  std::map<std::string, std::vector<size_t>> purchases_using;  // bandwidth block -> purchase steps, in block order
  for (auto& [block, steps] : purchase_steps)
    for (size_t s : steps) {
      const Json bandwidth = plan.actions[plan.steps[s].actions.front()].after.value("bandwidth", Json());
      if (bandwidth.is_string()) purchases_using[bandwidth.get<std::string>()].push_back(s);
    }
  for (size_t i = 0; i < plan.actions.size(); ++i) {
    const Action& bw = plan.actions[i];
    if (bw.type != "bandwidth" || bw.kind != ActionKind::create || bw.after.contains("id")) continue;
    auto found = purchases_using.find(bw.block);
    if (found == purchases_using.end()) {
      plan.steps.clear();
      auto at = deps.where.find(bw.block);
      throw PlanError({(at == deps.where.end() ? "" : at->second) + bw.address + " is used by no new server: a shared bandwidth is created by the purchase of a "
                       "server that uses it (CPH API: Purchase cloud phone servers), or adopted with id = \"...\""});
    }
    const std::vector<size_t>& users = found->second;
    plan.steps[users.front()].actions.push_back(i);
    for (size_t k = 1; k < users.size(); ++k) plan.steps[users[k]].after.push_back(users.front());
  }
}

// Block-level edges. Creates and updates wait for those of the blocks they
// depend on; deletes wait for every step of the blocks that depended on them.
void add_block_edges(Plan& plan, const Dependencies& deps) {
  std::map<std::string, std::vector<size_t>> forward, all;
  for (size_t s = 0; s < plan.steps.size(); ++s) {
    all[plan.steps[s].block].push_back(s);
    if (!is_delete(plan.steps[s].kind) && plan.steps[s].kind != StepKind::delete_share) forward[plan.steps[s].block].push_back(s);
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
    if (is_delete(step.kind)) {
      if (auto it = recorded_users.find(step.block); it != recorded_users.end())
        for (const std::string& block : it->second)
          for (size_t o : all[block])
            if (!pushes_only(plan, plan.steps[o], step)) step.after.push_back(o);
      if (auto it = desired_users.find(step.block); it != desired_users.end())
        for (const std::string& block : it->second)
          for (size_t o : forward[block])
            if (!pushes_only(plan, plan.steps[o], step)) step.after.push_back(o);
    } else if (step.kind != StepKind::delete_share) {
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
  const Batches batches = add_action_steps(plan);
  attach_new_bandwidths(plan, deps, add_order_steps(plan, batches, create_before_destroy));
  add_block_edges(plan, deps);
  // Each step runs on one provider instance: releases where the objects
  // are, the rest where they are going (a block has one provider).
  for (Step& step : plan.steps) {
    const Action& first = plan.actions[step.actions.front()];
    step.provider = is_delete(step.kind) || step.kind == StepKind::delete_share ? first.prior_provider : first.provider;
  }
  topological_order(plan);
}

}  // namespace cph::planner::detail

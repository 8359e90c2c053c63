// CPH's steps (resources/provider_kind.h): how the planned actions of its
// resource types become API operations. Servers are bought and released in
// orders of at most ten per block (cph-api.md 3.4: `count` at most 10;
// releases are batched alike); servers moving to one key pair share one
// open-access call (6.3); a new shared bandwidth is made by the first
// purchase that uses it (3.4's bandwidth table).
#include "resources/cph/plan_steps.h"

#include <algorithm>
#include <map>
#include <set>

#include "resources/cph/fleet_schemas.h"
#include "resources/cph/server.h"

namespace cph::resources::cph_steps {
namespace {

bool is_share(const std::string& type) { return type == "share_app" || type == "share_file"; }

Step step(const Action& a, std::string operation, std::vector<size_t> actions, StepRole role = StepRole::forward) {
  Step s;
  s.type = a.type;
  s.operation = std::move(operation);
  s.role = role;
  s.block = a.block;
  s.actions = std::move(actions);
  return s;
}

size_t add(std::vector<Step>& steps, Step s) {
  steps.push_back(std::move(s));
  return steps.size() - 1;
}

// The step operation of an update operation of a resource's descriptor
// (Attribute::operation): "rename", "change_model", "switch", "tags" and
// "record" as they are; a bandwidth's size and a share's servers by name.
std::string step_operation(const std::string& op) {
  if (op == "resize") return "resize_bandwidth";
  if (op == "share") return "push_share";
  return op;
}

// Chunks of at most `n`, in index order.
std::vector<std::vector<size_t>> chunks(std::vector<size_t> list, const std::vector<Action>& actions, size_t n) {
  std::sort(list.begin(), list.end(), [&](size_t x, size_t y) { return actions[x].index < actions[y].index; });
  std::vector<std::vector<size_t>> out;
  for (size_t at = 0; at < list.size(); at += n)
    out.emplace_back(list.begin() + static_cast<long>(at), list.begin() + static_cast<long>(std::min(list.size(), at + n)));
  return out;
}

// What add_action_steps gathers per block for the purchase and release orders.
struct Batches {
  std::map<std::string, std::vector<size_t>> creates, removes;  // server actions by block
  std::map<std::string, bool> block_replaces;
};

// The steps of one action each (key pairs, shares, bandwidths, in-place
// updates chained in order) and the open-access calls per block and key
// pair; the server creates and removes are gathered for their orders.
Batches add_action_steps(const StepInput& in, std::vector<Step>& steps) {
  Batches batches;
  auto& [creates, removes, block_replaces] = batches;
  std::map<std::string, std::map<std::string, std::vector<size_t>>> open_access;  // block -> key pair -> actions
  std::map<size_t, std::vector<size_t>> chain;  // action -> its update steps, in order
  for (size_t i : in.mine) {
    const Action& a = in.actions[i];
    const bool server = a.type == "server";
    // A [phones] block is one step whatever changed (phone_steps.h): it
    // batches its phones' calls itself; a replacement is a reset of its
    // phones. Removing one changes no phone.
    if (a.type == "phones") {
      if (a.kind == ActionKind::remove)
        add(steps, step(a, "forget_phones", {i}, StepRole::release));
      else
        add(steps, step(a, "configure_phones", {i}));
      continue;
    }
    if (a.kind == ActionKind::create || a.kind == ActionKind::replace) {
      if (server) creates[a.block].push_back(i);
      if (a.type == "keypair") add(steps, step(a, "create_keypair", {i}));
      if (is_share(a.type)) add(steps, step(a, "push_share", {i}));
      if (a.type == "bandwidth" && a.after.contains("id")) add(steps, step(a, "adopt_bandwidth", {i}));
    }
    if (a.kind == ActionKind::remove || a.kind == ActionKind::replace) {
      if (server) removes[a.block].push_back(i);
      if (a.type == "keypair") {
        size_t d = add(steps, step(a, "delete_keypair", {i}, StepRole::release));
        // Same name again: KPS must have let the old one go first.
        if (a.kind == ActionKind::replace) steps[d - 1].after.push_back(d);
      }
      // No API deletes a shared bandwidth: it leaves the state.
      if (a.type == "bandwidth") add(steps, step(a, "forget", {i}, StepRole::release));
      if (is_share(a.type)) {
        size_t d = add(steps, step(a, "delete_share", {i}, StepRole::detach));
        // A new package or object: off every server first, then pushed again.
        if (a.kind == ActionKind::replace) steps[d - 1].after.push_back(d);
      }
    }
    if (a.kind == ActionKind::replace) block_replaces[a.block] = true;
    if (a.kind == ActionKind::update || a.kind == ActionKind::switch_phones) {
      for (const std::string& op : a.operations) {
        if (op == "open_access") {
          open_access[a.block][a.after.value("keypair", std::string())].push_back(i);
          continue;
        }
        size_t s = add(steps, step(a, step_operation(op), {i}));
        if (!chain[i].empty()) steps[s].after.push_back(chain[i].back());
        chain[i].push_back(s);
      }
    }
  }
  for (auto& [block, by_key] : open_access)
    for (auto& [key, list] : by_key) {
      size_t s = add(steps, step(in.actions[list.front()], "open_access", list));
      for (size_t a : list)
        if (!chain[a].empty()) steps[s].after.push_back(chain[a].back());
    }
  return batches;
}

// The purchase and release orders, ordered for replacements. Returns the
// purchase steps per block.
std::map<std::string, std::vector<size_t>> add_order_steps(const StepInput& in, const Batches& batches,
                                                           std::vector<Step>& steps) {
  const auto& [creates, removes, block_replaces] = batches;
  std::map<std::string, std::vector<size_t>> release_steps, purchase_steps;
  for (auto& [block, list] : removes)
    for (auto& c : chunks(list, in.actions, 10))
      release_steps[block].push_back(add(steps, step(in.actions[c.front()], "unsubscribe", c, StepRole::release)));
  for (auto& [block, list] : creates)
    for (auto& c : chunks(list, in.actions, 10)) {
      Step order = step(in.actions[c.front()], "purchase", c);
      order.batch = "one order";
      purchase_steps[block].push_back(add(steps, std::move(order)));
    }

  // A replacement keeps its address and name: release the old server first,
  // unless create_before_destroy asks for the new one first.
  for (auto& [block, replaced] : block_replaces) {
    if (!replaced) continue;
    auto cbd = in.create_before_destroy.find(block);
    bool new_first = cbd != in.create_before_destroy.end() && cbd->second;
    for (size_t p : purchase_steps[block])
      for (size_t r : release_steps[block]) (new_first ? steps[r].after : steps[p].after).push_back(new_first ? p : r);
  }
  return purchase_steps;
}

// A new shared bandwidth is made by the first purchase that uses it; the
// bandwidth's action rides on that step, later purchases wait for it.
void attach_new_bandwidths(const StepInput& in, const std::map<std::string, std::vector<size_t>>& purchase_steps,
                           std::vector<Step>& steps) {
  std::map<std::string, std::vector<size_t>> purchases_using;  // bandwidth block -> purchase steps, in block order
  for (auto& [block, list] : purchase_steps)
    for (size_t s : list) {
      const Json bandwidth = in.actions[steps[s].actions.front()].after.value("bandwidth", Json());
      if (bandwidth.is_string()) purchases_using[bandwidth.get<std::string>()].push_back(s);
    }
  for (size_t i : in.mine) {
    const Action& bw = in.actions[i];
    if (bw.type != "bandwidth" || bw.kind != ActionKind::create || bw.after.contains("id")) continue;
    auto found = purchases_using.find(bw.block);
    if (found == purchases_using.end())
      throw StepProblem(bw.block, bw.address + " is used by no new server: a shared bandwidth is created by the purchase of a "
                                               "server that uses it (CPH API: Purchase cloud phone servers), or adopted with id = \"...\"");
    const std::vector<size_t>& users = found->second;
    steps[users.front()].actions.push_back(i);
    for (size_t k = 1; k < users.size(); ++k) steps[users[k]].after.push_back(users.front());
  }
}

// The servers a share step takes the share off (sets: a share may name thousands).
std::set<std::string> removed_servers(const Action& a) {
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
  return removed;
}

}  // namespace

void add_steps(const StepInput& in, std::vector<Step>& steps) {
  const Batches batches = add_action_steps(in, steps);
  attach_new_bandwidths(in, add_order_steps(in, batches, steps), steps);
}

// A share step that takes the share off none of the servers `release`
// releases need not run first: a replaced server's successor gets the share
// after its purchase, which itself follows the release (found by
// convergence_test: waiting made a cycle).
bool need_not_precede(const std::vector<Action>& actions, const Step& user, const Step& release) {
  if (user.operation != "push_share" || release.operation != "unsubscribe") return false;
  for (size_t i : user.actions) {
    const std::set<std::string> removed = removed_servers(actions[i]);
    for (size_t r : release.actions)
      if (removed.count(actions[r].address)) return false;
  }
  return true;
}

}  // namespace cph::resources::cph_steps

namespace cph::resources {

const ProviderKind& cph_provider_kind() {
  static const ProviderKind kind = {
      .type = "cph",
      .schemas = {&server_schema(), &bandwidth_schema(), &keypair_schema(), &share_app_schema(), &share_file_schema(),
                  &phones_schema()},
      .add_steps = cph_steps::add_steps,
      .need_not_precede = cph_steps::need_not_precede,
      .entry_addresses = cph_steps::entry_addresses,
      .held_ids = cph_steps::held_ids,
      .reconcile = cph_steps::reconcile,
  };
  return kind;
}

}  // namespace cph::resources

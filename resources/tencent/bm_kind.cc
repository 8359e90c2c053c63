#include "resources/tencent/bm_kind.h"

#include <algorithm>

#include "resources/tencent/bm_reset.h"
#include "resources/tencent/bm_schema.h"

namespace cph::resources {

namespace {

bool secret_changed(const Action& a) {
  return std::any_of(a.changes.begin(), a.changes.end(), [](const AttrChange& c) {
    return c.name == "password" || c.name == "os" || c.name == "password_version";
  });
}

void add_bm_steps(const StepInput& in, std::vector<Step>& steps) {
  for (size_t i : in.mine) {
    const Action& a = in.actions[i];
    if (a.kind == ActionKind::remove) {
      steps.push_back(forget_step(in, i, "state only: the devices keep their password"));
      continue;
    }
    Step s = step_of_action(in, i);
    s.operation = "reset_password";
    // A create, a replacement (another provider instance) or a new secret
    // reaches every device; otherwise only the devices that joined.
    const bool same = a.kind == ActionKind::update && !secret_changed(a);
    s.batch = describe_scope(reset_scope(a.before, a.after, same));
    steps.push_back(std::move(s));
  }
}

std::vector<std::string> bm_entry_addresses(const OpenEntry& e) { return {e.address}; }

Reconciled bm_reconcile(const OpenEntry& e, const Inventory&, std::set<std::string>&) {
  Reconciled r;
  const std::string devices = e.intent.contains("devices") ? e.intent["devices"].dump() : "[]";
  if (!e.answered) {
    // No taskId came back: the reset may or may not have started. Planning
    // it again sends the same password to the same devices, which changes
    // nothing a first reset did not (a device still busy answers 12002).
    r.resume = Resume::not_placed;
    r.resolution = "reset_unanswered";
    r.description = "reset_password of " + e.address + " for " + devices +
                    " got no answer; the state does not count it, so the plan resets those devices again";
    return r;
  }
  r.resume = Resume::run;
  r.resolution = "follow_reset_task";
  const std::string task = e.response.contains("taskId") ? e.response["taskId"].dump() : "?";
  r.description = "reset_password of " + e.address + " for " + devices + " (task " + task + ") is followed to its end";
  r.objects.push_back(bm_entry_record(e));
  r.supersedes_rows = true;
  return r;
}

}  // namespace

InstanceResult bm_entry_record(const OpenEntry& entry) {
  const Json& record = entry.intent.contains("record") ? entry.intent["record"] : Json::object();
  return {entry.address, record.value("cloud_id", ""), record.value("attributes", Json::object()), "bm_root_password"};
}

const ProviderKind& tencent_bm_provider_kind() {
  static const ProviderKind kind = {
      .type = "tencent_bm",
      .schemas = {&bm_root_password_schema()},
      .add_steps = add_bm_steps,
      .need_not_precede = nullptr,
      .entry_addresses = bm_entry_addresses,
      .held_ids = nullptr,
      .reconcile = bm_reconcile,
      // API keys in the provider block, typically from sensitive variables
      // ("${var.tencent_secret_key}"); else TENCENTCLOUD_SECRET_ID / _KEY.
      .settings = {"secret_id", "secret_key"},
  };
  return kind;
}

}  // namespace cph::resources

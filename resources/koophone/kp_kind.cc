#include "resources/koophone/kp_kind.h"

#include <set>

#include "resources/koophone/kp_batches.h"
#include "resources/koophone/kp_schema.h"

namespace cph::resources {

namespace {

std::string calls_of(size_t ids) {
  const size_t calls = (ids + koophone::kMaxIdsPerCall - 1) / koophone::kMaxIdsPerCall;
  return std::to_string(ids) + " instance" + (ids == 1 ? "" : "s") + " in " + std::to_string(calls) + " call" +
         (calls == 1 ? "" : "s") + " of up to " + std::to_string(koophone::kMaxIdsPerCall);
}

void add_koophone_steps(const StepInput& in, std::vector<Step>& steps) {
  for (size_t i : in.mine) {
    const Action& a = in.actions[i];
    if (a.kind == ActionKind::remove) {
      steps.push_back(forget_step(in, i, "state only: the instances keep their settings"));
      continue;
    }
    Step s = step_of_action(in, i);
    if (a.kind == ActionKind::replace) {
      s.operation = "reset";
      const size_t n = reset_ids(a).size();
      s.batch = "reset " + calls_of(n) + ", followed until running" +
                (video_settings_of(a.after).empty() ? "" : ", then the video settings again");
    } else {
      s.operation = "set_video";
      const size_t n = video_targets(a.before, a.after).size();
      // 14 has no read of video settings: what the state records is what was applied.
      s.batch = n ? "video settings to " + calls_of(n) + "; they cannot be read back, the state records them"
                  : "no call: the set is recorded";
    }
    steps.push_back(std::move(s));
  }
}

std::vector<std::string> koophone_entry_addresses(const OpenEntry& e) { return {e.address}; }

Reconciled koophone_reconcile(const OpenEntry& e, const Inventory&, std::set<std::string>&) {
  Reconciled r;
  const std::string ids = e.intent.contains("ids") ? e.intent["ids"].dump() : "[]";
  if (e.operation == "set_video" && !e.answered) {
    r.resume = Resume::not_placed;
    r.resolution = "set_video_unanswered";
    r.description = "video settings of " + e.address + " for " + ids +
                    " got no answer; the state does not count them, so the plan sets those instances again";
    return r;
  }
  if (e.operation == "reset" && !e.answered) {
    r.resume = Resume::not_placed;
    r.resolution = "reset_unanswered";
    r.description = "reset of " + e.address + " for " + ids +
                    " got no answer: the instances may or may not have been reset. A reset is never sent twice "
                    "on its own (it loses data); apply -replace=" + e.address + " to reset them again";
    return r;
  }
  r.objects.push_back(koophone_entry_record(e));
  r.supersedes_rows = true;
  if (e.operation == "reset") {
    r.resume = Resume::run;
    r.resolution = "follow_reset";
    r.description = "reset of " + e.address + " for " + ids + " is followed until its instances run";
    return r;
  }
  r.resume = Resume::record;
  r.resolution = "record";
  const InstanceResult& row = r.objects.back();
  r.response = {{"address", row.address}, {"type", row.type}, {"cloud_id", row.cloud_id}, {"attributes", row.attributes}};
  r.description = "video settings of " + e.address + " for " + ids + " were applied; the state records them";
  return r;
}

}  // namespace

std::vector<std::string> reset_ids(const Action& a) {
  return a.members.empty() ? instance_ids_of(a.after) : a.members;
}

InstanceResult koophone_entry_record(const OpenEntry& entry) {
  const Json& record = entry.intent.contains("record") ? entry.intent["record"] : Json::object();
  return {entry.address, record.value("cloud_id", ""), record.value("attributes", Json::object()),
          "koophone_instances"};
}

std::vector<std::string> video_targets(const Json& recorded, const Json& wanted) {
  const std::vector<std::string> ids = instance_ids_of(wanted);
  if (video_settings_of(wanted).empty()) return {};
  const bool same = recorded.is_object() && recorded.contains("video_settings") &&
                    video_settings_of(recorded) == video_settings_of(wanted);
  if (!same) return ids;
  const std::vector<std::string> held = instance_ids_of(recorded);
  const std::set<std::string> holding(held.begin(), held.end());
  std::vector<std::string> out;
  for (const std::string& id : ids)
    if (!holding.count(id)) out.push_back(id);
  return out;
}

const ProviderKind& koophone_provider_kind() {
  static const ProviderKind kind = {
      .type = "koophone",
      .schemas = {&koophone_instances_schema()},
      .add_steps = add_koophone_steps,
      .need_not_precede = nullptr,
      .entry_addresses = koophone_entry_addresses,
      .held_ids = nullptr,
      .reconcile = koophone_reconcile,
  };
  return kind;
}

}  // namespace cph::resources

#include "planner/plan_json.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "planner/planner.h"
#include "planner/sensitive.h"

namespace cph::planner {

using Json = nlohmann::json;

namespace {

ActionKind action_kind(const std::string& s) {
  for (ActionKind k : {ActionKind::create, ActionKind::update, ActionKind::switch_phones, ActionKind::replace, ActionKind::remove})
    if (to_string(k) == s) return k;
  throw std::runtime_error("unknown action \"" + s + "\"");
}

StepRole step_role(const std::string& s) {
  for (StepRole r : {StepRole::forward, StepRole::release, StepRole::detach})
    if (to_string(r) == s) return r;
  throw std::runtime_error("unknown step role \"" + s + "\"");
}

const char* resume_name(resources::Resume r) {
  switch (r) {
    case resources::Resume::run: return "run";
    case resources::Resume::not_placed: return "not_placed";
    case resources::Resume::record: return "record";
    case resources::Resume::settle: return "settle";
  }
  return "?";
}

resources::Resume resume(const std::string& s) {
  for (resources::Resume r : {resources::Resume::run, resources::Resume::not_placed, resources::Resume::record, resources::Resume::settle})
    if (s == resume_name(r)) return r;
  throw std::runtime_error("unknown resume \"" + s + "\"");
}

// An integer of a plan file. nlohmann's get<int>() converts a float such as
// 1e300 with a cast whose result is undefined, and an index read that way
// could point anywhere: a number that is not an integer in range is a
// damaged file.
template <typename T>
T integer(const Json& v, const char* what) {
  if (v.is_number_unsigned() && std::in_range<T>(v.get<uint64_t>())) return static_cast<T>(v.get<uint64_t>());
  if (v.is_number_integer() && !v.is_number_unsigned() && std::in_range<T>(v.get<int64_t>()))
    return static_cast<T>(v.get<int64_t>());
  throw std::runtime_error(std::string(what) + " is not an integer in range: " + v.dump());
}

std::vector<size_t> indexes(const Json& v, const char* what) {
  std::vector<size_t> out;
  for (const Json& i : v.get_ref<const Json::array_t&>()) out.push_back(integer<size_t>(i, what));
  return out;
}

Json changes_json(const std::vector<AttrChange>& changes) {
  Json out = Json::array();
  for (const auto& c : changes)
    out.push_back({{"name", c.name}, {"before", c.before}, {"after", c.after}, {"forces_replacement", c.forces_replacement},
                    {"applies_to_new_orders", c.next_order}});
  return out;
}

std::vector<AttrChange> changes_from(const Json& j) {
  std::vector<AttrChange> out;
  for (const Json& c : j)
    out.push_back({c.at("name").get<std::string>(), c.at("before"), c.at("after"), c.at("forces_replacement").get<bool>(),
                   c.value("applies_to_new_orders", false)});
  return out;
}

Json action_json(const Action& a) {
  Json out = {{"kind", to_string(a.kind)}, {"address", a.address}, {"type", a.type},
          {"block", a.block}, {"index", a.index}, {"cloud_id", a.cloud_id},
          {"before", a.before}, {"after", a.after}, {"changes", changes_json(a.changes)},
          {"reason", a.reason}, {"block_name", a.block_name}, {"operations", a.operations},
          {"allow_data_loss", a.allow_data_loss}, {"replace_requested", a.replace_requested},
          {"sensitive", a.sensitive}, {"provider", a.provider}, {"prior_provider", a.prior_provider}};
  if (!a.members.empty()) out["members"] = a.members;
  if (!a.requested.empty()) out["requested"] = a.requested;
  return out;
}

// "server.web" and "server.web[3]" belong to block "server.web" of type
// "server"; the renderings cut addresses at these boundaries, so a plan file
// (a user's file, possibly damaged) whose names disagree is refused here
// (found by fuzz_plan: a type longer than its address).
void check_address(const Action& a) {
  const bool block_ok = a.block.size() > a.type.size() + 1 && a.block.compare(0, a.type.size(), a.type) == 0 &&
                        a.block[a.type.size()] == '.';
  const AddressParts parts = address_parts(a.address);
  const bool address_ok = a.address == a.block || (parts.index >= 0 && parts.block == a.block);
  if (!block_ok || !address_ok)
    throw std::runtime_error("action \"" + a.address + "\" is not an instance of block \"" + a.block + "\" of type \"" +
                             a.type + "\"");
}

Action action_from(const Json& a) {
  Action act;
  act.kind = action_kind(a.at("kind").get<std::string>());
  act.address = a.at("address").get<std::string>();
  act.type = a.at("type").get<std::string>();
  act.block = a.at("block").get<std::string>();
  act.index = integer<int>(a.at("index"), "action index");
  act.cloud_id = a.at("cloud_id").get<std::string>();
  act.before = a.at("before");
  act.after = a.at("after");
  act.changes = changes_from(a.at("changes"));
  act.reason = a.at("reason").get<std::string>();
  act.block_name = a.at("block_name").get<std::string>();
  act.operations = a.value("operations", std::vector<std::string>{});
  act.allow_data_loss = a.value("allow_data_loss", false);
  act.replace_requested = a.value("replace_requested", false);
  // "replace_members": the name in plans saved before requested operations.
  act.members = a.value("members", a.value("replace_members", std::vector<std::string>{}));
  act.requested = a.value("requested", std::string());
  act.sensitive = a.value("sensitive", std::vector<std::string>{});
  act.provider = a.value("provider", std::string());
  act.prior_provider = a.value("prior_provider", act.provider);
  check_address(act);
  return act;
}

// The intent is left out: it may hold sensitive attribute values, and the
// state keeps it (apply FILE reads it back by id: engine/cmd_plan.cc).
Json entry_json(const state::JournalEntry& e) {
  return {{"id", e.id},           {"run_id", e.run_id},     {"address", e.address},
          {"operation", e.operation}, {"request_digest", e.request_digest}, {"intent", nullptr},
          {"response", e.response}, {"status", state::to_string(e.status)}, {"error", e.error},
          {"created_at", e.created_at}, {"updated_at", e.updated_at}};
}

state::JournalEntry entry_from(const Json& j) {
  state::JournalEntry e;
  e.id = integer<int64_t>(j.at("id"), "journal entry id");
  e.run_id = j.at("run_id").get<std::string>();
  e.address = j.at("address").get<std::string>();
  e.operation = j.at("operation").get<std::string>();
  e.request_digest = j.at("request_digest").get<std::string>();
  e.intent = j.value("intent", Json());
  e.response = j.at("response");
  e.status = state::journal_status_from_string(j.at("status").get<std::string>());
  e.error = j.at("error").get<std::string>();
  e.created_at = j.at("created_at").get<std::string>();
  e.updated_at = j.at("updated_at").get<std::string>();
  return e;
}

}  // namespace

Json drift_json(const Drift& d) {
  Json j = {{"address", d.address}, {"cloud_id", d.cloud_id}, {"deleted", d.deleted}, {"changes", changes_json(d.changes)}};
  if (!d.sensitive.empty()) j["sensitive"] = d.sensitive;
  if (!d.provider.empty()) j["provider"] = d.provider;  // several providers only
  return j;
}

Json plan_to_json(const Plan& given) {
  const Plan p = redacted(given, nullptr);  // sensitive values never reach a file
  Json j = {{"cphform_plan", kPlanFileVersion}, {"lineage", p.lineage},     {"serial", p.serial},
            {"manifest_digest", p.manifest_digest}, {"destroy", p.destroy}, {"vanished", p.vanished}};
  j["actions"] = Json::array();
  for (const Action& a : p.actions) j["actions"].push_back(action_json(a));
  j["unchanged"] = Json::array();
  for (const Action& a : p.unchanged) j["unchanged"].push_back(action_json(a));
  j["outputs"] = Json::array();
  for (const OutputChange& o : p.outputs)
    j["outputs"].push_back({{"name", o.name}, {"action", o.action}, {"before", o.before}, {"after", o.after}, {"after_unknown", o.after_unknown},
                            {"sensitive", o.sensitive}, {"removed", o.removed}});
  j["steps"] = Json::array();
  for (const Step& s : p.steps)
    j["steps"].push_back({{"kind", s.operation}, {"type", s.type}, {"batch", s.batch}, {"role", to_string(s.role)},
                          {"block", s.block}, {"actions", s.actions}, {"after", s.after}, {"provider", s.provider}});
  j["pending"] = Json::array();
  for (const PendingOperation& op : p.pending)
    j["pending"].push_back({{"entry", entry_json(op.entry)}, {"resolution", op.resolution},
                            {"resume", resume_name(op.resume)}, {"response", op.response}, {"description", op.description}, {"provider", op.provider}});
  j["drift"] = Json::array();
  for (const Drift& d : p.drift) j["drift"].push_back(drift_json(d));
  return j;
}

Plan plan_from_json(const Json& j) {
  if (!j.is_object() || !j.contains("cphform_plan") || !j["cphform_plan"].is_number_integer())
    throw std::runtime_error("not a cphform plan file");
  int64_t version = j["cphform_plan"].get<int64_t>();
  if (version != kPlanFileVersion)
    throw std::runtime_error("plan file format " + std::to_string(version) + " is not supported (this cphform reads " +
                             std::to_string(kPlanFileVersion) + ")");
  try {
    Plan p;
    p.lineage = j.at("lineage").get<std::string>();
    p.serial = integer<int64_t>(j.at("serial"), "serial");
    p.manifest_digest = j.at("manifest_digest").get<std::string>();
    p.destroy = j.at("destroy").get<bool>();
    p.vanished = j.at("vanished").get<std::vector<std::string>>();
    for (const Json& a : j.at("actions")) p.actions.push_back(action_from(a));
    // Files written before show -json followed Terraform's shape have neither.
    for (const Json& a : j.value("unchanged", Json::array())) p.unchanged.push_back(action_from(a));
    for (const Json& o : j.value("outputs", Json::array()))
      p.outputs.push_back({o.at("name").get<std::string>(), o.at("action").get<std::string>(), o.at("before"), o.at("after"), o.at("after_unknown").get<bool>(),
                           o.at("sensitive").get<bool>(), o.at("removed").get<bool>()});
    for (const Json& s : j.at("steps")) {
      Step st;
      st.operation = s.at("kind").get<std::string>();
      st.block = s.at("block").get<std::string>();
      st.actions = indexes(s.at("actions"), "step action");
      st.batch = s.value("batch", std::string());
      st.role = step_role(s.value("role", std::string("forward")));
      st.after = indexes(s.at("after"), "step dependency");
      st.provider = s.value("provider", std::string());
      for (size_t i : st.actions)
        if (i >= p.actions.size()) throw std::runtime_error("step refers to a missing action");
      st.type = s.value("type", st.actions.empty() ? std::string() : p.actions[st.actions.front()].type);
      // The executor waits for `after` steps by index: one that is not an
      // earlier step would be out of bounds or a wait that never ends
      // (planner/graph.cc orders every step after those it waits for).
      for (size_t i : st.after)
        if (i >= p.steps.size()) throw std::runtime_error("step comes after a step that is not before it");
      p.steps.push_back(std::move(st));
    }
    for (const Json& op : j.at("pending"))
      p.pending.push_back({entry_from(op.at("entry")), resume(op.at("resume").get<std::string>()),
                           op.at("resolution").get<std::string>(), op.at("response"),
                           op.at("description").get<std::string>(), op.value("provider", std::string())});
    for (const Json& d : j.at("drift"))
      p.drift.push_back({d.at("address").get<std::string>(), d.at("cloud_id").get<std::string>(),
                         d.at("deleted").get<bool>(), changes_from(d.at("changes")),
                         d.value("sensitive", std::vector<std::string>{}), d.value("provider", std::string())});
    return p;
  } catch (const Json::exception& e) {
    throw std::runtime_error(std::string("malformed plan file: ") + e.what());
  }
}

}  // namespace cph::planner

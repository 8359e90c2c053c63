// CPH's step runner (resources/runner.h): one function per step operation
// (plan_steps.cc names them), calling the resource operations of this
// folder, and the rows each success writes. A row records, of an update, only what
// the step's own operation changed, so that a later failed operation of the
// same resource is planned again rather than taken as done.
#include <algorithm>
#include <memory>
#include <set>

#include "resources/cph/bandwidth.h"
#include "resources/cph/cph_provider.h"
#include "resources/cph/fleet_schemas.h"
#include "resources/cph/keypair.h"
#include "resources/cph/phone_steps.h"
#include "resources/cph/run_context.h"
#include "resources/cph/server.h"
#include "resources/cph/server_updates.h"
#include "resources/cph/server_watcher.h"
#include "resources/cph/share.h"
#include "resources/polling.h"

namespace cph::resources {
namespace {

namespace res = cph::resources;
namespace asio = boost::asio;

const Action& action(RunContext& ctx, size_t i) { return ctx.plan.actions.at(i); }

InstanceResult row(const std::string& address, const std::string& type, const std::string& cloud_id, Json attributes) {
  return {address, cloud_id, std::move(attributes), type};
}

// The descriptor of one of CPH's resource types.
const ResourceSchema& schema_of(const std::string& type) {
  for (const ResourceSchema* s : {&server_schema(), &bandwidth_schema(), &keypair_schema(), &share_app_schema(), &share_file_schema()})
    if (s->type == type) return *s;
  throw std::logic_error("the cph provider has no resource type " + type);
}

// The recorded attributes now (an earlier step of this run may have changed them).
Json current(RunContext& ctx, const Action& a) {
  if (auto r = ctx.records.find(a.address)) return r->attributes;
  return a.before.is_object() ? a.before : Json::object();
}

// `now` with the attributes `op` changes taken from the action's after (an
// attribute the manifest leaves unset, such as tags, is unset after it).
Json with_operation(const Action& a, Json now, const std::string& op) {
  const ResourceSchema& schema = schema_of(a.type);
  for (const res::Attribute& attr : schema.attributes) {
    const bool mine = res::operation_of(attr) == op || attr.also_carried_by == op;
    if (!mine) continue;
    if (a.after.contains(attr.name))
      now[attr.name] = a.after[attr.name];
    else
      now.erase(attr.name);
  }
  return now;
}

// The live value of an attribute as the plan saw it (the refreshed
// `before`): what a step diffs against to choose its calls. The recorded
// row may be stale (a tag deleted in the console), and a call computed from
// it would skip the very change the plan showed.
Json seen(const Action& a, const std::string& name) {
  return a.before.is_object() && a.before.contains(name) ? a.before[name] : Json();
}

std::string server_id(RunContext& ctx, const std::string& address) {
  auto r = ctx.records.find(address);
  if (!r || r->type != "server") throw std::runtime_error(address + " is not a recorded server");
  return r->cloud_id;
}

void started(RunContext& ctx, const Step& step, ActionKind kind) {
  for (size_t i : step.actions) ctx.progress.started(action(ctx, i).address, kind, action(ctx, i).cloud_id);
}

// A purchase's bandwidth attribute naming a [bandwidth.X] block becomes the
// table 3.4 wants: the recorded bandwidth's id, or (first purchase) the
// size and charge mode to create it with. `_bandwidth_block` remembers the
// block (also in the journal, for a resumed purchase).
Json purchase_attributes(RunContext& ctx, const Action& a) {
  Json attrs = a.after;
  if (!attrs.contains("bandwidth") || !attrs["bandwidth"].is_string()) return attrs;
  const std::string block = attrs["bandwidth"].get<std::string>();
  Json bw = {{"share_type", "shared"}};
  if (auto recorded = ctx.records.find(block)) {
    bw["id"] = recorded->cloud_id;
    bw["charge_mode"] = recorded->attributes.value("charge_mode", "bandwidth");
    bw["size"] = recorded->attributes.value("size", Json());
  } else {
    for (const Action& other : ctx.plan.actions)
      if (other.address == block) {
        bw["charge_mode"] = other.after.value("charge_mode", "bandwidth");
        bw["size"] = other.after.value("size", Json());
      }
  }
  attrs["bandwidth"] = bw;
  attrs["_bandwidth_block"] = block;
  return attrs;
}

asio::awaitable<void> purchase(RunContext& ctx, const Step& step, StepJournal& journal) {
  std::vector<res::ServerInstance> instances;
  Json instances_json = Json::array();
  std::string block_name;
  for (size_t i : step.actions) {
    const Action& a = action(ctx, i);
    ctx.progress.started(a.address, ActionKind::create);
    if (a.type != "server") continue;  // the bandwidth this purchase creates
    Json attrs = purchase_attributes(ctx, a);
    instances.push_back({a.address, a.after.at("name").get<std::string>(), attrs});
    instances_json.push_back({{"address", a.address}, {"attributes", attrs}});
    block_name = a.block_name;
  }
  auto results = co_await res::purchase_servers(ctx.cloud, journal, instances, block_name, ctx.poll);
  co_await finish_purchase(ctx, journal, std::move(results), instances_json);
}

asio::awaitable<void> unsubscribe(RunContext& ctx, const Step& step, StepJournal& journal) {
  std::vector<res::ServerToRelease> servers;
  std::vector<std::string> addresses;
  for (size_t i : step.actions) {
    const Action& a = action(ctx, i);
    servers.push_back({a.address, a.cloud_id});
    addresses.push_back(a.address);
  }
  started(ctx, step, ActionKind::remove);
  co_await res::unsubscribe_servers(ctx.cloud, journal, servers, ctx.poll);
  journal.finish({}, addresses);
  for (const auto& a : addresses) ctx.progress.finished(a, "");
}

// Updates of one server by one operation.
asio::awaitable<void> update_server(RunContext& ctx, const Step& step, StepJournal& journal) {
  const Action& a = action(ctx, step.actions.front());
  ctx.progress.started(a.address, a.kind);
  const std::string id = a.cloud_id;
  Json now = current(ctx, a);
  const std::string& op = step.operation;
  if (op == "rename") {
    Json attrs = with_operation(a, now, op);
    co_await res::rename_server(ctx.cloud, journal, a.address, id, attrs, a.after.at("name").get<std::string>());
  } else if (op == "change_model") {
    co_await res::change_server_model(ctx.cloud, journal, a.address, id, a.after.at("server_model").get<std::string>(),
                                      a.after.at("phone_model").get<std::string>(), ctx.poll);
  } else if (op == "switch") {
    std::string phone_model = seen(a, "phone_model") == a.after.value("phone_model", Json())
                                  ? std::string()
                                  : a.after.at("phone_model").get<std::string>();
    co_await res::switch_server(ctx.cloud, ctx.poller, journal, a.address, id, a.after.at("image_id").get<std::string>(),
                                phone_model);
  } else if (op == "tags") {
    // update_server_tags reads null as no tags: an unset `tags` removes them all.
    co_await res::update_server_tags(ctx.cloud, journal, a.address, id, seen(a, "tags"), a.after.value("tags", Json()));
  } else {
    throw std::logic_error("not a server update step: " + op);
  }
  journal.finish({row(a.address, "server", id, with_operation(a, now, op))}, {});
  ctx.progress.finished(a.address, id, journal.called());
}

// Changes that apply to new orders only (resources::Update::next_order):
// recorded in state, no call.
void record_step(RunContext& ctx, const Step& step, StepJournal& journal) {
  const Action& a = action(ctx, step.actions.front());
  ctx.progress.started(a.address, a.kind);
  journal.finish({row(a.address, a.type, a.cloud_id, with_operation(a, current(ctx, a), "record"))}, {});
  ctx.progress.finished(a.address, a.cloud_id, false);
}

asio::awaitable<void> open_access(RunContext& ctx, const Step& step, StepJournal& journal) {
  std::vector<res::ServerRef> servers;
  for (size_t i : step.actions) servers.push_back({action(ctx, i).address, action(ctx, i).cloud_id});
  started(ctx, step, ActionKind::update);
  const std::string keypair = action(ctx, step.actions.front()).after.at("keypair").get<std::string>();
  auto outcomes = co_await res::change_keypair(ctx.cloud, ctx.poller, journal, servers, keypair);
  std::vector<InstanceResult> rows;
  std::vector<Failure> failed;
  for (size_t k = 0; k < outcomes.size(); ++k) {
    const Action& a = action(ctx, step.actions[k]);
    if (!outcomes[k].error.empty()) {
      failed.push_back({a.address, "PUT /v1/{project_id}/cloud-phone/servers/open-access: " + outcomes[k].error});
      continue;
    }
    rows.push_back(row(a.address, "server", a.cloud_id, with_operation(a, current(ctx, a), "open_access")));
  }
  journal.finish(rows, {});
  for (const auto& r : rows) ctx.progress.finished(r.address, r.cloud_id);
  if (!failed.empty()) {
    for (size_t k = 1; k < failed.size(); ++k) ctx.report.failures.push_back(failed[k]);
    throw std::runtime_error(failed.front().message + (failed.size() > 1 ? " (and " + std::to_string(failed.size() - 1) + " more)" : ""));
  }
}

asio::awaitable<void> keypair_step(RunContext& ctx, const Step& step, StepJournal& journal) {
  const Action& a = action(ctx, step.actions.front());
  if (step.operation == "create_keypair") {
    ctx.progress.started(a.address, ActionKind::create);
    const std::string name = a.after.at("name").get<std::string>();
    co_await res::create_keypair(ctx.cloud, journal, a.address, name, a.after.value("public_key", std::string()));
    journal.finish({row(a.address, "keypair", name, a.after)}, {});
    ctx.progress.finished(a.address, name);
  } else {
    ctx.progress.started(a.address, ActionKind::remove);
    co_await res::delete_keypair(ctx.cloud, journal, a.address, a.cloud_id);
    journal.finish({}, {a.address});
    ctx.progress.finished(a.address, "");
  }
}

asio::awaitable<void> bandwidth_step(RunContext& ctx, const Step& step, StepJournal& journal) {
  const Action& a = action(ctx, step.actions.front());
  ctx.progress.started(a.address, a.kind);
  if (step.operation == "forget") {
    journal.finish({}, {a.address});
    ctx.progress.finished(a.address, "");
    co_return;
  }
  std::string id = a.cloud_id;
  Json attrs = current(ctx, a);
  if (step.operation == "adopt_bandwidth") {
    id = a.after.at("id").get<std::string>();
    bool found = false;
    for (const cloud::BandWidthInfo& b : co_await ctx.cloud.list_all_bandwidths())
      if (b.band_width_id == id) {
        found = true;
        attrs = a.after;
        attrs.update(resources::bandwidth_live_attributes(b));
      }
    if (!found) throw std::runtime_error("no shared bandwidth with id " + id + " exists (GET /v1/{project_id}/cloud-phone/bandwidths)");
  }
  int size = a.after.at("size").get<int>();
  // Diff against the live size the plan saw, not the row: a resize made in
  // the console leaves the recorded size stale (found by convergence_test).
  const Json live = step.operation == "adopt_bandwidth" ? attrs.value("size", Json()) : seen(a, "size");
  const int now = live.is_number_integer() ? live.get<int>() : attrs.value("size", 0);
  if (now != size) co_await res::resize_bandwidth(ctx.cloud, journal, a.address, id, size);
  attrs["size"] = size;
  journal.finish({row(a.address, "bandwidth", id, attrs)}, {});
  ctx.progress.finished(a.address, id, journal.called());
}

// The servers a share step starts from and ends with.
struct ShareTargets {
  std::vector<std::string> have, want;
  std::set<std::string> have_set, want_set;  // for membership: a share may name thousands of servers
};

ShareTargets share_targets(RunContext& ctx, const Action& a, bool deleting) {
  auto list = [](const Json& attrs) {
    std::vector<std::string> out;
    if (attrs.is_object() && attrs.contains("servers"))
      for (const Json& s : attrs["servers"]) out.push_back(s.get<std::string>());
    return out;
  };
  ShareTargets t;
  // Replacement: its delete step took it off every server already.
  if (!(a.kind == ActionKind::replace && !deleting)) t.have = list(current(ctx, a));
  // A server that vanished took the share with it; the one bought in its
  // place has not got it (the planner left it out of a.before too).
  // So has a server this plan replaces: its successor starts bare.
  std::set<std::string> renewed(ctx.plan.vanished.begin(), ctx.plan.vanished.end());
  for (const Action& other : ctx.plan.actions)
    if (other.type == "server" && other.kind == ActionKind::replace) renewed.insert(other.address);
  std::erase_if(t.have, [&](const std::string& s) { return renewed.count(s) > 0; });
  if (!deleting) t.want = list(a.after);
  t.have_set = {t.have.begin(), t.have.end()};
  t.want_set = {t.want.begin(), t.want.end()};
  return t;
}

// The share calls: deletes from `drop`, then pushes to `add`; the outcome of each server.
asio::awaitable<std::vector<ItemOutcome>> share_calls(RunContext& ctx, StepJournal& journal, const Action& a,
                                                      const Json& spec, const std::vector<ServerRef>& drop,
                                                      const std::vector<ServerRef>& add) {
  const bool app = a.type == "share_app";
  std::vector<ItemOutcome> outcomes;
  // (No co_await inside ?: — GCC 12 miscompiles it.)
  if (!drop.empty()) {
    std::vector<ItemOutcome> out;
    if (app) {
      out = co_await delete_share_app(ctx.cloud, ctx.poller, journal, a.address, spec.at("package_name").get<std::string>(), drop);
    } else {
      out = co_await delete_share_file(ctx.cloud, ctx.poller, journal, a.address,
                                       spec.at("paths").get<std::vector<std::string>>(), drop);
    }
    outcomes.insert(outcomes.end(), out.begin(), out.end());
  }
  if (!add.empty()) {
    std::vector<ItemOutcome> out;
    if (app) {
      ShareApp pkg{spec.at("package_name").get<std::string>(), spec.at("bucket").get<std::string>(),
                   spec.at("object").get<std::string>(), spec.value("pre_install", false)};
      out = co_await push_share_app(ctx.cloud, ctx.poller, journal, a.address, pkg, add);
    } else {
      out = co_await push_share_file(ctx.cloud, ctx.poller, journal, a.address, spec.at("bucket").get<std::string>(),
                                     spec.at("object").get<std::string>(), add);
    }
    outcomes.insert(outcomes.end(), out.begin(), out.end());
  }
  co_return outcomes;
}

// Pushes to the servers added and deletes from the servers removed; the row
// records the servers that have it now.
asio::awaitable<void> share_step(RunContext& ctx, const Step& step, StepJournal& journal) {
  const Action& a = action(ctx, step.actions.front());
  const bool deleting = step.operation == "delete_share";
  ctx.progress.started(a.address, deleting ? ActionKind::remove : a.kind);
  const ShareTargets t = share_targets(ctx, a, deleting);
  std::vector<ServerRef> add, drop;
  for (const auto& s : t.want)
    if (!t.have_set.count(s)) add.push_back({s, server_id(ctx, s)});
  for (const auto& s : t.have)
    if (!t.want_set.count(s))
      if (auto r = ctx.records.find(s)) drop.push_back({s, r->cloud_id});  // a server already gone took it along
  const Json& spec = deleting ? a.before : a.after;
  const std::vector<ItemOutcome> outcomes = co_await share_calls(ctx, journal, a, spec, drop, add);
  // The servers that have it now: those kept, those it reached, and those
  // it could not be deleted from.
  std::vector<std::string> now;
  for (const auto& s : t.have)
    if (t.want_set.count(s)) now.push_back(s);
  std::vector<std::string> errors;
  for (const auto& o : outcomes) {
    const bool pushed = !t.have_set.count(o.address) && t.want_set.count(o.address);  // it was in `add`
    if (o.error.empty() == pushed) now.push_back(o.address);
    if (!o.error.empty()) errors.push_back(o.address + ": " + o.error);
  }
  std::sort(now.begin(), now.end(), address_less);
  if (deleting && now.empty()) {
    journal.finish({}, {a.address});
  } else {
    Json attrs = spec;
    attrs["servers"] = now;
    const std::string cloud_id = a.type == "share_app" ? attrs.value("package_name", "")
                                                        : attrs.value("bucket", "") + "/" + attrs.value("object", "");
    journal.finish({row(a.address, a.type, cloud_id, attrs)}, {});
  }
  if (!errors.empty()) {
    std::string message = errors.front();
    if (errors.size() > 1) message += " (and " + std::to_string(errors.size() - 1) + " more servers)";
    throw std::runtime_error(message);
  }
  ctx.progress.finished(a.address, "", journal.called());
}

}  // namespace

boost::asio::awaitable<void> finish_purchase(RunContext& ctx, StepJournal& journal, std::vector<InstanceResult> results,
                                      const Json& instances) {
  std::vector<InstanceResult> rows;
  for (size_t k = 0; k < results.size(); ++k) {
    res::InstanceResult& r = results[k];
    Json asked = k < instances.size() ? instances[k].at("attributes") : Json::object();
    if (asked.contains("_bandwidth_block")) {
      const std::string block = asked["_bandwidth_block"].get<std::string>();
      r.attributes["bandwidth"] = block;
      r.attributes.erase("_bandwidth_block");
      bool known = ctx.records.find(block).has_value() ||
                   std::any_of(rows.begin(), rows.end(), [&](const InstanceResult& x) { return x.address == block; });
      if (!known && !asked["bandwidth"].contains("id")) {
        // This purchase made the shared bandwidth: learn its id (detail only).
        cloud::Server detail = co_await ctx.cloud.show_server(r.cloud_id);
        for (const cloud::BandWidthInfo& b : detail.band_widths)
          if (b.band_width_share_type == 1) {
            rows.push_back(row(block, "bandwidth", b.band_width_id, resources::bandwidth_live_attributes(b)));
            ctx.progress.finished(block, b.band_width_id);
          }
      }
    }
    Json tags = asked.value("tags", Json::object());
    if (tags.is_object() && !tags.empty()) {
      Json none = Json::object();
      co_await res::update_server_tags(ctx.cloud, journal, r.address, r.cloud_id, none, tags);
    }
    rows.push_back(row(r.address, "server", r.cloud_id, r.attributes));
  }
  journal.finish(rows, {});
  for (const auto& r : results) ctx.progress.finished(r.address, r.cloud_id);
}

boost::asio::awaitable<void> run_step_kind(RunContext& ctx, const Step& step, StepJournal& journal) {
  const std::string& op = step.operation;  // resources/cph/plan_steps.cc names them
  if (op == "purchase") {
    co_await purchase(ctx, step, journal);
  } else if (op == "unsubscribe") {
    co_await unsubscribe(ctx, step, journal);
  } else if (op == "rename" || op == "change_model" || op == "switch" || op == "tags") {
    co_await update_server(ctx, step, journal);
  } else if (op == "open_access") {
    co_await open_access(ctx, step, journal);
  } else if (op == "create_keypair" || op == "delete_keypair") {
    co_await keypair_step(ctx, step, journal);
  } else if (op == "resize_bandwidth" || op == "adopt_bandwidth" || op == "forget") {
    co_await bandwidth_step(ctx, step, journal);
  } else if (op == "push_share" || op == "delete_share") {
    co_await share_step(ctx, step, journal);
  } else if (op == "configure_phones" || op == "forget_phones") {
    co_await phones_step(ctx, step, journal);
  } else if (op == "record") {
    record_step(ctx, step, journal);
  } else {
    throw std::runtime_error("the cph provider has no step \"" + op + "\" (a plan file from another version?)");
  }
}

namespace {

// CPH's StepRunner: the steps above, one job poller and one server watcher
// for the whole run, shared by every step that waits.
class CphStepRunner final : public StepRunner {
 public:
  CphStepRunner(cloud::CphClient& cloud, const Records& records, RunPlan plan, RunObserver& progress, PollPolicy poll)
      : cloud_(cloud), records_(records), plan_(plan), progress_(progress), poll_(poll),
        poller_(cloud, poll_), watcher_(cloud, poll_) {
    poll_.servers = &watcher_;  // every purchase, new or resumed, waits through it
  }

  asio::awaitable<void> run(const Step& step, StepJournal& journal, RunReport& report) override {
    RunContext ctx{cloud_, records_, poller_, plan_, progress_, poll_, report};
    co_await run_step_kind(ctx, step, journal);
  }

  asio::awaitable<void> resume(const ResumedOperation& p, StepJournal& journal, RunReport& report) override {
    RunContext ctx{cloud_, records_, poller_, plan_, progress_, poll_, report};
    if (p.resolution == "resume_unsubscribe") {
      co_await resume_unsubscribe(cloud_, p.entry.intent, poll_);
      std::vector<std::string> addresses;
      for (const Json& s : p.entry.intent.at("servers")) addresses.push_back(s.at("address").get<std::string>());
      journal.finish({}, addresses);
      report.destroyed += static_cast<int>(addresses.size());
      co_return;
    }
    if (p.resolution != "resume_purchase" && p.resolution != "adopt_purchase")
      throw std::logic_error("the cph provider cannot resume \"" + p.resolution + "\"");
    Json intent = p.entry.intent;
    Json response = p.entry.response;
    if (p.resolution == "adopt_purchase") {  // reconcile.cc found its servers by name
      intent["instances"] = p.response["instances"];
      response = p.response;
    }
    // Its servers get their lines like any purchase's (a resumed purchase
    // that sets tags must say which resources it touched).
    for (const Json& inst : intent.at("instances"))
      progress_.started(inst.at("address").get<std::string>(), ActionKind::create);
    auto results = co_await resume_purchase(cloud_, journal, intent, response, poll_);
    report.added += static_cast<int>(results.size());
    co_await finish_purchase(ctx, journal, std::move(results), intent.at("instances"));
  }

  void stop() override { poller_.stop(std::make_exception_ptr(Interrupted())); }

 private:
  cloud::CphClient& cloud_;
  const Records& records_;
  RunPlan plan_;
  RunObserver& progress_;
  PollPolicy poll_;
  cloud::JobPoller poller_;
  ServerWatcher watcher_;
};

}  // namespace

std::unique_ptr<StepRunner> cph_step_runner(cloud::CphClient& cloud, const Records& records, RunPlan plan,
                                            RunObserver& progress, PollPolicy poll) {
  return std::make_unique<CphStepRunner>(cloud, records, plan, progress, poll);
}

std::unique_ptr<StepRunner> CphProvider::runner(RunPlan plan, const Records& records, RunObserver& progress,
                                                PollPolicy poll) {
  return cph_step_runner(*cloud_, records, plan, progress, poll);
}

}  // namespace cph::resources

#include "emulator/world.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "emulator/ids.h"

namespace cph::emulator {
namespace {
// cph-api.md 3.1: 0, 1, 3, 4 = creating; 5 = normal. A server walks this
// sequence; kWalk[k] is its status after step k.
constexpr int kWalk[] = {0, 1, 3, 4, 5};
constexpr int kWalkSteps = 4;

int walk_index(int status) {
  for (int k = 0; k <= kWalkSteps; ++k)
    if (kWalk[k] == status) return k;
  return -1;
}

// Emulator's price list (docs/emulator.md): bandwidth billed by bandwidth
// costs this per Mbit/s and month; traffic-billed bandwidth is not prepaid.
constexpr double kBandwidthMonthlyCny = 25.0;

double round_cents(double v) { return std::round(v * 100.0) / 100.0; }
}  // namespace

World::World(Store& store, const Catalog& catalog, Durations durations)
    : store_(store), catalog_(catalog), durations_(durations) {}

int64_t World::step_us() const {
  return static_cast<int64_t>(std::max(0.0, durations_.server_creation_s) * 1e6 / kWalkSteps);
}

int64_t World::load(int64_t new_world_time_us) {
  Store::Snapshot snap = store_.load();
  is_new_ = !snap.sim_time_us;
  now_us_ = snap.sim_time_us.value_or(new_world_time_us);
  next_seq_ = snap.next_seq;
  for (Server& s : snap.servers) {
    Server& placed = servers_.emplace(s.id, std::move(s)).first->second;
    index_server(placed);
    for (const Address& a : placed.addresses) addresses_.mark_used(placed.vpc_id, a);
  }
  for (Bandwidth& b : snap.bandwidths) bandwidths_.emplace(b.id, std::move(b));
  for (Order& o : snap.orders) orders_.emplace(o.id, std::move(o));

  // Rebuild the transition queue from the state (it is not stored), in
  // insertion order so equal due times keep their original order.
  std::vector<const Server*> walking;
  for (const auto& [id, s] : servers_)
    if (s.walk_start_us >= 0 && s.status != 5 && walk_index(s.status) >= 0) walking.push_back(&s);
  std::sort(walking.begin(), walking.end(), [](const Server* a, const Server* b) { return a->seq < b->seq; });
  for (const Server* s : walking) schedule_next_step(*s);
  std::vector<const Order*> releasing;
  for (const auto& [id, o] : orders_)
    if (o.order_type == order_type::unsubscribe && o.status == order_status::processing) releasing.push_back(&o);
  std::sort(releasing.begin(), releasing.end(), [](const Order* a, const Order* b) { return a->seq < b->seq; });
  for (const Order* o : releasing) schedule(o->release_us, Event::release, o->id);
  std::vector<const Order*> changing;
  for (const auto& [id, o] : orders_)
    if (o.order_type == order_type::change && o.status == order_status::processing) changing.push_back(&o);
  std::sort(changing.begin(), changing.end(), [](const Order* a, const Order* b) { return a->seq < b->seq; });
  for (const Order* o : changing) schedule(o->change_due_us, Event::change_done, o->id);
  for (Job& j : snap.jobs) {
    jobs_by_request_[j.request_id].push_back(j.id);
    jobs_.emplace(j.id, std::move(j));
  }
  std::vector<const Job*> running;
  for (const auto& [id, j] : jobs_)
    if (j.status == job_status::running) running.push_back(&j);
  std::sort(running.begin(), running.end(), [](const Job* a, const Job* b) { return a->seq < b->seq; });
  for (const Job* j : running) schedule(j->end_us, Event::job_done, j->id);
  for (KeyPair& k : snap.keypairs) keypairs_.emplace(keypair_key(k.project_id, k.name), std::move(k));
  for (Phone& p : snap.phones) phones_.emplace(p.id, std::move(p));
  for (const Job* j : running)
    if (j->operation == "restart_encode_server") encode_restarting_.insert(j->argument);
  return now_us_;
}

void World::index_server(const Server& s) {
  server_index_[s.project_id].insert({s.create_us, s.seq, &s});
  index_phones(s);
}

void World::schedule(int64_t due_us, Event::Kind kind, std::string id, int step) {
  events_.push(Event{due_us, event_order_++, kind, std::move(id), step});
}

void World::schedule_next_step(const Server& s) {
  int k = walk_index(s.status);
  if (k < 0 || k >= kWalkSteps || s.walk_start_us < 0) return;
  schedule(s.walk_start_us + (k + 1) * step_us(), Event::server_step, s.id, k + 1);
}

void World::advance_to(int64_t t) {
  if (t <= now_us_) return;
  Changes ch;
  while (!events_.empty() && events_.top().due_us <= t) {
    Event e = events_.top();
    events_.pop();
    now_us_ = std::max(now_us_, e.due_us);
    apply(e, ch);
  }
  now_us_ = t;
  if (!ch.empty()) flush(ch);
}

void World::apply(const Event& e, Changes& ch) {
  if (e.kind == Event::job_done) return finish_job(e, ch);
  if (e.kind == Event::change_done) return finish_change(e, ch);
  if (e.kind == Event::server_step) {
    auto it = servers_.find(e.id);
    if (it == servers_.end()) return;  // released meanwhile
    Server& s = it->second;
    if (walk_index(s.status) != e.step - 1) return;  // stale
    s.status = kWalk[e.step];
    if (e.step == kWalkSteps && s.creation_fails) s.status = 2;  // abnormal (injected order failure)
    s.update_us = e.due_us;
    ch.servers.insert(s.id);
    if (e.step < kWalkSteps) {
      schedule_next_step(s);
    } else if (auto o = orders_.find(s.order_id); o != orders_.end()) {
      settle_purchase(o->second, ch);
    }
    return;
  }
  auto it = orders_.find(e.id);
  if (it == orders_.end() || it->second.status != order_status::processing) return;
  Order& o = it->second;
  for (const std::string& id : o.resource_ids) release_server(id, ch);
  o.status = order_status::completed;
  ch.orders.insert(o.id);
}

void World::release_server(const std::string& id, Changes& ch) {
  auto it = servers_.find(id);
  if (it == servers_.end()) return;
  Server& s = it->second;
  // Its dedicated bandwidths go with it; a shared bandwidth is its own resource.
  for (const std::string& bid : s.bandwidth_ids) {
    auto b = bandwidths_.find(bid);
    if (b != bandwidths_.end() && b->second.owner_server_id == s.id) {
      bandwidths_.erase(b);
      ch.bandwidths.erase(bid);
      ch.erased_bandwidths.insert(bid);
    }
  }
  for (const Address& a : s.addresses) addresses_.release(s.vpc_id, a);
  drop_phones(s, ch);  // its phones go with it
  unindex_phones(s);
  server_index_[s.project_id].erase({s.create_us, s.seq, &s});
  std::string order_id = s.order_id;
  servers_.erase(it);
  ch.servers.erase(id);
  ch.erased_servers.insert(id);
  if (auto o = orders_.find(order_id); o != orders_.end()) settle_purchase(o->second, ch);
}

void World::settle_purchase(Order& o, Changes& ch) {
  if (o.order_type != order_type::new_purchase) return;
  bool any = false, all_normal = true;
  for (const std::string& id : o.resource_ids) {
    auto s = servers_.find(id);
    if (s == servers_.end()) continue;
    any = true;
    all_normal = all_normal && (s->second.status == 5 || s->second.status == 2);  // creation finished
  }
  int before = o.status;
  // An unpaid order whose servers were all unsubscribed and released is void.
  if (o.status == order_status::pending_payment && !any) o.status = order_status::cancelled;
  if (o.status == order_status::processing && all_normal) o.status = order_status::completed;
  if (o.status != before) ch.orders.insert(o.id);
}

void World::flush(const Changes& ch) {
  Store::Writer w(store_);
  for (const std::string& id : ch.servers) w.put(servers_.at(id));
  for (const std::string& id : ch.bandwidths) w.put(bandwidths_.at(id));
  for (const std::string& id : ch.orders) w.put(orders_.at(id));
  for (const std::string& id : ch.erased_servers) w.erase_server(id);
  for (const std::string& id : ch.erased_bandwidths) w.erase_bandwidth(id);
  for (const std::string& id : ch.jobs) w.put(jobs_.at(id));
  for (const std::string& key : ch.keypairs) w.put(keypairs_.at(key));
  for (const std::string& key : ch.erased_keypairs) w.erase_keypair(key);
  for (const std::string& id : ch.phones) w.put(phones_.at(id));
  for (const std::string& id : ch.erased_phones) w.erase_phone(id);
  w.put_clock(now_us_, next_seq_);
  w.commit();
}

void World::persist_clock() {
  Store::Writer w(store_);
  w.put_clock(now_us_, next_seq_);
  w.commit();
}

std::string World::unique_order_id() {
  for (;;) {
    std::string id = ids::order_id(now_us_ / 1000000);
    if (!orders_.count(id)) return id;
  }
}

// ---------------------------------------------------------------- mutations

// Addresses for every server of a purchase, or CPS.0241 with nothing held:
// running out is the only failure after the quota check, and it must leave
// everything unchanged.
std::optional<std::vector<std::vector<Address>>> World::reserve_addresses(const PurchaseRequest& r) {
  std::vector<std::vector<Address>> addresses(static_cast<size_t>(r.count));
  for (auto& list : addresses) {
    for (int v = 0; v < r.phone_model->vip_count; ++v) {
      Address a;
      std::optional<std::string> priv = addresses_.allocate_private(r.vpc->id, r.subnet->id, r.subnet->cidr);
      if (priv) a.server_ip = *priv;
      std::optional<std::string> pub;
      if (priv && v < r.eip_count) pub = addresses_.allocate_public();
      if (pub) a.public_ip = *pub;
      list.push_back(a);
      if (!priv || (v < r.eip_count && !pub)) {
        for (const auto& held : addresses)
          for (const Address& h : held) addresses_.release(r.vpc->id, h);
        return std::nullopt;
      }
    }
  }
  return addresses;
}

// The purchase's BSS order. Amounts follow the emulator's price list.
Order World::purchase_order(const std::string& project, const PurchaseRequest& r) {
  const ServerModel& sm = *r.server_model;
  const int months = r.period_type == 2 ? r.period_num : 12 * r.period_num;
  double monthly = sm.monthly_price_cny * r.count;
  if (r.bandwidth_charge_mode == 0 && r.bandwidth_size) {
    if (r.bandwidth_share_type == 0) monthly += kBandwidthMonthlyCny * *r.bandwidth_size * r.count;
    if (r.bandwidth_share_type == 1 && !r.bandwidth_id) monthly += kBandwidthMonthlyCny * *r.bandwidth_size;
  }
  Order order;
  order.id = unique_order_id();
  order.project_id = project;
  order.customer_id = ids::customer_id(project);
  order.order_type = order_type::new_purchase;
  order.status = r.auto_pay ? order_status::processing : order_status::pending_payment;
  order.official_amount = round_cents(monthly * months);
  // Yearly subscriptions pay 10 months per year (emulator's discount rule).
  order.amount_after_discount = round_cents(r.period_type == 3 ? order.official_amount * 10.0 / 12.0 : order.official_amount);
  order.product_id = ids::product_id(sm.name + "|" + r.phone_model->name + "|" + std::to_string(r.period_type));
  order.create_us = now_us_;
  if (r.auto_pay) order.payment_us = now_us_;
  order.lines.push_back({order.id + "-000001", "hws.service.type.cph", order.product_id, r.period_type, r.period_num,
                         r.count});
  order.seq = next_seq_++;
  return order;
}

// A new bandwidth of the purchase: shared ("whole", share_type 1) by all its
// servers, or dedicated (0) to `owner`. Returns its id.
std::string World::purchase_bandwidth(const std::string& project, const PurchaseRequest& r, int share_type,
                                      const std::string& owner, Changes& ch) {
  Bandwidth b;
  b.id = ids::bandwidth_id();
  b.name = ids::bandwidth_name(b.id);
  b.project_id = project;
  b.size = *r.bandwidth_size;
  b.charge_mode = r.bandwidth_charge_mode;
  b.share_type = share_type;
  b.owner_server_id = owner;
  b.create_us = b.update_us = now_us_;
  b.seq = next_seq_++;
  std::string id = b.id;
  ch.bandwidths.insert(id);
  bandwidths_.emplace(id, std::move(b));
  return id;
}

// Server `i` (from 0) of a purchase, with its bandwidth, disks and addresses.
Server World::purchased_server(const std::string& project, const PurchaseRequest& r, int i, const Order& order,
                               std::vector<Address> addresses, const std::string& shared_bandwidth, Changes& ch) {
  const int64_t now = now_us_;
  const PhoneModel& pm = *r.phone_model;
  Server s;
  do s.id = ids::server_id();
  while (servers_.count(s.id));
  s.project_id = project;
  // 3.4: a batch purchase appends -0001, -0002, ... (server_ids order); a
  // single server keeps the name as given.
  if (r.count == 1) {
    s.name = r.server_name;
  } else {
    char suffix[16];
    std::snprintf(suffix, sizeof suffix, "-%04d", i + 1);
    s.name = r.server_name + suffix;
  }
  s.availability_zone = r.availability_zone;
  s.server_model_name = r.server_model->name;
  s.phone_model_name = pm.name;
  s.image_id = r.image->image_id;
  s.keypair_name = r.keypair_name;
  s.status = 0;
  s.vpc_id = r.vpc->id;
  s.vpc_cidr = r.vpc->cidr;
  s.subnet_id = r.subnet->id;
  s.subnet_cidr = r.subnet->cidr;
  s.addresses = std::move(addresses);
  s.bandwidth_ids.push_back(shared_bandwidth.empty() ? purchase_bandwidth(project, r, 0, s.id, ch) : shared_bandwidth);
  // A system disk, plus the phones' data disks when the model takes them.
  const std::string short_id = s.id.substr(0, 8);
  s.volumes.push_back({"cph-" + short_id + "-system", ids::uuid(), 40, "SSD", now, now});
  if (r.phone_data_volume)
    s.volumes.push_back({"cph-" + short_id + "-phone-data", ids::uuid(), r.phone_data_volume->size_g * pm.capacity,
                         r.phone_data_volume->type, now, now});
  if (r.server_share_data_volume)
    s.share_volume = {r.server_share_data_volume->type, r.server_share_data_volume->size_g, 1};
  else
    s.share_volume = {"SSD", r.server_model->share_volume_size_g, pm.version};
  s.security_groups = {r.vpc->security_group_id};
  s.ports = r.ports;
  s.phone_count_per_ip = r.phone_count_per_ip;
  s.enterprise_project_id = r.enterprise_project_id;
  s.order_id = order.id;
  s.product_id = order.product_id;
  s.create_us = s.update_us = now;
  s.seq = next_seq_++;
  s.walk_start_us = r.auto_pay ? now : -1;
  s.creation_fails = order_fails_ && order_fails_();
  return s;
}

std::variant<World::Purchase, ApiError> World::purchase(std::string_view project_sv, const PurchaseRequest& r) {
  const std::string project(project_sv);
  // The project's server quota (catalog; cph-api.md 1.4, CPS.0065): every
  // server it holds counts, including those being released.
  auto held = server_index_.find(project);
  const int64_t servers = held == server_index_.end() ? 0 : static_cast<int64_t>(held->second.size());
  if (servers + r.count > catalog_.quotas().servers) return ApiError::cps("CPS.0065");
  std::optional<std::vector<std::vector<Address>>> addresses = reserve_addresses(r);
  if (!addresses) return ApiError::cps("CPS.0241");

  Changes ch;
  Purchase out;
  Order order = purchase_order(project, r);
  // A shared ("whole") bandwidth: reuse the named one, or create one for
  // all servers of this purchase, which later purchases may reuse by id.
  std::string shared_id;
  if (r.bandwidth_share_type == 1) shared_id = r.bandwidth_id ? *r.bandwidth_id : purchase_bandwidth(project, r, 1, "", ch);
  for (int i = 0; i < r.count; ++i) {
    Server s = purchased_server(project, r, i, order, std::move((*addresses)[static_cast<size_t>(i)]), shared_id, ch);
    order.resource_ids.push_back(s.id);
    out.server_ids.push_back(s.id);
    ch.servers.insert(s.id);
    Server& placed = servers_.emplace(s.id, std::move(s)).first->second;
    index_server(placed);
    schedule_next_step(placed);
  }
  out.order_id = order.id;
  out.product_id = order.product_id;
  ch.orders.insert(order.id);
  orders_.emplace(order.id, std::move(order));
  flush(ch);
  return out;
}

bool World::rename_server(std::string_view project, std::string_view id, const std::string& name) {
  auto it = servers_.find(std::string(id));
  if (it == servers_.end() || it->second.project_id != project) return false;
  it->second.name = name;
  it->second.update_us = now_us_;
  Changes ch;
  ch.servers.insert(it->first);
  flush(ch);
  return true;
}

World::PayResult World::pay(std::string_view project, std::string_view order_id) {
  auto it = orders_.find(std::string(order_id));
  if (it == orders_.end() || it->second.project_id != project) return PayResult::not_found;
  Order& o = it->second;
  if (o.status != order_status::pending_payment) return PayResult::not_pending_payment;
  Changes ch;
  o.status = order_status::processing;
  o.payment_us = now_us_;
  ch.orders.insert(o.id);
  if (o.order_type == order_type::change) start_change(o, ch);
  // The servers start being created now.
  for (const std::string& id : o.resource_ids) {
    auto s = servers_.find(id);
    if (s == servers_.end() || s->second.walk_start_us >= 0) continue;
    s->second.walk_start_us = now_us_;
    ch.servers.insert(id);
    schedule_next_step(s->second);
  }
  flush(ch);
  return PayResult::ok;
}

World::UnsubscribeResult World::unsubscribe(std::string_view project_sv, const std::vector<std::string>& server_ids) {
  const std::string project(project_sv);
  UnsubscribeResult result;
  std::vector<Server*> targets;
  for (const std::string& id : server_ids) {
    auto it = servers_.find(id);
    if (it == servers_.end() || it->second.project_id != project) {
      result.rejected_id = id;
      return result;
    }
    if (!it->second.unsubscribe_order_id.empty()) {
      result.rejected_id = id;
      result.already_unsubscribed = true;
      return result;
    }
    if (std::find(targets.begin(), targets.end(), &it->second) == targets.end()) targets.push_back(&it->second);
  }

  Changes ch;
  Order o;
  o.id = unique_order_id();
  o.project_id = project;
  o.customer_id = ids::customer_id(project);
  o.order_type = order_type::unsubscribe;
  o.status = order_status::processing;
  o.create_us = now_us_;
  o.release_us = now_us_ + static_cast<int64_t>(std::max(0.0, durations_.unsubscribe_release_s) * 1e6);
  o.seq = next_seq_++;
  int n = 0;
  for (Server* s : targets) {
    const Order* bought = find_order(project, s->order_id);
    int period_type = bought && !bought->lines.empty() ? bought->lines.front().period_type : 0;
    int period_num = bought && !bought->lines.empty() ? bought->lines.front().period_num : 0;
    char line_id[16];
    std::snprintf(line_id, sizeof line_id, "-%06d", ++n);
    o.lines.push_back({o.id + line_id, "hws.service.type.cph", s->product_id, period_type, period_num, 1});
    o.resource_ids.push_back(s->id);
    s->unsubscribe_order_id = o.id;
    ch.servers.insert(s->id);
  }
  if (!targets.empty()) o.product_id = targets.front()->product_id;
  schedule(o.release_us, Event::release, o.id);
  result.order_id = o.id;
  ch.orders.insert(o.id);
  orders_.emplace(o.id, std::move(o));
  flush(ch);
  return result;
}

}  // namespace cph::emulator

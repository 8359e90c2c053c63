// Server changes of World that are not jobs: change server model (cph-api.md
// 3.12, an order of type 3 completing Durations::change_model_s after
// payment) and the shared bandwidth size (4.2, synchronous).
#include <algorithm>
#include <cmath>

#include "emulator/ids.h"
#include "emulator/world.h"

namespace cph::emulator {

World::Purchase World::change_model(std::string_view project, const Server& s, const ServerModel& target,
                                    const PhoneModel& phone_model, bool auto_pay) {
  Changes ch;
  Order o;
  o.id = unique_order_id();
  o.project_id = std::string(project);
  o.customer_id = ids::customer_id(project);
  o.order_type = order_type::change;
  o.status = auto_pay ? order_status::processing : order_status::pending_payment;
  // Amount: the monthly price difference over the purchase's period (an
  // upgrade pays, a downgrade pays nothing: refunds are not modelled).
  int period_type = 2, period_num = 1;
  if (const Order* bought = find_order(project, s.order_id); bought && !bought->lines.empty()) {
    period_type = bought->lines.front().period_type;
    period_num = bought->lines.front().period_num;
  }
  const ServerModel* current = catalog_.server_model(s.server_model_name);
  const double diff = std::max(0.0, target.monthly_price_cny - (current ? current->monthly_price_cny : 0.0));
  const int months = period_type == 2 ? period_num : 12 * period_num;
  o.official_amount = o.amount_after_discount = std::round(diff * months * 100.0) / 100.0;
  o.product_id = ids::product_id(target.name + "|" + phone_model.name + "|" + std::to_string(period_type));
  o.create_us = now_us_;
  o.lines.push_back({o.id + "-000001", "hws.service.type.cph", o.product_id, period_type, period_num, 1});
  o.resource_ids.push_back(s.id);
  o.change_server_id = s.id;
  o.change_server_model = target.name;
  o.change_phone_model = phone_model.name;
  o.change_fails = order_fails_ && order_fails_();
  o.seq = next_seq_++;
  Order& placed = orders_.emplace(o.id, std::move(o)).first->second;
  if (auto_pay) {
    placed.payment_us = now_us_;
    start_change(placed, ch);
  }
  ch.orders.insert(placed.id);
  flush(ch);
  return Purchase{placed.id, placed.product_id, {s.id}};
}

void World::start_change(Order& o, Changes& ch) {
  o.change_due_us = now_us_ + static_cast<int64_t>(std::max(0.0, durations_.change_model_s) * 1e6);
  ch.orders.insert(o.id);
  schedule(o.change_due_us, Event::change_done, o.id);
}

void World::finish_change(const Event& e, Changes& ch) {
  auto it = orders_.find(e.id);
  if (it == orders_.end() || it->second.status != order_status::processing) return;
  Order& o = it->second;
  o.status = o.change_fails ? order_status::cancelled : order_status::completed;
  ch.orders.insert(o.id);
  if (o.change_fails) return;  // injected failure: the model is kept
  auto s = servers_.find(o.change_server_id);
  if (s == servers_.end()) return;  // released meanwhile
  s->second.server_model_name = o.change_server_model;
  s->second.phone_model_name = o.change_phone_model;
  s->second.product_id = o.product_id;
  s->second.update_us = e.due_us;
  ch.servers.insert(s->first);
}

const Order* World::pending_change(std::string_view server_id) const {
  for (const auto& [id, o] : orders_)
    if (o.order_type == order_type::change && o.change_server_id == server_id &&
        (o.status == order_status::pending_payment || o.status == order_status::processing))
      return &o;
  return nullptr;
}

void World::resize_bandwidth(const Bandwidth& b, int size) {
  Bandwidth& mine = bandwidths_.at(b.id);
  mine.size = size;
  mine.update_us = now_us_;
  Changes ch;
  ch.bandwidths.insert(mine.id);
  flush(ch);
}

void World::put_tags(const Server& s, const std::vector<std::pair<std::string, std::string>>& tags) {
  Server& mine = servers_.at(s.id);
  for (const auto& tag : tags) {  // not a structured binding: clang 14 cannot capture one
    auto it = std::find_if(mine.tags.begin(), mine.tags.end(), [&](const auto& t) { return t.first == tag.first; });
    if (it != mine.tags.end())
      it->second = tag.second;
    else
      mine.tags.push_back(tag);
  }
  Changes ch;
  ch.servers.insert(mine.id);
  flush(ch);
}

void World::delete_tags(const Server& s, const std::vector<std::string>& keys) {
  Server& mine = servers_.at(s.id);
  std::erase_if(mine.tags, [&](const auto& t) { return std::find(keys.begin(), keys.end(), t.first) != keys.end(); });
  Changes ch;
  ch.servers.insert(mine.id);
  flush(ch);
}

std::vector<const Server*> World::project_servers(std::string_view project) const {
  std::vector<const Server*> out;
  auto it = server_index_.find(std::string(project));
  if (it == server_index_.end()) return out;
  for (const IndexKey& k : it->second) out.push_back(k.server);
  return out;
}

}  // namespace cph::emulator

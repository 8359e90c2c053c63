// Cloud calls of the server resource and their waits. Every mutating call is
// journaled (intent before sending, ids on arrival) through OperationJournal.
#include "resources/cph/server.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <stdexcept>

#include <boost/asio/use_awaitable.hpp>

#include "resources/cph/order_wait.h"
#include "resources/cph/server_watcher.h"

namespace cph::resources {

namespace asio = boost::asio;

std::string server_instance_name(const std::string& name, bool counted, int index) {
  if (!counted) return name;
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "-%04d", index + 1);
  return name + suffix;
}

std::optional<std::pair<std::string, int>> server_instance_of(const std::string& name) {
  // "<name>-NNNN", NNNN from 0001: four digits after the last dash.
  if (name.size() < 6 || name[name.size() - 5] != '-') return std::nullopt;
  int number = 0;
  for (size_t i = name.size() - 4; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
    number = number * 10 + (name[i] - '0');
  }
  if (number == 0) return std::nullopt;
  return std::make_pair(name.substr(0, name.size() - 5), number - 1);
}

Json server_live_attributes(const cloud::Server& s) {
  Json a = Json::object();
  a["name"] = s.server_name;
  a["server_model"] = s.server_model_name;
  a["phone_model"] = s.phone_model_name;
  a["keypair"] = s.keypair_name.empty() ? Json() : Json(s.keypair_name);
  a["vpc_id"] = s.vpc_id;
  a["subnet_id"] = s.subnet_id;
  a["availability_zone"] = s.availability_zone.empty() ? Json() : Json(s.availability_zone);
  a["id"] = s.server_id;
  a["status"] = s.status;
  a["order_id"] = s.order_id;
  a["server_ip"] = s.addresses.empty() ? Json() : Json(s.addresses.front().server_ip);
  a["public_ip"] = s.addresses.empty() ? Json() : Json(s.addresses.front().public_ip);
  return a;
}

Json server_refreshed_attributes(const Json& recorded, const cloud::Server& live) {
  Json out = recorded.is_object() ? recorded : Json::object();
  Json l = server_live_attributes(live);
  for (const Attribute& a : server_schema().attributes)
    if (a.readable && l.contains(a.name)) out[a.name] = l[a.name];
  return out;
}

cloud::PurchaseServersRequest server_purchase_request(const std::vector<ServerInstance>& instances,
                                                      const std::string& block_name, bool auto_pay) {
  if (instances.empty() || instances.size() > 10)
    throw std::invalid_argument("a purchase order holds 1 to 10 servers (CPH API: Purchase cloud phone servers)");
  const Json& a = instances.front().attributes;
  cloud::PurchaseServersRequest r;
  r.server_name = instances.size() == 1 ? instances.front().name : block_name;
  r.count = static_cast<int>(instances.size());
  r.server_model_name = a.at("server_model").get<std::string>();
  r.phone_model_name = a.at("phone_model").get<std::string>();
  r.image_id = a.at("image_id").get<std::string>();
  if (a.contains("keypair") && a["keypair"].is_string()) r.keypair_name = a["keypair"].get<std::string>();
  for (const Json& p : a.value("ports", Json::array()))
    r.ports.push_back({p.at("name").get<std::string>(), p.at("listen_port").get<int>(),
                       p.value("internet_accessible", false)});
  const Json period = a.value("period", Json::object());
  r.period_type = period.value("unit", "month") == "year" ? 3 : 2;
  r.period_num = period.value("length", 1);
  r.is_auto_renew = period.value("auto_renew", false);
  r.is_auto_pay = auto_pay;
  r.tenant_vpc_id = a.at("vpc_id").get<std::string>();
  r.subnet_id = a.at("subnet_id").get<std::string>();
  r.eip_type = a.value("eip_type", "5_bgp");
  const Json& bw = a.at("bandwidth");
  r.band_width_share_type = bw.value("share_type", "dedicated") == "shared" ? 1 : 0;
  r.band_width_charge_mode = bw.value("charge_mode", "traffic") == "traffic" ? 1 : 0;
  if (bw.contains("size")) r.band_width_size = bw["size"].get<int>();
  if (bw.contains("id")) r.band_width_id = bw["id"].get<std::string>();
  if (a.contains("availability_zone") && a["availability_zone"].is_string())
    r.availability_zone = a["availability_zone"].get<std::string>();
  return r;
}

std::vector<std::string> server_purchase_names(const cloud::PurchaseServersRequest& request) {
  std::vector<std::string> names;
  if (request.count == 1) return {request.server_name};
  for (int i = 0; i < request.count; ++i) names.push_back(server_instance_name(request.server_name, true, i));
  return names;
}

PurchaseFailed::PurchaseFailed(const std::string& what, std::vector<InstanceResult> servers, bool abnormal)
    : OperationFailed(what, std::move(servers), !abnormal) {
  // Rows as the state keeps them: a shared bandwidth the purchase created
  // is referred to by its block again (steps.cc: purchase_attributes).
  for (InstanceResult& r : made) {
    r.type = "server";
    if (r.attributes.contains("_bandwidth_block")) {
      r.attributes["bandwidth"] = r.attributes["_bandwidth_block"];
      r.attributes.erase("_bandwidth_block");
    }
  }
}

namespace {

// Waits until the order completed and every server is out of creation:
// normal (5), abnormal (2) or gone. The servers are read only once the order
// says it completed, through the run's ServerWatcher (pages of the server
// list shared by every waiting purchase), or one of its own without one.
asio::awaitable<std::vector<cloud::Server>> wait_purchase(cloud::CphClient& cloud, OperationJournal& journal,
                                                          const std::string& address, const std::string& order_id,
                                                          const std::vector<std::string>& server_ids,
                                                          const PollPolicy& poll) {
  const auto deadline = std::chrono::steady_clock::now() + poll.timeout;
  std::optional<ServerWatcher> own;
  if (!poll.servers) own.emplace(cloud, poll);
  ServerWatcher& watcher = poll.servers ? *poll.servers : *own;
  std::vector<cloud::Server> servers;
  const std::string subject = "order " + order_id;  // named: not a temporary in the co_await (GCC 12)
  std::function<asio::awaitable<bool>()> delivered = [&]() -> asio::awaitable<bool> {
    servers = co_await watcher.wait(server_ids, subject, deadline);
    co_return true;
  };
  const std::string if_cancelled = "no server was delivered";
  co_await wait_order(cloud, journal, address, order_id, subject, if_cancelled, poll, delivered);
  co_return servers;
}

// Renames bought servers whose name is not their instance name (a batch
// order names them from the block name), then builds the results. Throws
// PurchaseFailed, with every server's result, when one ended abnormal.
asio::awaitable<std::vector<InstanceResult>> finish_purchase(cloud::CphClient& cloud, OperationJournal& journal,
                                                             const std::vector<ServerInstance>& instances,
                                                             const std::vector<cloud::Server>& servers) {
  std::vector<InstanceResult> results;
  std::string abnormal, gone;
  for (size_t i = 0; i < instances.size(); ++i) {
    const ServerInstance& inst = instances[i];
    if (servers[i].status == kServerGone) {
      gone += (gone.empty() ? "" : "; ") + std::string("server ") + servers[i].server_id + " of " + inst.address +
              " no longer exists (released outside cphform): the next plan buys it again if it is still wanted";
      continue;
    }
    Json recorded = server_refreshed_attributes(inst.attributes, servers[i]);
    if (servers[i].status == 2) {
      // Left as the service named it: a rename of a broken server would fail.
      // Recorded with the status the order promised (normal, 5), so every
      // plan reports it as a server that left the normal state until it is
      // replaced (-replace) or released (no block wants it any more).
      recorded["status"] = 5;
      abnormal += (abnormal.empty() ? "" : "; ") + std::string("server ") + servers[i].server_id + " (" +
                  servers[i].server_name + ") of " + inst.address + " became abnormal (status 2) while creating";
      results.push_back({inst.address, servers[i].server_id, recorded, "server"});
    } else if (servers[i].server_name != inst.name) {
      results.push_back(co_await rename_server(cloud, journal, inst.address, servers[i].server_id, recorded, inst.name));
    } else {
      results.push_back({inst.address, servers[i].server_id, recorded, "server"});
    }
  }
  if (!abnormal.empty() || !gone.empty())
    throw PurchaseFailed(abnormal.empty() ? gone : gone.empty() ? abnormal : abnormal + "; " + gone,
                         std::move(results), !abnormal.empty());
  co_return results;
}

Json instances_json(const std::vector<ServerInstance>& instances) {
  Json list = Json::array();
  for (const auto& i : instances)
    list.push_back({{"address", i.address}, {"name", i.name}, {"attributes", i.attributes}});
  return list;
}

std::vector<ServerInstance> instances_from_json(const Json& list) {
  std::vector<ServerInstance> out;
  for (const Json& j : list)
    out.push_back({j.at("address").get<std::string>(), j.at("name").get<std::string>(), j.at("attributes")});
  return out;
}

std::string group_address(const std::vector<ServerInstance>& instances) {
  if (instances.size() == 1) return instances.front().address;
  return instances.front().address + ".." + instances.back().address;
}

}  // namespace

asio::awaitable<std::vector<InstanceResult>> purchase_servers(cloud::CphClient& cloud, OperationJournal& journal,
                                                              std::vector<ServerInstance> instances,
                                                              std::string block_name, PollPolicy poll) {
  cloud::PurchaseServersRequest request =
      server_purchase_request(instances, block_name, poll.payment == Payment::automatic);
  Json idempotency = {{"instances", instances_json(instances)},
                      {"service_names", server_purchase_names(request)},
                      {"block_name", block_name}};
  int64_t entry = journal.intent(group_address(instances), "purchase", idempotency.dump(), idempotency);
  cloud::PurchaseResult result = co_await cloud.purchase_servers(request);
  journal.answered(entry, {{"order_id", result.order_id},
                           {"product_id", result.product_id},
                           {"request_id", result.request_id},
                           {"server_ids", result.server_ids}});
  if (result.server_ids.size() != instances.size())
    throw std::runtime_error("order " + result.order_id + " returned " + std::to_string(result.server_ids.size()) +
                             " server ids for " + std::to_string(instances.size()) + " servers");
  const std::string address = group_address(instances);
  auto servers = co_await wait_purchase(cloud, journal, address, result.order_id, result.server_ids, poll);
  co_return co_await finish_purchase(cloud, journal, instances, servers);
}

asio::awaitable<std::vector<InstanceResult>> resume_purchase(cloud::CphClient& cloud, OperationJournal& journal,
                                                             const Json& intent, const Json& response,
                                                             PollPolicy poll) {
  std::vector<ServerInstance> instances = instances_from_json(intent.at("instances"));
  auto ids = response.at("server_ids").get<std::vector<std::string>>();
  if (ids.size() != instances.size())
    throw std::runtime_error("journaled purchase has " + std::to_string(ids.size()) + " server ids for " +
                             std::to_string(instances.size()) + " instances");
  const std::string address = group_address(instances);
  const std::string order_id = response.at("order_id").get<std::string>();
  auto servers = co_await wait_purchase(cloud, journal, address, order_id, ids, poll);
  co_return co_await finish_purchase(cloud, journal, instances, servers);
}

asio::awaitable<InstanceResult> rename_server(cloud::CphClient& cloud, OperationJournal& journal, std::string address,
                                              std::string server_id, Json attributes, std::string new_name) {
  Json idempotency = {{"server_id", server_id}, {"name", new_name}};
  int64_t entry = journal.intent(address, "rename", idempotency.dump(), idempotency);
  co_await cloud.rename_server(server_id, new_name);
  journal.answered(entry, {{"server_id", server_id}});
  attributes["name"] = new_name;
  co_return InstanceResult{address, server_id, attributes, "server"};
}

namespace {
asio::awaitable<void> wait_released(cloud::CphClient& cloud, std::vector<std::string> ids, PollPolicy poll) {
  const auto start = std::chrono::steady_clock::now();
  auto interval = poll.initial;
  while (!ids.empty()) {
    std::vector<std::string> remaining;
    for (const std::string& id : ids) {
      try {
        co_await cloud.show_server(id);
        remaining.push_back(id);
      } catch (const cloud::CloudError& e) {
        if (e.http_status != 404) throw;
      }
    }
    bool progressed = remaining.size() != ids.size();
    ids = std::move(remaining);
    if (ids.empty()) break;
    const auto waited = std::chrono::steady_clock::now() - start;
    if (waited > poll.timeout)
      throw std::runtime_error("timed out waiting for server " + ids.front() + " to be released");
    interval = next_poll_interval(interval, poll, progressed, waited);
    co_await poll_sleep(interval, poll);
  }
}
}  // namespace

asio::awaitable<void> unsubscribe_servers(cloud::CphClient& cloud, OperationJournal& journal,
                                          std::vector<ServerToRelease> servers, PollPolicy poll) {
  std::vector<std::string> ids;
  Json list = Json::array();
  for (const auto& s : servers) {
    ids.push_back(s.server_id);
    list.push_back({{"address", s.address}, {"server_id", s.server_id}});
  }
  Json idempotency = {{"servers", list}};
  std::string address = servers.size() == 1 ? servers.front().address
                                            : servers.front().address + ".." + servers.back().address;
  int64_t entry = journal.intent(address, "unsubscribe", idempotency.dump(), idempotency);
  cloud::UnsubscribeResult result = co_await cloud.unsubscribe(ids);
  journal.answered(entry, {{"order_ids", result.order_ids}});
  co_await wait_released(cloud, ids, poll);
}

asio::awaitable<void> resume_unsubscribe(cloud::CphClient& cloud, const Json& intent, PollPolicy poll) {
  std::vector<std::string> ids;
  for (const Json& s : intent.at("servers")) ids.push_back(s.at("server_id").get<std::string>());
  co_await wait_released(cloud, ids, poll);
}

}  // namespace cph::resources

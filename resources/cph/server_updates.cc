// In-place server updates: 3.12 change model, 3.6 switch, 6.3 key pairs,
// 7.10/7.11 tags.
#include "resources/cph/server_updates.h"

#include <stdexcept>

#include "resources/cph/order_wait.h"

namespace cph::resources {

namespace asio = boost::asio;

asio::awaitable<void> change_server_model(cloud::CphClient& cloud, OperationJournal& journal, std::string address,
                                          std::string server_id, std::string server_model, std::string phone_model,
                                          PollPolicy poll) {
  cloud::ChangeServerModelRequest request{server_id, server_model, phone_model,
                                          poll.payment == Payment::automatic};
  Json idempotency = {{"server_id", server_id}, {"server_model", server_model}, {"phone_model", phone_model}};
  const int64_t entry = journal.intent(address, "change_server_model", idempotency.dump(), idempotency);
  cloud::ChangeServerModelResult result = co_await cloud.change_server_model(request);
  journal.answered(entry, {{"request_id", result.request_id},
                           {"order_id", result.order_id},
                           {"product_id", result.product_id}});

  // 1.9(b)/3.12: done when the order completed and the detail shows the new
  // model. The server is only read once the order says it is complete.
  std::function<asio::awaitable<bool>()> delivered = [&]() -> asio::awaitable<bool> {
    const cloud::Server s = co_await cloud.show_server(server_id);
    co_return s.server_model_name == server_model;
  };
  const std::string subject = "change-model order " + result.order_id + " of server " + server_id;
  const std::string if_cancelled = "the server keeps its model";
  co_await wait_order(cloud, journal, address, result.order_id, subject, if_cancelled, poll, delivered);
}

asio::awaitable<void> switch_server(cloud::CphClient& cloud, cloud::JobPoller& poller, OperationJournal& journal,
                                    std::string address, std::string server_id, std::string image_id,
                                    std::string phone_model) {
  if (image_id.empty())
    throw std::invalid_argument(address + ": switching a server needs its image_id (CPH API: Change a cloud phone server)");
  const cloud::Server current = co_await cloud.show_server(server_id);
  cloud::ChangeServerRequest request;
  request.phone_model_name = phone_model.empty() ? current.phone_model_name : phone_model;
  request.image_id = image_id;
  // Without keypair_name the switched server would lose its key pair.
  if (!current.keypair_name.empty()) request.keypair_name = current.keypair_name;
  request.tenant_vpc_id = current.vpc_id;
  request.subnet_id = current.subnet_id;
  bool has_public_ip = false;
  for (const cloud::Address& a : current.addresses) has_public_ip = has_public_ip || !a.public_ip.empty();
  request.eip_type = has_public_ip ? "5_bgp" : "";
  if (!current.band_widths.empty()) {
    const cloud::BandWidthInfo& bw = current.band_widths.front();
    request.band_width_share_type = bw.band_width_share_type;
    request.band_width_charge_mode = bw.band_width_charge_mode;
    request.band_width_size = bw.band_width_size;
    if (bw.band_width_share_type == 1) request.band_width_id = bw.band_width_id;  // keep the shared one
  } else {
    request.band_width_size = 300;  // the reference's example; the detail reported none
  }

  Json idempotency = {{"server_id", server_id}, {"image_id", image_id}, {"phone_model", request.phone_model_name}};
  const int64_t entry = journal.intent(address, "switch", idempotency.dump(), idempotency);
  cloud::ChangeServerResult result = co_await cloud.change_server(server_id, request);
  journal.answered(entry, {{"request_id", result.request_id}, {"server_id", server_id}, {"job_id", result.job_id}});
  std::vector<std::string> job_ids{result.job_id};
  const std::vector<cloud::Job> jobs = co_await poller.wait(result.request_id, job_ids);
  for (const cloud::Job& j : jobs)
    if (!j.succeeded())
      throw std::runtime_error(address + ": switch of server " + server_id + " failed: " + j.error_code + " " +
                               j.error_msg);
}

asio::awaitable<std::vector<ItemOutcome>> change_keypair(cloud::CphClient& cloud, cloud::JobPoller& poller,
                                                         OperationJournal& journal, std::vector<ServerRef> servers,
                                                         std::string keypair_name) {
  Json body = {{"keypair_name", keypair_name}};
  Json idempotency = {{"keypair_name", keypair_name}};
  SendServerJobs send = [&cloud, keypair_name](std::vector<std::string> ids) -> asio::awaitable<cloud::JobsResult> {
    std::vector<cloud::ServerKeypair> pairs;
    for (const std::string& id : ids) pairs.push_back({id, keypair_name});
    co_return co_await cloud.change_keypairs(pairs);
  };
  const std::string address = group_address(servers);
  co_return co_await run_server_jobs(poller, journal, address, "change_keypair", body, idempotency,
                                     std::move(servers), send);
}

namespace {
std::vector<cloud::Tag> tag_list(const Json& object) {
  std::vector<cloud::Tag> tags;
  for (auto it = object.begin(); it != object.end(); ++it) tags.push_back({it.key(), it.value().get<std::string>()});
  return tags;
}
}  // namespace

asio::awaitable<void> update_server_tags(cloud::CphClient& cloud, OperationJournal& journal, std::string address,
                                         std::string server_id, Json before, Json after) {
  if (!before.is_object()) before = Json::object();
  if (!after.is_object()) after = Json::object();
  Json removed = Json::object();  // removed or changed, with the old value
  Json added = Json::object();    // added or changed, with the new value
  for (auto it = before.begin(); it != before.end(); ++it)
    if (!after.contains(it.key()) || after[it.key()] != it.value()) removed[it.key()] = it.value();
  for (auto it = after.begin(); it != after.end(); ++it)
    if (!before.contains(it.key()) || before[it.key()] != it.value()) added[it.key()] = it.value();

  // Delete first: a changed key then ends with its new value.
  if (!removed.empty()) {
    std::vector<cloud::Tag> tags = tag_list(removed);
    Json idempotency = {{"server_id", server_id}, {"tags", removed}};
    const int64_t entry = journal.intent(address, "delete_tags", idempotency.dump(), idempotency);
    co_await cloud.delete_server_tags(server_id, tags);
    journal.answered(entry, {{"server_id", server_id}});
  }
  if (!added.empty()) {
    std::vector<cloud::Tag> tags = tag_list(added);
    Json idempotency = {{"server_id", server_id}, {"tags", added}};
    const int64_t entry = journal.intent(address, "create_tags", idempotency.dump(), idempotency);
    co_await cloud.create_server_tags(server_id, tags);
    journal.answered(entry, {{"server_id", server_id}});
  }
}

}  // namespace cph::resources

#include "resources/cph/keypair.h"

#include <optional>

namespace cph::resources {

namespace asio = boost::asio;

asio::awaitable<void> create_keypair(cloud::CphClient& cloud, OperationJournal& journal, std::string address,
                                     std::string name, std::string public_key) {
  Json idempotency = {{"name", name}};
  Json body = {{"keypair", {{"name", name}}}};
  if (!public_key.empty()) body["keypair"]["public_key"] = public_key;
  const int64_t entry = journal.intent(address, "create_keypair", body.dump(), idempotency);
  std::optional<std::string> key;
  if (!public_key.empty()) key = public_key;
  const cloud::Keypair created = co_await cloud.create_keypair(name, key);
  journal.answered(entry, {{"name", created.name}, {"fingerprint", created.fingerprint}});
}

asio::awaitable<void> delete_keypair(cloud::CphClient& cloud, OperationJournal& journal, std::string address,
                                     std::string name) {
  Json idempotency = {{"name", name}};
  const int64_t entry = journal.intent(address, "delete_keypair", idempotency.dump(), idempotency);
  bool absent = false;
  try {
    co_await cloud.delete_keypair(name);
  } catch (const cloud::CloudError& e) {
    if (e.http_status != 404) throw;
    absent = true;  // KPS.0404: deleted before (e.g. by a run whose answer was lost)
  }
  journal.answered(entry, {{"name", name}, {"already_absent", absent}});
}

}  // namespace cph::resources

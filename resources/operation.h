// What resource operations need from the layer above, as narrow interfaces
// (the resources layer knows nothing of state or terminals).
#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace cph::resources {

using Json = nlohmann::json;

// The write-ahead journal as seen by a resource operation (ARCHITECTURE
// decision 3). The engine implements it over the state store.
class OperationJournal {
 public:
  virtual ~OperationJournal() = default;
  // Durably records that `operation` on `address` is about to be sent, with
  // the data needed to recognise its effect later (expected names, ...).
  // Returns only once committed; the request is sent after.
  virtual int64_t intent(const std::string& address, const std::string& operation,
                         const std::string& request_body, const Json& idempotency) = 0;
  // Durably records the ids the response carried (order_id, server_ids, ...).
  virtual void answered(int64_t entry, const Json& response) = 0;
};

// The outcome of an operation per instance: what the state records of it.
struct InstanceResult {
  std::string address;
  std::string cloud_id;
  Json attributes;
  std::string type;  // the resource type of the row
};

// The service reported a final failure of an operation whose request it
// accepted (an order cancelled, a server ended abnormal): the operation
// ended and will never progress, so its journal entry closes as failed
// rather than staying open for a resume that would fail the same way.
struct OperationFailed : std::runtime_error {
  explicit OperationFailed(const std::string& what, std::vector<InstanceResult> made = {}, bool settled = false)
      : std::runtime_error(what), made(std::move(made)), settled(settled) {}
  // What the operation made all the same (paid servers an order left
  // abnormal): recorded, so that nothing paid for is lost track of.
  std::vector<InstanceResult> made;
  // The outcome is final but no failure (only objects released outside
  // cphform since): the entry is settled and the run does not fail.
  bool settled = false;
};

// How often to poll orders and servers: starts at `initial`, grows by
// `factor` each round nothing changed, up to `max`; resets on progress.
class StopSignal;     // polling.h
class ServerWatcher;  // resources/cph/server_watcher.h (CPH; moves behind the provider interface)

// How orders get paid ([provider] pay_orders): `automatic`, a purchase or
// model change pays itself (is_auto_pay 1); `bss`, it is placed unpaid and
// cphform pays it through BSS (POST /v3/orders/customer-orders/pay) while
// waiting for it; `manual`, it is placed unpaid and the wait stops at it,
// asking for payment in the Billing Center (the next apply resumes it).
enum class Payment { automatic, bss, manual };

struct PollPolicy {
  std::chrono::milliseconds initial{500};
  std::chrono::milliseconds max{10000};
  double factor = 1.5;
  std::chrono::seconds timeout{3600};  // give up waiting (the journal keeps the ids)
  StopSignal* stop = nullptr;          // ends waits early (polling.h); none: wait to the end
  Payment payment = Payment::automatic;  // what a wait does with an unpaid order
  // The run's shared wait for bought servers; none: each purchase makes its own.
  ServerWatcher* servers = nullptr;
};

}  // namespace cph::resources

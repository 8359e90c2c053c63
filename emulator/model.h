// The emulated world's entities: what the emulator remembers about servers,
// bandwidths and orders. Field names follow the reference (cph-api.md 3.1,
// 3.2, 1.10) where the API shows them; the rest is lifecycle bookkeeping.
// Times are simulated microseconds since the Unix epoch.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cph::emulator {

// cph-api.md 1.10 Address: intranet_ip/server_ip are the private IP,
// access_ip/public_ip the public one (deprecated and new names, same values).
struct Address {
  std::string server_ip;
  std::string public_ip;  // "" when this private IP has no EIP
};

// cph-api.md 1.10 Port (request sub-object of 3.4, kept with the server).
struct Port {
  std::string name;
  int listen_port = 0;
  std::string internet_accessible;  // as sent: "true" (any case) maps the port
};

// cph-api.md 3.10: a shared app pushed to a server (recorded when the
// push_share_apps job succeeds; removed by a delete_share_apps job).
struct ShareApp {
  std::string package_name;
  std::string bucket_name;
  std::string object_path;
  int pre_install_app = 0;
};

// cph-api.md 3.7: a shared-storage file (tar) pushed to a server.
struct ShareFile {
  std::string bucket_name;
  std::string object_path;
};

// cph-api.md 3.2 table 5-14.
struct Volume {
  std::string name;
  std::string id;
  int size_g = 0;
  std::string type;
  int64_t create_us = 0;
  int64_t update_us = 0;
};

// cph-api.md 3.2 table 5-15.
struct ShareVolume {
  std::string type;
  int size_g = 0;
  int version = 0;  // 0 shared storage 1.0, 1 shared storage 2.0
};

struct Server {
  std::string id;  // 32 lowercase hex (cph-api.md 11.4)
  std::string project_id;
  std::string name;
  std::string availability_zone;
  std::string server_model_name;
  std::string phone_model_name;
  std::string image_id;
  std::string keypair_name;
  int status = 0;  // cph-api.md 3.1: 0/1/3/4 creating, 2 abnormal, 5 normal, ...
  std::string vpc_id, vpc_cidr, subnet_id, subnet_cidr;
  std::vector<Address> addresses;
  std::vector<std::string> bandwidth_ids;
  std::vector<Volume> volumes;
  ShareVolume share_volume;
  std::vector<std::string> security_groups;
  std::vector<Port> ports;
  int phone_count_per_ip = 0;
  std::string network_version = "v2";  // purchases always use a tenant network (3.4)
  std::string enterprise_project_id = "0";
  std::string order_id;    // metadata.order_id (A-7: the natural meaning)
  std::string product_id;  // metadata.product_id
  int64_t create_us = 0;
  int64_t update_us = 0;
  int64_t seq = 0;  // insertion sequence: list tie-break

  // Lifecycle. walk_start_us < 0: the purchase order awaits payment and the
  // server stays at status 0.
  int64_t walk_start_us = -1;
  std::string unsubscribe_order_id;  // set once unsubscribed, until released
  bool creation_fails = false;       // fault injection: the walk ends at 2 (abnormal)

  // cph-api.md 7.6-7.11 resource tags (key -> value, one value per key, in
  // the order the keys were first added).
  std::vector<std::pair<std::string, std::string>> tags;

  // Shared apps and files pushed by successful jobs (3.7-3.11), in push order.
  std::vector<ShareApp> share_apps;
  std::vector<ShareFile> share_files;
};

// cph-api.md 5.0 phone statuses.
namespace phone_status {
inline constexpr int creating = 1, running = 2, resetting = 3, restarting = 4, frozen = 6, stopping = 7, stopped = 8,
                     reset_failed = -5, restart_failed = -6, abnormal = -7, creation_failed = -8, stop_failed = -9;
}

// A cloud phone (cph-api.md 5.1 table 5-100, 5.2). Phones are not stored one
// row each: a server's phones are derived from it (index 0..phone count-1,
// id, name, IPs), and only a phone whose state differs from the derived one
// (renamed, operated by a job) has a persisted record ("override") with all
// of its mutable state. See docs/emulator.md "Phones".
struct Phone {
  std::string id;  // 32 lowercase hex, derived from the server id and index
  std::string project_id;
  std::string server_id;
  int index = 0;
  std::string name;
  int status = phone_status::creating;
  bool status_set = false;  // false: the status follows the server's (derived)
  std::string image_id;     // "" = the server's image
  std::string traffic_type = "direct";
  std::string property = "{}";  // JSON object text (10.1 keys)
  int64_t update_us = 0;        // 0 = the server's update time
  int64_t seq = 0;
};

// cph-api.md 1.10 Bandwidth.
struct Bandwidth {
  std::string id;
  std::string name;
  std::string project_id;
  int size = 0;         // Mbit/s
  int charge_mode = 0;  // 0 by bandwidth, 1 by traffic
  int share_type = 0;   // 0 per (dedicated), 1 whole (shared)
  std::string owner_server_id;  // dedicated: the server it belongs to
  int64_t create_us = 0;
  int64_t update_us = 0;
  int64_t seq = 0;
};

// BSS order line (docs/emulator.md, "from Huawei's public BSS API, reduced").
struct OrderLine {
  std::string id;
  std::string service_type_code;
  std::string product_id;
  int period_type = 0;
  int period_num = 0;
  int subscription_num = 0;
};

namespace order_status {
inline constexpr int pending_approval = 1, processing = 3, cancelled = 4, completed = 5, pending_payment = 6,
                     to_be_confirmed = 9;
}
namespace order_type {
inline constexpr int new_purchase = 1, renewal = 2, change = 3, unsubscribe = 4;
}

struct Order {
  std::string id;  // "CS" + 15 uppercase alphanumerics
  std::string project_id;
  std::string customer_id;
  int order_type = order_type::new_purchase;
  int status = order_status::pending_payment;
  double official_amount = 0;
  double amount_after_discount = 0;
  std::string product_id;
  int64_t create_us = 0;
  std::optional<int64_t> payment_us;
  std::vector<OrderLine> lines;
  std::vector<std::string> resource_ids;  // servers bought, or servers unsubscribed
  int64_t release_us = -1;                // unsubscribe orders: when resources go
  int64_t seq = 0;
  // Change-model orders (cph-api.md 3.12): the server and its target models.
  std::string change_server_id, change_server_model, change_phone_model;
  int64_t change_due_us = -1;  // when the change completes (-1: not paid yet)
  bool change_fails = false;   // fault injection: the order is cancelled, the model kept
};

// cph-api.md 6.1/6.2 job status.
namespace job_status {
inline constexpr int running = 1, success = 2, failed = -1;
}

// One asynchronous job (cph-api.md 1.9(a)): created by a job-producing call,
// running until end_us, then success or failure (decided at creation).
struct Job {
  std::string id;  // 32 lowercase hex
  std::string project_id;
  std::string request_id;  // of the call that created it (6.2)
  std::string server_id;
  std::string phone_id;
  std::string operation;  // what completion applies (jobs.cc), e.g. "open_access"
  std::string argument;   // operation argument (e.g. the key pair name)
  int status = job_status::running;
  int64_t begin_us = 0;
  int64_t end_us = 0;  // due time while running, then the end time
  bool will_fail = false;
  std::string error_code, error_msg, execute_msg;
  int64_t seq = 0;
};

// A KPS key pair (docs/emulator.md "KPS key pairs"; not in the reference).
struct KeyPair {
  std::string project_id;
  std::string name;
  std::string public_key;
  std::string fingerprint;
  int64_t create_us = 0;
  int64_t seq = 0;
};

}  // namespace cph::emulator

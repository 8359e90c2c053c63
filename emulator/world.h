// The emulated world: every project's servers, bandwidths and orders, kept in
// memory as the source of truth (loaded from the Store at start, written
// through on each mutation in one transaction), and their lifecycle.
//
// Time model. The world lives in simulated time (microseconds since the Unix
// epoch). Transitions are lazy: a queue holds the next due transition of each
// server and order, and advance_to(t) applies every transition due at or
// before t, in time order, stamping each with its own due time. The caller
// (Service) advances the world to the simulated clock before every request.
//
// Lifecycles (docs/emulator.md, "Time model"):
//  - purchase, is_auto_pay 1: order 3 (processing) at once; servers walk
//    0 -> 1 -> 3 -> 4 -> 5 in four equal steps over Durations::server_creation_s;
//    the order becomes 5 (completed) when its last server reaches 5.
//  - purchase, is_auto_pay 0 (the default): order 6 (pending payment); servers
//    stay at 0 until the order is paid (pay()), then walk as above.
//  - unsubscribe: an order of type 4 in status 3; after
//    Durations::unsubscribe_release_s its servers and their dedicated
//    bandwidths are released (gone) and the order becomes 5.
//
// Not thread-safe: the Service serialises calls.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <queue>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "emulator/addresses.h"
#include "emulator/api_error.h"
#include "emulator/catalog.h"
#include "emulator/emulator.h"
#include "emulator/model.h"
#include "emulator/store.h"
#include "emulator/validate.h"

namespace cph::emulator {

// The output of an emulated `adb shell` command on a phone (phones.cc):
// `echo ARGS` prints ARGS, `getprop KEY` the phone's property; anything else
// succeeds with no output.
std::string emulated_shell(const Phone& p, std::string_view command);

// cph-api.md 6.1/6.2: a job's execute_msg is at most 1024 bytes.
inline constexpr size_t kMaxExecuteMsgBytes = 1024;
// The 3.8 listing of a server's shared files, as the query job's
// execute_msg: {"path", "files": [{"bucket_name", "object_path"}...]}, cut to
// kMaxExecuteMsgBytes as described in server_job_effects.cc.
std::string share_file_listing(const std::string& path, const std::vector<ShareFile>& files);

class World {
 public:
  World(Store& store, const Catalog& catalog, Durations durations);

  // Loads the persisted world. A new world starts at new_world_time_us.
  // Returns the world's simulated time (persisted, or new_world_time_us).
  int64_t load(int64_t new_world_time_us);

  // Applies every transition due at or before now_us (time never goes back).
  void advance_to(int64_t now_us);
  int64_t now_us() const { return now_us_; }
  // Persists the simulated time alone (the Service calls it now and then, and
  // at shutdown, so a restart continues where this run stopped).
  void persist_clock();

  // ---- queries (world_queries.cc; project-scoped: another project's resources do not exist) ----
  struct ServerQuery {
    std::optional<std::string> name_contains;    // 3.1 server_name: fuzzy = substring
    std::optional<std::string> server_id;        // exact
    std::optional<std::string> network_version;  // "v1" / "v2", any case
    int64_t offset = 0;
    int64_t limit = 100;
  };
  struct ServerPage {
    int64_t count = 0;  // all matches, not the page size
    std::vector<const Server*> servers;
  };
  // Sorted by creation time descending, then insertion sequence descending.
  ServerPage list_servers(std::string_view project, const ServerQuery& q) const;
  const Server* find_server(std::string_view project, std::string_view id) const;
  const Bandwidth* find_bandwidth(std::string_view project, std::string_view id) const;
  // All bandwidths of the project, newest first.
  std::vector<const Bandwidth*> list_bandwidths(std::string_view project) const;
  const Order* find_order(std::string_view project, std::string_view id) const;

  // ---- mutations ----
  struct Purchase {
    std::string order_id;
    std::string product_id;
    std::vector<std::string> server_ids;
  };
  // r comes from validate_purchase. The late failures are the project's
  // server quota (catalog, CPS.0065) and running out of IP addresses
  // (CPS.0241); on failure nothing changes.
  std::variant<Purchase, ApiError> purchase(std::string_view project, const PurchaseRequest& r);
  // false: no such server.
  bool rename_server(std::string_view project, std::string_view id, const std::string& name);

  enum class PayResult { ok, not_found, not_pending_payment };
  PayResult pay(std::string_view project, std::string_view order_id);

  struct UnsubscribeResult {
    std::optional<std::string> order_id;  // set on success
    std::string rejected_id;              // otherwise: the first unknown or already unsubscribed id
    bool already_unsubscribed = false;
  };
  UnsubscribeResult unsubscribe(std::string_view project, const std::vector<std::string>& server_ids);

  // ---- jobs (jobs.cc; cph-api.md 1.9(a), 6.1, 6.2) ----
  struct JobSpec {
    std::string server_id;
    std::string phone_id;
    std::string operation;  // Durations::job_operation_s key
    std::string argument;
    // A job that is already finished when created (7.5 synchronous shell):
    // final_status 2 or -1 with these strings; no duration, no failure draw.
    std::optional<int> final_status;
    std::string error_code, error_msg, execute_msg;
  };
  // One running job per spec, all under request_id; returns their ids in
  // order. Each runs Durations::job_duration_s(operation), then succeeds (and
  // applies its effect) or fails, as decided now from the failure rate.
  std::vector<std::string> start_jobs(std::string_view project, const std::string& request_id,
                                      const std::vector<JobSpec>& specs);
  const Job* find_job(std::string_view project, std::string_view id) const;
  // One draw of the job failure generator (7.5: synchronous jobs).
  bool draw_job_failure();
  // 7.5 rate limit: at most 6 synchronous commands per caller per 60
  // simulated seconds; true (and counted) when this one is admitted.
  bool admit_sync_command(const std::string& caller);
  // The jobs created by one request, in creation order (none: empty).
  std::vector<const Job*> jobs_of_request(std::string_view project, std::string_view request_id) const;
  // A running job of this operation on the server, if any.
  const Job* running_job(std::string_view server_id, std::string_view operation) const;
  // Jobs fail with this probability, drawn from a generator seeded with seed.
  void set_job_failure(double rate, uint64_t seed);
  void set_job_failure_rate(double rate) { job_failure_rate_ = rate; }
  // Fault injection: asked once per purchased server and per change-model
  // order; true makes that server end abnormal (2) / that order cancelled.
  void set_order_failure_draw(std::function<bool()> draw) { order_fails_ = std::move(draw); }

  // ---- server changes (changes.cc; cph-api.md 3.12, 4.2) ----
  // A change-model order (type 3). auto_pay: processing at once, completing
  // after Durations::change_model_s; otherwise pending payment (BSS pay).
  Purchase change_model(std::string_view project, const Server& s, const ServerModel& target,
                        const PhoneModel& phone_model, bool auto_pay);
  // A pending or processing change-model order of the server.
  const Order* pending_change(std::string_view server_id) const;
  void resize_bandwidth(const Bandwidth& b, int size);
  // cph-api.md 7.10/7.11: upsert tags by key / remove tags by key.
  void put_tags(const Server& s, const std::vector<std::pair<std::string, std::string>>& tags);
  void delete_tags(const Server& s, const std::vector<std::string>& keys);
  // All servers of the project, newest first (the 3.1 order).
  std::vector<const Server*> project_servers(std::string_view project) const;

  // ---- phones (phones.cc; cph-api.md 5.0-5.12) ----
  // The server's phone count: its phone model's phone_capacity (catalog).
  int phone_count(const Server& s) const;
  // Phone `index` of the server: derived from it, with its override if any.
  Phone phone_at(const Server& s, int index) const;
  std::optional<Phone> find_phone(std::string_view project, std::string_view id) const;
  struct PhoneQuery {
    std::optional<std::string> name_contains;  // 5.1 phone_name: fuzzy = substring
    std::optional<std::string> server_id;
    std::optional<int> status;
    std::optional<int> type;
    int64_t offset = 0;
    int64_t limit = 200;
  };
  struct PhonePage {
    int64_t count = 0;
    std::vector<Phone> phones;
  };
  // Newest server first, and within a server the highest index first (the
  // 3.1 order applied to phones).
  PhonePage list_phones(std::string_view project, const PhoneQuery& q) const;
  // Persists the phone's state (an override of the derived phone).
  void put_phone(const Phone& p);
  // The name is used by another phone of the same server (CPS.0026).
  bool phone_name_taken(const Phone& p, std::string_view name) const;

  // ---- encode servers (phones.cc; cph-api.md 6.4, 6.5) ----
  // Each server has one encode server (a container) derived from it.
  struct EncodeServer {
    std::string id;
    std::string name;
    std::string ip;
    const Server* server = nullptr;
    int status = 0;  // A-22, the query mapping: 0 creating, 1 running, 2 abnormal, 3 restarting
  };
  EncodeServer encode_server_of(const Server& s) const;
  std::optional<EncodeServer> find_encode_server(std::string_view project, std::string_view id) const;

  // Every server of every project (admin views).
  const std::unordered_map<std::string, Server>& all_servers() const { return servers_; }

  // ---- KPS key pairs (keypairs.cc) ----
  const KeyPair* find_keypair(std::string_view project, std::string_view name) const;
  std::vector<const KeyPair*> list_keypairs(std::string_view project) const;
  const KeyPair& create_keypair(std::string_view project, const std::string& name, const std::string& public_key);
  bool delete_keypair(std::string_view project, std::string_view name);
  // Whether load() found no persisted world (a new data file).
  bool is_new() const { return is_new_; }

 private:
  struct Event {
    int64_t due_us;
    uint64_t order;  // FIFO among equal due times
    enum Kind { server_step, release, job_done, change_done } kind;
    std::string id;  // server id, unsubscribe/change order id or job id
    int step = 0;    // server_step: index into kWalk
    bool operator>(const Event& o) const { return due_us != o.due_us ? due_us > o.due_us : order > o.order; }
  };
  struct Changes {
    std::set<std::string> servers, bandwidths, orders, erased_servers, erased_bandwidths;
    std::set<std::string> jobs, keypairs, erased_keypairs, phones, erased_phones;
    bool empty() const {
      return servers.empty() && bandwidths.empty() && orders.empty() && erased_servers.empty() &&
             erased_bandwidths.empty() && jobs.empty() && keypairs.empty() && erased_keypairs.empty() &&
             phones.empty() && erased_phones.empty();
    }
  };
  struct IndexKey {
    int64_t create_us;
    int64_t seq;
    const Server* server;
    bool operator<(const IndexKey& o) const {  // newest first
      return create_us != o.create_us ? create_us > o.create_us : seq > o.seq;
    }
  };

  void schedule(int64_t due_us, Event::Kind kind, std::string id, int step = 0);
  void schedule_next_step(const Server& s);
  void apply(const Event& e, Changes& ch);
  void release_server(const std::string& id, Changes& ch);
  void finish_job(const Event& e, Changes& ch);          // jobs.cc
  void apply_server_job(Job& j, Server& s, int64_t t, Changes& ch);   // jobs.cc
  void begin_phone_job(const Job& j, Changes& ch);                    // phones.cc
  void finish_phone_job(Job& j, bool failed, int64_t t, Changes& ch);  // phones.cc
  void drop_phones(const Server& s, Changes& ch);                     // phones.cc: its overrides
  void index_phones(const Server& s);                                 // phones.cc
  void unindex_phones(const Server& s);                               // phones.cc
  void start_change(Order& o, Changes& ch);               // changes.cc
  void finish_change(const Event& e, Changes& ch);        // changes.cc
  static std::string keypair_key(std::string_view project, std::string_view name);
  void settle_purchase(Order& o, Changes& ch);
  // The pieces of purchase() (world.cc).
  std::optional<std::vector<std::vector<Address>>> reserve_addresses(const PurchaseRequest& r);
  Order purchase_order(const std::string& project, const PurchaseRequest& r);
  std::string purchase_bandwidth(const std::string& project, const PurchaseRequest& r, int share_type,
                                 const std::string& owner, Changes& ch);
  Server purchased_server(const std::string& project, const PurchaseRequest& r, int i, const Order& order,
                          std::vector<Address> addresses, const std::string& shared_bandwidth, Changes& ch);
  void flush(const Changes& ch);
  void index_server(const Server& s);
  std::string unique_order_id();
  int64_t step_us() const;

  Store& store_;
  const Catalog& catalog_;
  Durations durations_;
  int64_t now_us_ = 0;
  int64_t next_seq_ = 1;
  uint64_t event_order_ = 0;

  std::unordered_map<std::string, Server> servers_;
  std::unordered_map<std::string, std::set<IndexKey>> server_index_;  // project -> servers, newest first
  std::unordered_map<std::string, Bandwidth> bandwidths_;
  std::unordered_map<std::string, Order> orders_;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  std::unordered_map<std::string, Job> jobs_;
  std::unordered_map<std::string, std::vector<std::string>> jobs_by_request_;  // request id -> job ids
  std::map<std::string, KeyPair> keypairs_;  // keypair_key -> key pair
  std::unordered_map<std::string, Phone> phones_;  // phone id -> override (changed phones only)
  std::unordered_map<std::string, std::string> phone_servers_;   // phone id prefix -> server id
  std::unordered_map<std::string, std::string> encode_servers_;  // encode server id -> server id
  std::set<std::string> encode_restarting_;
  std::map<std::string, std::vector<int64_t>> sync_commands_;  // caller -> admission times (not persisted)  // encode servers with a running restart job
  double job_failure_rate_ = 0;
  std::mt19937_64 job_rng_{1};
  bool is_new_ = false;
  std::function<bool()> order_fails_;

  AddressPool addresses_;
};

}  // namespace cph::emulator

// The fleet resource operations (server_updates, keypair, bandwidth, share)
// against the in-process emulator (simulated time 1000x faster). A recording
// journal snapshots the emulator's statistics at each intent, which proves
// the intent was committed before the request was sent; its answered() shows
// the ids recorded.
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "resources/cph/emulator_fixture.h"
#include "resources/cph/bandwidth.h"
#include "resources/cph/keypair.h"
#include "resources/polling.h"
#include "resources/cph/server_updates.h"
#include "resources/cph/share.h"

using namespace cph;
using namespace cph::resources;
using namespace cph::cloud::testing;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

struct Entry {
  std::string address;
  std::string operation;
  std::string body;
  Json idempotency;
  json stats_at_intent;  // the emulator's /_emulator/stats when intent() was called
  Json response;
  bool answered = false;
};

class RecordingJournal : public OperationJournal {
 public:
  explicit RecordingJournal(EmulatorFixture& f) : f_(f) {}
  std::vector<Entry> entries;

  int64_t intent(const std::string& address, const std::string& operation, const std::string& request_body,
                 const Json& idempotency) override {
    entries.push_back({address, operation, request_body, idempotency, f_.admin("GET", "/_emulator/stats"), {}, false});
    return static_cast<int64_t>(entries.size()) - 1;
  }
  void answered(int64_t entry, const Json& response) override {
    Entry& e = entries.at(static_cast<size_t>(entry));
    REQUIRE_FALSE(e.answered);
    e.response = response;
    e.answered = true;
  }

 private:
  EmulatorFixture& f_;
};

int64_t count_of(const json& stats, const std::string& op) {
  const json& ops = stats.at("operations");
  return ops.contains(op) ? ops.at(op).at("count").get<int64_t>() : 0;
}

// The entry's request had not been sent when it was journaled, and was sent
// once after: `sent_before` requests of `op` preceded this one.
void check_journaled_first(EmulatorFixture& f, const Entry& e, const std::string& op, int64_t sent_before,
                           int64_t sent_after) {
  INFO(e.operation << " " << e.address);
  CHECK(count_of(e.stats_at_intent, op) == sent_before);
  CHECK(f.served(op) >= sent_after);
  CHECK(e.answered);
}

PollPolicy fast_poll() {
  PollPolicy p;
  p.initial = 5ms;
  p.max = 50ms;
  p.timeout = 60s;
  return p;
}

cloud::JobPollOptions fast_jobs() {
  cloud::JobPollOptions o;
  o.initial = 5ms;
  o.max = 50ms;
  return o;
}

std::vector<ServerRef> refs(const std::vector<std::string>& ids) {
  std::vector<ServerRef> out;
  for (size_t i = 0; i < ids.size(); ++i) out.push_back({"server.web[" + std::to_string(i) + "]", ids[i]});
  return out;
}

const std::string kOpenAccess = "PUT /v1/{project_id}/cloud-phone/servers/open-access";

}  // namespace

TEST_CASE("change_server_model: journaled order, waits for the new model", "[resources][ops]") {
  EmulatorFixture f(1000);
  const std::vector<std::string> ids = f.buy_servers(1);
  RecordingJournal journal(f);
  f.run(change_server_model(f.client(), journal, "server.big", ids[0], "physical.rx1.xlarge.special",
                            "rx1.cp.sp.c105.d8.e5v5", fast_poll()));
  REQUIRE(journal.entries.size() == 1);
  const Entry& e = journal.entries[0];
  CHECK(e.operation == "change_server_model");
  CHECK(e.address == "server.big");
  CHECK(e.idempotency.at("server_model") == "physical.rx1.xlarge.special");
  check_journaled_first(f, e, "POST /v1/{project_id}/cloud-phone/servers/change-server-model", 0, 1);
  const std::string order_id = e.response.at("order_id").get<std::string>();
  CHECK_FALSE(order_id.empty());
  CHECK_FALSE(e.response.at("request_id").get<std::string>().empty());
  CHECK(f.run(f.client().show_order(order_id)).status == 5);
  CHECK(f.run(f.client().show_server(ids[0])).server_model_name == "physical.rx1.xlarge.special");
}

TEST_CASE("switch_server: journaled, waits for the job, keeps the key pair", "[resources][ops]") {
  EmulatorFixture f(1000);
  const std::vector<std::string> ids = f.buy_servers(1);
  RecordingJournal journal(f);
  cloud::JobPoller poller(f.client(), fast_jobs());
  f.run(switch_server(f.client(), poller, journal, "server.a", ids[0], "20060220200717f201120a2300000e91", ""));
  REQUIRE(journal.entries.size() == 1);
  const Entry& e = journal.entries[0];
  CHECK(e.operation == "switch");
  check_journaled_first(f, e, "POST /v2/{project_id}/cloud-phone/servers/{server_id}/change", 0, 1);
  const std::string job_id = e.response.at("job_id").get<std::string>();
  CHECK(f.run(f.client().show_job(job_id)).succeeded());
  CHECK_FALSE(e.response.at("request_id").get<std::string>().empty());
  const cloud::Server after = f.run(f.client().show_server(ids[0]));
  CHECK(after.keypair_name == "keypair");
  CHECK(after.phone_model_name == "rx1.cp.c105.d6.e5v5");

  // No image: refused before anything is journaled or sent.
  CHECK_THROWS_AS(f.run(switch_server(f.client(), poller, journal, "server.a", ids[0], "", "")),
                  std::invalid_argument);
  CHECK(journal.entries.size() == 1);

  // A failed job is an error naming its code.
  f.set_faults(json{{"job_failure_rate", 1.0}});
  try {
    f.run(switch_server(f.client(), poller, journal, "server.a", ids[0], "20060220200717f201120a2300000e91", ""));
    FAIL("expected the switch to fail");
  } catch (const std::runtime_error& err) {
    CHECK(std::string(err.what()).find("CPS.0260") != std::string::npos);
  }
  CHECK(journal.entries.size() == 2);
  CHECK(journal.entries[1].answered);
}

TEST_CASE("change_keypair: per-item outcomes, split beyond 100 servers", "[resources][ops]") {
  EmulatorFixture f(1000);
  const std::vector<std::string> ids = f.buy_servers(2);
  std::vector<ServerRef> servers = refs(ids);
  // Unknown servers are item-level refusals (CPS.0015): 150 servers, 2 calls.
  for (int i = 0; i < 148; ++i) {
    char id[33];
    std::snprintf(id, sizeof id, "%032d", i);
    servers.push_back({"server.ghost[" + std::to_string(i) + "]", id});
  }
  RecordingJournal journal(f);
  cloud::JobPoller poller(f.client(), fast_jobs());
  std::vector<ItemOutcome> out = f.run(change_keypair(f.client(), poller, journal, servers, "mykeypair"));
  REQUIRE(out.size() == 150);
  CHECK(out[0].error.empty());
  CHECK(out[1].error.empty());
  CHECK(out[0].address == "server.web[0]");
  CHECK(out[149].server_id == servers[149].server_id);
  CHECK(out[2].error.rfind("CPS.0015 ", 0) == 0);
  CHECK(out[149].error.rfind("CPS.0015 ", 0) == 0);
  CHECK(f.run(f.client().show_server(ids[1])).keypair_name == "mykeypair");

  REQUIRE(journal.entries.size() == 2);
  CHECK(journal.entries[0].operation == "change_keypair");
  CHECK(journal.entries[0].address == "server.web[0]..server.ghost[147]");
  CHECK(journal.entries[0].idempotency.at("servers").size() == 100);
  CHECK(journal.entries[1].idempotency.at("servers").size() == 50);
  check_journaled_first(f, journal.entries[0], kOpenAccess, 0, 2);
  check_journaled_first(f, journal.entries[1], kOpenAccess, 1, 2);
  const Json& jobs = journal.entries[0].response.at("jobs");
  REQUIRE(jobs.size() == 100);
  CHECK(jobs[0].contains("job_id"));
  CHECK(jobs[2].at("error_code") == "CPS.0015");
  CHECK_FALSE(journal.entries[1].response.at("request_id").get<std::string>().empty());

  // A failed job gives its code and message.
  f.set_faults(json{{"job_failure_rate", 1.0}});
  std::vector<ServerRef> one = refs(ids);
  one.resize(1);
  out = f.run(change_keypair(f.client(), poller, journal, one, "keypair"));
  REQUIRE(out.size() == 1);
  CHECK(out[0].error == "CPS.0260 Sub job execute failed.");
}

TEST_CASE("update_server_tags: one call per direction, none when unchanged", "[resources][ops]") {
  EmulatorFixture f(1000);
  const std::vector<std::string> ids = f.buy_servers(1);
  RecordingJournal journal(f);
  const std::string op = "POST /v1/{project_id}/{resource_type}/{resource_id}/tags/action";
  Json before = Json::object();
  Json first = {{"a", "1"}, {"b", "2"}, {"c", "3"}};
  f.run(update_server_tags(f.client(), journal, "server.t", ids[0], before, first));
  REQUIRE(journal.entries.size() == 1);
  CHECK(journal.entries[0].operation == "create_tags");
  check_journaled_first(f, journal.entries[0], op, 0, 1);

  Json second = {{"a", "1"}, {"b", "20"}, {"d", "4"}};
  f.run(update_server_tags(f.client(), journal, "server.t", ids[0], first, second));
  REQUIRE(journal.entries.size() == 3);
  CHECK(journal.entries[1].operation == "delete_tags");
  CHECK(journal.entries[1].idempotency.at("tags") == Json({{"b", "2"}, {"c", "3"}}));
  CHECK(journal.entries[2].operation == "create_tags");
  CHECK(journal.entries[2].idempotency.at("tags") == Json({{"b", "20"}, {"d", "4"}}));
  check_journaled_first(f, journal.entries[1], op, 1, 3);
  check_journaled_first(f, journal.entries[2], op, 2, 3);
  std::vector<cloud::Tag> tags = f.run(f.client().list_server_tags(ids[0]));
  std::map<std::string, std::string> live;
  for (const cloud::Tag& t : tags) live[t.key] = t.value;
  CHECK(live == std::map<std::string, std::string>{{"a", "1"}, {"b", "20"}, {"d", "4"}});

  f.run(update_server_tags(f.client(), journal, "server.t", ids[0], second, second));
  CHECK(journal.entries.size() == 3);
  CHECK(f.served(op) == 3);
}

TEST_CASE("key pairs: create (imported, generated), delete, delete again", "[resources][ops]") {
  EmulatorFixture f(1000);
  RecordingJournal journal(f);
  f.run(create_keypair(f.client(), journal, "keypair.ops", "ops", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAops"));
  f.run(create_keypair(f.client(), journal, "keypair.gen", "gen", ""));
  REQUIRE(journal.entries.size() == 2);
  check_journaled_first(f, journal.entries[0], "POST /v3/{project_id}/keypairs", 0, 2);
  check_journaled_first(f, journal.entries[1], "POST /v3/{project_id}/keypairs", 1, 2);
  CHECK(journal.entries[0].response.at("fingerprint").get<std::string>().rfind("SHA256:", 0) == 0);
  CHECK(journal.entries[1].body.find("public_key") == std::string::npos);
  CHECK(journal.entries[1].response.dump().find("private") == std::string::npos);  // no secret recorded
  std::set<std::string> names;
  for (const cloud::Keypair& k : f.run(f.client().list_keypairs())) names.insert(k.name);
  CHECK(names.count("ops") == 1);
  CHECK(names.count("gen") == 1);

  f.run(delete_keypair(f.client(), journal, "keypair.ops", "ops"));
  REQUIRE(journal.entries.size() == 3);
  check_journaled_first(f, journal.entries[2], "DELETE /v3/{project_id}/keypairs/{keypair_name}", 0, 1);
  CHECK(journal.entries[2].response.at("already_absent") == false);
  f.run(delete_keypair(f.client(), journal, "keypair.ops", "ops"));
  CHECK(journal.entries[3].response.at("already_absent") == true);
}

TEST_CASE("resize_bandwidth: journaled, synchronous", "[resources][ops]") {
  EmulatorFixture f(1000);
  cloud::PurchaseServersRequest shared = example_purchase(1);
  shared.band_width_share_type = 1;
  shared.band_width_charge_mode = 0;
  shared.band_width_size = 100;
  f.run(f.client().purchase_servers(shared));
  std::vector<cloud::BandWidthInfo> all = f.run(f.client().list_all_bandwidths());
  REQUIRE(all.size() == 1);
  RecordingJournal journal(f);
  f.run(resize_bandwidth(f.client(), journal, "bandwidth.shared", all[0].band_width_id, 350));
  REQUIRE(journal.entries.size() == 1);
  check_journaled_first(f, journal.entries[0], "PUT /v1/{project_id}/cloud-phone/bandwidths/{band_width_id}", 0, 1);
  CHECK(journal.entries[0].response.at("band_width_id") == all[0].band_width_id);
  CHECK_FALSE(journal.entries[0].response.at("request_id").get<std::string>().empty());
  CHECK(f.run(f.client().list_all_bandwidths())[0].band_width_size == 350);
}

TEST_CASE("share apps and files: push and delete on many servers", "[resources][ops]") {
  EmulatorFixture f(1000);
  const std::vector<std::string> ids = f.buy_servers(2);
  std::vector<ServerRef> servers = refs(ids);
  RecordingJournal journal(f);
  cloud::JobPoller poller(f.client(), fast_jobs());
  ShareApp app{"com.miniteck.miniworld", "bucket", "my_apps/test.tar", true};
  auto check_all_ok = [](const std::vector<ItemOutcome>& out) {
    REQUIRE(out.size() == 2);
    for (const ItemOutcome& o : out) CHECK(o.error.empty());
  };
  check_all_ok(f.run(push_share_app(f.client(), poller, journal, "share_app.game", app, servers)));
  check_all_ok(f.run(delete_share_app(f.client(), poller, journal, "share_app.game", app.package_name, servers)));
  check_all_ok(f.run(push_share_file(f.client(), poller, journal, "share_file.cfg", "bucket", "cfg/a.tar", servers)));
  std::vector<std::string> paths{"/data/cfg"};
  check_all_ok(f.run(delete_share_file(f.client(), poller, journal, "share_file.cfg", paths, servers)));

  REQUIRE(journal.entries.size() == 4);
  CHECK(journal.entries[0].operation == "push_share_app");
  CHECK(journal.entries[1].operation == "delete_share_app");
  CHECK(journal.entries[2].operation == "push_share_file");
  CHECK(journal.entries[3].operation == "delete_share_file");
  check_journaled_first(f, journal.entries[0], "POST /v1/{project_id}/cloud-phone/phones/share-apps", 0, 1);
  check_journaled_first(f, journal.entries[1], "DELETE /v1/{project_id}/cloud-phone/phones/share-apps", 0, 1);
  check_journaled_first(f, journal.entries[2], "POST /v1/{project_id}/cloud-phone/phones/share-files", 0, 2);
  check_journaled_first(f, journal.entries[3], "POST /v1/{project_id}/cloud-phone/phones/share-files", 1, 2);
  for (const Entry& e : journal.entries) {
    CHECK(e.response.at("jobs").size() == 2);
    CHECK(json::parse(e.body).at("server_ids").size() == 2);
  }
  CHECK(json::parse(journal.entries[0].body).at("pre_install_app") == 1);
  // Jobs already finished are all done once the operation returns.
  CHECK(poller.calls() >= 4);

  // A server that is not normal any more: an item-level refusal, not a throw.
  std::vector<ServerRef> gone = servers;
  gone.push_back({"server.gone", "ffffffffffffffffffffffffffffffff"});
  std::vector<ItemOutcome> out = f.run(push_share_file(f.client(), poller, journal, "share_file.cfg", "bucket",
                                                       "cfg/a.tar", gone));
  REQUIRE(out.size() == 3);
  CHECK(out[2].error.rfind("CPS.0015", 0) == 0);
  CHECK(out[0].error.empty());
}

TEST_CASE("a cancelled change-model order fails naming the order and the server; nothing is read meanwhile",
          "[resources][ops]") {
  EmulatorFixture f(1000);
  const std::vector<std::string> ids = f.buy_servers(1);
  f.set_faults({{"order_failure_rate", 1.0}});  // change-model orders end cancelled (docs/emulator.md)
  RecordingJournal journal(f);
  const int64_t reads_before = f.served("GET /v1/{project_id}/cloud-phone/servers/{server_id}");
  try {
    f.run(change_server_model(f.client(), journal, "server.big", ids[0], "physical.rx1.xlarge.special",
                              "rx1.cp.sp.c105.d8.e5v5", fast_poll()));
    FAIL("the cancelled order was not reported");
  } catch (const std::runtime_error& e) {
    const std::string order_id = journal.entries.at(0).response.at("order_id").get<std::string>();
    CHECK(std::string(e.what()) == "change-model order " + order_id + " of server " + ids[0] +
                                       " was cancelled; the server keeps its model");
  }
  // The server is read only once its order completed, which it never did.
  CHECK(f.served("GET /v1/{project_id}/cloud-phone/servers/{server_id}") == reads_before);
  CHECK(f.run(f.client().show_server(ids[0])).server_model_name == "physical.rx1.xlarge");
}

TEST_CASE("poll intervals grow while nothing changes, but never beyond a tenth of the wait so far",
          "[resources][ops]") {
  PollPolicy p;
  p.initial = 500ms;
  p.max = 10000ms;
  p.factor = 2;
  CHECK(next_poll_interval(500ms, p, false, 1s) == 500ms);      // a tenth of 1 s is below initial
  CHECK(next_poll_interval(500ms, p, false, 30s) == 1000ms);    // grown
  CHECK(next_poll_interval(4000ms, p, false, 30s) == 3000ms);   // a tenth of 30 s
  CHECK(next_poll_interval(8000ms, p, false, 600s) == 10000ms); // max
  CHECK(next_poll_interval(8000ms, p, true, 600s) == 500ms);    // progress starts over
}

// The fleet calls of CphClient (bandwidths, server models, server changes,
// open-access, share files/apps, jobs, tags, KPS key pairs) against the
// in-process emulator over real HTTP: requests as the emulator (written from
// the reference, not from the client) accepts them, and answers parsed.
#include <algorithm>
#include <set>

#include "resources/cph/emulator_fixture.h"

using namespace cph::cloud;
using namespace cph::cloud::testing;
using nlohmann::json;

namespace {

// Waits for one job by advancing the frozen clock, then shows it (6.1).
Job finished_job(EmulatorFixture& f, const std::string& job_id, double seconds) {
  f.advance(seconds);
  Job j = f.run(f.client().show_job(job_id));
  REQUIRE(j.finished());
  return j;
}

}  // namespace

TEST_CASE("bandwidths: list all in pages, resize a shared one", "[cloud][fleet]") {
  EmulatorFixture f;
  // One shared bandwidth bought with a server, plus 3 dedicated ones.
  PurchaseServersRequest shared = example_purchase(1);
  shared.band_width_share_type = 1;
  shared.band_width_charge_mode = 0;
  shared.band_width_size = 100;
  f.run(f.client().purchase_servers(shared));
  f.buy_servers(3);

  std::vector<BandWidthInfo> all = f.run(f.client().list_all_bandwidths());
  REQUIRE(all.size() == 4);
  CHECK(f.served("GET /v1/{project_id}/cloud-phone/bandwidths") == 1);  // a short first page ends it
  auto it = std::find_if(all.begin(), all.end(), [](const BandWidthInfo& b) { return b.band_width_share_type == 1; });
  REQUIRE(it != all.end());
  CHECK(it->band_width_size == 100);
  CHECK(it->band_width_charge_mode == 0);
  CHECK_FALSE(it->band_width_id.empty());
  CHECK_FALSE(it->band_width_name.empty());
  CHECK(it->create_time.size() == 20);

  std::vector<BandWidthInfo> page = f.run(f.client().list_bandwidths(1, 2));
  CHECK(page.size() == 2);

  const std::string rid = f.run(f.client().resize_bandwidth(it->band_width_id, 350));
  CHECK_FALSE(rid.empty());
  all = f.run(f.client().list_all_bandwidths());
  it = std::find_if(all.begin(), all.end(), [](const BandWidthInfo& b) { return b.band_width_share_type == 1; });
  CHECK(it->band_width_size == 350);

  // Off the A-13 steps: the service's own error, not retried (a mutation).
  auto e = run_expecting_cloud_error(f, f.client().resize_bandwidth(it->band_width_id, 333));
  CHECK(e.error_code == "CPS.0036");
  CHECK(f.served("PUT /v1/{project_id}/cloud-phone/bandwidths/{band_width_id}") == 2);
  // A dedicated one cannot be resized (CPS.0160).
  auto dedicated = std::find_if(all.begin(), all.end(), [](const BandWidthInfo& b) { return b.band_width_share_type == 0; });
  e = run_expecting_cloud_error(f, f.client().resize_bandwidth(dedicated->band_width_id, 10));
  CHECK(e.error_code == "CPS.0160");
}

TEST_CASE("server models (3.3)", "[cloud][fleet]") {
  EmulatorFixture f;
  std::vector<ServerModel> models = f.run(f.client().list_server_models(std::nullopt));
  REQUIRE_FALSE(models.empty());
  auto rx1 = std::find_if(models.begin(), models.end(),
                          [](const ServerModel& m) { return m.server_model_name == "physical.rx1.xlarge"; });
  REQUIRE(rx1 != models.end());
  CHECK(rx1->cpu > 0);
  CHECK(rx1->memory > 0);
  CHECK_FALSE(rx1->bms_flavor.empty());  // extend_spec read as an object
  std::vector<ServerModel> games = f.run(f.client().list_server_models(1));
  for (const ServerModel& m : games) CHECK(m.product_type == 1);
  CHECK(games.size() < models.size());
}

TEST_CASE("batch restart, change (switch) and change model", "[cloud][fleet]") {
  EmulatorFixture f;
  const std::vector<std::string> ids = f.buy_servers(2);
  std::vector<std::string> targets = ids;
  targets.push_back("00000000000000000000000000000000");  // unknown: an item-level error
  JobsResult restart = f.run(f.client().restart_servers(targets));
  CHECK_FALSE(restart.request_id.empty());
  REQUIRE(restart.jobs.size() == 3);
  CHECK(restart.job_ids().size() == 2);
  auto refused = std::find_if(restart.jobs.begin(), restart.jobs.end(),
                              [](const ServerJobItem& i) { return i.job_id.empty(); });
  REQUIRE(refused != restart.jobs.end());
  CHECK(refused->server_id == "00000000000000000000000000000000");
  CHECK(refused->error_code == "CPS.0015");
  CHECK_FALSE(refused->error_msg.empty());
  Job running = f.run(f.client().show_job(restart.job_ids()[0]));
  CHECK(running.status == 1);
  CHECK(running.end_time.empty());
  f.advance(61);

  // 3.6: one job; afterwards the detail shows the new key pair.
  ChangeServerRequest change;
  change.phone_model_name = "rx1.cp.c105.d6.e5v5";
  change.image_id = "20060220200717f201120a2300000e91";
  change.keypair_name = "mykeypair";
  change.tenant_vpc_id = "fca063f6-b942-42a8-9004-e5545f58d6a2";
  change.subnet_id = "f1cbfc37-eb42-4357-a0ec-9e4f11950908";
  change.eip_type = "5_bgp";
  change.band_width_size = 300;
  ChangeServerResult switched = f.run(f.client().change_server(ids[0], change));
  CHECK(switched.server_id == ids[0]);
  CHECK_FALSE(switched.job_id.empty());
  CHECK_FALSE(switched.request_id.empty());
  Job done = finished_job(f, switched.job_id, 301);
  CHECK(done.succeeded());
  CHECK(f.run(f.client().show_server(ids[0])).keypair_name == "mykeypair");

  // 3.12: an order; the detail shows the new model once it completed.
  ChangeServerModelRequest model{ids[1], "physical.rx1.xlarge.special", "rx1.cp.sp.c105.d8.e5v5", true};
  ChangeServerModelResult order = f.run(f.client().change_server_model(model));
  CHECK_FALSE(order.order_id.empty());
  CHECK_FALSE(order.product_id.empty());
  f.advance(121);
  CHECK(f.run(f.client().show_order(order.order_id)).status == 5);
  CHECK(f.run(f.client().show_server(ids[1])).server_model_name == "physical.rx1.xlarge.special");
}

TEST_CASE("open-access changes key pairs with per-item results", "[cloud][fleet]") {
  EmulatorFixture f;
  const std::vector<std::string> ids = f.buy_servers(2);
  std::vector<ServerKeypair> servers{{ids[0], "mykeypair"}, {ids[1], "mykeypair"}, {"abc", "mykeypair"}};
  JobsResult r = f.run(f.client().change_keypairs(servers));
  REQUIRE(r.jobs.size() == 3);
  CHECK(r.job_ids().size() == 2);
  f.advance(11);
  std::vector<std::string> request{r.request_id};
  std::vector<Job> jobs = f.run(f.client().list_all_jobs(request));
  REQUIRE(jobs.size() == 2);
  for (const Job& j : jobs) {
    CHECK(j.succeeded());
    CHECK(std::count(ids.begin(), ids.end(), j.server_id) == 1);
  }
  CHECK(f.run(f.client().show_server(ids[1])).keypair_name == "mykeypair");
  // An unknown key pair is a request-level error.
  std::vector<ServerKeypair> bad{{ids[0], "no-such-pair"}};
  CHECK(run_expecting_cloud_error(f, f.client().change_keypairs(bad)).error_code == "CPS.0067");
}

TEST_CASE("share files and apps: push, query, delete (DELETE with a body)", "[cloud][fleet]") {
  EmulatorFixture f;
  const std::vector<std::string> ids = f.buy_servers(2);
  JobsResult push = f.run(f.client().push_share_files("bucket", "my_apps/test.tar", ids));
  CHECK(push.job_ids().size() == 2);
  JobsResult query = f.run(f.client().query_share_files("/data/data", ids));
  REQUIRE(query.job_ids().size() == 2);
  Job listing = finished_job(f, query.job_ids()[0], 11);
  CHECK(json::parse(listing.execute_msg).at("path") == "/data/data");
  std::vector<std::string> paths{"/data/app", "/data/data/test.apk"};
  JobsResult del = f.run(f.client().delete_share_files(paths, ids));
  CHECK(del.job_ids().size() == 2);

  PushShareAppRequest app{"com.miniteck.miniworld", "bucket", "my_apps/test.tar", true};
  JobsResult push_app = f.run(f.client().push_share_apps(app, ids));
  CHECK(push_app.job_ids().size() == 2);
  JobsResult del_app = f.run(f.client().delete_share_apps("com.miniteck.miniworld", ids));
  CHECK(del_app.job_ids().size() == 2);
  CHECK(f.served("DELETE /v1/{project_id}/cloud-phone/phones/share-apps") == 1);
  CHECK(f.served("POST /v1/{project_id}/cloud-phone/phones/share-files") == 2);
  // A package name the service refuses (3.11 rule): request-level.
  CHECK(run_expecting_cloud_error(f, f.client().delete_share_apps("nodot", ids)).error_code == "CPS.0173");
}

TEST_CASE("jobs of many requests: request_ids, paging, limits", "[cloud][fleet]") {
  EmulatorFixture f;
  const std::vector<std::string> ids = f.buy_servers(1);
  std::vector<std::string> requests;
  std::set<std::string> job_ids;
  for (int i = 0; i < 3; ++i) {
    JobsResult r = f.run(f.client().push_share_files("bucket", "a.tar", ids));
    requests.push_back(r.request_id);
    const std::vector<std::string> ids_of_request = r.job_ids();
    job_ids.insert(ids_of_request.begin(), ids_of_request.end());
  }
  std::vector<Job> jobs = f.run(f.client().list_all_jobs(requests));
  REQUIRE(jobs.size() == 3);
  for (const Job& j : jobs) CHECK(job_ids.count(j.job_id) == 1);
  CHECK(f.served("GET /v1/{project_id}/cloud-phone/jobs") == 1);
  CHECK(f.run(f.client().list_jobs(requests, 1, 1)).size() == 1);
  std::vector<std::string> too_many(21, requests[0]);
  CHECK_THROWS_AS(f.run(f.client().list_jobs(too_many, 0, 100)), std::invalid_argument);
  std::vector<std::string> unknown{"ffffffffffffffffffffffffffffffff"};
  CHECK(run_expecting_cloud_error(f, f.client().list_all_jobs(unknown)).error_code == "CPS.0050");
}

TEST_CASE("tags: one server, batch create/delete, every server in pages", "[cloud][fleet]") {
  EmulatorFixture f;
  const std::vector<std::string> ids = f.buy_servers(3);
  std::vector<Tag> tags{{"env", "prod"}, {"team", "a"}};
  f.run(f.client().create_server_tags(ids[0], tags));
  std::vector<Tag> got = f.run(f.client().list_server_tags(ids[0]));
  REQUIRE(got.size() == 2);
  CHECK(got[0].key == "env");
  CHECK(got[0].value == "prod");
  std::vector<Tag> gone{{"team", "a"}};
  f.run(f.client().delete_server_tags(ids[0], gone));
  CHECK(f.run(f.client().list_server_tags(ids[0])).size() == 1);
  CHECK(f.served("POST /v1/{project_id}/{resource_type}/{resource_id}/tags/action") == 2);

  std::vector<TaggedResource> all = f.run(f.client().list_all_server_tags());
  REQUIRE(all.size() == 3);  // servers without tags too
  CHECK(f.served("POST /v1/{project_id}/{resource_type}/resource_instances/action") == 1);
  auto tagged = std::find_if(all.begin(), all.end(), [&](const TaggedResource& r) { return r.resource_id == ids[0]; });
  REQUIRE(tagged != all.end());
  REQUIRE(tagged->tags.size() == 1);
  CHECK(tagged->tags[0].key == "env");
  CHECK_FALSE(tagged->resource_name.empty());
  ResourceInstanceQuery q{1, 1};
  TaggedResourcePage page = f.run(f.client().list_tagged_servers(q));
  CHECK(page.total_count == 3);
  CHECK(page.resources.size() == 1);
  std::vector<Tag> reserved{{"_sys_x", "y"}};
  CHECK(run_expecting_cloud_error(f, f.client().create_server_tags(ids[0], reserved)).error_code == "CPS.0306");
}

TEST_CASE("KPS key pairs: create (given or generated), list, delete", "[cloud][fleet]") {
  EmulatorFixture f;
  Keypair given = f.run(f.client().create_keypair("mine", std::string("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAtest")));
  CHECK(given.name == "mine");
  CHECK(given.fingerprint.rfind("SHA256:", 0) == 0);
  CHECK(given.private_key.empty());
  Keypair generated = f.run(f.client().create_keypair("gen", std::nullopt));
  CHECK_FALSE(generated.private_key.empty());
  CHECK_FALSE(generated.public_key.empty());
  std::vector<Keypair> all = f.run(f.client().list_keypairs());
  std::set<std::string> names;
  for (const Keypair& k : all) {
    names.insert(k.name);
    CHECK(k.private_key.empty());
  }
  CHECK(names.count("mine") == 1);
  CHECK(names.count("gen") == 1);
  f.run(f.client().delete_keypair("mine"));
  CHECK(f.run(f.client().list_keypairs()).size() == all.size() - 1);
  auto e = run_expecting_cloud_error(f, f.client().delete_keypair("mine"));
  CHECK(e.http_status == 404);
  CHECK(e.error_code == "KPS.0404");
  CHECK(run_expecting_cloud_error(f, f.client().create_keypair("gen", std::nullopt)).error_code == "KPS.0409");
}

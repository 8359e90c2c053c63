// Issue 17, items 2-4 end to end: the real cphform binary against `cphform
// emulator serve`, finding its credentials through each source of the chain
// (environment in both spellings, profile file named or default, the ECS
// metadata service), signing the security token of temporary keys, renewing
// metadata keys that expire during an apply, and finding the project of a
// region through IAM once, then remembering it in the state.
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "tests/e2e/harness.h"

using namespace cph::e2e;
namespace fs = std::filesystem;

namespace {

// A manifest against the emulator with one server block; `provider` holds
// the [provider] lines besides the endpoint.
std::string manifest(const EmulatorProcess& emu, const std::string& provider) {
  return "[provider]\nendpoint = \"" + emu.url() + "\"\n" + provider + "\n" + server_block("web", "web", 1);
}

// The emulator's temporary keys, fetched as an ECS instance would.
nlohmann::json security_key(const EmulatorProcess& emu) { return emu.admin("/openstack/latest/securitykey")["credential"]; }

// Every 401 the emulator answered, over all operations.
int64_t refusals(const EmulatorProcess& emu) {
  int64_t n = 0;
  const nlohmann::json stats = emu.stats();  // items() only views it
  for (const auto& [op, s] : stats.items())
    if (s.at("by_status").contains("401")) n += s.at("by_status").at("401").get<int64_t>();
  return n;
}

}  // namespace

TEST_CASE("credentials from each source of the chain work end to end", "[e2e][credentials]") {
  EmulatorProcess emu;
  const cph::cloud::Credentials& c = emu.credentials();
  TempDir home;
  fs::create_directories(home.path() / ".huaweicloud");
  home.write(".huaweicloud/credentials", "[basic]\nak = " + c.access_key + "\nsk = " + c.secret_key + "\n");
  TempDir files;
  files.write("profile.ini", "# CI profile\n[other]\nak = NOTTHIS\n\n[basic]\nAK = " + c.access_key +
                                 "\nsk=" + c.secret_key + "\nproject_id = " + c.project_id + "\n");
  const std::string profile = (files.path() / "profile.ini").string();

  struct Source {
    const char* name;
    std::map<std::string, std::string> env;
    std::string shown;  // the source as the plan names it
  };
  const std::vector<Source> sources = {
      {"SDK environment",
       {{"HUAWEICLOUD_SDK_AK", c.access_key}, {"HUAWEICLOUD_SDK_SK", c.secret_key}, {"HUAWEICLOUD_SDK_PROJECT_ID", c.project_id}},
       "environment (HUAWEICLOUD_SDK_AK)"},
      {"Terraform environment",
       {{"HW_ACCESS_KEY", c.access_key}, {"HW_SECRET_KEY", c.secret_key}, {"HW_PROJECT_ID", c.project_id}},
       "environment (HW_ACCESS_KEY)"},
      {"named profile", {{"HUAWEICLOUD_SDK_CREDENTIALS_FILE", profile}}, "profile " + profile},
      // Neither the default profile nor the metadata keys name a project: the region's is found through IAM.
      {"default profile", {{"HOME", home.path().string()}},
       "profile " + (home.path() / ".huaweicloud/credentials").string()},
      {"metadata service", {{"CPHFORM_METADATA_URL", emu.url()}}, "ECS metadata service " + emu.url()},
      // Earlier sources win over later ones.
      {"environment before profile and metadata",
       {{"HW_ACCESS_KEY", c.access_key}, {"HW_SECRET_KEY", c.secret_key}, {"HUAWEICLOUD_SDK_CREDENTIALS_FILE", profile},
        {"CPHFORM_METADATA_URL", emu.url()}},
       "environment (HW_ACCESS_KEY)"},
      {"profile before metadata", {{"HUAWEICLOUD_SDK_CREDENTIALS_FILE", profile}, {"CPHFORM_METADATA_URL", emu.url()}},
       "profile " + profile},
  };
  for (const Source& s : sources) {
    INFO(s.name);
    TempDir dir;
    dir.write("main.toml", manifest(emu, "region = \"cn-east-3\""));
    RunResult plan = run_cphform({"plan"}, dir.path(), nullptr, "", s.env);
    REQUIRE_RUN(plan, 0);
    CHECK(plan.out.find("(credentials: " + s.shown + ")") != std::string::npos);
    CHECK(plan.out.find("1 to add") != std::string::npos);
  }
  CHECK(refusals(emu) == 0);
  CHECK(emu.calls("GET /openstack/latest/securitykey") == 1);  // the metadata row only
  // The rows without a project id: the default profile, the metadata keys
  // and the environment row that sets no HW_PROJECT_ID (each in a new
  // directory, so no state remembers a project yet).
  CHECK(emu.calls("GET /v3/projects") == 3);
}

TEST_CASE("no credentials, or half a key pair: a clear error and nothing sent", "[e2e][credentials]") {
  EmulatorProcess emu;
  const cph::cloud::Credentials& c = emu.credentials();
  TempDir dir;
  dir.write("main.toml", manifest(emu, "project_id = \"" + c.project_id + "\""));
  RunResult none = run_cphform({"plan"}, dir.path(), nullptr);
  REQUIRE_RUN(none, 1);
  CHECK(none.err.find("HUAWEICLOUD_SDK_AK") != std::string::npos);
  CHECK(none.err.find("no profile at") != std::string::npos);
  CHECK(none.err.find("metadata service at http://127.0.0.1:1") != std::string::npos);
  // Half a pair stops the chain rather than falling through to the metadata service.
  RunResult half = run_cphform({"plan"}, dir.path(), nullptr, "",
                               {{"HUAWEICLOUD_SDK_AK", c.access_key}, {"CPHFORM_METADATA_URL", emu.url()}});
  REQUIRE_RUN(half, 1);
  CHECK(half.err.find("HUAWEICLOUD_SDK_SK is not set but HUAWEICLOUD_SDK_AK is") != std::string::npos);
  CHECK(emu.total_calls() == 0);
}

TEST_CASE("a security token from the environment is sent, signed, and checked", "[e2e][credentials]") {
  EmulatorProcess emu;
  const nlohmann::json key = security_key(emu);
  TempDir dir;
  dir.write("main.toml", manifest(emu, "project_id = \"" + emu.credentials().project_id + "\""));
  std::map<std::string, std::string> env = {{"HUAWEICLOUD_SDK_AK", key["access"]},
                                            {"HUAWEICLOUD_SDK_SK", key["secret"]},
                                            {"HUAWEICLOUD_SDK_SECURITY_TOKEN", key["securitytoken"]}};
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), nullptr, "", env), 0);
  CHECK(emu.servers().size() == 1);
  CHECK(refusals(emu) == 0);
  // Neither the secret key nor the token reaches a file cphform wrote.
  for (const char* field : {"secret", "securitytoken"}) {
    INFO(field);
    CHECK(files_holding(dir.path(), key[field]).empty());
  }
  // The emulator refuses temporary keys without their token: it was sent.
  env["HUAWEICLOUD_SDK_SECURITY_TOKEN"] = "";
  RunResult without = run_cphform({"plan"}, dir.path(), nullptr, "", env);
  CHECK(without.out.find(key["secret"].get<std::string>()) == std::string::npos);
  REQUIRE_RUN(without, 1);
  CHECK(without.err.find("no X-Security-Token") != std::string::npos);
}

TEST_CASE("metadata keys that expire during an apply are renewed and the apply finishes", "[e2e][credentials]") {
  // Keys live 4 s; the purchase takes about 10 s of wall time (300 simulated s at 30x).
  EmulatorProcess emu(30.0, {"--metadata-key-lifetime", "4"});
  const std::string& project = emu.credentials().project_id;
  TempDir dir;
  dir.write("main.toml", manifest(emu, "project_id = \"" + project + "\""));
  RunResult apply = run_cphform({"apply", "-auto-approve"}, dir.path(), nullptr, "", {{"CPHFORM_METADATA_URL", emu.url()}});
  REQUIRE_RUN(apply, 0);
  CHECK(emu.servers().size() == 1);
  CHECK(emu.calls("GET /openstack/latest/securitykey") >= 3);  // the first keys and at least two renewals
  CHECK(refusals(emu) == 0);  // never signed with expired keys
}

TEST_CASE("a region's project is found through IAM once, then remembered in the state", "[e2e][credentials][project]") {
  EmulatorProcess emu;
  const cph::cloud::Credentials& c = emu.credentials();
  const std::map<std::string, std::string> keys = {{"HW_ACCESS_KEY", c.access_key}, {"HW_SECRET_KEY", c.secret_key}};
  TempDir dir;
  dir.write("main.toml", manifest(emu, "region = \"cn-east-3\""));
  REQUIRE_RUN(run_cphform({"apply", "-auto-approve"}, dir.path(), nullptr, "", keys), 0);
  CHECK(emu.calls("GET /v3/projects") == 1);
  CHECK(emu.servers().size() == 1);  // in the project IAM named
  REQUIRE_RUN(run_cphform({"plan"}, dir.path(), nullptr, "", keys), 0);
  CHECK(emu.calls("GET /v3/projects") == 1);  // the second run asked nothing

  // Another region is asked again (and has no project here: a clear error).
  TempDir moved;
  fs::copy(dir.path() / ".cphform", moved.path() / ".cphform", fs::copy_options::recursive);
  moved.write("main.toml", manifest(emu, "region = \"eu-west-0\""));
  RunResult other = run_cphform({"plan"}, moved.path(), nullptr, "", keys);
  REQUIRE_RUN(other, 1);
  CHECK(other.err.find("IAM lists no project named eu-west-0") != std::string::npos);
  CHECK(emu.calls("GET /v3/projects") == 2);
}

TEST_CASE("KPS calls go to the kps endpoint, which [provider] endpoints can move", "[e2e][endpoints]") {
  EmulatorProcess emu;
  TempDir dir;
  const std::string keypair = "[keypair.adb]\nname = \"e2e-adb\"\npublic_key = \"ssh-ed25519 "
                              "AAAAC3NzaC1lZDI1NTE5AAAAIBl2fleetexamplekeyonlyforemulator e2e@example\"\n";
  // Everything at the emulator but KPS, at a port where nothing listens.
  dir.write("main.toml", manifest(emu, "region = \"cn-east-3\"\nendpoints = { kps = \"http://127.0.0.1:1\" }") + keypair);
  RunResult moved = run_cphform({"plan"}, dir.path(), &emu);
  REQUIRE_RUN(moved, 1);
  CHECK(moved.err.find("127.0.0.1:1") != std::string::npos);
  CHECK(emu.calls("GET /v3/{project_id}/keypairs") == 0);
  // Back at the emulator, the same plan reads the key pairs there.
  dir.write("main.toml", manifest(emu, "region = \"cn-east-3\"\nendpoints = { kps = \"" + emu.url() + "\" }") + keypair);
  REQUIRE_RUN(run_cphform({"plan"}, dir.path(), &emu), 0);
  CHECK(emu.calls("GET /v3/{project_id}/keypairs") == 1);
}

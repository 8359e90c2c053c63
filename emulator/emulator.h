// The CPH emulator: a local HTTP service that behaves as ../shared/cph-api.md
// documents (plus the BSS order calls the engine needs), persisting its world
// in a SQLite file. Stands alone: it depends on common/ only, and is written
// from the reference, not from the client, so a client bug is not mirrored.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "emulator/faults.h"

namespace cph::emulator {

struct Credential {
  std::string access_key;
  std::string secret_key;
  std::string project_id;
};

// An IAM user for token authentication (POST /v3/auth/tokens, iam.h).
struct IamUser {
  std::string name;
  std::string password;
  std::string domain;      // the account name (auth...user.domain.name)
  std::string project_id;  // the project its tokens are scoped to
};

// "NAME:PASSWORD:DOMAIN:PROJECT_ID" -> IamUser; throws std::invalid_argument.
IamUser parse_iam_user(const std::string& spec);

// "AK:SK:PROJECT_ID" -> Credential; throws std::invalid_argument.
Credential parse_credential(const std::string& spec);

// How long the simulated world takes, in simulated seconds. The reference
// gives no durations for purchases (cph-api.md 1.9(b)); these are the
// emulator's choices, documented in docs/emulator.md.
struct Durations {
  // A paid purchase walks its servers 0 -> 1 -> 3 -> 4 -> 5 (cph-api.md 3.1
  // status enum: 0/1/3/4 creating, 5 normal) in four equal steps over this.
  double server_creation_s = 300;
  // An unsubscribed server (and its dedicated bandwidth) stays visible, status
  // unchanged, for this long; then it is released and vanishes (404).
  double unsubscribe_release_s = 60;
  // cph-api.md 3.12: "the change finishes in about 2 minutes" after payment.
  double change_model_s = 120;
  // Jobs (cph-api.md 1.9(a)): how long a job runs, by operation name
  // (restart_server, change_server, open_access, push_share_files,
  // query_share_files, delete_share_files, push_share_apps,
  // delete_share_apps); operations not listed take job_s.
  double job_s = 10;
  // Tencent bare metal (tencent_bm.h): a ResetDevicePasswd task runs this long
  // (13.3 gives no duration).
  double tencent_reset_password_s = 30;
  // KooPhone (koophone.h): an async command's jobs finish this long after
  // the call; a reset keeps an instance starting (status 4) this long
  // (14.3 and 14.7 give no durations).
  double koophone_command_s = 2;
  double koophone_reset_s = 30;
  std::map<std::string, double> job_operation_s = {{"change_server", 300}, {"restart_server", 60}};
  // The job duration of an operation.
  double job_duration_s(const std::string& operation) const {
    auto it = job_operation_s.find(operation);
    return it == job_operation_s.end() ? job_s : it->second;
  }
};

struct Options {
  std::string listen = "127.0.0.1:0";  // host:port; port 0 picks a free one
  std::string data_path;               // SQLite file ("" = in memory)
  std::vector<Credential> credentials; // empty = builtin_credential() only
  // Simulated seconds per wall second. 0 freezes the clock: it then moves only
  // through POST /_emulator/clock/advance (useful for deterministic tests).
  double time_scale = 1.0;
  Durations durations;
  // cph-api.md 3.12 / A-44: the server models whose servers may change model,
  // and that may be the target of a change (within one generation, the token
  // after "physical.", e.g. "rx1").
  std::vector<std::string> change_model_allow_list = {"physical.rx1.xlarge", "physical.rx1.xlarge.special"};
  // Jobs fail (status -1, CPS.0260) with this probability, drawn from a
  // generator seeded with `seed` (deterministic).
  double job_failure_rate = 0;
  uint64_t seed = 1;
  // Faults at start (faults.h); POST /_emulator/faults replaces them.
  FaultConfig faults;
  // IAM users for X-Auth-Token authentication (none: tokens cannot be had).
  std::vector<IamUser> iam_users;
  // A JSON catalog file replacing the built-in catalog (docs/emulator.md
  // "Catalog file"); "" = Catalog::builtin(). A bad file makes the Service
  // constructor throw std::runtime_error.
  std::string catalog_path;
  // The region the projects are in: GET /v3/projects?name=REGION (IAM,
  // cph-api.md 1.7) lists the caller's project under this name, any other
  // name lists none.
  std::string region = "cn-east-3";
  // GET /openstack/latest/securitykey (the ECS metadata service) issues
  // temporary keys of the first credential's project that expire after this
  // many wall seconds; requests signed with them must carry their
  // X-Security-Token, signed. Short lifetimes test renewal.
  double metadata_key_lifetime_s = 3600;
  // Tencent bare-metal devices cpm-00000001 ... served at /v2/index.php
  // (cph-api.md 13.3, tencent_bm.h; `--tencent-devices N`). Their SecretId /
  // SecretKey are the credentials' AK / SK.
  int tencent_devices = 0;
  // KooPhone instances kp000001 ... served at /v1/instances/... (cph-api.md
  // 14, koophone.h; `--koophone-instances N`).
  int koophone_instances = 0;
  // And these (`--koophone-catalog FILE`, koophone.h parse_koophone_catalog).
  std::vector<std::string> koophone_catalog;
  // IAM tokens (iam.h) are valid this many wall seconds (1.4: 24 hours;
  // `--iam-token-lifetime SECONDS`, short in tests of token renewal).
  double iam_token_lifetime_s = 24 * 3600;
};

// Built-in credentials of the embedded emulator (not secret: local only).
Credential builtin_credential();

// Runs the emulator on its own thread and io_context, as a separate service
// would be. start() returns once the socket listens.
class EmbeddedEmulator {
 public:
  explicit EmbeddedEmulator(Options options);
  ~EmbeddedEmulator();  // stops and joins
  EmbeddedEmulator(const EmbeddedEmulator&) = delete;
  EmbeddedEmulator& operator=(const EmbeddedEmulator&) = delete;

  void start();
  void stop();
  uint16_t port() const;
  std::string url() const;  // "http://127.0.0.1:PORT"

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// `cphform emulator serve --listen H:P --data FILE --credentials-file FILE
// [--credentials-file ...] [--time-scale N] [--seed N] [--faults FILE|JSON]
// [--durations JSON] [--catalog FILE] [--region NAME] [--metadata-key-lifetime SECONDS] [--tencent-devices N] [--koophone-instances N] [--koophone-catalog FILE] [--iam-token-lifetime SECONDS]` (docs/emulator.md): prints "listening on http://H:P"
// when ready, serves until SIGTERM/SIGINT. Returns the process exit code.
// args: the arguments after `serve` (flags only; "--flag value" or
// "--flag=value"). Credentials (AK:SK:PROJECT_ID) come from --credentials-file
// (one a line) and from CPHFORM_EMULATOR_CREDENTIALS (comma-separated), never
// from argv, where `ps` would show the secret key; the old --credentials flag
// is refused with a message naming both. Defaults: Options' defaults,
// builtin_credential().
// Exit codes: 0 after a signal, 2 for bad flags (message on stderr), 1 when
// the data file cannot be opened or the address cannot be bound.
int serve_main(const std::vector<std::string>& args);

}  // namespace cph::emulator

// The CPH emulator: a local HTTP service that behaves as ../shared/cph-api.md
// documents (plus the BSS order calls the engine needs), persisting its world
// in a SQLite file. Stands alone: it depends on common/ only, and is written
// from the reference, not from the client, so a client bug is not mirrored.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace cph::emulator {

struct Credential {
  std::string access_key;
  std::string secret_key;
  std::string project_id;
};

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
};

struct Options {
  std::string listen = "127.0.0.1:0";  // host:port; port 0 picks a free one
  std::string data_path;               // SQLite file ("" = in memory)
  std::vector<Credential> credentials; // empty = builtin_credential() only
  // Simulated seconds per wall second. 0 freezes the clock: it then moves only
  // through POST /_emulator/clock/advance (useful for deterministic tests).
  double time_scale = 1.0;
  Durations durations;
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

// `cphform emulator serve --listen H:P --data FILE --credentials AK:SK:PID
// [--credentials ...] [--time-scale N]`: prints "listening on http://H:P"
// when ready, serves until SIGTERM/SIGINT. Returns the process exit code.
// args: the arguments after `serve` (flags only; "--flag value" or
// "--flag=value"). Defaults: Options' defaults, builtin_credential().
// Exit codes: 0 after a signal, 2 for bad flags (message on stderr), 1 when
// the data file cannot be opened or the address cannot be bound.
int serve_main(const std::vector<std::string>& args);

}  // namespace cph::emulator

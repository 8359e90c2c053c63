// Fault injection (docs/emulator.md "Faults"): configured at start
// (Options::faults, `--faults FILE|JSON`) or at run time
// (POST /_emulator/faults), deterministic for a seed: the same seed and the
// same sequence of requests give the same faults. Admin requests and
// unmatched routes are never faulted.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace cph::emulator {

struct FaultConfig {
  double error_rate = 0;     // 500 CPS.0003 / 503 APIGW.0305 (alternating by draw)
  double throttle_rate = 0;  // 429 APIGW.0308 + Retry-After
  double reset_rate = 0;     // the connection is closed without a response
  int64_t latency_ms = 0;    // added to every eligible request
  double job_failure_rate = 0;    // jobs end with status -1 (jobs.cc)
  double order_failure_rate = 0;  // purchased servers end abnormal (2); change-model orders are cancelled
  // Faults after the request was processed (its effects are in the world):
  double processed_reset_rate = 0;  // the connection is closed without an answer
  double garbage_rate = 0;          // a 200 whose body is malformed, of the kind `garbage` names
  std::string garbage = "mixed";    // text, empty, error_body, wrong_types, truncated, missing, mixed
  std::vector<std::string> missing_fields;  // "missing": fields left out (none listed: all but request_id)
  // "METHOD /path/template" (as in /_emulator/stats); empty = every operation.
  std::vector<std::string> operations;

  // Throws std::invalid_argument naming the bad key (unknown keys, rates
  // outside 0..1, negative latency, operations not a list of strings).
  static FaultConfig parse(const nlohmann::json& j);
  nlohmann::json to_json() const;
  bool any() const;  // some fault or latency is configured
};

// The malformed body `kind` (a FaultConfig::garbage value other than
// "mixed") makes of the real 2xx answer `body`.
std::string garbage_body(const std::string& body, const std::string& kind,
                         const std::vector<std::string>& missing_fields, const std::string& request_id);

class FaultInjector {
 public:
  enum class Kind { none, error_500, error_503, throttle, reset };
  // What happens to the answer of a request that was processed.
  enum class After { answer, drop, garbage };
  struct Decision {
    Kind kind = Kind::none;  // before processing: the request does nothing
    After after = After::answer;
    std::string garbage;     // the kind of malformed body (After::garbage)
    int64_t latency_ms = 0;
  };

  explicit FaultInjector(uint64_t seed = 1) : seed_(seed), rng_(seed) {}
  // Replaces the configuration and restarts the generator from the seed.
  void configure(FaultConfig config);
  const FaultConfig& config() const { return config_; }
  // The fault for one request of this operation ("METHOD /template").
  Decision decide(const std::string& operation);
  // One draw for an order outcome (order_failure_rate).
  bool order_fails();

 private:
  uint64_t seed_;
  std::mt19937_64 rng_;
  FaultConfig config_;
};

}  // namespace cph::emulator

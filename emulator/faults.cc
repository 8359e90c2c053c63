#include "emulator/faults.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace cph::emulator {
namespace {
double rate(const nlohmann::json& j, const char* key) {
  const nlohmann::json& v = j.at(key);
  if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 1)
    throw std::invalid_argument(std::string(key) + " must be a number in 0..1");
  return v.get<double>();
}
}  // namespace

FaultConfig FaultConfig::parse(const nlohmann::json& j) {
  if (!j.is_object()) throw std::invalid_argument("faults must be a JSON object");
  FaultConfig c;
  for (const auto& [key, value] : j.items()) {
    if (key == "error_rate") c.error_rate = rate(j, "error_rate");
    else if (key == "throttle_rate") c.throttle_rate = rate(j, "throttle_rate");
    else if (key == "reset_rate") c.reset_rate = rate(j, "reset_rate");
    else if (key == "job_failure_rate") c.job_failure_rate = rate(j, "job_failure_rate");
    else if (key == "order_failure_rate") c.order_failure_rate = rate(j, "order_failure_rate");
    else if (key == "latency_ms") {
      if (!value.is_number_integer() || value.get<int64_t>() < 0 || value.get<int64_t>() > 600000)
        throw std::invalid_argument("latency_ms must be an integer in 0..600000");
      c.latency_ms = value.get<int64_t>();
    } else if (key == "operations") {
      if (!value.is_array()) throw std::invalid_argument("operations must be a list of \"METHOD /path/template\"");
      for (const auto& op : value) {
        if (!op.is_string() || op.get_ref<const std::string&>().find(' ') == std::string::npos)
          throw std::invalid_argument("operations must be a list of \"METHOD /path/template\"");
        c.operations.push_back(op.get<std::string>());
      }
    } else {
      throw std::invalid_argument("unknown fault key '" + key + "'");
    }
  }
  return c;
}

nlohmann::json FaultConfig::to_json() const {
  return {{"error_rate", error_rate},         {"throttle_rate", throttle_rate},
          {"reset_rate", reset_rate},         {"latency_ms", latency_ms},
          {"job_failure_rate", job_failure_rate}, {"order_failure_rate", order_failure_rate},
          {"operations", operations}};
}

void FaultInjector::configure(FaultConfig config) {
  config_ = std::move(config);
  rng_.seed(seed_);
}

FaultInjector::Decision FaultInjector::decide(const std::string& operation) {
  Decision d;
  if (!config_.operations.empty() &&
      std::find(config_.operations.begin(), config_.operations.end(), operation) == config_.operations.end())
    return d;
  d.latency_ms = config_.latency_ms;
  if (config_.reset_rate <= 0 && config_.throttle_rate <= 0 && config_.error_rate <= 0) return d;
  // Always three draws per eligible request, whatever the outcome, so the
  // sequence depends only on the requests.
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const double reset = u(rng_), throttle = u(rng_), error = u(rng_);
  if (reset < config_.reset_rate) d.kind = Kind::reset;
  else if (throttle < config_.throttle_rate) d.kind = Kind::throttle;
  else if (error < config_.error_rate) d.kind = error < config_.error_rate / 2 ? Kind::error_500 : Kind::error_503;
  return d;
}

bool FaultInjector::order_fails() {
  if (config_.order_failure_rate <= 0) return false;
  std::uniform_real_distribution<double> u(0.0, 1.0);
  return u(rng_) < config_.order_failure_rate;
}

}  // namespace cph::emulator

#include "emulator/faults.h"

#include <algorithm>
#include <array>
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

constexpr std::array<const char*, 6> kGarbageKinds = {"text", "empty", "error_body", "wrong_types", "truncated",
                                                      "missing"};

std::vector<std::string> operation_list(const nlohmann::json& value, const char* what) {
  if (!value.is_array()) throw std::invalid_argument(what);
  std::vector<std::string> out;
  for (const auto& v : value) {
    if (!v.is_string()) throw std::invalid_argument(what);
    out.push_back(v.get<std::string>());
  }
  return out;
}

// Every top-level value but request_id turned into another JSON type.
nlohmann::json wrong_types(nlohmann::json j) {
  for (auto& [key, value] : j.items()) {
    if (key == "request_id") continue;
    if (value.is_string()) value = nlohmann::json::object();
    else if (value.is_number() || value.is_boolean()) value = "not a number";
    else if (value.is_array()) value = "not an array";
    else if (value.is_object()) value = nlohmann::json::array();
    else value = 0;
  }
  return j;
}
}  // namespace

std::string garbage_body(const std::string& body, const std::string& kind,
                         const std::vector<std::string>& missing_fields, const std::string& request_id) {
  if (kind == "text") return "<html><body><h1>502 Bad Gateway</h1></body></html>";
  if (kind == "empty") return "";
  if (kind == "error_body")  // 1.5's error body, CPS.0003 "Service internal error." (section 9)
    return nlohmann::json{{"request_id", request_id}, {"error_code", "CPS.0003"}, {"error_msg", "Service internal error."}}
        .dump();
  if (kind == "truncated") return body.substr(0, body.size() / 2);
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object()) return "";  // a 2xx without a JSON object (204): as malformed as it gets
  if (kind == "wrong_types") return wrong_types(std::move(j)).dump();
  if (kind == "missing") {
    if (missing_fields.empty()) {
      nlohmann::json kept = nlohmann::json::object();
      if (j.contains("request_id")) kept["request_id"] = j["request_id"];
      return kept.dump();
    }
    for (const std::string& f : missing_fields) j.erase(f);
    return j.dump();
  }
  throw std::invalid_argument("unknown garbage kind '" + kind + "'");
}

FaultConfig FaultConfig::parse(const nlohmann::json& j) {
  if (!j.is_object()) throw std::invalid_argument("faults must be a JSON object");
  FaultConfig c;
  for (const auto& [key, value] : j.items()) {
    if (key == "error_rate") c.error_rate = rate(j, "error_rate");
    else if (key == "throttle_rate") c.throttle_rate = rate(j, "throttle_rate");
    else if (key == "reset_rate") c.reset_rate = rate(j, "reset_rate");
    else if (key == "job_failure_rate") c.job_failure_rate = rate(j, "job_failure_rate");
    else if (key == "order_failure_rate") c.order_failure_rate = rate(j, "order_failure_rate");
    else if (key == "processed_reset_rate") c.processed_reset_rate = rate(j, "processed_reset_rate");
    else if (key == "garbage_rate") c.garbage_rate = rate(j, "garbage_rate");
    else if (key == "garbage") {
      if (!value.is_string() || (value != "mixed" && std::find(kGarbageKinds.begin(), kGarbageKinds.end(),
                                                               value.get<std::string>()) == kGarbageKinds.end()))
        throw std::invalid_argument(
            "garbage must be one of text, empty, error_body, wrong_types, truncated, missing, mixed");
      c.garbage = value.get<std::string>();
    } else if (key == "missing_fields")
      c.missing_fields = operation_list(value, "missing_fields must be a list of field names");
    else if (key == "latency_ms") {
      if (!value.is_number_integer() || value.get<int64_t>() < 0 || value.get<int64_t>() > 600000)
        throw std::invalid_argument("latency_ms must be an integer in 0..600000");
      c.latency_ms = value.get<int64_t>();
    } else if (key == "operations") {
      const char* what = "operations must be a list of \"METHOD /path/template\"";
      c.operations = operation_list(value, what);
      for (const std::string& op : c.operations)
        if (op.find(' ') == std::string::npos) throw std::invalid_argument(what);
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
          {"processed_reset_rate", processed_reset_rate}, {"garbage_rate", garbage_rate},
          {"garbage", garbage},               {"missing_fields", missing_fields},
          {"operations", operations}};
}

bool FaultConfig::any() const {
  return error_rate > 0 || throttle_rate > 0 || reset_rate > 0 || latency_ms > 0 || job_failure_rate > 0 ||
         order_failure_rate > 0 || processed_reset_rate > 0 || garbage_rate > 0;
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
  std::uniform_real_distribution<double> u(0.0, 1.0);
  // The same draws per eligible request whatever the outcome, so the
  // sequence depends only on the requests: three when a fault before
  // processing is configured, three more when one after it is.
  if (config_.reset_rate > 0 || config_.throttle_rate > 0 || config_.error_rate > 0) {
    const double reset = u(rng_), throttle = u(rng_), error = u(rng_);
    if (reset < config_.reset_rate) d.kind = Kind::reset;
    else if (throttle < config_.throttle_rate) d.kind = Kind::throttle;
    else if (error < config_.error_rate) d.kind = error < config_.error_rate / 2 ? Kind::error_500 : Kind::error_503;
  }
  if (config_.processed_reset_rate > 0 || config_.garbage_rate > 0) {
    const double drop = u(rng_), garbage = u(rng_);
    const size_t pick = std::uniform_int_distribution<size_t>(0, kGarbageKinds.size() - 1)(rng_);
    if (drop < config_.processed_reset_rate) d.after = After::drop;
    else if (garbage < config_.garbage_rate) d.after = After::garbage;
    d.garbage = config_.garbage == "mixed" ? kGarbageKinds[pick] : config_.garbage;
  }
  return d;
}

bool FaultInjector::order_fails() {
  if (config_.order_failure_rate <= 0) return false;
  std::uniform_real_distribution<double> u(0.0, 1.0);
  return u(rng_) < config_.order_failure_rate;
}

}  // namespace cph::emulator

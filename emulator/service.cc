#include "emulator/service.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "common/timefmt.h"
#include "emulator/auth.h"
#include "emulator/ids.h"

namespace cph::emulator {
namespace {
using nlohmann::json;
using ojson = nlohmann::ordered_json;

constexpr std::string_view kAdminPrefix = "/_emulator/";
// The simulated time is written at most this often (wall microseconds) when
// nothing else changes, so a crash loses little of it; shutdown writes it too.
constexpr int64_t kClockPersistIntervalUs = 1000000;
constexpr std::string_view kIamTokensPattern = "/v3/auth/tokens";
constexpr std::string_view kIamProjectsPattern = "/v3/projects";
// The ECS metadata service's temporary keys (iam.h); on a real ECS it is
// http://169.254.169.254, unauthenticated and reachable from the instance only.
constexpr std::string_view kSecurityKeyPattern = "/openstack/latest/securitykey";

HttpResponse with_request_id(HttpResponse r, const std::string& request_id) {
  r.headers.emplace_back("X-Request-Id", request_id);
  return r;
}

bool has_param(const RouteMatch& m, std::string_view name) {
  return std::any_of(m.params.begin(), m.params.end(), [&](const auto& p) { return p.first == name; });
}
}  // namespace

// ---------------------------------------------------------------- SimClock

int64_t SimClock::steady_now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

SimClock::SimClock(int64_t start_sim_us, double time_scale, MonotonicMicros wall)
    : start_sim_us_(start_sim_us), scale_(time_scale), wall_(std::move(wall)), wall_start_us_(wall_()) {}

int64_t SimClock::now_us() const {
  double elapsed = static_cast<double>(wall_() - wall_start_us_) * scale_;
  return start_sim_us_ + static_cast<int64_t>(elapsed) + offset_us_;
}

// ---------------------------------------------------------------- Service

Service::Service(Options options)
    : options_(std::move(options)),
      catalog_(options_.catalog_path.empty() ? Catalog::builtin() : Catalog::load_file(options_.catalog_path)),
      store_(options_.data_path),
      world_(store_, catalog_, options_.durations),
      iam_(options_.iam_users, static_cast<int64_t>(std::ceil(options_.iam_token_lifetime_s))),
      tencent_(options_.tencent_devices, options_.durations.tencent_reset_password_s),
      koophone_(options_.koophone_instances, options_.koophone_catalog, options_.durations.koophone_command_s,
                options_.durations.koophone_reset_s) {
  if (!std::isfinite(options_.time_scale) || options_.time_scale < 0)
    throw std::invalid_argument("time scale must be a finite number >= 0");
  if (options_.credentials.empty()) options_.credentials.push_back(builtin_credential());
  int64_t start = world_.load(now_epoch_seconds() * 1000000);
  clock_ = std::make_unique<SimClock>(start, options_.time_scale);
  last_clock_persist_us_ = SimClock::steady_now_us();
  world_.set_job_failure(options_.job_failure_rate, options_.seed);
  faults_ = FaultInjector(options_.seed);
  world_.set_order_failure_draw([this] { return faults_.order_fails(); });
  if (options_.faults.any()) apply_faults(options_.faults);
  // A new world's projects start with the key pairs the reference's examples
  // name ("keypair", "mykeypair"), so the documented examples work unchanged.
  if (world_.is_new())
    for (const Credential& c : options_.credentials)
      for (const char* name : {"keypair", "mykeypair"})
        if (!world_.find_keypair(c.project_id, name))
          world_.create_keypair(c.project_id, name, builtin_public_key(name));
  // iam.h, handled in dispatch_matched rather than by a table's handler.
  for (const auto& [method, pattern] : {std::pair{"POST", kIamTokensPattern}, std::pair{"GET", kIamProjectsPattern},
                                        std::pair{"GET", kSecurityKeyPattern}}) {
    const size_t index = router_.add(method, std::string(pattern));
    handlers_.resize(index + 1);
  }
  for (const std::vector<RouteDef>& table : {servers_routes(), bss_routes(), jobs_routes(), server_jobs_routes(),
                                             server_changes_routes(), keypairs_routes(), tags_routes(), catalog_routes(),
                                             phones_routes(), phone_jobs_routes(), encode_routes(), adb_routes()})
    for (const RouteDef& r : table) {
      size_t index = router_.add(r.method, r.pattern);
      handlers_.resize(index + 1);
      handlers_[index] = r.handler;
    }
}

Service::~Service() {
  try {
    persist_clock();
  } catch (...) {
    // Destructors must not throw; the clock is at most a second behind.
  }
}

void Service::advance_clock(double sim_seconds) {
  std::lock_guard lock(mutex_);
  clock_->advance(static_cast<int64_t>(sim_seconds * 1e6));
  world_.advance_to(clock_->now_us());
}

int64_t Service::sim_now_us() {
  std::lock_guard lock(mutex_);
  world_.advance_to(clock_->now_us());
  return world_.now_us();
}

void Service::persist_clock() {
  std::lock_guard lock(mutex_);
  world_.advance_to(clock_->now_us());
  world_.persist_clock();
  last_clock_persist_us_ = SimClock::steady_now_us();
}

HttpResponse Service::handle(const HttpRequest& req) {
  std::lock_guard lock(mutex_);
  std::string operation;
  HttpResponse resp;
  try {
    resp = dispatch(req, operation);
  } catch (const std::exception&) {
    // cph-api.md 9: 500 CPS.0003 "Service internal error.".
    std::string request_id = ids::request_id();
    resp = with_request_id(cps_error(request_id, ApiError::cps("CPS.0003")), request_id);
  }
  if (!operation.empty()) {
    record(operation, resp.status);
    calls_.record(req, operation, resp.status);
  }
  return resp;
}

HttpResponse Service::dispatch(const HttpRequest& req, std::string& operation) {
  const std::string_view path = req.path();
  if (path.substr(0, kAdminPrefix.size()) == kAdminPrefix) return admin(req);  // not signed, not counted
  if (path == kTencentPath && (req.method == "GET" || req.method == "POST")) return dispatch_tencent(req, operation);
  if (path.starts_with(kKooPhonePrefix)) return dispatch_koophone(req, operation);

  const std::string request_id = ids::request_id();
  std::optional<RouteMatch> m = router_.match(req.method, path);
  if (!m) {
    operation = req.method + " <unmatched>";
    // What Huawei's API gateway answers for an unknown API.
    return with_request_id(plain_error(404, "APIGW.0101",
                                       "The API does not exist or has not been published in the environment.",
                                       request_id),
                           request_id);
  }
  operation = router_.method(m->route) + " " + router_.pattern(m->route);

  // Injected faults come first, as from the API gateway in front of CPH.
  const FaultInjector::Decision fault = faults_.decide(operation);
  HttpResponse faulted;
  switch (fault.kind) {
    case FaultInjector::Kind::none: break;
    case FaultInjector::Kind::reset:
      faulted.drop_connection = true;
      faulted.status = 0;  // never sent; counted as "0" in the statistics
      break;
    case FaultInjector::Kind::throttle:
      faulted = plain_error(429, "APIGW.0308",
                            "The throttling threshold has been reached: policy user over ratelimit,limit:100,time:1 minute",
                            request_id);
      faulted.headers.emplace_back("Retry-After", "1");
      break;
    case FaultInjector::Kind::error_500: faulted = cps_error(request_id, ApiError::cps("CPS.0003")); break;
    case FaultInjector::Kind::error_503:
      faulted = plain_error(503, "APIGW.0503", "The backend service is unavailable.", request_id);
      break;
  }
  if (fault.kind != FaultInjector::Kind::none) {
    faulted.delay_ms = fault.latency_ms;
    return with_request_id(std::move(faulted), request_id);
  }
  HttpResponse resp = dispatch_matched(req, *m, request_id);
  resp.delay_ms = fault.latency_ms;
  // Faults after processing touch only a success: the effects are in the
  // world, and the client must not learn them from this answer.
  if (resp.status >= 200 && resp.status <= 299) {
    if (fault.after == FaultInjector::After::drop) {
      resp.drop_connection = true;
      resp.status = 0;  // never sent; counted as "0" in the statistics
    } else if (fault.after == FaultInjector::After::garbage) {
      resp.body = garbage_body(resp.body, fault.garbage, faults_.config().missing_fields, request_id);
      resp.status = 200;
    }
  }
  return resp;
}

HttpResponse Service::dispatch_matched(const HttpRequest& req, const RouteMatch& route_match, const std::string& request_id) {
  const RouteMatch* m = &route_match;
  // IAM (1.4(a)): obtaining a token needs no authentication.
  if (router_.pattern(m->route) == kIamTokensPattern) return with_request_id(iam_.issue(req, now_epoch_seconds()), request_id);
  // The metadata service: the instance's agency, here the first credential's project.
  if (router_.pattern(m->route) == kSecurityKeyPattern)
    return iam_.issue_security_key(options_.credentials.front().project_id,
                                   static_cast<int64_t>(std::ceil(options_.metadata_key_lifetime_s)),
                                   now_epoch_seconds());

  // an X-Auth-Token (IAM) or an AK/SK signature.
  const Credential* caller = nullptr;
  if (std::optional<std::string_view> token = req.header("X-Auth-Token")) {
    caller = iam_.verify(*token, now_epoch_seconds());
    if (!caller)
      return with_request_id(plain_error(401, "APIGW.0301",
                                         "Incorrect IAM authentication information: token is invalid or expired",
                                         request_id),
                             request_id);
  } else {
    AuthResult auth = authenticate(req, options_.credentials, now_epoch_seconds(), &iam_);
    if (!auth.credential)
      return with_request_id(
          plain_error(401, "APIGW.0301", "Incorrect IAM authentication information: " + auth.detail, request_id),
          request_id);
    caller = auth.credential;
  }

  if (router_.pattern(m->route) == kIamProjectsPattern)
    return with_request_id(Iam::list_projects(req, *caller, options_.region), request_id);

  // The path's project (and an X-Project-Id header, cph-api.md 1.3) must be
  // the caller's project.
  const std::string& project = caller->project_id;
  std::optional<std::string_view> header_project = req.header("X-Project-Id");
  if ((has_param(*m, "project_id") && m->param("project_id") != project) ||
      (header_project && *header_project != project))
    return with_request_id(cps_error(request_id, ApiError::cps("CPS.0001")), request_id);

  world_.advance_to(clock_->now_us());
  if (SimClock::steady_now_us() - last_clock_persist_us_ > kClockPersistIntervalUs) {
    world_.persist_clock();
    last_clock_persist_us_ = SimClock::steady_now_us();
  }

  ApiCall call{req, *m, *caller, request_id, world_, catalog_, options_};
  return with_request_id(handlers_[m->route](call), request_id);
}

// Replaces the faults ({} clears them) and restarts the fault generator from
// the seed, so a test can replay a request sequence.
void Service::apply_faults(FaultConfig config) {
  world_.set_job_failure_rate(std::max(options_.job_failure_rate, config.job_failure_rate));
  faults_.configure(std::move(config));
}

HttpResponse Service::with_faults(const std::string& operation,
                                  const std::function<HttpResponse(FaultInjector::Kind)>& fault_answer,
                                  const std::function<HttpResponse()>& process,
                                  const std::function<bool(const HttpResponse&)>& success) {
  const FaultInjector::Decision fault = faults_.decide(operation);
  HttpResponse resp;
  if (fault.kind == FaultInjector::Kind::reset) {
    resp.drop_connection = true;
    resp.status = 0;  // never sent; counted as "0" in the statistics
  } else if (fault.kind != FaultInjector::Kind::none) {
    resp = fault_answer(fault.kind);
  } else {
    resp = process();
    // As for CPH, faults after processing touch only a success.
    if (success(resp) && fault.after == FaultInjector::After::drop) {
      resp.drop_connection = true;
      resp.status = 0;
    } else if (success(resp) && fault.after == FaultInjector::After::garbage) {
      resp.body = garbage_body(resp.body, fault.garbage, faults_.config().missing_fields, "");
    }
  }
  resp.delay_ms = fault.latency_ms;
  return resp;
}

void Service::record(const std::string& operation, int status) {
  OperationStats& s = stats_[operation];
  ++s.count;
  ++s.by_status[status];
}

// Admin API (docs/emulator.md "Admin API"): loopback only by default, no
// signature, not counted in the statistics.
HttpResponse Service::admin(const HttpRequest& req) {
  const std::string_view path = req.path();
  auto clock_body = [&] {
    int64_t now = world_.now_us();
    return ojson{{"sim_time", api_time(now)}, {"sim_epoch_ms", now / 1000}, {"time_scale", clock_->time_scale()}};
  };
  if (path.starts_with("/_emulator/tencent/")) return tencent_.admin(req, clock_->now_us());
  if (path.starts_with("/_emulator/koophone/")) return koophone_.admin(req, clock_->now_us());
  if (req.method == "GET" && path == "/_emulator/stats") {
    ojson ops = ojson::object();
    for (const auto& [name, s] : stats_) {
      ojson by_status = ojson::object();
      for (const auto& [status, n] : s.by_status) by_status[std::to_string(status)] = n;
      ops[name] = ojson{{"count", s.count}, {"by_status", std::move(by_status)}};
    }
    return json_response(200, ojson{{"operations", std::move(ops)}});
  }
  if (req.method == "POST" && path == "/_emulator/stats/reset") {
    stats_.clear();
    HttpResponse r;
    r.status = 204;
    return r;
  }
  if (req.method == "GET" && path == "/_emulator/calls") return json_response(200, calls_.to_json());
  if (req.method == "POST" && path == "/_emulator/calls/reset") {  // take: answer the log, then empty it
    HttpResponse r = json_response(200, calls_.to_json());
    calls_.clear();
    return r;
  }
  if (req.method == "GET" && path == "/_emulator/faults") return json_response(200, ojson(faults_.config().to_json()));
  if (req.method == "POST" && path == "/_emulator/faults") {
    json body = json::parse(req.body.empty() ? std::string("{}") : req.body, nullptr, /*allow_exceptions=*/false);
    try {
      apply_faults(FaultConfig::parse(body));
    } catch (const std::invalid_argument& e) {
      return plain_error(400, "EMULATOR.0400", e.what());
    }
    return json_response(200, ojson(faults_.config().to_json()));
  }
  // The shared apps / files recorded on each server by successful push and
  // delete jobs (3.7-3.11); servers with none are omitted.
  if (req.method == "GET" && (path == "/_emulator/share-apps" || path == "/_emulator/share-files")) {
    world_.advance_to(clock_->now_us());  // jobs due by now have applied
    const bool apps = path == "/_emulator/share-apps";
    std::map<std::string, ojson> by_server;  // sorted by server id
    for (const auto& [id, s] : world_.all_servers()) {
      ojson list = ojson::array();
      if (apps)
        for (const ShareApp& a : s.share_apps)
          list.push_back(ojson{{"package_name", a.package_name}, {"bucket_name", a.bucket_name},
                               {"object_path", a.object_path}, {"pre_install_app", a.pre_install_app}});
      else
        for (const ShareFile& f : s.share_files)
          list.push_back(ojson{{"bucket_name", f.bucket_name}, {"object_path", f.object_path}});
      if (!list.empty()) by_server[id] = std::move(list);
    }
    ojson servers = ojson::object();
    for (auto& [id, list] : by_server) servers[id] = std::move(list);
    return json_response(200, ojson{{"servers", std::move(servers)}});
  }
  if (req.method == "GET" && path == "/_emulator/clock") {
    world_.advance_to(clock_->now_us());
    return json_response(200, clock_body());
  }
  if (req.method == "POST" && path == "/_emulator/clock/advance") {
    json body = body_object(req);
    auto seconds = body.find("seconds");
    // At most ten years a call: the simulated clock counts microseconds in
    // an int64, which a larger number (1e300) would overflow.
    constexpr double kMaxAdvanceSeconds = 10 * 365 * 86400.0;
    if (seconds == body.end() || !seconds->is_number() || !std::isfinite(seconds->get<double>()) ||
        seconds->get<double>() < 0 || seconds->get<double>() > kMaxAdvanceSeconds)
      return plain_error(400, "EMULATOR.0400", "body must be {\"seconds\": <number from 0 to 315360000>}");
    clock_->advance(static_cast<int64_t>(seconds->get<double>() * 1e6));
    world_.advance_to(clock_->now_us());
    return json_response(200, clock_body());
  }
  return plain_error(404, "EMULATOR.0404", "unknown admin operation " + req.method + " " + std::string(path));
}

}  // namespace cph::emulator

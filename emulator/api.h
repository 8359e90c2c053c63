// Shared plumbing of the API handlers (servers_api.cc, bss_api.cc): the call
// context a handler receives, its route table entry, and JSON response
// helpers. Handlers work on plain structs (http_types.h), no sockets.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/api_error.h"
#include "emulator/catalog.h"
#include "emulator/emulator.h"
#include "emulator/http_types.h"
#include "emulator/router.h"
#include "emulator/world.h"

namespace cph::emulator {

// Everything a handler may use. The caller is authenticated and, for paths
// with {project_id}, that project is the caller's (Service checks both).
struct ApiCall {
  const HttpRequest& request;
  const RouteMatch& match;
  const Credential& caller;
  const std::string& request_id;
  World& world;
  const Catalog& catalog;
  const Options& options;
};

using Handler = HttpResponse (*)(const ApiCall&);

struct RouteDef {
  const char* method;
  const char* pattern;  // as the reference writes it; also the stats key
  Handler handler;
};

std::vector<RouteDef> servers_routes();  // servers_api.cc: cph-api.md 3.x, 4.1
std::vector<RouteDef> bss_routes();      // bss_api.cc: BSS orders (docs/emulator.md)
std::vector<RouteDef> jobs_routes();     // jobs_api.cc: cph-api.md 6.1, 6.2
std::vector<RouteDef> server_jobs_routes();     // server_jobs_api.cc: 3.5, 3.7-3.11, 6.3
std::vector<RouteDef> server_changes_routes();  // server_changes_api.cc: 3.6, 3.12, 4.2
std::vector<RouteDef> keypairs_routes();        // keypairs_api.cc: KPS (docs/emulator.md)
std::vector<RouteDef> tags_routes();            // tags_api.cc: 7.6-7.11
std::vector<RouteDef> catalog_routes();         // catalog_api.cc: 5.3, 5.4
std::vector<RouteDef> phones_routes();          // phones_api.cc: 5.1, 5.2, 5.8
std::vector<RouteDef> phone_jobs_routes();      // phone_jobs_api.cc: 5.5-5.7, 5.9-5.12
std::vector<RouteDef> encode_routes();          // encode_api.cc: 6.4, 6.5
std::vector<RouteDef> adb_routes();             // adb_api.cc: 7.0-7.5

// A JSON body (Content-Type application/json;charset=UTF-8).
HttpResponse json_response(int status, const nlohmann::ordered_json& body);
// The same for a body already serialised (json_writer.h).
HttpResponse json_response(int status, std::string serialized_body);
// The CPH error body of cph-api.md 1.5: {"request_id", "error_code", "error_msg"}.
HttpResponse cps_error(const std::string& request_id, const ApiError& e);
// The API-gateway/BSS style body: {"error_code", "error_msg"} (+ request_id if given).
HttpResponse plain_error(int status, const std::string& code, const std::string& message,
                         const std::string& request_id = "");

// cph-api.md 1.8 / A-4 paging: offset >= 0 (default 0), limit 1..max_limit
// (default max_limit); nullopt for anything else (CPS.0002).
struct PageWindow {
  int64_t offset = 0, limit = 100;
};
std::optional<PageWindow> page_window(const QueryParams& q, int64_t max_limit = 100);

// One item of a batch (job-producing) call, 11.3: a job is started for the
// item, or it is answered with a per-item error.
struct BatchItem {
  std::string server_id;
  // Phone items (5.x, 7.x) are answered with "phone_id", encode-server items
  // (6.5) with "encode_server_id", others with "server_id".
  bool phone = false;
  std::string phone_id;
  std::string encode_server_id;
  std::optional<ApiError> error;  // per-item error: no job
  World::JobSpec job;             // otherwise
};
// Starts the jobs of the items without error and answers 200
// {"request_id", "jobs": [{"server_id", "job_id"} | {"server_id",
// "error_code", "error_msg"}]} in item order.
HttpResponse batch_jobs_response(const ApiCall& c, const std::vector<BatchItem>& items);

// One phone item of a phone batch (phone_jobs_api.cc): CPS.0004 for an id
// that is empty or over 32 bytes, CPS.0005 for an unknown phone, CPS.0165 /
// CPS.0141 for a phone the operation cannot act on, else a job.
BatchItem adb_phone_item(const ApiCall& c, const std::string& id, const std::string& op, const std::string& argument);

// A well-formed, deterministic fake OpenSSH public key for a key pair name
// (keypairs_api.cc; the built-in key pairs of a new world use it).
std::string builtin_public_key(std::string_view name);

// "YYYY-MM-DDTHH:MM:SSZ" of a simulated time (cph-api.md 0.3).
std::string api_time(int64_t sim_us);
// The parsed body, or an empty object when it is not a JSON object: each
// endpoint then reports its first required field (docs/emulator.md).
nlohmann::json body_object(const HttpRequest& req);

}  // namespace cph::emulator

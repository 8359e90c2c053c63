// Shared plumbing of the API handlers (servers_api.cc, bss_api.cc): the call
// context a handler receives, its route table entry, and JSON response
// helpers. Handlers work on plain structs (http_types.h), no sockets.
#pragma once

#include <cstdint>
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
};

using Handler = HttpResponse (*)(const ApiCall&);

struct RouteDef {
  const char* method;
  const char* pattern;  // as the reference writes it; also the stats key
  Handler handler;
};

std::vector<RouteDef> servers_routes();  // servers_api.cc: cph-api.md 3.x, 4.1
std::vector<RouteDef> bss_routes();      // bss_api.cc: BSS orders (docs/emulator.md)

// A JSON body (Content-Type application/json;charset=UTF-8).
HttpResponse json_response(int status, const nlohmann::ordered_json& body);
// The same for a body already serialised (json_writer.h).
HttpResponse json_response(int status, std::string serialized_body);
// The CPH error body of cph-api.md 1.5: {"request_id", "error_code", "error_msg"}.
HttpResponse cps_error(const std::string& request_id, const ApiError& e);
// The API-gateway/BSS style body: {"error_code", "error_msg"} (+ request_id if given).
HttpResponse plain_error(int status, const std::string& code, const std::string& message,
                         const std::string& request_id = "");

// "YYYY-MM-DDTHH:MM:SSZ" of a simulated time (cph-api.md 0.3).
std::string api_time(int64_t sim_us);
// The parsed body, or an empty object when it is not a JSON object: each
// endpoint then reports its first required field (docs/emulator.md).
nlohmann::json body_object(const HttpRequest& req);

}  // namespace cph::emulator

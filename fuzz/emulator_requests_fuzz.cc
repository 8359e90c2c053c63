// Fuzz target: the emulator's request handling without sockets
// (emulator/service.h: Service::handle): routing, authentication, query and
// body parsing and validation (validate.cc, batch_validate.cc,
// phone_validate.cc), the handlers and their effects on the world.
//
// An input is a script of requests separated by lines "%%":
//   METHOD TARGET            e.g. POST /v2/{project_id}/cloud-phone/servers
//   Name: value              optional headers
//                            an empty line, then the body
// `{project_id}` in the target becomes the caller's project. Requests are
// signed for the caller (AK/SK) unless they carry their own Authorization
// header, so the fuzzer reaches past authentication. A line "ADVANCE N"
// moves the simulated clock N seconds (purchases complete, jobs finish).
// Each input runs against a new, empty in-memory world. Every request must
// be answered (an error answer is fine), never crash or hang.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "resources/huawei/signer.h"
#include "common/timefmt.h"
#include "emulator/service.h"

namespace {

using namespace cph::emulator;

const Credential kCaller{"FUZZAKEMULATOR000001", "fuzz-secret-key-emulator-000000000000001",
                         "0a1b2c3d4e5f67890a1b2c3d4e5f6789"};

std::vector<std::string_view> split_requests(std::string_view text) {
  std::vector<std::string_view> out;
  constexpr std::string_view sep = "\n%%\n";
  for (size_t pos; (pos = text.find(sep)) != std::string_view::npos; text.remove_prefix(pos + sep.size()))
    out.push_back(text.substr(0, pos));
  out.push_back(text);
  return out;
}

std::string_view next_line(std::string_view& text) {
  size_t end = text.find('\n');
  std::string_view line = text.substr(0, end);
  text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) s.replace(pos, from.size(), to);
}

void run_request(Service& service, std::string_view text) {
  std::string_view request_line = next_line(text);
  if (request_line.substr(0, 8) == "ADVANCE ") {
    double seconds = std::strtod(std::string(request_line.substr(8)).c_str(), nullptr);
    if (seconds > 0 && seconds < 1e7) service.advance_clock(seconds);
    return;
  }
  size_t space = request_line.find(' ');
  if (space == std::string_view::npos) return;
  HttpRequest req;
  req.method = request_line.substr(0, space);
  req.target = request_line.substr(space + 1);
  replace_all(req.target, "{project_id}", kCaller.project_id);
  bool own_authorization = false;
  for (std::string_view line; !(line = next_line(text)).empty();) {
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    req.headers.emplace_back(line.substr(0, colon), value);
    own_authorization |= iequals(line.substr(0, colon), "Authorization");
  }
  req.body = text;
  if (!own_authorization) {
    req.headers.emplace_back("Host", "127.0.0.1:8080");
    cph::sign::SignableRequest s{req.method, std::string(req.path()), std::string(req.query()), req.headers, req.body};
    cph::sign::sign_request(s, kCaller.access_key, kCaller.secret_key, cph::sdk_date(cph::now_epoch_seconds()));
    req.headers = s.headers;
  }
  HttpResponse r = service.handle(req);
  (void)r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Options options;
  options.credentials = {kCaller};
  options.time_scale = 0;  // only ADVANCE moves time: the same input does the same
  Service service(options);
  for (std::string_view request : split_requests(std::string_view(reinterpret_cast<const char*>(data), size)))
    run_request(service, request);
  return 0;
}

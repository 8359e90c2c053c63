// The log behind GET /_emulator/calls: every mutating API request (any
// method but GET) in arrival order, with its operation template, raw path,
// request body and answer status, so that a test can tell which resources an
// apply really touched (docs/emulator.md "Admin API"). Kept in memory only,
// cleared by POST /_emulator/calls/reset; the Service's mutex guards it.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "emulator/http_types.h"

namespace cph::emulator {

class CallLog {
 public:
  // Records `req` answered with `status` under `operation` ("METHOD
  // /template", as in /_emulator/stats); GET requests are ignored.
  void record(const HttpRequest& req, const std::string& operation, int status);
  void clear() { calls_.clear(); }
  // {"calls": [{"seq", "operation", "path", "status", "body"}]} as text;
  // body is the request's JSON (null when it had none or it was not JSON).
  std::string to_json() const;

 private:
  struct Call {
    size_t seq = 0;
    std::string operation;
    std::string path;
    int status = 0;
    std::string body;
  };
  std::vector<Call> calls_;
  size_t next_seq_ = 1;
};

}  // namespace cph::emulator

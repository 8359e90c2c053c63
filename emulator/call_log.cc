#include "emulator/call_log.h"

#include <nlohmann/json.hpp>

namespace cph::emulator {

void CallLog::record(const HttpRequest& req, const std::string& operation, int status) {
  if (req.method == "GET") return;
  calls_.push_back(Call{next_seq_++, operation, std::string(req.path()), status, req.body});
}

std::string CallLog::to_json() const {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const Call& c : calls_) {
    nlohmann::ordered_json body = nlohmann::ordered_json::parse(c.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded()) body = nullptr;
    list.push_back({{"seq", c.seq}, {"operation", c.operation}, {"path", c.path}, {"status", c.status},
                    {"body", std::move(body)}});
  }
  return nlohmann::ordered_json{{"calls", std::move(list)}}.dump();
}

}  // namespace cph::emulator

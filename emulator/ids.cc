#include "emulator/ids.h"

#include "common/crypto.h"
#include "common/timefmt.h"

namespace cph::emulator::ids {

std::string request_id() { return crypto::random_hex(16); }
std::string server_id() { return crypto::random_hex(16); }

std::string uuid() {
  std::string h = crypto::random_hex(16);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

std::string order_id(int64_t epoch_seconds) {
  // iso8601_utc: "YYYY-MM-DDTHH:MM:SSZ" -> "YYMMDDHHMM".
  std::string t = iso8601_utc(epoch_seconds);
  std::string id = "CS" + t.substr(2, 2) + t.substr(5, 2) + t.substr(8, 2) + t.substr(11, 2) + t.substr(14, 2);
  static constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string r = crypto::random_hex(5);
  for (size_t i = 0; i < 5; ++i) {
    unsigned v = static_cast<unsigned>(std::stoul(r.substr(2 * i, 2), nullptr, 16));
    id += alphabet[v % alphabet.size()];
  }
  return id;
}

std::string bandwidth_id() {
  std::string h = crypto::random_hex(16);
  return h.substr(0, 6) + "-" + h.substr(6, 4) + "-" + h.substr(10, 4) + "-" + h.substr(14, 6) + "-" + h.substr(20);
}

std::string bandwidth_name(std::string_view bandwidth_id) {
  std::string name = "BANDWIDTH_";
  for (char c : bandwidth_id)
    if (c != '-') name += c;
  return name;
}

std::string product_id(std::string_view product_description) {
  std::string h = crypto::sha256_hex(product_description);
  std::string id = "OFFI";
  for (size_t i = 0; i < 18; ++i) id += static_cast<char>('0' + (std::stoi(h.substr(i, 1), nullptr, 16) % 10));
  return id;
}

std::string customer_id(std::string_view project_id) {
  return crypto::sha256_hex("customer:" + std::string(project_id)).substr(0, 32);
}

}  // namespace cph::emulator::ids

#include "emulator/batch_validate.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

namespace cph::emulator {
namespace {
bool only(std::string_view s, std::string_view extra) {
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           extra.find(c) != std::string_view::npos;
  });
}

std::variant<std::vector<std::string>, ApiError> dedupe(std::vector<std::string> ids) {
  if (ids.empty()) return ApiError::cps("CPS.0095");
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (std::string& id : ids)
    if (seen.insert(id).second) out.push_back(std::move(id));
  if (out.size() > kMaxBatchServers) return ApiError::cps("CPS.0096");
  return out;
}
}  // namespace

const nlohmann::json* member(const nlohmann::json& obj, std::string_view name) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(name);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

std::variant<std::vector<std::string>, ApiError> parse_server_ids(const nlohmann::json& body) {
  const nlohmann::json* ids = member(body, "server_ids");
  if (!ids || !ids->is_array()) return ApiError::cps("CPS.0094");
  std::vector<std::string> out;
  for (const nlohmann::json& id : *ids) {
    if (!id.is_string() || id.get_ref<const std::string&>().empty()) return ApiError::cps("CPS.0094");
    out.push_back(id.get<std::string>());
  }
  return dedupe(std::move(out));
}

std::variant<std::vector<std::string>, ApiError> parse_server_id_list(const std::optional<std::string>& csv) {
  if (!csv) return ApiError::cps("CPS.0094");
  if (csv->empty()) return ApiError::cps("CPS.0095");
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t comma = csv->find(',', start);
    std::string id = csv->substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (id.empty()) return ApiError::cps("CPS.0094");
    out.push_back(std::move(id));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return dedupe(std::move(out));
}

bool valid_bucket_name(std::string_view s) {
  return s.size() >= 3 && s.size() <= 63 &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'; });
}

bool valid_object_path(std::string_view s) {
  return !s.empty() && s.size() <= 1024 && only(s, "./-_+#=") && s.size() > 4 && s.substr(s.size() - 4) == ".tar";
}

bool valid_share_path(std::string_view s) {
  return s.size() > 1 && s.front() == '/' && only(s, ".+-_/=") && s.find("../") == std::string_view::npos &&
         s.find("//") == std::string_view::npos && s.substr(s.size() - std::min<size_t>(s.size(), 3)) != "/..";
}

bool valid_file_path(std::string_view s) {
  return !s.empty() && s.size() <= 4096 && s.front() == '/' && only(s, "./- _=") && s.find("..") == std::string_view::npos;
}

bool valid_package_name(std::string_view s) {
  if (s.empty() || s.size() > 128 || !only(s, "_.")) return false;
  if ((s.front() >= '0' && s.front() <= '9') || s.front() == '_') return false;
  return s.back() != '.' && s.find('.') != std::string_view::npos;
}

}  // namespace cph::emulator

#include "state/columns.h"

#include <stdexcept>

namespace cph::state::columns {

Json parse_json(const std::string& text, const char* column, const std::string& key, std::string_view store) {
  try {
    return Json::parse(text);
  } catch (const Json::exception& e) {  // parse_error, and out_of_range for a number like 1e400
    throw std::runtime_error(std::string(store) + " is damaged: " + column + " of " + key + " is not valid JSON (" +
                             e.what() + ")");
  }
}

std::string dump_json(const Json& value, const char* column, const std::string& key) {
  try {
    return value.dump();
  } catch (const Json::type_error& e) {
    throw std::invalid_argument("cannot store " + std::string(column) + " of " + key + ": " + e.what());
  }
}

void require_object(const Json& value, const char* what, const std::string& key) {
  if (!value.is_object())
    throw std::invalid_argument(std::string(what) + " of " + key + " must be a JSON object, got " + value.type_name());
}

void check_row(const ResourceRow& row) {
  if (row.address.empty()) throw std::invalid_argument("cannot store a resource with an empty address");
  if (row.type.empty()) throw std::invalid_argument("cannot store " + row.address + ": its type is empty");
  require_object(row.attributes, "attributes", row.address);
}

std::vector<std::string> parse_dependencies(const std::string& text, const std::string& key, std::string_view store) {
  Json deps = parse_json(text, "dependencies", key, store);
  if (!deps.is_array())
    throw std::runtime_error(std::string(store) + " is damaged: dependencies of " + key + " is not an array");
  std::vector<std::string> out;
  for (const Json& d : deps) {
    if (!d.is_string())
      throw std::runtime_error(std::string(store) + " is damaged: dependencies of " + key + " holds a non-string");
    out.push_back(d.get<std::string>());
  }
  return out;
}

}  // namespace cph::state::columns

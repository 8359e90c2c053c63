// JSON columns of the state tables, shared by the SQLite and PostgreSQL
// backends so that both check and report the same way. `store` names the
// backend in messages ("state file", "PostgreSQL state").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "state/state.h"

namespace cph::state::columns {

// Throws std::runtime_error "<store> is damaged: ..." when text is not JSON.
Json parse_json(const std::string& text, const char* column, const std::string& key, std::string_view store);
// nlohmann::json refuses strings that are not UTF-8; says which column of
// which key it was (std::invalid_argument) rather than a bare type_error.
std::string dump_json(const Json& value, const char* column, const std::string& key);
void require_object(const Json& value, const char* what, const std::string& key);
// A resource row fit to store: an address, a type, attributes as an object.
void check_row(const ResourceRow& row);
// The dependencies column: a JSON array of addresses.
std::vector<std::string> parse_dependencies(const std::string& text, const std::string& key, std::string_view store);

}  // namespace cph::state::columns

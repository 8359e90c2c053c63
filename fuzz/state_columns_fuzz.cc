// Fuzz target: the JSON columns of the state tables as both backends read
// them back (state/columns.h: attributes, intent, response, previous,
// dependencies) and check them before a write (check_row, dump_json). A
// damaged column must end in an error naming it, never in a crash; a value
// read back must store again and read as the same value.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "state/columns.h"

namespace {

void read_column(const std::string& text) {
  using namespace cph::state;
  Json value;
  try {
    value = columns::parse_json(text, "attributes", "server.web[0]", "state file");
  } catch (const std::runtime_error&) {
    return;
  }
  try {
    ResourceRow row;
    row.address = "server.web[0]";
    row.type = "server";
    row.attributes = value;
    columns::check_row(row);
  } catch (const std::invalid_argument&) {
    // not an object: refused before a write
  }
  std::string stored;
  try {
    stored = columns::dump_json(value, "attributes", "server.web[0]");
  } catch (const std::invalid_argument&) {
    return;
  }
  if (columns::parse_json(stored, "attributes", "server.web[0]", "state file") != value) {
    std::fprintf(stderr, "a column value reads back changed after a store\n");
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  read_column(text);
  try {
    (void)cph::state::columns::parse_dependencies(text, "server.web[0]", "state file");
  } catch (const std::runtime_error&) {
  }
  try {
    (void)cph::state::journal_status_from_string(text);
  } catch (const std::invalid_argument&) {
  }
  return 0;
}

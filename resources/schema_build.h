// Small builders for writing descriptors (server_schema.cc,
// fleet_schemas.cc) as readable tables rather than field assignments.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "resources/schema.h"

namespace cph::resources::build {

inline Attribute attr(std::string name, AttrType type, bool required, std::string description, Update update,
                      std::vector<Rule> rules = {}) {
  Attribute a;
  a.name = std::move(name);
  a.type = type;
  a.required = required;
  a.description = std::move(description);
  a.update = update;
  a.rules = std::move(rules);
  return a;
}

// Refresh reads the live value (drift is reported for it).
inline Attribute readable(Attribute a) {
  a.readable = true;
  return a;
}

inline Attribute with_default(Attribute a, Json value) {
  a.default_value = std::move(value);
  return a;
}

// Changed on the live object by `operation` through `api`.
inline Attribute changed_by(Attribute a, std::string operation, std::string api) {
  a.operation = std::move(operation);
  a.update_api = std::move(api);
  return a;
}

inline Attribute carried_along_by(Attribute a, std::string operation) {
  a.also_carried_by = std::move(operation);
  return a;
}

inline Attribute referencing(Attribute a, std::string type) {
  a.reference_to = std::move(type);
  return a;
}

inline Attribute computed(std::string name, AttrType type, std::string description) {
  Attribute a = attr(std::move(name), type, false, std::move(description), Update::computed);
  a.readable = true;
  return a;
}

}  // namespace cph::resources::build

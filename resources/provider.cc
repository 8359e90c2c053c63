#include "resources/provider.h"

namespace cph::resources {

void RefreshScope::note(const std::string& type, const Json& object) {
  std::set<std::string>& names = attributes[type];
  if (object.is_object())
    for (const auto& [name, value] : object.items()) names.insert(name);
}

bool RefreshScope::uses(const std::string& type, const std::string& attribute) const {
  auto found = attributes.find(type);
  return found != attributes.end() && found->second.count(attribute) > 0;
}

}  // namespace cph::resources

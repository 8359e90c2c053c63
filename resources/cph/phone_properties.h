// The phone property list of cph-api.md 10.1 (A.1) as data: each key, its
// rule, the legacy names of [S000] (13.1, A-29), and the keys a phone
// model does not support. The [phones.NAME] descriptor (phone_schema.cc)
// builds its `properties` table from it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "resources/schema.h"

namespace cph::resources::phone_properties {

struct Key {
  std::string key;          // as written in the manifest and (unless alias_of) sent
  bool integer = false;     // 10.1's logical type Integer (0/1 switches): a TOML integer
  std::string description;  // meaning, default and rule, for docs/manifest.md
  Rule rule;                // 10.1's constraint on the value
  // A legacy name of [S000]: sent under this 10.1 key instead. Empty
  // for 10.1 keys and for legacy names without one (iccid), sent as written.
  std::string alias_of;
};

// Every key the manifest accepts, 10.1's order, then the legacy names.
const std::vector<Key>& keys();

// The interpolations a [phones] block gives each phone (ResourceSchema::
// placeholders) and the widest text each can take, with which the rules
// judge a value that uses them: ${phone.index} (the phone's place on its
// server, 0-based, below 1,000: 10.2 has at most 100 phones per server),
// ${phone.number} (1-based, four digits: 0001, as the service numbers
// phones, 5.1), ${phone.server_index} (the server's place in its block,
// 0-based, below count's limit of 10,000) and ${phone.server_number}
// (1-based, four digits or more, as server instance names).
const std::vector<std::string>& placeholders();
std::string widest(std::string_view text);
// `inner` judging a string at its widest, saying so when that differs from
// what is written.
Rule judged_widest(Rule inner);

// Why a phone of model `phone_model` refuses `key`, or nullopt. 10.1: phones
// of `rx1.cp.c60.d32.e1v1.qemu` do not support the bandwidth limit; that
// model and every `aphs1*` model "support modifying only a few properties"
// without naming them, read here as the identity keys (phone number, IMSI,
// Wi-Fi name, SIM and operator, locale).
std::optional<std::string> refused_by_model(std::string_view phone_model, std::string_view key);

}  // namespace cph::resources::phone_properties

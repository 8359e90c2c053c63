// The phones of a [phones.NAME] block, one by one (issue 14): which phone
// is which (its server, its place on it), what the block wants of it (its
// name and properties with the ${phone.*} values filled in), and how its
// live status compares with the wanted power state. Refresh uses it to
// report drift, the runner (phone_steps.cc) to choose its calls.
//
// A block is recorded as one row: the attributes as last applied plus
// `server_ids` (server address -> id). Properties cannot be read back (5.1
// and 5.2 do not list every key), so the row is the record of what was
// applied; names and statuses are read live (5.1).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "resources/cph/cph_client.h"

namespace cph::resources::phone_slots {

using Json = nlohmann::json;

struct Slot {
  std::string server_address;  // "server.game[1]"
  std::string server_id;
  int server_index = 0;  // ${phone.server_index}: the server's instance index (0 uncounted)
  int index = 0;         // ${phone.index}: place on its server in phone id order
  const cloud::Phone* phone = nullptr;
};

// The text with the ${phone.*} values of one phone ("game-${phone.number}"
// -> "game-0002"): numbers 1-based, at least four digits, as 5.1 numbers phones.
std::string expand(std::string_view text, int index, int server_index);

// The properties of one phone as sent (10.1 keys: legacy names mapped to
// their 10.1 key where one exists; values expanded; integers as numbers).
Json properties_for(const Json& properties, int index, int server_index);

// The per-phone values of a block (its `phones` attribute, usually read
// from phones_file): each row names a server address and the phone's
// number on it (1-based, as ${phone.number}), and gives that phone a name
// and properties of its own, overriding the block's.
class PerPhone {
 public:
  explicit PerPhone(const Json& rows);
  PerPhone(const PerPhone&) = delete;  // rows_ points into owned_
  PerPhone& operator=(const PerPhone&) = delete;
  // The row of the phone at `index` (0-based) of `server_address`, or null.
  const Json* row(const std::string& server_address, int index) const;
  bool empty() const { return rows_.empty(); }

 private:
  Json owned_;
  std::unordered_map<std::string, const Json*> rows_;  // "server.game[0]#2" -> row of owned_
};

// The name a phone should have: its row's, else the block's `name`, with
// the ${phone.*} values filled in; "" when neither sets one (the name the
// service gave is kept).
std::string wanted_name(const Json& name, const Json* row, int index, int server_index);

// properties_for() with the row's property keys (every key but server,
// phone and name) laid over the block's.
Json wanted_properties(const Json& properties, const Json* row, int index, int server_index);

// Whether a key takes effect only at the next boot. 5.9 says some do and
// 10.1 does not say which: cphform takes Android's read-only
// properties (ro.*) and persist.sys.locale ("at first boot") to be those.
bool needs_restart(std::string_view key);

// The phones of `servers` (addresses, in the block's order) by their ids
// (`ids`: address -> server id; addresses without one are skipped), each
// server's in phone id order. `phones` maps server id -> its phones.
std::vector<Slot> slots(const Json& servers, const Json& ids,
                        const std::unordered_map<std::string, std::vector<cloud::Phone>>& phones);

// 5.0 in words: "stopped (8)", "abnormal (-7)".
std::string status_text(int status);
// 5.0: a status a phone passes through (creating, resetting, restarting,
// shutting down): neither drift nor something a call can change now.
bool in_transition(int status);
// Whether a phone in `status` is where `power` ("running"/"stopped") wants it.
bool power_matches(std::string_view power, int status);

// "server.game[1] phone 0002 (game-0002, id 1a2b...)", for messages (no
// quotes: drift reports print values JSON-quoted).
std::string describe(const Slot& s);

// Whether `member` (as -replace=phones.NAME[MEMBER] or cphform phone
// restart names one) is this phone: its id, its name, or its server's
// address ("server.game[1]", or the block "server.game": every instance).
bool names_phone(std::string_view member, const Slot& s);

// The members of `members` that name none of `all` (names_phone).
std::vector<std::string> unmatched_members(const std::vector<std::string>& members, const std::vector<Slot>& all);

// The recorded row of a [phones] block overlaid with what the phones are
// now: `name` and `power` keep their recorded values when every phone
// matches them, else they say which phones differ (the plan then shows the
// change back, the drift report both).
Json live_overlay(const Json& recorded, const std::unordered_map<std::string, std::vector<cloud::Phone>>& phones);

}  // namespace cph::resources::phone_slots

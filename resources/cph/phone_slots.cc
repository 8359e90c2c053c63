// Per-phone values and live comparisons of [phones] blocks (phone_slots.h).
#include "resources/cph/phone_slots.h"

#include <algorithm>
#include <cstdio>

#include "resources/change.h"
#include "resources/cph/phone_properties.h"

namespace cph::resources::phone_slots {

namespace {

namespace props = phone_properties;

std::string four_digits(int n) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d", n);
  return buf;
}

void replace_all(std::string& s, std::string_view what, const std::string& with) {
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + with.size()))
    s.replace(at, what.size(), with);
}

// At most this many phones are named in one drift line; the rest are counted.
constexpr size_t kNamed = 5;

std::string summary(const std::vector<std::string>& items, size_t total, const std::string& what) {
  std::string out = std::to_string(items.size()) + " of " + std::to_string(total) + " phones " + what + ": ";
  for (size_t i = 0; i < items.size() && i < kNamed; ++i) out += (i ? "; " : "") + items[i];
  if (items.size() > kNamed) out += "; and " + std::to_string(items.size() - kNamed) + " more";
  return out;
}

}  // namespace

std::string expand(std::string_view text, int index, int server_index) {
  std::string out(text);
  if (out.find("${") == std::string::npos) return out;
  replace_all(out, "${phone.index}", std::to_string(index));
  replace_all(out, "${phone.number}", four_digits(index + 1));
  replace_all(out, "${phone.server_index}", std::to_string(server_index));
  replace_all(out, "${phone.server_number}", four_digits(server_index + 1));
  return out;
}

namespace {

// The 10.1 key a manifest key is sent as (a legacy name's alias_of).
const std::string& sent_key(const std::string& key) {
  for (const props::Key& k : props::keys())
    if (k.key == key && !k.alias_of.empty()) return k.alias_of;
  return key;
}

bool row_field(const std::string& key) { return key == "server" || key == "phone" || key == "name"; }

std::string row_key(const std::string& server_address, int number) { return server_address + "#" + std::to_string(number); }

}  // namespace

Json properties_for(const Json& properties, int index, int server_index) {
  Json out = Json::object();
  if (!properties.is_object()) return out;
  for (const auto& [key, value] : properties.items())
    out[sent_key(key)] = value.is_string() ? Json(expand(value.get<std::string>(), index, server_index)) : value;
  return out;
}

PerPhone::PerPhone(const Json& rows) : owned_(rows.is_array() ? rows : Json::array()) {
  for (const Json& r : owned_)
    if (r.is_object() && r.value("server", Json()).is_string() && r.value("phone", Json()).is_number_integer())
      rows_[row_key(r["server"].get<std::string>(), r["phone"].get<int>())] = &r;
}

const Json* PerPhone::row(const std::string& server_address, int index) const {
  if (rows_.empty()) return nullptr;
  auto it = rows_.find(row_key(server_address, index + 1));
  return it == rows_.end() ? nullptr : it->second;
}

std::string wanted_name(const Json& name, const Json* row, int index, int server_index) {
  const Json own = row ? row->value("name", Json()) : Json();
  const Json& chosen = own.is_string() ? own : name;
  return chosen.is_string() ? expand(chosen.get<std::string>(), index, server_index) : std::string();
}

Json wanted_properties(const Json& properties, const Json* row, int index, int server_index) {
  Json out = properties_for(properties, index, server_index);
  if (!row) return out;
  for (const auto& [key, value] : row->items())
    if (!row_field(key))
      out[sent_key(key)] = value.is_string() ? Json(expand(value.get<std::string>(), index, server_index)) : value;
  return out;
}

bool needs_restart(std::string_view key) { return key.rfind("ro.", 0) == 0 || key == "persist.sys.locale"; }

std::vector<Slot> slots(const Json& servers, const Json& ids,
                        const std::unordered_map<std::string, std::vector<cloud::Phone>>& phones) {
  std::vector<Slot> out;
  if (!servers.is_array() || !ids.is_object()) return out;
  for (const Json& s : servers) {
    if (!s.is_string()) continue;
    const std::string address = s.get<std::string>();
    const Json id = ids.value(address, Json());
    if (!id.is_string()) continue;
    auto found = phones.find(id.get<std::string>());
    if (found == phones.end()) continue;
    const int server_index = std::max(0, address_parts(address).index);
    int index = 0;
    for (const cloud::Phone& p : found->second) out.push_back({address, id.get<std::string>(), server_index, index++, &p});
  }
  return out;
}

std::string status_text(int status) {
  switch (status) {
    case 0: case 1: return "creating (" + std::to_string(status) + ")";
    case 2: return "running (2)";
    case 3: return "resetting (3)";
    case 4: return "restarting (4)";
    case 6: return "frozen (6)";
    case 7: return "shutting down (7)";
    case 8: return "stopped (8)";
    case -5: return "reset failed (-5)";
    case -6: return "restart failed (-6)";
    case -7: return "abnormal (-7)";
    case -8: return "creation failed (-8)";
    case -9: return "shutdown failed (-9)";
    default: return "status " + std::to_string(status);
  }
}

bool in_transition(int status) { return status == 0 || status == 1 || status == 3 || status == 4 || status == 7; }

bool power_matches(std::string_view power, int status) {
  // A frozen phone goes with its frozen server: the server's drift says so.
  if (in_transition(status) || status == 6) return true;
  return power == "stopped" ? status == 8 : status == 2;
}

std::string describe(const Slot& s) {
  return s.server_address + " phone " + four_digits(s.index + 1) + " (" + s.phone->phone_name + ", id " +
         s.phone->phone_id + ")";
}

bool names_phone(std::string_view member, const Slot& s) {
  if (member == s.phone->phone_id || member == s.phone->phone_name || member == s.server_address) return true;
  const std::string_view server = s.server_address;
  return server.size() > member.size() && server.compare(0, member.size(), member) == 0 && server[member.size()] == '[';
}

std::vector<std::string> unmatched_members(const std::vector<std::string>& members, const std::vector<Slot>& all) {
  std::vector<std::string> out;
  for (const std::string& m : members)
    if (std::none_of(all.begin(), all.end(), [&](const Slot& s) { return names_phone(m, s); })) out.push_back(m);
  return out;
}

Json live_overlay(const Json& recorded, const std::unordered_map<std::string, std::vector<cloud::Phone>>& phones) {
  Json out = recorded.is_object() ? recorded : Json::object();
  const std::vector<Slot> all = slots(out.value("servers", Json()), out.value("server_ids", Json()), phones);
  const Json name = out.value("name", Json());
  const PerPhone rows(out.value("phones", Json()));
  const std::string power = out.value("power", std::string("running"));
  std::vector<std::string> renamed, off;
  for (const Slot& s : all) {
    const std::string want = wanted_name(name, rows.row(s.server_address, s.index), s.index, s.server_index);
    if (!want.empty() && s.phone->phone_name != want) renamed.push_back(describe(s) + " should be " + want);
    if (!power_matches(power, s.phone->status)) off.push_back(describe(s) + " is " + status_text(s.phone->status));
  }
  if (!renamed.empty()) out["name"] = summary(renamed, all.size(), "named otherwise");
  if (!off.empty()) out["power"] = summary(off, all.size(), "not " + power);
  return out;
}

}  // namespace cph::resources::phone_slots

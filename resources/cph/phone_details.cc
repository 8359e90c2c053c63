// The phones' properties as each phone reports them (5.2 Show cloud phone
// detail, one call per phone; the phone list, 5.1, has none), for the two
// commands that ask for that cost (issue 14 item 6):
//
// import: the row of a [phones] block that lists imported servers, recorded
// as if the block had been applied to their phones as they are now, so that
// the next plan shows only the real differences; and, with
// -generate-config-out, a [phones] block for the generated server blocks,
// with the phones' power state.
//
// drift -phone-properties: each phone whose property differs from what the
// row recorded as applied.
//
// The row (phone_slots.h) holds the block's properties as applied, one
// object with ${phone.*} templates, and plan_work (phone_steps.cc) sends a
// phone of a recorded server the keys whose expansion differs from the
// recorded ones; phones named in `applying.phones` are taken to have
// `applying.properties`. So, key by key of the declared properties:
//   - every phone has the declared value: the key is recorded as declared;
//   - every phone has one same value, another one: that value is recorded
//     (the plan sends the key to the phones whose declared value differs
//     from it, and only to those);
//   - the phones differ among themselves: the key is left out (the plan
//     sends it to every phone that is not fully as declared).
// The phones that have every declared property go to `applying` with the
// declared properties: they are sent nothing. When every phone is as
// declared the row is the block's own and the plan shows no change.
#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "resources/change.h"
#include "resources/cph/all_at_once.h"
#include "resources/cph/cph_provider.h"
#include "resources/cph/phone_slots.h"
#include "resources/cph/phone_steps.h"

namespace cph::resources {

namespace {

namespace asio = boost::asio;
using phone_slots::Slot;
// A phone's properties as 5.2 reports them (its `property`, a JSON object
// as text): {} when it has none or the text is not an object.
asio::awaitable<Json> read_property(cloud::CphClient& cloud, std::string phone_id) {
  const std::string text = co_await cloud.show_phone_property(std::move(phone_id));
  Json parsed = Json::parse(text, nullptr, false);
  co_return parsed.is_object() ? parsed : Json::object();
}

// Values as the phones report them: an integer key may come back as text.
bool same_value(const Json& a, const Json& b) {
  if (a == b) return true;
  auto text = [](const Json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); };
  return (a.is_string() || a.is_number()) && (b.is_string() || b.is_number()) && text(a) == text(b);
}

// The key a declared key is sent as (a legacy name's 10.1 key).
std::string sent_key(const std::string& key, const Json& value) {
  Json one = phone_slots::properties_for(Json{{key, value}}, 0, 0);
  return one.empty() ? key : one.begin().key();
}

// `value` in the declared value's type, so that the row compares with it.
Json as_declared(const Json& value, const Json& declared) {
  if (declared.is_number_integer() && value.is_string()) {
    try {
      size_t used = 0;
      const long long n = std::stoll(value.get<std::string>(), &used);
      if (used == value.get<std::string>().size()) return n;
    } catch (const std::exception&) {
    }
  }
  return value;
}

// What each phone is known to have (sent keys, values expanded): read from
// the phone when its server is imported now, else what the row recorded.
struct Known {
  const Slot* slot;
  Json properties;
};

struct Recorded {
  Json properties = Json::object();
  std::vector<std::string> complete;  // phone ids with every declared property
  size_t differing = 0;
};

Recorded record(const Json& declared, const std::vector<Known>& phones) {
  Recorded out;
  std::vector<bool> complete(phones.size(), true);
  for (const auto& [key, value] : declared.items()) {
    const std::string sent = sent_key(key, value);
    bool as_wanted = true;
    std::optional<Json> common;
    bool one_value = true;
    for (size_t i = 0; i < phones.size(); ++i) {
      const Slot& s = *phones[i].slot;
      const Json wanted = phone_slots::properties_for(Json{{key, value}}, s.index, s.server_index).begin().value();
      const Json& have = phones[i].properties;
      const bool has = have.is_object() && have.contains(sent);
      if (!has || !same_value(have[sent], wanted)) {
        as_wanted = false;
        complete[i] = false;
      }
      if (!has)
        one_value = false;
      else if (!common)
        common = have[sent];
      else if (!same_value(*common, have[sent]))
        one_value = false;
    }
    if (as_wanted)
      out.properties[key] = value;
    else if (one_value && common)
      out.properties[key] = as_declared(*common, value);
  }
  for (size_t i = 0; i < phones.size(); ++i)
    if (complete[i])
      out.complete.push_back(phones[i].slot->phone->phone_id);
    else
      ++out.differing;
  std::sort(out.complete.begin(), out.complete.end());
  return out;
}

// What the row says phone `s` was given (sent keys, values expanded), as
// plan_work reads it: `applying` for the phones it names, else the row's
// properties for the phones of the recorded servers.
Json applied_to(const Json& row, const Slot& s) {
  const Json applying = row.value("applying", Json::object());
  for (const Json& id : applying.value("phones", Json::array()))
    if (id == s.phone->phone_id)
      return phone_slots::properties_for(applying.value("properties", Json::object()), s.index, s.server_index);
  const Json ids = row.value("server_ids", Json::object());
  if (ids.is_object() && ids.value(s.server_address, std::string()) == s.server_id)
    return phone_slots::properties_for(row.value("properties", Json::object()), s.index, s.server_index);
  return Json::object();
}

bool declares_properties(const Json& row) {
  const Json p = row.value("properties", Json());
  const Json a = row.value("applying", Json());
  return (p.is_object() && !p.empty()) || (a.is_object() && !a.empty());
}

}  // namespace

asio::awaitable<DetailDrift> CphProvider::detail_drift(const std::vector<RecordedObject>& rows, bool read) {
  DetailDrift out;
  for (const RecordedObject& row : rows) {
    if (row.type != "phones" || !row.attributes.is_object() || !declares_properties(row.attributes)) continue;
    if (!read) {
      out.not_compared += (out.not_compared.empty() ? "the properties of the phones of " : ", ") + row.address;
      continue;
    }
    const Json ids = row.attributes.value("server_ids", Json::object());
    std::set<std::string> server_ids;
    for (const auto& [address, id] : ids.items())
      if (id.is_string()) server_ids.insert(id.get<std::string>());
    const PhonesByServer phones = co_await list_phones_of(*cloud_, server_ids);
    const std::vector<Slot> slots = phone_slots::slots(row.attributes.value("servers", Json()), ids, phones);
    // One detail call per phone, together within the call slots: asked for
    // by -phone-properties, never made by a refresh.
    std::vector<asio::awaitable<Json>> reads;
    for (const Slot& s : slots) reads.push_back(read_property(*cloud_, s.phone->phone_id));
    const std::vector<Json> live = co_await all_at_once(std::move(reads));
    for (size_t i = 0; i < slots.size(); ++i) {
      const Json applied = applied_to(row.attributes, slots[i]);
      for (const auto& [key, value] : applied.items()) {
        // A key the phone does not report is not compared: 5.2 need not
        // list every key (the row is the record of what was applied).
        if (!live[i].contains(key) || same_value(live[i][key], value)) continue;
        out.findings.push_back({row.address,
                                {{"attribute", "properties." + key},
                                 {"object", phone_slots::describe(slots[i])},
                                 {"recorded", value},
                                 {"live", live[i][key]}}});
      }
    }
  }
  co_return out;
}

asio::awaitable<DependentImport> CphProvider::import_dependents(const std::vector<ImportedSet>& imported,
                                                                const std::vector<DependentBlock>& declared) {
  DependentImport out;
  std::map<std::string, std::string> imported_ids;  // address -> id
  for (const ImportedSet& set : imported) imported_ids.insert(set.ids.begin(), set.ids.end());

  for (const DependentBlock& block : declared) {
    if (block.type != "phones") continue;
    const Json listed = block.attributes.value("servers", Json::array());
    const Json before = block.recorded && block.recorded->is_object() ? *block.recorded : Json::object();
    // The servers the row covers: those it covered and those imported now.
    Json ids = before.value("server_ids", Json::object());
    if (!ids.is_object()) ids = Json::object();
    bool imports = false;
    for (const Json& s : listed)
      if (auto it = imported_ids.find(s.get<std::string>()); it != imported_ids.end()) {
        ids[it->first] = it->second;
        imports = true;
      }
    if (!imports) continue;
    Json servers = Json::array(), row_ids = Json::object();
    for (const Json& s : listed)
      if (ids.contains(s.get<std::string>())) {
        servers.push_back(s);
        row_ids[s.get<std::string>()] = ids[s.get<std::string>()];
      }
    Json row = {{"servers", servers}, {"server_ids", row_ids}};
    for (const char* k : {"name", "power"})
      if (block.attributes.contains(k)) row[k] = block.attributes[k];
    std::string note;
    const Json wanted = block.attributes.value("properties", Json());
    if (wanted.is_object() && !wanted.empty()) {
      std::set<std::string> server_ids;
      for (const auto& [address, id] : row_ids.items()) server_ids.insert(id.get<std::string>());
      const PhonesByServer phones = co_await list_phones_of(*cloud_, server_ids);
      const std::vector<Slot> slots = phone_slots::slots(servers, row_ids, phones);
      // The properties of the imported servers' phones, one detail call
      // (5.2) per phone, together within the client's call slots. An import
      // is a one-off that asks for it, so one call per phone is acceptable
      // here; a refresh (every plan) must never do it: 20,000 phones would
      // be 20,000 calls each time (refresh reads 5.1 pages instead).
      std::vector<asio::awaitable<Json>> reads;
      std::vector<size_t> read_slots;
      std::vector<Known> known;
      const Json old_ids = before.value("server_ids", Json::object());
      const Json applying = before.value("applying", Json::object());
      std::set<std::string> applied;
      for (const Json& id : applying.value("phones", Json::array()))
        if (id.is_string()) applied.insert(id.get<std::string>());
      for (const Slot& s : slots) {
        if (imported_ids.count(s.server_address)) {
          read_slots.push_back(known.size());
          reads.push_back(read_property(*cloud_, s.phone->phone_id));
          known.push_back({&s, Json::object()});
        } else if (applied.count(s.phone->phone_id)) {
          known.push_back({&s, phone_slots::properties_for(applying.value("properties", Json::object()), s.index,
                                                           s.server_index)});
        } else if (old_ids.is_object() && old_ids.value(s.server_address, std::string()) == s.server_id) {
          known.push_back({&s, phone_slots::properties_for(before.value("properties", Json::object()), s.index,
                                                           s.server_index)});
        } else {
          known.push_back({&s, Json::object()});  // never configured: nothing known
        }
      }
      std::vector<Json> read = co_await all_at_once(std::move(reads));
      for (size_t i = 0; i < read.size(); ++i) known[read_slots[i]].properties = std::move(read[i]);
      Recorded r = record(wanted, known);
      if (r.properties != wanted) row["applying"] = {{"properties", wanted}, {"phones", Json(r.complete)}};
      row["properties"] = std::move(r.properties);
      note = std::to_string(known.size()) + " phones, properties read from " + std::to_string(read.size()) + ": " +
             (r.differing ? std::to_string(r.differing) + " differ from the block (the next plan shows the change)"
                          : std::string("all as declared"));
    } else {
      if (block.attributes.contains("properties")) row["properties"] = wanted;
      note = "names and power are compared live by the next plan";
    }
    out.rows.push_back({block.address, "phones", std::move(row), std::move(note)});
  }

  // -generate-config-out: a [phones] block per generated server block, with
  // the power its phones are in (no name or property is guessed).
  for (const ImportedSet& set : imported) {
    if (!set.generated || set.ids.empty()) continue;
    const std::string label = set.block.substr(set.block.find('.') + 1);
    const std::string address = "phones." + label;
    for (const DependentBlock& block : declared)
      if (block.address == address)
        throw std::runtime_error(address + " is already declared in the manifests (nothing was imported)");
    std::set<std::string> server_ids;
    std::vector<std::string> addresses;
    Json row_ids = Json::object();
    for (const auto& [a, id] : set.ids) {
      server_ids.insert(id);
      addresses.push_back(a);
      row_ids[a] = id;
    }
    std::sort(addresses.begin(), addresses.end(), address_less);
    const PhonesByServer phones = co_await list_phones_of(*cloud_, server_ids);
    size_t total = 0, stopped = 0;
    for (const auto& [server, list] : phones)
      for (const cloud::Phone& p : list) {
        ++total;
        stopped += p.status == 8 ? 1 : 0;
      }
    if (total == 0) continue;
    const std::string power = stopped == total ? "stopped" : "running";
    out.blocks += "[phones." + label + "]\nservers = [\"" + set.block + "\"]\npower   = \"" + power + "\"\n";
    if (stopped != 0 && stopped != total)
      out.blocks += "# note: " + std::to_string(stopped) + " of the " + std::to_string(total) +
                    " phones are stopped; the next apply starts them\n";
    out.blocks += "\n";
    out.rows.push_back({address, "phones", {{"servers", Json(addresses)}, {"server_ids", row_ids}, {"power", power}},
                        std::to_string(total) + " phones, power " + power});
  }
  co_return out;
}

}  // namespace cph::resources

// The [phones.NAME] descriptor: the names, properties (cph-api.md 10.1) and
// power state of every phone of the listed servers. A server carries its
// phones from its purchase (5.1): a [phones] block buys nothing, it
// declares what the phones of those servers should be.
#include <algorithm>
#include <map>
#include <set>

#include "resources/change.h"
#include "resources/cph/fleet_schemas.h"
#include "resources/cph/phone_properties.h"
#include "resources/cph/phone_slots.h"
#include "resources/schema_build.h"

namespace cph::resources {
namespace {
using namespace build;
namespace props = phone_properties;

// 5.8: a phone name is at most 60 characters of a-z A-Z 0-9 - _ or Chinese,
// judged with its placeholders at their widest.
Rule phone_name_rule() {
  return props::judged_widest(rules::characters(
      1, 60, {.letters = true, .digits = true, .extra = U"-_", .chinese = true},
      "must be 1 to 60 characters of A-Z a-z 0-9 - _ or Chinese characters (CPH API: Rename phone)"));
}

bool uses(const std::string& text, std::initializer_list<const char*> names) {
  for (const char* n : names)
    if (text.find(std::string("${") + n + "}") != std::string::npos) return true;
  return false;
}

// Whether `server` (a row's "server.game[0]" or "server.solo") is one of
// the block's `servers`: listed as it is, or as its block ("server.game").
bool listed(const Json& servers, const std::string& server) {
  const std::string block(address_parts(server).block);
  for (const Json& s : servers)
    if (s.is_string() && (s.get<std::string>() == server || s.get<std::string>() == block)) return true;
  return false;
}

// The per-phone rows (`phones`, from phones_file): each on a listed
// server, one row a phone, one name a phone of a server, and no name that
// the block's `name` gives another phone of that server.
void check_rows(const Json& a, std::vector<BlockProblem>& problems) {
  if (!a.contains("phones") || !a["phones"].is_array()) return;
  const Json& rows = a["phones"];
  const Json servers = a.value("servers", Json::array());
  std::map<std::string, size_t> seen;                         // "server#number" -> row
  std::map<std::string, std::map<std::string, size_t>> names;  // server -> name -> row
  std::map<std::string, std::set<int>> numbers;                // server -> phones with a row name
  for (size_t i = 0; i < rows.size(); ++i) {
    const Json& r = rows[i];
    const std::string at = "phones[" + std::to_string(i) + "]";
    if (!r.is_object() || !r.value("server", Json()).is_string() || !r.value("phone", Json()).is_number_integer())
      continue;
    const std::string server = r["server"].get<std::string>();
    const int number = r["phone"].get<int>();
    if (!listed(servers, server)) {
      problems.push_back({at + ".server", "is not one of the block's servers; list it in servers, or use one of them "
                                          "with its index, e.g. \"server.game[0]\" (\"server.solo\" uncounted)"});
      continue;
    }
    auto [first, fresh] = seen.emplace(server + "#" + std::to_string(number), i);
    if (!fresh) {
      problems.push_back({at + ".phone", "is given a second row for " + server + " phone " + std::to_string(number) +
                                             " (the first is phones[" + std::to_string(first->second) + "]); keep one"});
      continue;
    }
    for (const props::Key& k : props::keys())
      if (!k.alias_of.empty() && r.contains(k.key) && r.contains(k.alias_of))
        problems.push_back({at + "." + k.key, "is the legacy name of \"" + k.alias_of +
                                                  "\", which this row sets too; keep one (CPH API: ResetCloudPhone)"});
    if (!r.value("name", Json()).is_string()) continue;
    const int server_index = std::max(0, address_parts(server).index);
    const std::string name = phone_slots::expand(r["name"].get<std::string>(), number - 1, server_index);
    auto [same, unique] = names[server].emplace(name, i);
    if (!unique)
      problems.push_back({at + ".name", "gives " + server + " phone " + std::to_string(number) + " the name \"" + name +
                                            "\", as phones[" + std::to_string(same->second) +
                                            "] does another phone of it; two phones of a server cannot share a name "
                                            "(CPH API: Rename phone, CPS.0026)"});
    numbers[server].insert(number);
  }
  // The block's name for the phones without a row name must not be one of
  // theirs: 10.2 has at most 100 phones a server, so its first 100 numbers
  // are compared.
  if (!a.contains("name") || !a["name"].is_string()) return;
  for (const auto& [server, taken] : names) {
    const int server_index = std::max(0, address_parts(server).index);
    for (int number = 1; number <= 100; ++number) {
      if (numbers[server].count(number)) continue;
      auto clash = taken.find(phone_slots::expand(a["name"].get<std::string>(), number - 1, server_index));
      if (clash != taken.end())
        problems.push_back({"phones[" + std::to_string(clash->second) + "].name",
                            "is the name the block's name gives " + server + " phone " + std::to_string(number) +
                                ", which has no row name; two phones of a server cannot share a name (CPH API: "
                                "Rename phone, CPS.0026)"});
    }
  }
}

std::vector<BlockProblem> check_phones_block(const Json& a, std::optional<int>) {
  std::vector<BlockProblem> problems;
  check_rows(a, problems);
  // 5.8 CPS.0026: two phones of a server cannot share a name.
  if (a.contains("name") && a["name"].is_string() &&
      !uses(a["name"].get<std::string>(), {"phone.index", "phone.number"}))
    problems.push_back({"name", "must contain ${phone.index} or ${phone.number}: every phone of a server without a "
                                "name of its own (phones_file) gets it, and two phones of one server cannot share a "
                                "name (CPH API: Rename phone, CPS.0026); to name only some phones, leave name unset "
                                "and give them names in phones_file"});
  if (a.contains("servers") && a["servers"].is_array()) {
    if (a["servers"].empty()) problems.push_back({"servers", "must list at least one server, e.g. [\"server.game\"]"});
    std::set<std::string> seen;
    for (size_t i = 0; i < a["servers"].size(); ++i)
      if (a["servers"][i].is_string() && !seen.insert(a["servers"][i].get<std::string>()).second)
        problems.push_back({"servers[" + std::to_string(i) + "]", "lists a server twice"});
  }
  // A legacy name and its 10.1 key would send one property twice.
  if (a.contains("properties") && a["properties"].is_object())
    for (const props::Key& k : props::keys())
      if (!k.alias_of.empty() && a["properties"].contains(k.key) && a["properties"].contains(k.alias_of))
        problems.push_back({"properties." + k.key, "is the legacy name of \"" + k.alias_of +
                                                       "\", which is set too; keep one (CPH API: ResetCloudPhone)"});
  return problems;
}

// 10.1: keys the phone model of a listed server does not support.
std::vector<BlockProblem> check_phone_models(const Json& a,
                                             const std::vector<std::pair<std::string, const Json*>>& servers) {
  std::vector<BlockProblem> problems;
  std::map<std::string, std::string> models;  // server block -> its phone model, when written literally
  for (const auto& [address, server] : servers) {
    const Json model = server->value("phone_model", Json());
    if (!model.is_string() || model.get<std::string>().find("${") != std::string::npos) continue;
    models[address] = model.get<std::string>();
    if (!a.contains("properties") || !a["properties"].is_object()) continue;
    for (const auto& [key, value] : a["properties"].items())
      if (std::optional<std::string> why = props::refused_by_model(model.get<std::string>(), key))
        problems.push_back({"properties." + key, *why + " (" + address + " has phone_model = \"" +
                                                     model.get<std::string>() + "\")"});
  }
  // A row's keys against its own server's model: reported once a key and
  // server block, at the first row that sets it.
  if (!a.contains("phones") || !a["phones"].is_array()) return problems;
  std::set<std::string> told;
  for (size_t i = 0; i < a["phones"].size(); ++i) {
    const Json& r = a["phones"][i];
    if (!r.is_object() || !r.value("server", Json()).is_string()) continue;
    const std::string block(address_parts(r["server"].get<std::string>()).block);
    auto model = models.find(block);
    if (model == models.end()) continue;
    for (const auto& [key, value] : r.items())
      if (std::optional<std::string> why = props::refused_by_model(model->second, key);
          why && told.insert(block + "\n" + key).second)
        problems.push_back({"phones[" + std::to_string(i) + "]." + key,
                            *why + " (" + r["server"].get<std::string>() + " has phone_model = \"" + model->second + "\")"});
  }
  return problems;
}

ResourceSchema make_phones_schema() {
  ResourceSchema s;
  s.type = "phones";
  s.provider_type = "cph";
  s.description =
      "The phones of one or more servers: their names, properties (CPH API: Cloud phone property list) and power state. A server "
      "brings its phones (its phone model's phone_capacity); this block buys nothing and releases nothing. "
      "Strings may use ${phone.index} (the phone's place on its server, 0-based, in the order of phone ids), "
      "${phone.number} (1-based, four digits: 0001), ${phone.server_index} (the server's place in its block, "
      "0-based) and ${phone.server_number} (1-based, four digits), so each phone gets values of its own, e.g. "
      "name = \"game-${phone.server_number}-${phone.number}\", \"sys.prop.writephonenum\" = "
      "\"1380${phone.server_number}${phone.number}\". Rules judge such strings at their widest (index 999, "
      "numbers 9999, server_number 10000). Keys with dots are quoted in TOML. `cphform phone reset ADDR` (or "
      "-replace=ADDR) resets phones to factory state with the declared properties (CPH API: Batch reset phones), "
      "which loses their data and needs -allow-data-loss; `cphform phone restart ADDR` and `cphform phone stop "
      "ADDR` restart or stop them (Batch restart phones, Batch stop phones). ADDR is phones.NAME (every phone of "
      "the block) or phones.NAME[MEMBER], MEMBER being a phone id, a phone name, or a server address "
      "(phones.game[server.game[1]]: the phones of that server).";
  s.placeholders = props::placeholders();
  s.identity = "servers";  // a server's phones are declared by one block
  // Phones are named live (by id, name or server address): the provider
  // checks the members a request names against the phones it lists.
  s.live_members = "phone";
  s.requestable = {"restart", "stop"};
  // -replace=phones.NAME resets the phones (5.5): consent as for a switch.
  s.replacement_loses =
      "a reset restores the phones to their factory state, with the declared properties, and loses their data "
      "(CPH API: Batch reset phones)";

  Attribute servers = referencing(attr("servers", AttrType::list, true,
                                       "The servers whose phones these are: [server.NAME] blocks (every instance of "
                                       "a counted one) or single instances (\"server.game[1]\").",
                                       Update::in_place),
                                  "server");
  servers.element = AttrType::string;
  // A newly listed server's phones get the name, properties and power state
  // by the calls below.
  s.attributes.push_back(changed_by(servers, "configure_phones",
                                    "PUT /v1/{project_id}/cloud-phone/phones/{phone_id}, "
                                    "POST /v1/{project_id}/cloud-phone/phones/batch-update-property"));
  // Names and statuses are listed (5.1): a phone renamed, stopped or failed
  // outside cphform is drift, naming its server and phone (phone_slots.h).
  s.attributes.push_back(readable(changed_by(
      attr("name", AttrType::string, false,
           "Phone name, with ${phone.index} or ${phone.number}. Unset: the names the service gave are kept. A phone "
           "renamed outside cphform is drift; apply renames it back.",
           Update::in_place, {phone_name_rule()}),
      "rename_phones", "PUT /v1/{project_id}/cloud-phone/phones/{phone_id}")));
  s.attributes.push_back(readable(changed_by(
      with_default(attr("power", AttrType::string, false,
                        "\"running\" or \"stopped\". A phone found otherwise (stopped or failed outside cphform: "
                        "-5 reset failed, -6 restart failed, -7 abnormal, -8 creation failed, -9 shutdown failed) is "
                        "drift; apply starts (CPH API: Batch restart phones) or stops (Batch stop phones) it.",
                        Update::in_place, {rules::one_of({"running", "stopped"})}),
                   "running"),
      "power", "POST /v1/{project_id}/cloud-phone/phones/batch-restart, .../batch-stop")));

  Attribute properties = changed_by(
      attr("properties", AttrType::object, false,
           "Phone properties by their key in the CPH API's cloud phone property list (quoted: { \"sys.prop.writeimsi\" = \"460021624617113\" }), "
           "updated in batches of 100 phones (CPH API: Batch update phone properties); keys that take effect at boot "
           "(ro.*, persist.sys.locale) are followed by one restart per phone. Properties cannot be read back: the state "
           "records what was applied, and a key removed from the block keeps its value on the phones. Keys a listed "
           "server's phone model does not support are refused.",
           Update::in_place),
      "update_properties", "POST /v1/{project_id}/cloud-phone/phones/batch-update-property");
  for (const props::Key& k : props::keys())
    properties.fields.push_back(attr(k.key, k.integer ? AttrType::integer : AttrType::string, false, k.description,
                                     Update::in_place, {k.rule}));
  s.attributes.push_back(properties);
  // Per-phone values: a row a phone, from a CSV or JSON file (rows_file).
  // The rows are recorded with the block, so a changed row is a planned
  // change of its phone only (phone_steps.cc compares each phone's values).
  // Readable although no API lists properties: a state recorded before
  // the block had rows must still plan their arrival (planner/diff.cc skips
  // unreadable attributes the state never recorded); refresh keeps the
  // recorded rows, and names a phone of a row renamed by hand under `name`.
  Attribute rows = changed_by(
      attr("phones", AttrType::list, false,
           "Per-phone names and properties, usually given as phones_file = \"phones.csv\": a file beside the "
           "manifest, CSV with a header row or (.json) an array of objects, one row a phone. Columns: server (a "
           "listed server instance, \"server.game[0]\", or an uncounted \"server.solo\"), phone (its number on that "
           "server, 1-based as ${phone.number}), then name and any key of properties (the CPH API property list keys or their legacy names). "
           "A value given overrides the block's for that phone; an empty cell leaves the block's. Values may use "
           "${phone.*}. Problems are reported at their cell (file:line:column).",
           Update::in_place),
      "configure_phones",
      "PUT /v1/{project_id}/cloud-phone/phones/{phone_id}, "
      "POST /v1/{project_id}/cloud-phone/phones/batch-update-property");
  rows.element = AttrType::object;
  rows.rows_file = "phones_file";
  rows.fields.push_back(attr("server", AttrType::string, true,
                             "A server of the block's servers: \"server.game[0]\" (counted) or \"server.solo\".",
                             Update::in_place, {rules::matches("server\\.[A-Za-z0-9_-]+(\\[[0-9]{1,9}\\])?",
                                                               "must be a server instance address such as "
                                                               "\"server.game[0]\" or \"server.solo\"")}));
  rows.fields.push_back(attr("phone", AttrType::integer, true,
                             "The phone's number on its server, 1-based, in phone id order (${phone.number}; "
                             "0002 and 2 are the same phone).",
                             Update::in_place, {rules::int_range(1, 1000)}));
  rows.fields.push_back(attr("name", AttrType::string, false, "This phone's name, instead of the block's.",
                             Update::in_place, {phone_name_rule()}));
  for (const props::Key& k : props::keys())
    rows.fields.push_back(attr(k.key, k.integer ? AttrType::integer : AttrType::string, false, k.description,
                               Update::in_place, {k.rule}));
  s.attributes.push_back(readable(rows));
  // Which server each listed address was when the block was applied, so
  // that refresh finds the phones of the recorded servers.
  s.attributes.push_back(computed("server_ids", AttrType::map,
                                  "The id of each listed server when the phones were last configured (address -> id)."));
  // Progress of an apply that has not given every phone its properties
  // (phone_steps.cc): resumed without sending them to those that have them.
  s.attributes.push_back(computed("applying", AttrType::object,
                                  "While a change of properties has not reached every phone (an apply interrupted, "
                                  "or some phones failed): the properties it applies and the phone ids that have them; "
                                  "the next apply sends them to the other phones only."));

  s.check_block = check_phones_block;
  s.check_referenced = check_phone_models;
  return s;
}

}  // namespace

const ResourceSchema& phones_schema() {
  static const ResourceSchema schema = make_phones_schema();
  return schema;
}

}  // namespace cph::resources

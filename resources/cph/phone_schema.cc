// The [phones.NAME] descriptor: the names, properties (cph-api.md 10.1) and
// power state of every phone of the listed servers. A server carries its
// phones from its purchase (5.1): a [phones] block buys nothing, it
// declares what the phones of those servers should be.
#include <set>

#include "resources/cph/fleet_schemas.h"
#include "resources/cph/phone_properties.h"
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

std::vector<BlockProblem> check_phones_block(const Json& a, std::optional<int>) {
  std::vector<BlockProblem> problems;
  // 5.8 CPS.0026: two phones of a server cannot share a name.
  if (a.contains("name") && a["name"].is_string() &&
      !uses(a["name"].get<std::string>(), {"phone.index", "phone.number"}))
    problems.push_back({"name", "must contain ${phone.index} or ${phone.number}: every phone of a server gets it, "
                                "and two phones of one server cannot share a name (CPH API: Rename phone, CPS.0026)"});
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
  if (!a.contains("properties") || !a["properties"].is_object()) return problems;
  for (const auto& [address, server] : servers) {
    const Json model = server->value("phone_model", Json());
    if (!model.is_string() || model.get<std::string>().find("${") != std::string::npos) continue;
    for (const auto& [key, value] : a["properties"].items())
      if (std::optional<std::string> why = props::refused_by_model(model.get<std::string>(), key))
        problems.push_back({"properties." + key, *why + " (" + address + " has phone_model = \"" +
                                                     model.get<std::string>() + "\")"});
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

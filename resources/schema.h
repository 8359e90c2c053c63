// Schema-driven resources (ARCHITECTURE decision 4). Each resource type is a
// descriptor: attributes with type, required, default, validation rule and
// update strategy. The manifest loader validates against it and the planner
// diffs generically from it; per-type code is only the cloud calls.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace cph::resources {

using Json = nlohmann::json;

// `map`: a table of string keys to string values whose keys are the user's
// (tags), as opposed to `object`, whose keys are the schema's `fields`.
enum class AttrType { string, integer, boolean, object, list, map };
std::string_view to_string(AttrType);

// How a change to the attribute is carried out.
enum class Update {
  in_place,   // an API changes it on the live resource (see Attribute::update_api)
  force_new,  // the resource must be replaced (-/+)
  computed,   // set by the cloud, never by the manifest
  // Changed in place by an API that recreates the phones and loses their
  // data (the switch API, cph-api.md 3.6): planned as "switch", refused by
  // apply unless -allow-data-loss or lifecycle.allow_data_loss is set.
  destructive,
  // Cannot change on the live resource and only matters to the next order
  // or renewal (the subscription period, cph-api.md 3.4): a change is
  // recorded in state with a note that it applies to new orders; no cloud
  // call, never a replacement.
  next_order,
};

// A validation rule: returns the violated rule as text, or nullopt when the
// value is fine. The text names the rule and where it comes from, e.g.
// "at most 60 characters of A-Z a-z 0-9 _ - or Chinese (cph-api.md 3.4)".
using Rule = std::function<std::optional<std::string>(const Json& value)>;

struct Attribute {
  std::string name;
  AttrType type = AttrType::string;
  bool required = false;
  Json default_value;              // null: no default
  std::string description;
  Update update = Update::force_new;
  std::string update_api;          // for in_place: the API's method and path template, for docs
  std::vector<Rule> rules;
  std::vector<Attribute> fields;   // object: its keys; list: the element's keys (list of objects)
  AttrType element = AttrType::object;  // list element type
  // True when refresh can read the live value from the cloud (list API).
  bool readable = false;
  // Optional and computed (Terraform's Optional+Computed): when the manifest
  // leaves it unset, whatever the cloud chose is kept and is not a change.
  bool computed_if_unset = false;
  // For in_place/destructive attributes: the operation that carries the
  // change out ("rename", "change_model", "open_access", "tags", "switch",
  // "resize", "share"). Changes of one instance with the same operation are
  // made by one call.
  std::string operation;
  // Another operation that carries this attribute along when it runs anyway
  // (phone_model rides on change_model, 3.12): then `operation` is not needed
  // for it.
  std::string also_carried_by;
  // A string (or, for lists, each element) that names another resource by
  // address instead of giving a value: "keypair.adb", "bandwidth.shared",
  // "server.game", "server.test[2]". Names the target's type. The manifest
  // loader checks the target exists and records a dependency edge.
  std::string reference_to;
  // For computed attributes: the value of a healthy object. An object that
  // was recorded with it and has left it is drift (a server no longer
  // normal); other moves of a computed value are not.
  Json normal_value;
  // For computed attributes: values that mean other objects cannot reach
  // this one (a share can neither be pushed to nor deleted from a server
  // that is abnormal, frozen or shut down). The planner leaves such an
  // object out of every list that names it until it is replaced.
  std::vector<Json> unreachable_values;
  // Write-only (Terraform 1.11's write-only arguments; issue 16): the value
  // is sent to the cloud and never kept. State records a keyed digest of it
  // instead (resources/write_only.h), so that a changed value is planned as
  // a change; plans, reports and logs treat it as sensitive.
  bool write_only = false;
  // The value (a string or a list of them) holds ids of objects that exist
  // outside cphform and that no API lists (KooPhone instances): a refresh
  // reads those ids (RefreshScope::adopted).
  bool adopts = false;
  // For a list of strings: the name of a second attribute that gives the
  // list as a file instead, one value a line, blank lines and # comments
  // skipped, relative to the manifest ("instance_ids_file" for
  // "instance_ids"). The loader reads it and checks the list as if written.
  std::string lines_file;
  // For a list of objects: the name of a second attribute that gives the
  // list as a file of rows instead, relative to the manifest: CSV with a
  // header row of field names (RFC 4180; an empty cell leaves the field
  // unset) or, for a name ending in .json, a JSON array of objects
  // ("phones_file" for a [phones] block's "phones"). The loader reads it
  // and checks each row as if written, a problem located at its cell.
  std::string rows_file;
};

// A problem found by a rule that spans attributes: the attribute path it is
// reported at ("period.length") and the rule's text.
struct BlockProblem {
  std::string path;
  std::string message;
};

struct ResourceSchema {
  std::string type;         // "server"
  // The provider type that owns this resource type ("cph"): a block is
  // handled by a provider instance of this type ([provider.NAME]).
  std::string provider_type = {};
  std::string description;
  bool supports_count = false;  // the `count` meta-argument
  // The attribute that names the cloud object, so two blocks claiming the
  // same object are an error ("name" for key pairs, "id" for an adopted
  // bandwidth; for a list of addresses, each instance it names: the servers
  // of a [phones] block); empty when each block makes its own object.
  std::string identity;
  // Why replacing an instance loses something that cannot be bought back
  // (a paid order, data), for the refusal without -allow-data-loss; empty
  // when a replacement is harmless. An in-place change that loses data
  // (ActionKind::switch_phones) always asks for consent.
  std::string replacement_loses;
  std::vector<Attribute> attributes;
  // What -replace=ADDR[MEMBER] and requested operations may name as members
  // of an instance when only the provider knows them (the phones of a
  // [phones] block, by phone id, phone name or server address): the planner
  // takes any, and the provider's check_changes refuses those naming
  // nothing. Empty: members are the ids of an `adopts` attribute, if any.
  std::string live_members;
  // Operations a user may ask for by name on a recorded instance, planned
  // even when nothing changed (PlanInput::requests; "restart", "stop").
  std::vector<std::string> requestable;
  // Rules across attributes (e.g. period length depends on its unit), run by
  // the manifest loader after the per-attribute rules passed. `count` is the
  // meta-argument when set.
  std::function<std::vector<BlockProblem>(const Json& attributes, std::optional<int> count)> check_block;
  // The cloud name of each instance, from the block's `name`, when the type
  // names instances itself (servers under count: "web-0001", ...); unset:
  // every instance gets the block's attributes as written.
  std::function<std::string(const std::string& name, bool counted, int index)> instance_name;
  // The inverse, for import -filter: ("web", 2) from "web-0003"; nullopt
  // for a name no counted block gives.
  std::function<std::optional<std::pair<std::string, int>>(const std::string& name)> instance_of;
  // Interpolations this type gives a value of its own, per object it
  // manages, instead of naming another block ("phone.index" in a [phones]
  // block: each phone's own number). The loader keeps strings using them as
  // written and runs the rules on them as they are: each rule of such an
  // attribute judges the widest value the template can take. Anywhere else
  // they are an error.
  std::vector<std::string> placeholders;
  // Rules across blocks, run once references are linked: the attributes of
  // the blocks this block's reference attributes name (by block address,
  // "server.game"; a literal cloud name has none). A problem's path is
  // where it is reported.
  std::function<std::vector<BlockProblem>(const Json& attributes,
                                          const std::vector<std::pair<std::string, const Json*>>& referenced)>
      check_referenced;

  const Attribute* find(std::string_view name) const;
};

// All registered resource types, in documentation order.
const std::vector<const ResourceSchema*>& all_schemas();
const ResourceSchema* find_schema(std::string_view type);

// Reusable rules.
namespace rules {
Rule one_of(std::vector<std::string> values);
Rule int_range(int64_t min, int64_t max);
Rule max_bytes(size_t n);
Rule not_empty();
// 1..max code points of A-Z a-z 0-9 _ - and CJK U+4E00..U+9FFF (cph-api.md 11.5).
Rule server_name(size_t max_chars);
// Which characters `characters` allows: ASCII letters, ASCII digits, the
// listed others, and Chinese (CJK U+4E00..U+9FFF, cph-api.md 11.5).
struct CharClass {
  bool letters = false;
  bool digits = false;
  std::u32string extra = {};
  bool chinese = false;
};
// min..max code points of `allowed`; `rule` is the text reported.
Rule characters(size_t min_chars, size_t max_chars, CharClass allowed, std::string rule);
Rule uuid();
// A whole-string regular expression; `rule` is the text reported.
Rule matches(std::string pattern, std::string rule);
// Resource tags (cph-api.md 7.6): keys 1..127 characters, not starting with
// _sys_; values at most 255 characters; at most `max_tags` of them.
Rule tags(size_t max_tags);
}  // namespace rules

// The operation that carries out a change of `a`: its `operation`, or
// "record" for a next_order attribute (state only, no call).
std::string operation_of(const Attribute& a);

// The attributes to record for an instance after an operation: the desired
// ones, plus computed attributes and unset Optional+Computed ones carried
// over from what was known before.
Json recorded_attributes(const ResourceSchema& schema, const Json& desired, const Json& known);

// Number of Unicode code points in a UTF-8 string (reference 11.1).
size_t utf8_length(std::string_view s);

}  // namespace cph::resources

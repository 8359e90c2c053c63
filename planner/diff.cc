// Attribute diffs from the descriptors: what the manifest wants against what
// is recorded (a plan's changes), and what is recorded against what the cloud
// reports (drift).
#include <algorithm>

#include "planner/internal.h"
#include "resources/schema.h"
#include "resources/write_only.h"

namespace cph::planner::detail {

namespace res = cph::resources;

namespace {
bool blank(const Json& v) {
  return v.is_null() || (v.is_string() && v.get_ref<const std::string&>().empty()) ||
         (v.is_array() && v.empty()) || (v.is_object() && v.empty());
}

bool ignored(const std::vector<std::string>& ignore, const std::string& name) {
  return std::find(ignore.begin(), ignore.end(), name) != ignore.end();
}
}  // namespace

bool same_value(const Json& a, const Json& b) { return a == b || (blank(a) && blank(b)); }

std::vector<AttrChange> diff_attributes(const res::ResourceSchema& schema, const Json& before, const Json& after,
                                        const std::vector<std::string>& ignore, std::string_view write_only_key) {
  std::vector<AttrChange> changes;
  for (const res::Attribute& attr : schema.attributes) {
    if (attr.update == res::Update::computed) continue;
    if (ignored(ignore, attr.name)) continue;
    Json want = after.contains(attr.name) ? after[attr.name] : Json();
    Json have = before.contains(attr.name) ? before[attr.name] : Json();
    if (attr.computed_if_unset && want.is_null()) continue;
    if (attr.write_only) {
      // The state holds a digest (resources/write_only.h): the value changed
      // unless the wanted one gives the same digest under the state's key.
      if (want.is_null() || res::write_only_matches(write_only_key, have, want)) continue;
      changes.push_back({attr.name, have, want, attr.update == res::Update::force_new, false});
      continue;
    }
    // An attribute the cloud cannot report and the state never recorded
    // (an imported server's image_id, say) is unknown, not different: the
    // manifest's value is taken as the truth rather than forcing a replacement.
    if (!attr.readable && !before.contains(attr.name)) continue;
    if (same_value(want, have)) continue;
    changes.push_back({attr.name, have, want, attr.update == res::Update::force_new, attr.update == res::Update::next_order});
  }
  return changes;
}

// Readable attributes whose live value differs from the recorded one, and a
// server that left the normal state (frozen, shut down, abnormal). An
// attribute the block's lifecycle.ignore_changes names is not drift. A row
// without tags recorded means no tags (docs/semantics.md), so a tag added by
// hand is drift like any other. Write-only attributes are never readable.
std::optional<Drift> drift_of(const state::ResourceRow& row, const Json& refreshed,
                              const std::vector<std::string>& ignore) {
  const res::ResourceSchema* schema = res::find_schema(row.type);
  Drift d{row.address, row.cloud_id, false, {}, {}};
  for (const res::Attribute& attr : schema->attributes) {
    if (!attr.readable || ignored(ignore, attr.name)) continue;
    Json recorded = row.attributes.contains(attr.name) ? row.attributes[attr.name] : Json();
    Json live = refreshed.contains(attr.name) ? refreshed[attr.name] : Json();
    if (attr.update == res::Update::computed) {
      // Computed values move on their own; only an object leaving its
      // normal value (Attribute::normal_value) is drift.
      if (attr.normal_value.is_null() || recorded != attr.normal_value || live == attr.normal_value) continue;
    } else if (same_value(recorded, live)) {
      continue;
    }
    d.changes.push_back({attr.name, recorded, live, false});
  }
  if (d.changes.empty()) return std::nullopt;
  return d;
}

std::vector<std::string> sensitive_paths(const res::ResourceSchema* schema, std::vector<std::string> from_variables) {
  if (!schema) return from_variables;
  for (std::string& name : res::write_only_attributes(*schema))
    if (std::find(from_variables.begin(), from_variables.end(), name) == from_variables.end())
      from_variables.push_back(std::move(name));
  return from_variables;
}

}  // namespace cph::planner::detail

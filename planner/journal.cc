// The unfinished journal at the start of a run (ARCHITECTURE decision 3):
// which entries this run resumes, and what each means now, as the provider
// type of its resource reads it against its refreshed inventory
// (resources::ProviderKind::reconcile). Nothing is sent again before that.
#include <algorithm>
#include <set>

#include "planner/internal.h"

namespace cph::planner {

resources::OpenEntry open_entry(const state::JournalEntry& e) {
  return {e.id, e.address, e.operation, e.intent, e.response, e.status == state::JournalStatus::answered};
}

namespace detail {
namespace {

// The planning rules of the provider type that wrote an entry (its
// address's resource type); nullptr for an address no provider knows.
const resources::ProviderKind* kind_of(const state::JournalEntry& e) {
  return resources::find_provider_kind(resources::provider_type_of(e.address.substr(0, e.address.find('.'))));
}

std::vector<std::string> entry_addresses(const resources::ProviderKind* kind, const resources::OpenEntry& e) {
  std::vector<std::string> out = kind && kind->entry_addresses ? kind->entry_addresses(e) : std::vector<std::string>{};
  if (out.empty()) out.push_back(e.address);
  return out;
}

// With -target, only entries of targeted addresses are resumed; -exclude
// leaves an entry alone. Another address's unfinished work never blocks a run.
bool entry_selected(const PlanInput& in, const std::vector<std::string>& addresses) {
  for (const std::string& address : addresses) {
    auto match = [&](const std::string& pattern) { return address_matches(address, pattern); };
    if (std::any_of(in.excludes.begin(), in.excludes.end(), match)) continue;
    if (in.targets.empty() || std::any_of(in.targets.begin(), in.targets.end(), match)) return true;
  }
  return false;
}

}  // namespace

void resolve_journal(const PlanInput& in, Plan& plan, JournalReading& out) {
  for (const auto& row : in.rows) out.claimed.insert(row.cloud_id);
  std::vector<bool> selected;
  for (const state::JournalEntry& e : in.open_journal) {
    const resources::ProviderKind* kind = kind_of(e);
    const resources::OpenEntry entry = open_entry(e);
    selected.push_back(entry_selected(in, entry_addresses(kind, entry)));
    if (!selected.back() && kind && kind->held_ids)  // skipped entries keep their objects
      for (std::string& id : kind->held_ids(entry)) out.claimed.insert(std::move(id));
  }
  for (size_t k = 0; k < in.open_journal.size(); ++k) {
    if (!selected[k]) continue;
    const state::JournalEntry& e = in.open_journal[k];
    const resources::ProviderKind* kind = kind_of(e);
    const resources::OpenEntry entry = open_entry(e);
    PendingOperation p;
    p.entry = e;
    p.provider = address_owner(in, entry_addresses(kind, entry).front());
    resources::Reconciled r;
    if (kind && kind->reconcile) {
      r = kind->reconcile(entry, inventory_of(in, p.provider), out.claimed);
    } else {
      r.resolution = "settle";
      r.description = e.operation + " of " + e.address + " was interrupted; no provider knows it, so it is closed";
    }
    p.resume = r.resume;
    p.resolution = r.resolution;
    p.response = std::move(r.response);
    p.description = std::move(r.description);
    for (resources::InstanceResult& o : r.objects) {
      if (r.supersedes_rows) out.superseded.insert(o.address);
      out.prior[o.address] = {o.type, o.cloud_id, std::move(o.attributes), p.provider};
    }
    out.releasing.insert(r.releasing.begin(), r.releasing.end());
    out.being_created.insert(r.being_created.begin(), r.being_created.end());
    plan.pending.push_back(std::move(p));
  }
}

}  // namespace detail
}  // namespace cph::planner

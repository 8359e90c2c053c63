// Backend-independent copy and export of a whole state: "state migrate"
// between backends and workspaces, and the "state pull" document.
#include "state/state.h"

namespace cph::state {

void copy_state(StateStore& from, StateStore& to, bool force) {
  Snapshot s = from.snapshot();
  if (!force) {
    Meta dest = to.meta();
    if (dest.serial > 0)
      throw std::runtime_error("the destination state is not empty (lineage " + dest.lineage + ", serial " +
                               std::to_string(dest.serial) +
                               "); copying would replace it. Use an empty workspace, or force the copy");
  }
  to.restore(s);
}

Json export_state(StateStore& store) {
  Snapshot s = store.snapshot();
  Json resources = Json::array();
  for (const ResourceRow& r : s.resources) {
    resources.push_back({{"address", r.address},
                         {"type", r.type},
                         {"cloud_id", r.cloud_id},
                         {"attributes", r.attributes},
                         {"dependencies", r.dependencies},
                         {"updated_at", r.updated_at}});
    // Only a named provider's rows say so: a single-provider state exports
    // the very bytes it did before providers had names.
    if (!r.provider.empty()) resources.back()["provider"] = r.provider;
  }
  Json journal = Json::array();
  for (const JournalEntry& e : s.journal)
    journal.push_back({{"id", e.id},
                       {"run_id", e.run_id},
                       {"address", e.address},
                       {"operation", e.operation},
                       {"request_digest", e.request_digest},
                       {"intent", e.intent},
                       {"response", e.response},
                       {"status", to_string(e.status)},
                       {"error", e.error},
                       {"created_at", e.created_at},
                       {"updated_at", e.updated_at}});
  return {{"format_version", 1},
          {"lineage", s.meta.lineage},
          {"serial", s.meta.serial},
          {"resources", std::move(resources)},
          {"journal", std::move(journal)}};
}

}  // namespace cph::state

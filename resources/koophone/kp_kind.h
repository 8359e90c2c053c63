// The planning rules of the koophone provider (resources/provider_kind.h;
// issue 15). A koophone_instances create or update is one "set_video" step
// (the video settings to the instances that need them, PUT calls of 32 ids),
// a replacement (-replace=ADDR, or -replace=ADDR[ID] for some instances) one
// "reset" step (batch reset, 32 ids a call, the instances followed through
// status until running, then the video settings again to those instances),
// a removal one "forget" step (state only: the instances are not
// the tenant's to release through this API).
//
// Every call is a journal entry: intent {ids, record} before it is sent,
// answer {} after. What an open entry of an earlier run means (reconcile):
//  - set_video answered: the call was made; its record (the row as the call
//    left it) is written, and the plan diffs against it;
//  - set_video unanswered: the plan sets those instances again (the same
//    values twice have the effect of once);
//  - reset answered: its instances are followed until running, and the row
//    is written without them among the instances holding the video
//    settings, so that the plan applies them again (14.7 does not say
//    whether a reset keeps them);
//  - reset unanswered: it may or may not have started; nothing is resent
//    (a reset loses data), the plan says so, -replace asks again.
#pragma once

#include "resources/provider_kind.h"

namespace cph::resources {

const ProviderKind& koophone_provider_kind();

// The instances a replacement resets: those -replace=ADDR[ID] named, else
// every instance of the set.
std::vector<std::string> reset_ids(const Action& a);

// The row an entry's call leads to (its intent's "record").
InstanceResult koophone_entry_record(const OpenEntry& entry);

// The ids of a set that a set_video step sends the settings to: all of
// `wanted` when nothing is recorded or the recorded settings differ (or a
// reset cleared them), else those the record does not hold. None when the
// block has no video settings.
std::vector<std::string> video_targets(const Json& recorded, const Json& wanted);

}  // namespace cph::resources

// The planning rules of the tencent_bm provider (resources/provider_kind.h):
// a bm_root_password create or update is one "reset_password" step (its
// devices in ResetDevicePasswd calls of kResetBatch), a removal one "forget"
// step (state only: nothing can un-set a password). Each call is a journal
// entry: intent {devices, record} before it is sent, answer {taskId}; an
// answered entry of an earlier run is resumed by following its task, one
// without an answer is planned again (setting the same password twice has
// the effect of once; docs/recovery.md).
#pragma once

#include "resources/provider_kind.h"

namespace cph::resources {

const ProviderKind& tencent_bm_provider_kind();

// The row an entry's call leads to when its task succeeds (its intent's
// "record"): the set's attributes with the password as its digest.
InstanceResult bm_entry_record(const OpenEntry& entry);

}  // namespace cph::resources

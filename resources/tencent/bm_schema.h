// The resource types of the tencent_bm provider (cph-api.md 13.3): the root
// password of a set of bare-metal devices, a write-only value.
#pragma once

#include <cstddef>

#include "resources/schema.h"

namespace cph::resources {

// [bm_root_password.NAME]: instance_ids, os, password (write-only),
// password_version; computed task_ids.
const ResourceSchema& bm_root_password_schema();

// Devices per ResetDevicePasswd call: 13.3 gives no limit; cphform's choice
// keeps one refused call (a device in a wrong state refuses the whole call)
// from holding up more devices than this.
inline constexpr size_t kResetBatch = 20;

}  // namespace cph::resources

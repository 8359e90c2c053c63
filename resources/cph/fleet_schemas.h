// Descriptors of the fleet's other resource types (cph-api.md 4, 3.7-3.11,
// KPS key pairs). Like the server's, they drive validation, diffing and the
// generated docs/manifest.md; the per-type cloud calls are in bandwidth.h,
// keypair.h and share.h.
#pragma once

#include "resources/schema.h"

namespace cph::resources {

// [bandwidth.NAME]: a shared ("whole") bandwidth. No API creates one on its
// own: the first purchase of a server that uses it creates it (3.4 with
// band_width_share_type 1 and no id), later purchases reuse it by id. `id`
// adopts an existing one instead. Resized in place (4.2). Nothing deletes it
// either: it goes with its last server, and leaving the manifest only
// forgets it.
const ResourceSchema& bandwidth_schema();

// [keypair.NAME]: a KPS key pair; created and deleted through KPS. A new
// public key means a new key pair (KPS cannot change one).
const ResourceSchema& keypair_schema();

// [share_app.NAME]: an app package pushed to the shared-app storage of the
// listed servers (3.10) and deleted from servers that leave the list (3.11).
const ResourceSchema& share_app_schema();

// [share_file.NAME]: a tar pushed to the shared storage of the listed servers
// (3.7); `paths` are what it unpacks to, deleted from servers that leave the
// list (3.9).
const ResourceSchema& share_file_schema();

// [phones.NAME]: the names, properties (10.1) and power state of the phones
// of the listed servers (phone_schema.cc).
const ResourceSchema& phones_schema();

// cph-api.md 4.2 and A-13 step rules.
Rule bandwidth_size_rule();
// Key pair names: 1 to 64 characters of A-Z a-z 0-9 _ - (KPS; 3.4 keypair_name).
Rule keypair_name_rule();

}  // namespace cph::resources

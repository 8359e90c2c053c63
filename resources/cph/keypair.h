// The key pair resource's cloud calls: KPS key pairs of the project
// (POST/DELETE /v3/{project_id}/keypairs, docs/emulator.md "KPS key pairs"),
// which purchase (3.4), switch (3.6) and open-access (6.3) name. Both calls
// are synchronous; each is journaled before it is sent.
#pragma once

#include <string>

#include <boost/asio/awaitable.hpp>

#include "resources/cph/cph_client.h"
#include "resources/operation.h"

namespace cph::resources {

// Creates the key pair. public_key empty: the service generates the pair;
// its private key is returned only in this answer and is NOT kept (nothing
// secret is recorded, ARCHITECTURE decision 10): import a public key instead
// when the private key is needed. Journal: operation "create_keypair",
// idempotency {name}, answered {name, fingerprint}.
boost::asio::awaitable<void> create_keypair(cloud::CphClient& cloud, OperationJournal& journal,
                                            std::string address, std::string name, std::string public_key);

// Deletes the key pair. Already absent (404) counts as done, so a delete
// whose answer was lost can be run again. Journal: operation
// "delete_keypair", answered {name, already_absent}.
boost::asio::awaitable<void> delete_keypair(cloud::CphClient& cloud, OperationJournal& journal, std::string address,
                                            std::string name);

}  // namespace cph::resources

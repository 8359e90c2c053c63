// KPS key pairs of World (docs/emulator.md "KPS key pairs"): per project,
// by name, persisted.
#include "emulator/world.h"

#include "common/crypto.h"

namespace cph::emulator {

std::string World::keypair_key(std::string_view project, std::string_view name) {
  return std::string(project) + "/" + std::string(name);
}

const KeyPair* World::find_keypair(std::string_view project, std::string_view name) const {
  auto it = keypairs_.find(keypair_key(project, name));
  return it == keypairs_.end() ? nullptr : &it->second;
}

std::vector<const KeyPair*> World::list_keypairs(std::string_view project) const {
  std::vector<const KeyPair*> out;
  const std::string prefix = std::string(project) + "/";
  for (auto it = keypairs_.lower_bound(prefix); it != keypairs_.end() && it->first.compare(0, prefix.size(), prefix) == 0;
       ++it)
    out.push_back(&it->second);
  return out;  // by name
}

const KeyPair& World::create_keypair(std::string_view project, const std::string& name, const std::string& public_key) {
  KeyPair k;
  k.project_id = std::string(project);
  k.name = name;
  k.public_key = public_key;
  // "SHA256:" + hex digest of the key text (the real KPS shows an MD5 or
  // SHA256 fingerprint of the key blob; the exact value is not part of any
  // contract the emulator promises).
  k.fingerprint = "SHA256:" + crypto::sha256_hex(public_key);
  k.create_us = now_us_;
  k.seq = next_seq_++;
  const std::string key = keypair_key(project, name);
  Changes ch;
  ch.keypairs.insert(key);
  const KeyPair& placed = keypairs_.insert_or_assign(key, std::move(k)).first->second;
  flush(ch);
  return placed;
}

bool World::delete_keypair(std::string_view project, std::string_view name) {
  auto it = keypairs_.find(keypair_key(project, name));
  if (it == keypairs_.end()) return false;
  Changes ch;
  ch.erased_keypairs.insert(it->first);
  keypairs_.erase(it);
  flush(ch);
  return true;
}

}  // namespace cph::emulator

// IP address allocation for servers (cph-api.md 1.10 Address): private IPs
// from the purchase's subnet, unique within the VPC, and EIPs from one global
// pool. Not persisted: the World rebuilds it from the servers at load.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include "emulator/model.h"

namespace cph::emulator {

class AddressPool {
 public:
  // A free host address of the subnet (skipping the network address, the
  // .1 gateway and broadcast), not used anywhere in the VPC; nullopt when the
  // subnet is full.
  std::optional<std::string> allocate_private(const std::string& vpc_id, const std::string& subnet_id,
                                              const std::string& subnet_cidr);
  // A free EIP from 100.64.0.0/10 (shared address space: plainly not a real
  // public address, and large enough for any fleet); nullopt when exhausted.
  std::optional<std::string> allocate_public();

  // Marks a loaded server's addresses as used / gives them back.
  void mark_used(const std::string& vpc_id, const Address& a);
  void release(const std::string& vpc_id, const Address& a);

 private:
  std::unordered_map<std::string, std::set<uint32_t>> used_private_;  // by VPC
  std::set<uint32_t> used_public_;
  // Where the next search starts, so allocation is O(1) amortised.
  std::unordered_map<std::string, uint32_t> private_cursor_;  // by subnet
  uint32_t public_cursor_ = 0;
};

}  // namespace cph::emulator

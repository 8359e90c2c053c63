#include "emulator/addresses.h"

#include <cstdio>
#include <stdexcept>

namespace cph::emulator {
namespace {
constexpr uint32_t kPublicBase = (100u << 24) | (64u << 16);  // 100.64.0.0
constexpr uint32_t kPublicSize = 1u << 22;                     // /10

struct Cidr {
  uint32_t base = 0;
  uint32_t size = 0;  // number of addresses
};

Cidr parse_cidr(const std::string& cidr) {
  unsigned a, b, c, d, bits;
  if (std::sscanf(cidr.c_str(), "%u.%u.%u.%u/%u", &a, &b, &c, &d, &bits) != 5 || bits > 30)
    throw std::logic_error("bad catalog CIDR " + cidr);
  uint32_t size = 1u << (32 - bits);
  return {((a << 24) | (b << 16) | (c << 8) | d) & ~(size - 1), size};
}

std::string ip_string(uint32_t ip) {
  return std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 255) + "." + std::to_string((ip >> 8) & 255) +
         "." + std::to_string(ip & 255);
}

std::optional<uint32_t> parse_ip(const std::string& s) {
  unsigned a, b, c, d;
  if (std::sscanf(s.c_str(), "%u.%u.%u.%u", &a, &b, &c, &d) != 4) return std::nullopt;
  return (a << 24) | (b << 16) | (c << 8) | d;
}

// First free address of [first, first + count) starting at cursor (wrapping).
std::optional<uint32_t> take(std::set<uint32_t>& used, uint32_t first, uint32_t count, uint32_t& cursor) {
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t ip = first + (cursor + i) % count;
    if (used.insert(ip).second) {
      cursor = (cursor + i + 1) % count;
      return ip;
    }
  }
  return std::nullopt;
}
}  // namespace

std::optional<std::string> AddressPool::allocate_private(const std::string& vpc_id, const std::string& subnet_id,
                                                         const std::string& subnet_cidr) {
  Cidr c = parse_cidr(subnet_cidr);
  auto ip = take(used_private_[vpc_id], c.base + 2, c.size - 3, private_cursor_[subnet_id]);
  return ip ? std::optional<std::string>(ip_string(*ip)) : std::nullopt;
}

std::optional<std::string> AddressPool::allocate_public() {
  auto ip = take(used_public_, kPublicBase + 1, kPublicSize - 2, public_cursor_);
  return ip ? std::optional<std::string>(ip_string(*ip)) : std::nullopt;
}

void AddressPool::mark_used(const std::string& vpc_id, const Address& a) {
  if (auto ip = parse_ip(a.server_ip)) used_private_[vpc_id].insert(*ip);
  if (auto ip = parse_ip(a.public_ip)) used_public_.insert(*ip);
}

void AddressPool::release(const std::string& vpc_id, const Address& a) {
  if (auto ip = parse_ip(a.server_ip)) used_private_[vpc_id].erase(*ip);
  if (auto ip = parse_ip(a.public_ip)) used_public_.erase(*ip);
}

}  // namespace cph::emulator

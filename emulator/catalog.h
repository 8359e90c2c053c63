// What can be bought and where: server models (cph-api.md 3.3, 10.3), phone
// models (5.3.3, 10.2), phone images (5.3.4), availability zones, the
// tenant VPCs/subnets a purchase may name (3.4 tenant_vpc_id, nics), the EIP
// types it may ask for (3.4 public_ip.eip.type) and the per-project quotas
// (1.4; CPS.0065).
//
// The default catalog holds every model, image, VPC and subnet that appears in
// the reference's examples and appendix lists, so the documented examples work
// unchanged. Values the reference does not give (prices, CIDRs of the 3.4
// example VPC, hardware of models listed by name only) are the emulator's
// choices and are listed in docs/emulator.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace cph::emulator {

// cph-api.md 3.3 table 5-20/5-21.
struct ServerModel {
  std::string name;         // server_model_name
  std::string server_type;  // e.g. "Hi1616"
  int cpu = 0;
  int memory_g = 0;
  // extend_spec
  std::string spec_cpu, spec_memory, spec_disk, spec_network_interface, spec_gpu, bms_flavor;
  int gpu_count = 0;
  int numa_count = 0;
  int product_type = 0;  // 0 cloud phone, 1 cloud game
  int free_size_g = 0;
  // Emulator's choices, not in the reference:
  int share_volume_size_g = 0;      // share_volume_info.size of a server without server_share_data_volume
  double monthly_price_cny = 0;     // list price per server per month (BSS order amounts)
};

// cph-api.md 5.3.3 table 5-112 (plus the counts hidden in the flavor name:
// "rx1.cp.c60.d32.e1v1" = 60 phones, 32 GB disk, 1 EIP, 1 VIP).
struct PhoneModel {
  std::string name;               // phone_model_name
  std::string server_model_name;  // the server model it runs on
  int status = 1;                 // 1 in use, 0 offline (cannot be bought)
  int cpu = 0;
  int memory_mb = 0;
  int disk_g = 0;
  std::string resolution;
  int capacity = 0;     // phone_capacity: phones per server
  std::string image_label;
  int product_type = 0;
  int version = 0;      // phone_model_version: 0 = model 1.0, 1 = model 2.0 (needs phone_data_volume)
  int dpi = 0;
  std::string fps;
  int volume_mode = 0;
  int eip_count = 1;    // EIPs the model can take (public_ip.count upper bound, 3.4)
  int vip_count = 1;    // private IPs per server (one Address each)
};

// cph-api.md 5.3.4 table 5-116.
struct PhoneImage {
  std::string image_id;
  std::string image_name;
  std::string os_type;
  int is_public = 1;
  std::string os_name;
  std::string image_label;
};

struct Subnet {
  std::string id;
  std::string cidr;
  bool ipv6 = false;  // whether nics[].ipv6_enable may be true (CPS.0319)
};

struct Vpc {
  std::string id;
  std::string cidr;
  std::vector<Subnet> subnets;
  std::string security_group_id;  // the VPC's default security group (3.2 security_groups)
};

// Per-project limits (cph-api.md 1.4: "the number of CPH server resources you
// can create depends on your quota"). The reference gives no values; the
// default is generous so that large fleets (10,000-server benchmarks) fit.
struct Quotas {
  static constexpr int64_t kDefaultServers = 100000;
  int64_t servers = kDefaultServers;  // servers a project may hold (purchase: CPS.0065)
};

class Catalog {
 public:
  // The default catalog described above.
  static Catalog builtin();
  // A catalog from its JSON form (docs/emulator.md "Catalog file"); throws
  // std::invalid_argument naming the offending entry and field.
  static Catalog from_json(const nlohmann::json& j);
  // Reads and parses a catalog file (`--catalog FILE`); throws
  // std::runtime_error "catalog FILE: ..." when unreadable or invalid.
  static Catalog load_file(const std::string& path);
  // The JSON form (from_json(to_json()) is the same catalog).
  nlohmann::json to_json() const;

  const ServerModel* server_model(std::string_view name) const;
  const PhoneModel* phone_model(std::string_view name) const;
  const PhoneImage* image(std::string_view id) const;
  const Vpc* vpc(std::string_view id) const;
  // The subnet with this id in any VPC, and that VPC.
  const Subnet* subnet(std::string_view id, const Vpc** owner = nullptr) const;
  bool has_availability_zone(std::string_view az) const;
  const std::string& default_availability_zone() const { return azs_.front(); }
  // cph-api.md 3.4 table 5-30: a public_ip.eip.type a purchase may name
  // (otherwise CPS.0239).
  bool has_eip_type(std::string_view type) const;
  const std::vector<std::string>& eip_types() const { return eip_types_; }
  const Quotas& quotas() const { return quotas_; }

  const std::vector<ServerModel>& server_models() const { return server_models_; }
  const std::vector<PhoneModel>& phone_models() const { return phone_models_; }
  const std::vector<PhoneImage>& images() const { return images_; }
  const std::vector<Vpc>& vpcs() const { return vpcs_; }

 private:
  std::vector<ServerModel> server_models_;
  std::vector<PhoneModel> phone_models_;
  std::vector<PhoneImage> images_;
  std::vector<Vpc> vpcs_;
  std::vector<std::string> azs_;  // first = default
  std::vector<std::string> eip_types_;
  Quotas quotas_;
};

// A stable UUID-shaped id derived from a seed, so that the built-in catalog
// and one read from a file name the same security group the same way on
// every start without storing it.
std::string derived_uuid(std::string_view seed);

}  // namespace cph::emulator

// Request validation for the server endpoints: cph-api.md 3.4 (purchase) and
// 3.13 (rename), with the error codes of the editor's checklist in 3.4. Where
// the reference names no code, the choice is listed in docs/emulator.md.
//
// Validation never changes anything: it turns a JSON body into a typed,
// complete request (defaults applied, catalog entries resolved) or the first
// error, checking fields in the order of the reference's field table.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "emulator/api_error.h"
#include "emulator/catalog.h"
#include "emulator/model.h"

namespace cph::emulator {

// cph-api.md 11.5: ^[A-Za-z0-9_\-\x{4E00}-\x{9FFF}]{1,60}$ counting code
// points; invalid UTF-8 is invalid.
bool valid_server_name(std::string_view name);
// cph-api.md 4.2 / A-13: 1..300 any integer; 300..1000 in steps of 50;
// above 1000 in steps of 500.
bool valid_bandwidth_size(int64_t size);

inline constexpr int kMaxPurchaseCount = 10;  // cph-api.md 3.4: count at most 10
inline constexpr int kMaxPorts = 10;          // undocumented limit, emulator's choice

struct VolumeSpec {
  std::string type;  // "SSD" | "GPSSD"
  int size_g = 0;    // 0..32768
};

struct PurchaseRequest {
  std::string server_name;
  const ServerModel* server_model = nullptr;
  const PhoneModel* phone_model = nullptr;
  const PhoneImage* image = nullptr;
  int count = 1;
  std::string keypair_name;  // "" when not given
  std::vector<Port> ports;
  // extend_param
  int charging_mode = 0;
  int period_type = 2;  // 2 month, 3 year
  int period_num = 1;
  bool auto_pay = false;    // default no (3.4)
  bool auto_renew = false;  // default no
  std::string enterprise_project_id = "0";
  // network
  const Vpc* vpc = nullptr;
  const Subnet* subnet = nullptr;  // the first NIC's subnet
  // public_ip
  int eip_count = 1;                      // EIPs per server (0 = none)
  std::string eip_type;                   // public_ip.eip.type, "" when ids is used
  std::optional<std::string> existing_eip_id;  // public_ip.ids[0]
  int phone_count_per_ip = 0;
  std::optional<VolumeSpec> phone_data_volume;
  std::optional<VolumeSpec> server_share_data_volume;
  // band_width
  int bandwidth_share_type = 0;
  int bandwidth_charge_mode = 0;
  std::optional<int> bandwidth_size;
  std::optional<std::string> bandwidth_id;  // an existing shared bandwidth to reuse
  std::string availability_zone;
};

// Looks up a bandwidth of the caller's project by id (nullptr when unknown).
using BandwidthLookup = std::function<const Bandwidth*(std::string_view id)>;

// body: the parsed request body; a body that is not a JSON object is
// validated as an empty object, so the first required field reports it.
std::variant<PurchaseRequest, ApiError> validate_purchase(const nlohmann::json& body, const Catalog& catalog,
                                                          const BandwidthLookup& find_bandwidth);

// cph-api.md 3.13: the new server name, or CPS.0087.
std::variant<std::string, ApiError> validate_rename(const nlohmann::json& body);

}  // namespace cph::emulator

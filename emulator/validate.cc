#include "emulator/validate.h"

#include <nlohmann/json.hpp>
#include <set>

#include "common/strings.h"

namespace cph::emulator {
namespace {
using nlohmann::json;

// A member of an object; JSON null counts as absent (clients commonly send
// null for "not set").
const json* field(const json& obj, std::string_view name) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(name);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

// JSON integers only: 1.0, "1" and true are not integers.
std::optional<int64_t> as_int(const json* j) {
  if (!j) return std::nullopt;
  if (j->is_number_unsigned()) {
    uint64_t v = j->get<uint64_t>();
    if (v > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<int64_t>(v);
  }
  if (j->is_number_integer()) return j->get<int64_t>();
  return std::nullopt;
}

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// 8-4-4-4-12 hex digits (3.4: tenant_vpc_id and subnet_id are "UUID format").
bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !is_hex(s[i])) return false;
  }
  return true;
}

// A required string field: missing or "" -> empty_code; not a string, longer
// than max_bytes -> invalid_code.
std::string required_string(const json& body, std::string_view name, std::string_view empty_code,
                            std::string_view invalid_code, size_t max_bytes) {
  const json* j = field(body, name);
  if (!j || (j->is_string() && j->get_ref<const std::string&>().empty())) fail(empty_code);
  if (!j->is_string() || j->get_ref<const std::string&>().size() > max_bytes) fail(invalid_code);
  return j->get<std::string>();
}

std::vector<Port> validate_ports(const json* ports) {
  std::vector<Port> out;
  if (!ports) return out;
  if (!ports->is_array()) fail("CPS.0037");
  if (ports->size() > static_cast<size_t>(kMaxPorts)) fail("CPS.0145");
  std::set<std::string> names;
  std::set<int64_t> numbers;
  for (const json& p : *ports) {
    if (!p.is_object()) fail("CPS.0037");
    // 1.10 Port: name at most 16 bytes, not the system services adb / vnc
    // (case-insensitively: the source does not say, A-choice in the docs).
    const json* name = field(p, "name");
    if (!name || !name->is_string()) fail("CPS.0038");
    const std::string& n = name->get_ref<const std::string&>();
    if (n.empty() || n.size() > 16 || ascii_iequals(n, "adb") || ascii_iequals(n, "vnc")) fail("CPS.0038");
    if (!names.insert(n).second) fail("CPS.0039");
    // 1.10 Port: 10000 <= listen_port <= 50000.
    std::optional<int64_t> port = as_int(field(p, "listen_port"));
    if (!port || *port < 10000 || *port > 50000) fail("CPS.0040");
    if (!numbers.insert(*port).second) fail("CPS.0041");
    // 1.10 Port: internet_accessible is a *string*; "true" (any case) maps it.
    const json* ia = field(p, "internet_accessible");
    if (!ia || (ia->is_string() && ia->get_ref<const std::string&>().empty())) fail("CPS.0093");
    if (!ia->is_string()) fail("CPS.0037");
    out.push_back({n, static_cast<int>(*port), ia->get<std::string>()});
  }
  return out;
}

void validate_extend_param(const json& body, PurchaseRequest& r) {
  const json* ep = field(body, "extend_param");
  if (!ep || !ep->is_object()) fail("CPS.0055");
  // 3.4 table 5-26: charging_mode 0 (yearly/monthly) is the only documented value.
  std::optional<int64_t> mode = as_int(field(*ep, "charging_mode"));
  if (!mode || *mode != 0) fail("CPS.0056");
  std::optional<int64_t> type = as_int(field(*ep, "period_type"));
  if (!type || (*type != 2 && *type != 3)) fail("CPS.0057");
  // month -> [1, 9]; year -> [1, 10].
  std::optional<int64_t> num = as_int(field(*ep, "period_num"));
  if (!num || *num < 1 || *num > (*type == 2 ? 9 : 10)) fail("CPS.0058");
  if (const json* j = field(*ep, "is_auto_renew")) {
    std::optional<int64_t> v = as_int(j);
    if (!v || (*v != 0 && *v != 1)) fail("CPS.0059");
    r.auto_renew = *v == 1;
  }
  if (const json* j = field(*ep, "is_auto_pay")) {
    std::optional<int64_t> v = as_int(j);
    if (!v || (*v != 0 && *v != 1)) fail("CPS.0060");
    r.auto_pay = *v == 1;
  }
  // Omitted or "0" -> the default enterprise project; otherwise a UUID.
  if (const json* j = field(*ep, "enterprise_project_id")) {
    if (!j->is_string()) fail("CPS.0316");
    const std::string& id = j->get_ref<const std::string&>();
    if (id != "0" && !is_uuid(id)) fail("CPS.0316");
    r.enterprise_project_id = id;
  }
  r.charging_mode = static_cast<int>(*mode);
  r.period_type = static_cast<int>(*type);
  r.period_num = static_cast<int>(*num);
}

void validate_network(const json& body, const Catalog& catalog, const BandwidthLookup& find_bandwidth,
                      PurchaseRequest& r) {
  const json* vpc = field(body, "tenant_vpc_id");
  if (!vpc || !vpc->is_string() || !is_uuid(vpc->get_ref<const std::string&>())) fail("CPS.0223");
  r.vpc = catalog.vpc(vpc->get_ref<const std::string&>());
  if (!r.vpc) fail("CPS.0236");  // 404

  const json* nics = field(body, "nics");
  if (!nics || !nics->is_array() || nics->empty()) fail("CPS.0226");
  for (const json& nic : *nics) {
    if (!nic.is_object()) fail("CPS.0226");
    const json* sid = field(nic, "subnet_id");
    if (!sid || !sid->is_string() || !is_uuid(sid->get_ref<const std::string&>())) fail("CPS.0224");
    const Vpc* owner = nullptr;
    const Subnet* subnet = catalog.subnet(sid->get_ref<const std::string&>(), &owner);
    if (!subnet) fail("CPS.0229");  // 404
    if (owner != r.vpc) fail("CPS.0228");
    bool ipv6 = false;
    if (const json* j = field(nic, "ipv6_enable")) {
      if (!j->is_boolean()) fail("CPS.0320");
      ipv6 = j->get<bool>();
      if (ipv6 && !subnet->ipv6) fail("CPS.0319");
    }
    // Table 5-28: the shared bandwidth bound for IPv6; only meaningful with
    // ipv6_enable, and it must be an existing shared bandwidth.
    if (const json* j = field(nic, "ipv6_bandwidth")) {
      const json* bw = field(*j, "band_width_id");
      if (!ipv6 || !bw || !bw->is_string()) fail("CPS.0318");
      const Bandwidth* b = find_bandwidth(bw->get_ref<const std::string&>());
      if (!b || b->share_type != 1) fail("CPS.0318");
    }
    if (!r.subnet) r.subnet = subnet;
  }
}

void validate_public_ip(const json& body, const Catalog& catalog, PurchaseRequest& r) {
  const json* pip = field(body, "public_ip");
  if (!pip || !pip->is_object()) fail("CPS.0238");
  const json* ids = field(*pip, "ids");
  const json* eip = field(*pip, "eip");
  if (ids && eip) fail("CPS.0238");  // either a new EIP or an existing one
  if (ids) {
    // Table 5-29: "only one existing EIP ID may be passed".
    if (!ids->is_array() || ids->size() != 1 || !(*ids)[0].is_string() ||
        !is_uuid((*ids)[0].get_ref<const std::string&>()))
      fail("CPS.0253");
    if (r.count > 1) fail("CPS.0251");
    if (r.phone_model->eip_count > 1) fail("CPS.0252");
    r.existing_eip_id = (*ids)[0].get<std::string>();
  }
  if (eip) {
    // Table 5-30: type is one of the catalog's line types (by default the
    // four of the reference).
    const json* type = field(*eip, "type");
    if (!type || !type->is_string() || !catalog.has_eip_type(type->get_ref<const std::string&>())) fail("CPS.0239");
    r.eip_type = type->get<std::string>();
  }
  // count: default 1, 0 = no EIP, at most the phone model's IP count.
  r.eip_count = 1;
  if (const json* c = field(*pip, "count")) {
    std::optional<int64_t> n = as_int(c);
    if (!n || *n < 0 || *n > r.phone_model->vip_count) fail("CPS.0238");
    r.eip_count = static_cast<int>(*n);
  }
  if (r.existing_eip_id && r.eip_count != 1) fail("CPS.0238");
  if (!ids && !eip && r.eip_count != 0) fail("CPS.0238");  // an EIP needs its parameters
}

std::optional<VolumeSpec> validate_volume(const json* v) {
  if (!v) return std::nullopt;
  // Tables 5-31/5-32 name no error codes: volume_type -> CPS.0116 "type is
  // invalid"; size -> CPS.0321 (docs/emulator.md).
  const json* type = field(*v, "volume_type");
  if (!type || !type->is_string() || (type->get<std::string>() != "SSD" && type->get<std::string>() != "GPSSD"))
    fail("CPS.0116");
  std::optional<int64_t> size = as_int(field(*v, "size"));
  if (!size || *size < 0 || *size > 32768) fail("CPS.0321");
  return VolumeSpec{type->get<std::string>(), static_cast<int>(*size)};
}

void validate_band_width(const json& body, const BandwidthLookup& find_bandwidth, PurchaseRequest& r) {
  const json* bw = field(body, "band_width");
  if (!bw || !bw->is_object()) fail("CPS.0031");
  std::optional<int64_t> share = as_int(field(*bw, "band_width_share_type"));
  if (!share || (*share != 0 && *share != 1)) fail("CPS.0034");
  std::optional<int64_t> charge = as_int(field(*bw, "band_width_charge_mode"));
  if (!charge || (*charge != 0 && *charge != 1)) fail("CPS.0035");
  r.bandwidth_share_type = static_cast<int>(*share);
  r.bandwidth_charge_mode = static_cast<int>(*charge);

  if (const json* size = field(*bw, "band_width_size")) {
    std::optional<int64_t> s = as_int(size);
    if (!s || !valid_bandwidth_size(*s)) fail("CPS.0036");
    r.bandwidth_size = static_cast<int>(*s);
  }
  if (const json* id = field(*bw, "band_width_id")) {
    if (!id->is_string()) fail("CPS.0033");
    const std::string& bid = id->get_ref<const std::string&>();
    if (bid.empty()) fail("CPS.0032");
    // Reuse is for shared bandwidths: a dedicated one belongs to its server.
    if (*share != 1) fail("CPS.0034");
    const Bandwidth* existing = find_bandwidth(bid);
    if (!existing) fail("CPS.0115");  // 404
    if (existing->share_type != 1) fail("CPS.0033");
    if (existing->charge_mode != *charge) fail("CPS.0035");
    // Resizing goes through 4.2; a different size here would be ignored, so refuse it.
    if (r.bandwidth_size && *r.bandwidth_size != existing->size) fail("CPS.0036");
    r.bandwidth_id = bid;
  } else if (!r.bandwidth_size) {
    fail("CPS.0036");  // a new bandwidth needs its size
  }
}

PurchaseRequest validate_purchase_or_throw(const json& body, const Catalog& catalog,
                                           const BandwidthLookup& find_bandwidth) {
  PurchaseRequest r;
  const json* name = field(body, "server_name");
  if (!name || !name->is_string() || !valid_server_name(name->get_ref<const std::string&>())) fail("CPS.0087");
  r.server_name = name->get<std::string>();

  std::string sm = required_string(body, "server_model_name", "CPS.0088", "CPS.0089", 64);
  r.server_model = catalog.server_model(sm);
  if (!r.server_model) fail("CPS.0089");

  std::string pm = required_string(body, "phone_model_name", "CPS.0027", "CPS.0028", 64);
  r.phone_model = catalog.phone_model(pm);
  if (!r.phone_model) fail("CPS.0028");
  // 5.3.3: a phone model runs on one server model; offline models cannot be bought.
  if (r.phone_model->server_model_name != sm || r.phone_model->status != 1) fail("CPS.0257");

  std::string image = required_string(body, "image_id", "CPS.0029", "CPS.0030", 32);
  r.image = catalog.image(image);
  if (!r.image) fail("CPS.0030");

  std::optional<int64_t> count = as_int(field(body, "count"));
  if (!count || *count < 1 || *count > kMaxPurchaseCount) fail("CPS.0024");
  r.count = static_cast<int>(*count);

  if (const json* kp = field(body, "keypair_name")) {
    if (!kp->is_string() || kp->get_ref<const std::string&>().empty()) fail("CPS.0068");
    if (kp->get_ref<const std::string&>().size() > 64) fail("CPS.0067");
    r.keypair_name = kp->get<std::string>();
  }

  r.ports = validate_ports(field(body, "ports"));
  validate_extend_param(body, r);
  validate_network(body, catalog, find_bandwidth, r);
  validate_public_ip(body, catalog, r);

  // Default: all the model's phones share one IP; range 1..phones per server.
  // No documented code: CPS.0241 "Insufficient IP addresses." (docs/emulator.md).
  r.phone_count_per_ip = r.phone_model->capacity;
  if (const json* j = field(body, "phone_count_per_ip")) {
    std::optional<int64_t> n = as_int(j);
    if (!n || *n < 1 || *n > r.phone_model->capacity) fail("CPS.0241");
    r.phone_count_per_ip = static_cast<int>(*n);
  }

  r.phone_data_volume = validate_volume(field(body, "phone_data_volume"));
  // 3.4: phone_data_volume is mandatory for 2.0 models.
  if (!r.phone_data_volume && r.phone_model->version == 1) fail("CPS.0157");
  r.server_share_data_volume = validate_volume(field(body, "server_share_data_volume"));

  validate_band_width(body, find_bandwidth, r);

  r.availability_zone = catalog.default_availability_zone();
  if (const json* az = field(body, "availability_zone")) {
    if (!az->is_string() || !catalog.has_availability_zone(az->get_ref<const std::string&>())) fail("CPS.0211");
    r.availability_zone = az->get<std::string>();
  }
  return r;
}
}  // namespace

bool valid_server_name(std::string_view s) {
  size_t points = 0;
  for (size_t i = 0; i < s.size(); ++points) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
      if (!ok) return false;
      ++i;
      continue;
    }
    // U+4E00..U+9FFF are all three-byte sequences 0xE4..0xE9.
    if ((c & 0xF0) != 0xE0 || i + 2 >= s.size()) return false;
    auto c1 = static_cast<unsigned char>(s[i + 1]), c2 = static_cast<unsigned char>(s[i + 2]);
    if ((c1 & 0xC0) != 0x80 || (c2 & 0xC0) != 0x80) return false;
    unsigned cp = ((c & 0x0Fu) << 12) | ((c1 & 0x3Fu) << 6) | (c2 & 0x3Fu);
    if (cp < 0x4E00 || cp > 0x9FFF) return false;
    i += 3;
  }
  return points >= 1 && points <= 60;
}

bool valid_bandwidth_size(int64_t s) {
  if (s < 1) return false;
  if (s <= 300) return true;
  if (s <= 1000) return (s - 300) % 50 == 0;
  return s <= INT32_MAX && (s - 1000) % 500 == 0;
}

std::variant<PurchaseRequest, ApiError> validate_purchase(const json& body, const Catalog& catalog,
                                                          const BandwidthLookup& find_bandwidth) {
  try {
    return validate_purchase_or_throw(body, catalog, find_bandwidth);
  } catch (const Failure& f) {
    return f.error;
  }
}

std::variant<std::string, ApiError> validate_rename(const json& body) {
  // 3.13: a-z, A-Z, 0-9, Chinese, '-', '_'; at most 60 characters.
  const json* name = field(body, "server_name");
  if (!name || !name->is_string() || !valid_server_name(name->get_ref<const std::string&>()))
    return ApiError::cps("CPS.0087");
  return name->get<std::string>();
}

}  // namespace cph::emulator

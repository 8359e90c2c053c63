// The catalog's JSON form (`--catalog FILE`, docs/emulator.md "Catalog
// file"): the same fields as catalog.h, by the same names. Parsing is
// strict (unknown keys and wrong types are errors naming the entry), because
// a typo in a hand-written catalog would otherwise silently become a default.
#include <fstream>
#include <optional>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>

#include "emulator/catalog.h"

namespace cph::emulator {
namespace {
using nlohmann::json;

// Reads one object's fields, remembering which keys were used.
class Fields {
 public:
  Fields(const json& obj, std::string where) : obj_(obj), where_(std::move(where)) {
    if (!obj_.is_object()) fail("must be an object");
  }
  [[noreturn]] void fail(const std::string& what) const { throw std::invalid_argument(where_ + " " + what); }

  std::string str(const char* key, std::optional<std::string> def = std::nullopt) {
    used_.insert(key);
    auto it = obj_.find(key);
    if (it == obj_.end()) {
      if (!def) fail("needs \"" + std::string(key) + "\" (a string)");
      return *def;
    }
    if (!it->is_string()) fail("\"" + std::string(key) + "\" must be a string");
    return it->get<std::string>();
  }
  int integer(const char* key, int def, int min = 0) {
    used_.insert(key);
    auto it = obj_.find(key);
    if (it == obj_.end()) return def;
    if (!it->is_number_integer() || it->get<int64_t>() < min || it->get<int64_t>() > 1000000000)
      fail("\"" + std::string(key) + "\" must be an integer >= " + std::to_string(min));
    return it->get<int>();
  }
  double number(const char* key, double def) {
    used_.insert(key);
    auto it = obj_.find(key);
    if (it == obj_.end()) return def;
    if (!it->is_number() || it->get<double>() < 0) fail("\"" + std::string(key) + "\" must be a number >= 0");
    return it->get<double>();
  }
  bool boolean(const char* key, bool def) {
    used_.insert(key);
    auto it = obj_.find(key);
    if (it == obj_.end()) return def;
    if (!it->is_boolean()) fail("\"" + std::string(key) + "\" must be true or false");
    return it->get<bool>();
  }
  const json& array(const char* key, bool required) {
    static const json empty = json::array();
    used_.insert(key);
    auto it = obj_.find(key);
    if (it == obj_.end()) {
      if (required) fail("needs \"" + std::string(key) + "\" (an array)");
      return empty;
    }
    if (!it->is_array()) fail("\"" + std::string(key) + "\" must be an array");
    return *it;
  }
  // An optional object member (nullptr when absent).
  const json* object(const char* key) {
    used_.insert(key);
    auto it = obj_.find(key);
    if (it == obj_.end()) return nullptr;
    if (!it->is_object()) fail("\"" + std::string(key) + "\" must be an object");
    return &*it;
  }
  // Unknown keys are refused (typos).
  void done() const {
    for (auto it = obj_.begin(); it != obj_.end(); ++it)
      if (!used_.count(it.key())) fail("has an unknown key \"" + it.key() + "\"");
  }

 private:
  const json& obj_;
  std::string where_;
  std::set<std::string> used_;
};
}  // namespace

Catalog Catalog::from_json(const json& j) {
  Catalog c;
  Fields top(j, "catalog");
  const json& servers = top.array("server_models", true);
  const json& phones = top.array("phone_models", true);
  const json& images = top.array("images", true);
  const json& vpcs = top.array("vpcs", true);
  const json& azs = top.array("availability_zones", true);
  // Optional: absent = the built-in values (docs/emulator.md "Catalog file").
  const bool has_eip_types = j.contains("eip_types");
  const json& eip_types = top.array("eip_types", false);
  const json* quotas = top.object("quotas");
  top.done();
  std::set<std::string> names;
  for (size_t i = 0; i < servers.size(); ++i) {
    Fields f(servers[i], "server_models[" + std::to_string(i) + "]");
    ServerModel m;
    m.name = f.str("name");
    if (m.name.empty() || !names.insert(m.name).second) f.fail("has an empty or duplicate name");
    m.server_type = f.str("server_type", "");
    m.cpu = f.integer("cpu", 0);
    m.memory_g = f.integer("memory_g", 0);
    m.spec_cpu = f.str("spec_cpu", "");
    m.spec_memory = f.str("spec_memory", "");
    m.spec_disk = f.str("spec_disk", "");
    m.spec_network_interface = f.str("spec_network_interface", "");
    m.spec_gpu = f.str("spec_gpu", "");
    m.bms_flavor = f.str("bms_flavor", "");
    m.gpu_count = f.integer("gpu_count", 0);
    m.numa_count = f.integer("numa_count", 0);
    m.product_type = f.integer("product_type", 0);
    if (m.product_type > 1) f.fail("\"product_type\" must be 0 or 1");
    m.free_size_g = f.integer("free_size_g", 0);
    m.share_volume_size_g = f.integer("share_volume_size_g", 0);
    m.monthly_price_cny = f.number("monthly_price_cny", 0);
    f.done();
    c.server_models_.push_back(std::move(m));
  }
  if (c.server_models_.empty()) throw std::invalid_argument("catalog \"server_models\" must not be empty");
  for (size_t i = 0; i < phones.size(); ++i) {
    Fields f(phones[i], "phone_models[" + std::to_string(i) + "]");
    PhoneModel m;
    m.name = f.str("name");
    if (m.name.empty() || c.phone_model(m.name)) f.fail("has an empty or duplicate name");
    m.server_model_name = f.str("server_model_name");
    if (!c.server_model(m.server_model_name)) f.fail("names an unknown server model \"" + m.server_model_name + "\"");
    m.status = f.integer("status", 1);
    m.cpu = f.integer("cpu", 0);
    m.memory_mb = f.integer("memory_mb", 0);
    m.disk_g = f.integer("disk_g", 0);
    m.resolution = f.str("resolution", "");
    if (!phones[i].contains("capacity")) f.fail("needs \"capacity\" (phones per server, an integer >= 1)");
    m.capacity = f.integer("capacity", 0, 1);
    m.image_label = f.str("image_label", "");
    m.product_type = f.integer("product_type", 0);
    m.version = f.integer("version", 0);
    m.dpi = f.integer("dpi", 0);
    m.fps = f.str("fps", "");
    m.volume_mode = f.integer("volume_mode", 0);
    m.eip_count = f.integer("eip_count", 1);
    m.vip_count = f.integer("vip_count", 1, 1);
    if (m.status > 1 || m.product_type > 1 || m.version > 1 || m.volume_mode > 1)
      f.fail("\"status\", \"product_type\", \"version\" and \"volume_mode\" must be 0 or 1");
    f.done();
    c.phone_models_.push_back(std::move(m));
  }
  for (size_t i = 0; i < images.size(); ++i) {
    Fields f(images[i], "images[" + std::to_string(i) + "]");
    PhoneImage m;
    m.image_id = f.str("image_id");
    if (m.image_id.empty() || c.image(m.image_id)) f.fail("has an empty or duplicate image_id");
    m.image_name = f.str("image_name", "");
    m.os_type = f.str("os_type", "");
    m.is_public = f.integer("is_public", 1);
    m.os_name = f.str("os_name", "");
    m.image_label = f.str("image_label", "");
    f.done();
    c.images_.push_back(std::move(m));
  }
  for (size_t i = 0; i < vpcs.size(); ++i) {
    const std::string where = "vpcs[" + std::to_string(i) + "]";
    Fields f(vpcs[i], where);
    Vpc v;
    v.id = f.str("id");
    if (v.id.empty() || c.vpc(v.id)) f.fail("has an empty or duplicate id");
    v.cidr = f.str("cidr");
    v.security_group_id = f.str("security_group_id", derived_uuid("security-group:" + v.id));
    const json& subnets = f.array("subnets", true);
    f.done();
    for (size_t k = 0; k < subnets.size(); ++k) {
      Fields s(subnets[k], where + ".subnets[" + std::to_string(k) + "]");
      Subnet sub;
      sub.id = s.str("id");
      if (sub.id.empty() || c.subnet(sub.id)) s.fail("has an empty or duplicate id");
      sub.cidr = s.str("cidr");
      sub.ipv6 = s.boolean("ipv6", false);
      s.done();
      v.subnets.push_back(std::move(sub));
    }
    c.vpcs_.push_back(std::move(v));
  }
  for (size_t i = 0; i < azs.size(); ++i) {
    if (!azs[i].is_string() || azs[i].get_ref<const std::string&>().empty())
      throw std::invalid_argument("catalog availability_zones[" + std::to_string(i) + "] must be a non-empty string");
    c.azs_.push_back(azs[i].get<std::string>());
  }
  if (c.azs_.empty()) throw std::invalid_argument("catalog \"availability_zones\" must not be empty (the first is the default)");
  // cph-api.md 3.4 table 5-30 by default; an empty list allows no new EIP
  // (only public_ip.ids, or count 0).
  if (!has_eip_types) c.eip_types_ = {"5_telcom", "5_union", "5_bgp", "5_sbgp"};
  for (size_t i = 0; i < eip_types.size(); ++i) {
    if (!eip_types[i].is_string() || eip_types[i].get_ref<const std::string&>().empty() ||
        c.has_eip_type(eip_types[i].get_ref<const std::string&>()))
      throw std::invalid_argument("catalog eip_types[" + std::to_string(i) +
                                  "] must be a non-empty string, not repeated");
    c.eip_types_.push_back(eip_types[i].get<std::string>());
  }
  if (quotas) {
    Fields f(*quotas, "quotas");
    c.quotas_.servers = f.integer("servers", static_cast<int>(Quotas::kDefaultServers));
    f.done();
  }
  return c;
}

Catalog Catalog::load_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("catalog " + path + ": cannot read the file");
  std::ostringstream all;
  all << in.rdbuf();
  json j = json::parse(all.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw std::runtime_error("catalog " + path + ": not valid JSON");
  try {
    return from_json(j);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error("catalog " + path + ": " + e.what());
  }
}

json Catalog::to_json() const {
  json servers = json::array(), phones = json::array(), images = json::array(), vpcs = json::array();
  for (const ServerModel& m : server_models_)
    servers.push_back({{"name", m.name}, {"server_type", m.server_type}, {"cpu", m.cpu}, {"memory_g", m.memory_g},
                       {"spec_cpu", m.spec_cpu}, {"spec_memory", m.spec_memory}, {"spec_disk", m.spec_disk},
                       {"spec_network_interface", m.spec_network_interface}, {"spec_gpu", m.spec_gpu},
                       {"bms_flavor", m.bms_flavor}, {"gpu_count", m.gpu_count}, {"numa_count", m.numa_count},
                       {"product_type", m.product_type}, {"free_size_g", m.free_size_g},
                       {"share_volume_size_g", m.share_volume_size_g}, {"monthly_price_cny", m.monthly_price_cny}});
  for (const PhoneModel& m : phone_models_)
    phones.push_back({{"name", m.name}, {"server_model_name", m.server_model_name}, {"status", m.status},
                      {"cpu", m.cpu}, {"memory_mb", m.memory_mb}, {"disk_g", m.disk_g},
                      {"resolution", m.resolution}, {"capacity", m.capacity}, {"image_label", m.image_label},
                      {"product_type", m.product_type}, {"version", m.version}, {"dpi", m.dpi}, {"fps", m.fps},
                      {"volume_mode", m.volume_mode}, {"eip_count", m.eip_count}, {"vip_count", m.vip_count}});
  for (const PhoneImage& m : images_)
    images.push_back({{"image_id", m.image_id}, {"image_name", m.image_name}, {"os_type", m.os_type},
                      {"is_public", m.is_public}, {"os_name", m.os_name}, {"image_label", m.image_label}});
  for (const Vpc& v : vpcs_) {
    json subnets = json::array();
    for (const Subnet& s : v.subnets) subnets.push_back({{"id", s.id}, {"cidr", s.cidr}, {"ipv6", s.ipv6}});
    vpcs.push_back({{"id", v.id}, {"cidr", v.cidr}, {"security_group_id", v.security_group_id}, {"subnets", subnets}});
  }
  return {{"server_models", servers}, {"phone_models", phones}, {"images", images}, {"vpcs", vpcs},
          {"availability_zones", azs_}, {"eip_types", eip_types_}, {"quotas", {{"servers", quotas_.servers}}}};
}

}  // namespace cph::emulator

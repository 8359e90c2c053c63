#include "emulator/catalog.h"

#include <algorithm>

#include "common/crypto.h"

namespace cph::emulator {
std::string derived_uuid(std::string_view seed) {
  std::string h = crypto::sha256_hex(seed).substr(0, 32);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20, 12);
}

namespace {

template <class T, class Key>
const T* find_by(const std::vector<T>& items, std::string_view key, Key key_of) {
  auto it = std::find_if(items.begin(), items.end(), [&](const T& t) { return key_of(t) == key; });
  return it == items.end() ? nullptr : &*it;
}

ServerModel make_server_model(std::string name, std::string type, int cpu, int mem, std::string spec_cpu, std::string disk,
                         std::string gpu, int gpu_count, std::string bms, int product_type, int share_g,
                         double price) {
  ServerModel m;
  m.name = std::move(name);
  m.server_type = std::move(type);
  m.cpu = cpu;
  m.memory_g = mem;
  m.spec_cpu = std::move(spec_cpu);
  m.spec_memory = "DDR4 RAM";
  m.spec_disk = std::move(disk);
  m.spec_network_interface = "2 x 2*10GE";
  m.spec_gpu = std::move(gpu);
  m.gpu_count = gpu_count;
  m.numa_count = 4;
  m.bms_flavor = std::move(bms);
  m.product_type = product_type;
  m.free_size_g = 0;
  m.share_volume_size_g = share_g;
  m.monthly_price_cny = price;
  return m;
}

struct PhoneSpec {
  const char* name;
  const char* server;
  int cpu, memory_mb, disk_g;
  const char* resolution;
  int capacity;
  const char* label;
  int product_type, version, dpi;
  const char* fps;
  int eips, vips;
};

PhoneModel make_phone_model(const PhoneSpec& s) {
  PhoneModel m;
  m.name = s.name;
  m.server_model_name = s.server;
  m.cpu = s.cpu;
  m.memory_mb = s.memory_mb;
  m.disk_g = s.disk_g;
  m.resolution = s.resolution;
  m.capacity = s.capacity;
  m.image_label = s.label;
  m.product_type = s.product_type;
  m.version = s.version;
  m.dpi = s.dpi;
  m.fps = s.fps;
  m.eip_count = s.eips;
  m.vip_count = s.vips;
  return m;
}
}  // namespace

Catalog Catalog::builtin() {
  Catalog c;
  // cph-api.md 10.3 (A.3) and the models named in 3.1, 3.2 and 3.12. The first
  // one is verbatim from the 3.3 example; the others follow A.3's descriptions.
  const std::string kunpeng = "Kunpeng 920(2*64Core*2.6GHz)";
  c.server_models_ = {
      make_server_model("physical.rx1.xlarge", "Hi1616", 64, 256, "Hi1616(2*32Core*2.4GHz)", "2*1.2T SAS + 800G SSD",
                   "3*WX5100", 3, "physical.rg1.xlarge.cph.ondemand", 0, 650, 8900),
      make_server_model("physical.rx1.xlarge.cg", "Hi1616", 64, 256, "Hi1616(2*32Core*2.4GHz)",
                   "2*1.2T SAS + 800G SAS SSD", "3*WX5100", 3, "physical.rg1.xlarge.cg.ondemand", 1, 650, 9800),
      make_server_model("physical.rx1.xlarge.special", "Hi1616", 64, 256, "Hi1616(2*32Core*2.4GHz)",
                   "2*1.2T SAS + 800G SSD", "3*WX5100", 3, "physical.rg1.xlarge.cph.special", 0, 650, 9500),
      make_server_model("physical.kg1.4xlarge.cp", "Hi1620", 128, 512, kunpeng, "no local disk", "4*WX5100", 4,
                   "physical.kg1.4xlarge.cph.ondemand", 0, 1024, 12800),
      make_server_model("physical.kg1.4xlarge.cg", "Hi1620", 128, 512, kunpeng, "no local disk", "4*WX5100", 4,
                   "physical.kg1.4xlarge.cg.ondemand", 1, 1024, 13600),
      make_server_model("physical.kg1m.4xlarge.cg", "Hi1620", 128, 512, kunpeng, "no local disk", "4*WX5100", 4,
                   "physical.kg1m.4xlarge.cg.ondemand", 1, 1024, 14200),
      make_server_model("physical.rx2.32xlarge.4", "Hi1620", 128, 512, kunpeng, "no local disk", "4*WX5100", 4,
                   "physical.rx2.32xlarge.4.cph.ondemand", 0, 1024, 15800),
      make_server_model("physical.rx3.32xlarge.4", "Hi1620", 128, 512, kunpeng, "no local disk", "4*WX5100", 4,
                   "physical.rx3.32xlarge.4.cph.ondemand", 0, 1024, 17900),
  };

  // Phone models of the examples (3.1, 3.2, 3.4, 3.12, 5.3.x) and of 10.2
  // (A.2). A.2's "rcN.*" models are the 2.0 generation (phone_model_version 1,
  // cph-api.md 10.4 v17), so a purchase of them needs phone_data_volume (3.4).
  static const PhoneSpec phones[] = {
      {"rx1.cp.c60.d32.e1v1.qemu", "physical.rx1.xlarge", 2, 3072, 32, "540x960", 60, "qemu_phone", 0, 0, 240, "60", 1, 1},
      {"rx1.cp.c60.d10.e1v1", "physical.rx1.xlarge", 2, 3584, 10, "720x1280", 60, "cloud_phone", 0, 0, 320, "60", 1, 1},
      {"rx1.cp.c105.d6.e5v5", "physical.rx1.xlarge", 1, 2048, 6, "720x1280", 105, "cloud_phone", 0, 0, 320, "30", 5, 5},
      {"rx1.cp.sp.c105.d8.e5v5", "physical.rx1.xlarge.special", 1, 2048, 8, "720x1280", 105, "cloud_phone", 0, 0, 320, "30", 5, 5},
      {"AOSP-1U4G15G-001", "physical.rx1.xlarge", 1, 4096, 15, "720x1280", 60, "cloud_phone", 0, 0, 320, "30", 1, 1},
      {"aphs1.large.2.aosp", "physical.rx1.xlarge", 2, 4096, 16, "720x1280", 30, "cloud_phone", 0, 0, 320, "30", 1, 1},
      {"kg1.cp.c20.d64SSD.e1v1", "physical.kg1.4xlarge.cp", 6, 12288, 64, "1080x1920", 20, "cloud_phone_1620", 0, 0, 480, "60", 1, 1},
      {"kg1.cg.c40.d30SSD.e1v1.old", "physical.kg1.4xlarge.cg", 3, 6144, 30, "720x1280", 40, "cloud_game_1620", 1, 0, 320, "60", 1, 1},
      {"kg1m.cg.c60.d20SSD.e1v1", "physical.kg1m.4xlarge.cg", 2, 4096, 20, "720x1280", 60, "cloud_game_1620", 1, 0, 320, "60", 1, 1},
      {"rc1.se", "physical.rx1.xlarge", 4, 8192, 32, "720x1280", 60, "cloud_phone", 0, 1, 320, "30", 1, 1},
      {"rc1.plus", "physical.rx1.xlarge", 6, 12288, 32, "720x1280", 30, "cloud_phone", 0, 1, 320, "60", 1, 1},
      {"rc2.se", "physical.rx2.32xlarge.4", 5, 10240, 32, "720x1280", 100, "cloud_phone", 0, 1, 320, "30", 1, 1},
      {"rc2.plus", "physical.rx2.32xlarge.4", 6, 12288, 32, "720x1280", 80, "cloud_phone", 0, 1, 320, "30", 1, 1},
      {"rc2.pro", "physical.rx2.32xlarge.4", 8, 16384, 32, "720x1280", 60, "cloud_phone", 0, 1, 320, "60", 1, 1},
      {"rc2.max", "physical.rx2.32xlarge.4", 16, 24576, 64, "1080x1920", 40, "cloud_phone", 0, 1, 480, "30", 1, 1},
      {"rc2.pro_max", "physical.rx2.32xlarge.4", 20, 32768, 64, "1080x1920", 20, "cloud_phone", 0, 1, 480, "30", 1, 1},
      {"rc3.se", "physical.rx3.32xlarge.4", 5, 10240, 32, "720x1280", 100, "cloud_phone", 0, 1, 320, "30", 1, 1},
      {"rc3.plus", "physical.rx3.32xlarge.4", 6, 12288, 32, "720x1280", 90, "cloud_phone", 0, 1, 320, "60", 1, 1},
      {"rc3.pro", "physical.rx3.32xlarge.4", 8, 16384, 64, "1080x1920", 60, "cloud_phone", 0, 1, 480, "60", 1, 1},
      {"rc3.max", "physical.rx3.32xlarge.4", 16, 24576, 64, "1080x1920", 40, "cloud_phone", 0, 1, 480, "60", 1, 1},
      {"rc3.pro_max", "physical.rx3.32xlarge.4", 20, 32768, 64, "1080x1920", 20, "cloud_phone", 0, 1, 480, "60", 1, 1},
  };
  for (const PhoneSpec& s : phones) c.phone_models_.push_back(make_phone_model(s));

  // Every image id of the examples: 3.4 purchase, 5.3.1/5.3.2, 5.3.4, 5.3.5.
  c.images_ = {
      {"20060220200717f201120a2300000e91", "AOSP", "aosp", 1, "AOSP7.1.1", "cloud_phone_1620"},
      {"20032420200401a60b0003a99684b8ea", "AOSP", "aosp", 1, "AOSP7.1.1", "cloud_game"},
      {"20032120200330a20b000eae5b8c01e6", "AOSP", "aosp", 1, "AOSP7.1.1", "cloud_phone"},
      {"be4d231e44d2a4ccf612660a473fe1e3", "AOSP", "aosp", 1, "AOSP7.0.0", "qemu_phone"},
      {"88b8449b896f3a4f0ad57222dd91909", "AOSP 7.0", "aosp", 1, "AOSP7.0.0", "cloud_phone"},
      {"1564567b8bab40f34711234cb80d8574", "AOSP", "aosp", 1, "AOSP7.1.1", "cloud_phone"},
  };

  // VPCs and subnets of 3.1, 3.2 and 3.4. CIDRs are as printed where printed;
  // the 3.4 example VPC has none printed, and gets a /16 so that large fleets
  // fit its address space.
  c.vpcs_ = {
      {"fca063f6-b942-42a8-9004-e5545f58d6a2", "192.168.0.0/16",
       {{"f1cbfc37-eb42-4357-a0ec-9e4f11950908", "192.168.0.0/16", true}}, ""},
      {"9a11e291-967f-4dd6-99bd-9be54f10583c", "192.168.0.0/16",
       {{"c7f9983d-03ca-4a2e-a0e1-d6bd97174669", "192.168.0.0/24", false}}, ""},
      {"12021c68-730f-41fa-9884-11c616f4c9ad", "172.31.0.0/16",
       {{"92cf2447-163c-4fe8-897b-fd262ab6b134", "172.31.0.0/16", false},
        {"5784d2fe-fefd-42f0-a7f1-e88454d8bc0f", "172.31.0.0/16", false}},
       ""},
  };
  for (Vpc& v : c.vpcs_) v.security_group_id = derived_uuid("security-group:" + v.id);

  // cph-api.md 3.4 names cn-east-3a; 3.1/3.2 and 5.3.1 show the other two.
  c.azs_ = {"cn-east-3a", "br-iaas-odin1a", "cn-southwest-242b"};
  // cph-api.md 3.4 table 5-30: the four EIP line types.
  c.eip_types_ = {"5_telcom", "5_union", "5_bgp", "5_sbgp"};
  // Quotas: the defaults of struct Quotas (the reference gives no values).
  return c;
}

const ServerModel* Catalog::server_model(std::string_view name) const {
  return find_by(server_models_, name, [](const ServerModel& m) -> std::string_view { return m.name; });
}

const PhoneModel* Catalog::phone_model(std::string_view name) const {
  return find_by(phone_models_, name, [](const PhoneModel& m) -> std::string_view { return m.name; });
}

const PhoneImage* Catalog::image(std::string_view id) const {
  return find_by(images_, id, [](const PhoneImage& m) -> std::string_view { return m.image_id; });
}

const Vpc* Catalog::vpc(std::string_view id) const {
  return find_by(vpcs_, id, [](const Vpc& v) -> std::string_view { return v.id; });
}

const Subnet* Catalog::subnet(std::string_view id, const Vpc** owner) const {
  for (const Vpc& v : vpcs_)
    for (const Subnet& s : v.subnets)
      if (s.id == id) {
        if (owner) *owner = &v;
        return &s;
      }
  return nullptr;
}

bool Catalog::has_availability_zone(std::string_view az) const {
  return std::find(azs_.begin(), azs_.end(), az) != azs_.end();
}

bool Catalog::has_eip_type(std::string_view type) const {
  return std::find(eip_types_.begin(), eip_types_.end(), type) != eip_types_.end();
}

}  // namespace cph::emulator

// Shared by the CPH client tests: the reference's examples, credentials,
// the signature check a CPH endpoint makes, and a client on fake transports.
#pragma once

#include "cloud/test_support.h"
#include "resources/cph/cph_client.h"
#include "resources/huawei/credentials.h"
#include "resources/huawei/cps_errors.h"
#include "resources/huawei/signer.h"

namespace cph::cloud::testing {

// ---- the reference's examples (cph-api.md, verbatim) --------------------------

// 3.1 response example
constexpr const char* kListExample = R"({
  "servers" : [ {
    "server_name" : "cph-edgr-1",
    "server_id" : "4aff349ab539452a85ac5d7442b39377",
    "server_model_name" : "physical.rx1.xlarge",
    "phone_model_name" : "rx1.cp.c105.d6.e5v5",
    "keypair_name" : "keypair01",
    "status" : 2,
    "vpc_id" : "9a11e291-967f-4dd6-99bd-9be54f10583c",
    "cidr" : "192.168.0.0/16",
    "vpc_cidr" : "192.168.0.0/16",
    "subnet_id" : "c7f9983d-03ca-4a2e-a0e1-d6bd97174669",
    "subnet_cidr" : "192.168.0.0/24",
    "addresses" : [ {
      "intranet_ip" : "192.168.0.62",
      "server_ip" : "192.168.0.62",
      "access_ip" : "10.246.175.190",
      "public_ip" : "10.246.175.190"
    }, {
      "intranet_ip" : "192.168.0.169",
      "server_ip" : "192.168.0.169",
      "access_ip" : "10.246.171.245",
      "public_ip" : "10.246.171.245"
    } ],
    "resource_project_id" : "06a5b529fa80d28b2f53c014024bed44",
    "metadata" : {
      "product_id" : "00301-221014-0--0",
      "order_id" : "CS21111116336E8RX"
    },
    "availability_zone" : "br-iaas-odin1a",
    "network_version" : "v2",
    "create_time" : "2021-11-11T08:33:40Z",
    "update_time" : "2021-11-11T09:28:30Z"
  }, {
    "server_name" : "cph-igfp-2",
    "server_id" : "6d74b672216d40f39377a99e7f95aa95",
    "server_model_name" : "physical.kg1m.4xlarge.cg",
    "phone_model_name" : "kg1m.cg.c60.d20SSD.e1v1",
    "keypair_name" : "KeyPair-2",
    "status" : 2,
    "vpc_id" : "12021c68-730f-41fa-9884-11c616f4c9ad",
    "cidr" : "172.31.0.0/16",
    "vpc_cidr" : "172.31.0.0/16",
    "subnet_id" : "92cf2447-163c-4fe8-897b-fd262ab6b134",
     "subnet_cidr" : "172.31.0.0/16",
    "addresses" : [ {
      "intranet_ip" : "172.31.185.82",
      "access_ip" : "88.88.48.151",
      "server_ip" : "172.31.185.82",
      "public_ip" : "88.88.48.151"
    } ],
    "resource_project_id" : "06a5b529fa80d28b2f53c014024bed44",
    "metadata" : {
      "product_id" : "OFFI635412973496623104",
      "order_id" : "CS21083015171L1CA"
    },
    "availability_zone" : "br-iaas-odin1a",
    "network_version" : "v1",
    "create_time" : "2021-08-30T07:17:40Z",
    "update_time" : "2021-11-05T09:07:57Z"
  } ],
  "request_id" : "4336f6c61d2048c6b58b4368d9d95ecd",
  "count" : 2
})";

// 3.2 response example
constexpr const char* kShowExample = R"({
  "server_name" : "cph-418540-1620-40-old-1",
  "availability_zone" : "br-iaas-odin1a",
  "addresses" : [ {
    "public_ip" : "10.246.xxx.xxx",
    "server_ip" : "172.31.22.245",
    "intranet_ip" : "172.31.22.245",
    "access_ip" : "10.246.xxx.xxx"
  } ],
  "metadata" : {
    "product_id" : "OFFI451249149551403012",
    "order_id" : "CS2007271727F9XJE"
  },
  "create_time" : "2020-01-01T00:00:00Z",
  "vpc_id" : "12021c68-730f-41fa-9884-11c616f4c9ad",
  "phone_model_name" : "kg1.cg.c40.d30SSD.e1v1.old",
  "subnet_cidr" : "172.31.0.0/16",
  "keypair_name" : "KeyPair-1230",
  "resource_project_id" : "06a5b529fa80d28b2f53c014024bed44",
  "server_id" : "6edb89150bc742aa81fc8ac4ff047297",
  "server_model_name" : "physical.kg1.4xlarge.cg",
  "update_time" : "2020-01-01T00:00:00Z",
  "cidr" : "172.31.0.0/16",
  "vpc_cidr" : "172.31.0.0/16",
  "subnet_id" : "5784d2fe-fefd-42f0-a7f1-e88454d8bc0f",
  "request_id" : "91d5bf46a817466daa25fc5824ab9717",
  "status" : 5,
  "network_version" : "v1",
  "security_groups" : [ ]
})";

// 3.4 response example
constexpr const char* kPurchaseExample = R"({
  "request_id" : "1564567b8bab40f34711234cb80d8574",
  "order_id" : "CS1710111105S8IPB",
  "product_id" : "00301-25217-0--0",
  "server_ids" : [ "1234567b8bab40ffb711234cb80d0234", "1678567b8bab40f93711234cb80d0764" ]
})";

// 3.13 response example
constexpr const char* kRenameExample = R"({
  "request_id" : "135d898e69344a13925a0899e1a4ac53"
})";


inline const Credentials kCreds{"HPUAEXAMPLEAK1234567", "ExampleSecretKey0123456789abcdefghijklmnop",
                         "0a1b2c3d4e5f67890a1b2c3d4e5f6789", "cn-east-3"};

// The server's view: does the request verify with the emulator's algorithm?
inline cph::sign::Verdict verify_signature(const HttpRequest& r) {
  const size_t q = r.target.find('?');
  cph::sign::SignableRequest s{r.method, r.target.substr(0, q), q == std::string::npos ? "" : r.target.substr(q + 1),
                               r.headers, r.body};
  return cph::sign::verify(
             s,
             [](std::string_view ak) -> std::optional<std::string> {
               if (ak == kCreds.access_key) return kCreds.secret_key;
               return std::nullopt;
             },
             cph::now_epoch_seconds(), 900)
      .verdict;
}

struct ClientFixture {
  asio::io_context io;
  std::shared_ptr<FakeTransport> cph = std::make_shared<FakeTransport>();
  std::shared_ptr<FakeTransport> bss = std::make_shared<FakeTransport>();
  CphClient client{
      cph, bss,
      Endpoints{parse_url("https://cph.cn-east-3.myhuaweicloud.com"), parse_url("https://bss.myhuaweicloud.com")},
      kCreds};
};

}  // namespace cph::cloud::testing

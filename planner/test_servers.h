// Servers as the planner tests record and see them (planner_test.cc,
// owners_test.cc): the manifest contract's attributes and a live server
// that matches them.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "resources/cph/cph_client.h"

namespace cph::planner::testing {

using Json = nlohmann::json;

inline Json base_attributes(const std::string& name) {
  return Json{{"name", name},
              {"server_model", "physical.rx1.xlarge"},
              {"phone_model", "rx1.cp.c105.d6.e5v5"},
              {"image_id", "20060220200717f201120a2300000e91"},
              {"vpc_id", "fca063f6-b942-42a8-9004-e5545f58d6a2"},
              {"subnet_id", "f1cbfc37-eb42-4357-a0ec-9e4f11950908"},
              {"bandwidth", {{"share_type", "dedicated"}, {"charge_mode", "traffic"}, {"size", 300}}},
              {"eip_type", "5_bgp"},
              {"period", {{"unit", "month"}, {"length", 1}, {"auto_renew", false}}},
              {"ports", Json::array()}};
}

inline cloud::Server live_server(const std::string& id, const std::string& name, const std::string& az = "cn-east-3a") {
  cloud::Server s;
  s.server_id = id;
  s.server_name = name;
  s.server_model_name = "physical.rx1.xlarge";
  s.phone_model_name = "rx1.cp.c105.d6.e5v5";
  s.vpc_id = "fca063f6-b942-42a8-9004-e5545f58d6a2";
  s.subnet_id = "f1cbfc37-eb42-4357-a0ec-9e4f11950908";
  s.availability_zone = az;
  s.status = 5;
  s.order_id = "CS0000000000000001";
  s.create_time = "2026-01-01T00:00:00Z";
  return s;
}

}  // namespace cph::planner::testing

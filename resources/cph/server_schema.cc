// The server descriptor: every manifest attribute of [server.NAME], its
// rule (from cph-api.md 3.4 unless noted) and how a change is carried out.
#include <set>

#include "resources/cph/fleet_schemas.h"
#include "resources/schema_build.h"
#include "resources/cph/server.h"

namespace cph::resources {
namespace {
using namespace build;

Rule port_name() {
  return [](const Json& v) -> std::optional<std::string> {
    if (!v.is_string()) return "must be a string";
    const auto& s = v.get_ref<const std::string&>();
    if (s.empty() || s.size() > 16) return "must be 1 to 16 bytes (CPH API: Purchase cloud phone servers)";
    if (s == "adb" || s == "vnc") return "must not be \"adb\" or \"vnc\", which the service reserves (CPH API: Purchase cloud phone servers)";
    return std::nullopt;
  };
}

std::vector<BlockProblem> check_server_block(const Json& a, std::optional<int> count) {
  std::vector<BlockProblem> problems;
  // With count, instance names get a 5-character "-0001" suffix, and an
  // instance may be bought or renamed under that full name, which must fit
  // the 60-character limit of purchase and rename (3.4, 3.13).
  if (count && a.contains("name") && a["name"].is_string() &&
      utf8_length(a["name"].get_ref<const std::string&>()) > 55)
    problems.push_back({"name", "must be at most 55 characters when count is set, so that \"" +
                                    a["name"].get<std::string>() + "-0001\" fits the 60-character limit (CPH API: Rename server)"});
  if (a.contains("period") && a["period"].is_object()) {
    const Json& p = a["period"];
    std::string unit = p.value("unit", "month");
    int64_t length = p.value("length", int64_t{1});
    if (unit == "month" && (length < 1 || length > 9))
      problems.push_back({"period.length", "must be 1..9 when unit is \"month\" (CPH API: Purchase cloud phone servers, period_num)"});
    if (unit == "year" && (length < 1 || length > 10))
      problems.push_back({"period.length", "must be 1..10 when unit is \"year\" (CPH API: Purchase cloud phone servers, period_num)"});
  }
  if (a.contains("ports") && a["ports"].is_array()) {
    std::set<std::string> names;
    std::set<int64_t> numbers;
    for (size_t i = 0; i < a["ports"].size(); ++i) {
      const Json& p = a["ports"][i];
      std::string at = "ports[" + std::to_string(i) + "]";
      if (p.contains("name") && !names.insert(p["name"].get<std::string>()).second)
        problems.push_back({at + ".name", "duplicates another port's name (CPH API: Purchase cloud phone servers, error CPS.0039)"});
      if (p.contains("listen_port") && !numbers.insert(p["listen_port"].get<int64_t>()).second)
        problems.push_back({at + ".listen_port", "duplicates another port's listen_port (CPH API: Purchase cloud phone servers, error CPS.0041)"});
    }
  }
  if (a.contains("bandwidth") && a["bandwidth"].is_object()) {
    const Json& b = a["bandwidth"];
    if (b.value("share_type", "") == "dedicated" && !b.contains("size"))
      problems.push_back({"bandwidth.size", "is required for a dedicated bandwidth"});
    if (b.contains("id") && b.value("share_type", "") != "shared")
      problems.push_back({"bandwidth.id", "can only name a shared bandwidth (share_type = \"shared\")"});
  }
  return problems;
}

ResourceSchema make_server_schema() {
  ResourceSchema s;
  s.type = "server";
  s.provider_type = "cph";
  s.description = "A cloud phone server, bought as a yearly/monthly order (CPH API: Purchase cloud phone servers).";
  s.supports_count = true;
  s.replacement_loses =
      "a replacement releases the paid server (its phones' data is lost) and buys a new one "
      "(CPH API: Purchase cloud phone servers)";

  s.attributes.push_back(changed_by(
      readable(attr("name", AttrType::string, true, "Server name. With count, instances are named NAME-0001, NAME-0002, ...",
                    Update::in_place, {rules::server_name(60)})),
      "rename", "PUT /v1/{project_id}/cloud-phone/servers/{server_id}"));
  // 3.12: the model changes in place by a change order, only to a model of
  // the same generation with the same phone count; the planner checks that
  // against the live server-models list.
  s.attributes.push_back(changed_by(
      readable(attr("server_model", AttrType::string, true, "Server model (flavor), e.g. physical.rx1.xlarge.",
                    Update::in_place, {rules::not_empty(), rules::max_bytes(64)})),
      "change_model", "POST /v1/{project_id}/cloud-phone/servers/change-server-model"));
  // 3.6: a new phone model or image alone goes through the switch API, which
  // recreates the phones and loses their data. With server_model changed
  // too, the phone model is part of the change order instead.
  s.attributes.push_back(carried_along_by(
      changed_by(readable(attr("phone_model", AttrType::string, true, "Phone model (flavor), e.g. rx1.cp.c105.d6.e5v5.",
                               Update::destructive, {rules::not_empty(), rules::max_bytes(64)})),
                 "switch", "POST /v2/{project_id}/cloud-phone/servers/{server_id}/change"),
      "change_model"));
  s.attributes.push_back(changed_by(attr("image_id", AttrType::string, true, "Phone image id.", Update::destructive,
                                         {rules::not_empty(), rules::max_bytes(32)}),
                                    "switch", "POST /v2/{project_id}/cloud-phone/servers/{server_id}/change"));
  s.attributes.push_back(readable(attr("vpc_id", AttrType::string, true, "VPC of the server (UUID).", Update::force_new,
                                       {rules::uuid()})));
  s.attributes.push_back(readable(attr("subnet_id", AttrType::string, true, "Subnet in that VPC (UUID).",
                                       Update::force_new, {rules::uuid()})));
  Attribute az = readable(attr("availability_zone", AttrType::string, false,
                               "Availability zone, e.g. cn-east-3a; the service chooses when unset.", Update::force_new,
                               {rules::not_empty()}));
  az.computed_if_unset = true;
  s.attributes.push_back(az);
  // 6.3 binds a key pair but has no way to unbind one (keypair_name is
  // required): an unset keypair keeps whatever the server has.
  Attribute keypair = changed_by(
      referencing(readable(attr("keypair", AttrType::string, false,
                                "Key pair for ADB access: a [keypair.NAME] block (\"keypair.adb\") or the name of an "
                                "existing key pair. Unset: the server keeps the key pair it has (no API unbinds one).",
                                Update::in_place, {keypair_name_rule()})),
                  "keypair"),
      "open_access", "PUT /v1/{project_id}/cloud-phone/servers/open-access");
  keypair.computed_if_unset = true;
  s.attributes.push_back(keypair);
  s.attributes.push_back(changed_by(
      readable(attr("tags", AttrType::map, false, "Resource tags, key = value.", Update::in_place, {rules::tags(20)})),
      "tags", "POST /v1/{project_id}/cph-server/{resource_id}/tags/action"));

  Attribute bw = referencing(attr("bandwidth", AttrType::object, true,
                                  "Bandwidth of the phones' public IPs: a table, or a [bandwidth.NAME] block "
                                  "(\"bandwidth.shared\") shared with other servers.",
                                  Update::force_new),
                             "bandwidth");
  bw.fields = {
      attr("share_type", AttrType::string, true, "\"dedicated\" (per) or \"shared\" (whole).", Update::force_new,
           {rules::one_of({"dedicated", "shared"})}),
      attr("charge_mode", AttrType::string, true, "\"bandwidth\" or \"traffic\".", Update::force_new,
           {rules::one_of({"bandwidth", "traffic"})}),
      attr("size", AttrType::integer, false, "Size in Mbit/s.", Update::force_new, {bandwidth_size_rule()}),
      attr("id", AttrType::string, false, "An existing shared bandwidth to use.", Update::force_new, {rules::not_empty()}),
  };
  s.attributes.push_back(bw);

  s.attributes.push_back(with_default(attr("eip_type", AttrType::string, false, "EIP line type.", Update::force_new,
                                           {rules::one_of({"5_telcom", "5_union", "5_bgp", "5_sbgp"})}),
                                      "5_bgp"));

  // 3.4: the period is part of the order; a change matters only to the next
  // order or renewal, so it is recorded, never a replacement.
  Attribute period = attr("period", AttrType::object, false,
                          "Subscription period. A change applies to new orders and renewals (recorded in state, "
                          "no call).",
                          Update::next_order);
  period.fields = {
      with_default(attr("unit", AttrType::string, false, "\"month\" or \"year\".", Update::next_order,
                        {rules::one_of({"month", "year"})}),
                   "month"),
      with_default(attr("length", AttrType::integer, false, "Months 1..9 or years 1..10.", Update::next_order,
                        {rules::int_range(1, 10)}),
                   1),
      with_default(attr("auto_renew", AttrType::boolean, false, "Renew automatically.", Update::next_order), false),
  };
  period.default_value = Json{{"unit", "month"}, {"length", 1}, {"auto_renew", false}};
  s.attributes.push_back(period);

  Attribute ports = attr("ports", AttrType::list, false, "Application ports forwarded to the phones.", Update::force_new);
  ports.element = AttrType::object;
  ports.fields = {
      attr("name", AttrType::string, true, "Port name, at most 16 bytes, not adb or vnc.", Update::force_new,
           {port_name()}),
      attr("listen_port", AttrType::integer, true, "10000..50000.", Update::force_new, {rules::int_range(10000, 50000)}),
      with_default(attr("internet_accessible", AttrType::boolean, false, "Map the port for public access.",
                        Update::force_new),
                   false),
  };
  ports.default_value = Json::array();
  s.attributes.push_back(ports);

  s.attributes.push_back(computed("id", AttrType::string, "Server id."));
  s.attributes.push_back(computed("status", AttrType::integer, "Server status (CPH API: List cloud phone servers)."));
  s.attributes.back().normal_value = 5;  // a server leaving "normal" (frozen, shut down, abnormal) is drift
  // cph-api.md 3.1: abnormal (2), frozen (8), shut down or failing to (10,
  // 11, 12): shares cannot reach it (CPS.0099 "server is not ready"). One
  // still creating (0, 1, 3, 4) or starting (13) gets its shares once ready.
  s.attributes.back().unreachable_values = {2, 8, 10, 11, 12};
  s.attributes.push_back(computed("order_id", AttrType::string, "Order that bought the server."));
  s.attributes.push_back(computed("server_ip", AttrType::string, "Private IP."));
  s.attributes.push_back(computed("public_ip", AttrType::string, "Public IP."));

  s.check_block = check_server_block;
  s.instance_name = server_instance_name;
  s.instance_of = server_instance_of;
  return s;
}

}  // namespace

const ResourceSchema& server_schema() {
  static const ResourceSchema schema = make_server_schema();
  return schema;
}

}  // namespace cph::resources

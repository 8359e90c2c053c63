#include "resources/tencent/bm_schema.h"

#include <regex>
#include <set>

#include "resources/schema_build.h"
#include "resources/tencent/bm_api.h"

namespace cph::resources {

namespace {

using namespace build;

// 13.3: ids come from DescribeDeviceList's instanceId, as in its example
// "cpm-34xs43xs". The page gives no grammar; this is the examples' shape.
Rule device_ids_rule() {
  return [](const Json& v) -> std::optional<std::string> {
    static const std::regex id("cpm-[0-9a-z]{8}");
    if (!v.is_array() || v.empty()) return "must be a non-empty list of device ids such as \"cpm-34xs43xs\"";
    std::set<std::string> seen;
    for (const Json& e : v) {
      if (!e.is_string() || !std::regex_match(e.get<std::string>(), id))
        return "each device id must look like \"cpm-34xs43xs\" (cpm- and 8 of 0-9 a-z: the instanceId of "
               "DescribeDeviceList in the Tencent bare metal API), got " + e.dump();
      if (!seen.insert(e.get<std::string>()).second) return "lists " + e.get<std::string>() + " twice";
    }
    return std::nullopt;
  };
}

ResourceSchema make_bm_root_password() {
  ResourceSchema s;
  s.type = "bm_root_password";
  s.provider_type = "tencent_bm";
  s.description =
      "The root (Linux) or Administrator (Windows) password of a set of Tencent Cloud bare-metal devices, set "
      "with ResetDevicePasswd (Tencent bare metal API) in batches of " + std::to_string(kResetBatch) +
      " devices, one task each, followed with DescriptionOperationResult. The password is write-only: state keeps "
      "a keyed digest of it, never the value. Devices added to the set get the current password; devices removed "
      "keep theirs. Nothing can read a password back, so there is no drift; removing the block only forgets it.";
  Attribute password = attr("password", AttrType::string, true,
                            "The password (write-only: sent, never stored; use a sensitive variable). Rules by `os` "
                            "(Tencent bare metal API: ResetDevicePasswd).",
                            Update::in_place);
  password.write_only = true;
  s.attributes = {
      changed_by(attr("instance_ids", AttrType::list, true,
                      "Device ids (\"cpm-...\"). A device added gets the current password; one removed is left alone.",
                      Update::in_place, {device_ids_rule()}),
                 "reset_password", "ResetDevicePasswd"),
      changed_by(with_default(attr("os", AttrType::string, false,
                                   "\"linux\" (root, 8-16 characters of two classes) or \"windows\" (Administrator, "
                                   "12-16 of three classes, not containing \"Administrator\").",
                                   Update::in_place, {rules::one_of({"linux", "windows"})}),
                              "linux"),
                 "reset_password", "ResetDevicePasswd"),
      changed_by(password, "reset_password", "ResetDevicePasswd"),
      changed_by(with_default(attr("password_version", AttrType::integer, false,
                                   "Change it (1, 2, ...) to reset the password again with the same value.",
                                   Update::in_place, {rules::int_range(0, 1000000000)}),
                              0),
                 "reset_password", "ResetDevicePasswd"),
      computed("task_ids", AttrType::list, "The tasks of the last reset, one per batch."),
  };
  s.attributes[0].element = AttrType::string;
  s.attributes[4].element = AttrType::integer;
  s.check_block = [](const Json& a, std::optional<int>) {
    std::vector<BlockProblem> problems;
    const Json& p = a.contains("password") ? a["password"] : Json();
    const bool windows = a.contains("os") && a["os"] == "windows";
    if (p.is_string())
      if (std::optional<std::string> problem = tencent::password_problem(p.get<std::string>(), windows))
        problems.push_back({"password", *problem});
    return problems;
  };
  return s;
}

}  // namespace

const ResourceSchema& bm_root_password_schema() {
  static const ResourceSchema s = make_bm_root_password();
  return s;
}

}  // namespace cph::resources

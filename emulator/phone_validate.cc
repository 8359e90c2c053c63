#include "emulator/phone_validate.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "emulator/batch_validate.h"

namespace cph::emulator {
namespace {
using nlohmann::json;

bool alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// At most `max` code points; ASCII characters must be alphanumeric or in
// `extra`; non-ASCII characters are allowed only with `cjk` (10.1 "Chinese":
// U+4E00..U+9FFF, three-byte sequences). min: at least this many.
bool chars(std::string_view s, size_t min, size_t max, std::string_view extra, bool cjk = false, bool letters_only = false) {
  size_t points = 0;
  for (size_t i = 0; i < s.size(); ++points) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      char ch = static_cast<char>(c);
      bool ok = (letters_only ? ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) : alnum(ch)) ||
                extra.find(ch) != std::string_view::npos;
      if (!ok) return false;
      ++i;
      continue;
    }
    if (!cjk || (c & 0xF0) != 0xE0 || i + 2 >= s.size()) return false;
    auto c1 = static_cast<unsigned char>(s[i + 1]), c2 = static_cast<unsigned char>(s[i + 2]);
    if ((c1 & 0xC0) != 0x80 || (c2 & 0xC0) != 0x80) return false;
    unsigned cp = ((c & 0x0Fu) << 12) | ((c1 & 0x3Fu) << 6) | (c2 & 0x3Fu);
    if (cp < 0x4E00 || cp > 0x9FFF) return false;
    i += 3;
  }
  return points >= min && points <= max;
}

bool digits(std::string_view s, size_t min, size_t max) { return chars(s, min, max, "", false) && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }); }

bool int_in(std::string_view s, long long lo, long long hi) {
  if (s.empty() || s.size() > 12) return false;
  size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size() || !std::all_of(s.begin() + static_cast<long>(i), s.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
  long long v = std::stoll(std::string(s));
  return v >= lo && v <= hi;
}

bool url(std::string_view s) {
  return (s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0) && chars(s, 1, 256, "_.,/:-");
}

using Rule = bool (*)(std::string_view);

// cph-api.md 10.1 (A.1): each key's constraint. Deprecated keys and the
// legacy aliases take any string.
const std::map<std::string, Rule, std::less<>>& rules() {
  static const std::map<std::string, Rule, std::less<>> r = [] {
    std::map<std::string, Rule, std::less<>> m;
    Rule zero_one = [](std::string_view s) { return s == "0" || s == "1"; };
    Rule any = [](std::string_view s) { return s.size() <= 2048; };
    for (const char* k : {"com.cph.mainkeys", "disable.status.bar", "ro.permission.changed", "ro.install.auto",
                          "ro.com.cph.non_root", "ro.com.cph.notification_disable", "com.cph.disable_fb_permission",
                          "ro.com.cph.toast_enable", "qemu.hw.mainkeys", "ro.horizontal.screen",
                          "ro.com.cph.cloud_app_engine"})
      m[k] = zero_one;
    m["com.cph.bandwidth_limit"] = [](std::string_view s) { return s == "-1" || int_in(s, 1, 99999999); };
    m["com.cph.cam_local_pic_path"] = [](std::string_view s) { return chars(s, 1, 90, "-_@#.:/ ", true); };
    m["persist.sys.locale"] = [](std::string_view s) { return chars(s, 1, 64, "-"); };
    m["sys.prop.writeimsi"] = [](std::string_view s) { return digits(s, 0, 15); };
    m["sys.prop.writephonenum"] = [](std::string_view s) { return digits(s, 0, 20); };
    m["sys.prop.writewifissid"] = [](std::string_view s) { return chars(s, 1, 64, "-_./"); };
    for (const char* k : {"gsm.sim.operator.iso-country", "gsm.operator.iso-country"})
      m[k] = [](std::string_view s) { return chars(s, 0, 10, ",", false, true); };
    for (const char* k : {"gsm.sim.operator.numeric", "gsm.operator.numeric"})  // digits allowed
      m[k] = [](std::string_view s) { return chars(s, 0, 10, ","); };
    for (const char* k : {"gsm.sim.operator.alpha", "gsm.operator.alpha"})
      m[k] = [](std::string_view s) { return chars(s, 0, 90, "-_@#.,:/\\() ", true); };
    for (const char* k : {"com.cph.cg.sign_check_url", "com.cph.cg.event_notify_url", "com.cph.cg.heartbeat_url"})
      m[k] = url;
    m["com.cph.cg.heartbeat_interval"] = [](std::string_view s) { return digits(s, 1, 10); };
    for (const char* k : {"com.cph.cg.app_port", "com.cph.cg.h5_port"})
      m[k] = [](std::string_view s) { return int_in(s, 10000, 11000); };
    for (const char* k : {"ro.hardware.gpurenderer", "ro.board.platform", "ro.build.product", "ro.product.device",
                          "ro.com.cph.sfs_enable", "ro.product.manufacturer", "ro.product.name",
                          // A-29 legacy names (error table CPS.0070-0084, 0125-0133; [S000]).
                          "phone_brand", "phone_type", "serial_num", "os_version", "phone_num", "imsi", "iccid",
                          "wifi_name", "mac_address", "imei", "build_id", "android_id", "hide_navigate", "gsm_country",
                          "gsm_number", "gsm_operator", "sim_country", "sim_number", "sim_operator"})
      m[k] = any;
    return m;
  }();
  return r;
}

ApiError named(const char* code, const std::string& name) {
  ApiError e = ApiError::cps(code);
  if (size_t at = e.message.find("{0}"); at != std::string::npos) e.message.replace(at, 3, name);
  return e;
}
}  // namespace

std::variant<std::vector<std::string>, ApiError> parse_phone_ids(const json& body, std::string_view name) {
  const json* ids = member(body, name);
  if (!ids) return ApiError::cps("CPS.0081");
  if (!ids->is_array()) return ApiError::cps("CPS.0080");
  if (ids->empty()) return ApiError::cps("CPS.0081");
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const json& id : *ids) {
    if (!id.is_string()) return ApiError::cps("CPS.0080");
    if (seen.insert(id.get<std::string>()).second) out.push_back(id.get<std::string>());
  }
  if (out.size() > kMaxBatchPhones) return ApiError::cps("CPS.0209");
  return out;
}

std::optional<ApiError> check_property(const json& property) {
  if (!property.is_string() || property.get_ref<const std::string&>().size() > 2048) return ApiError::cps("CPS.0078");
  json props = json::parse(property.get_ref<const std::string&>(), nullptr, /*allow_exceptions=*/false);
  if (!props.is_object()) return ApiError::cps("CPS.0078");
  for (auto it = props.begin(); it != props.end(); ++it) {
    auto rule = rules().find(it.key());
    if (rule == rules().end()) return named("CPS.0163", it.key());
    // Values are strings in the examples; Integer-typed ones may be numbers (10.1 note).
    std::string value;
    if (it->is_string()) value = it->get<std::string>();
    else if (it->is_number_integer()) value = it->dump();
    else return named("CPS.0164", it.key());
    if (!rule->second(value)) return named("CPS.0164", it.key());
  }
  return std::nullopt;
}

bool valid_export_path(std::string_view s) {
  if (s.empty() || s.size() > 4096 || !chars(s, 1, 4096, "./-_+#*=") || s.find("..") != std::string_view::npos)
    return false;
  auto under = [&](std::string_view root) {
    return s == root || (s.size() > root.size() && s.substr(0, root.size()) == root && s[root.size()] == '/');
  };
  return under("/data") || under("/cache");
}

bool valid_export_object_path(std::string_view s) { return chars(s, 1, 1024, "./-_+#="); }

}  // namespace cph::emulator

// cph-api.md 10.1 (A.1) as data; see phone_properties.h.
#include "resources/cph/phone_properties.h"

#include <algorithm>

namespace cph::resources::phone_properties {
namespace {

using rules::CharClass;

const char* const kCite = " (CPH API: Cloud phone property list)";

Rule chars(size_t min, size_t max, CharClass allowed, const std::string& text) {
  return judged_widest(rules::characters(min, max, std::move(allowed), text + kCite));
}

// An integer from lo to hi written as a string (10.1's String-typed numbers).
Rule int_text(int64_t lo, int64_t hi, const std::string& text) {
  return judged_widest([lo, hi, text](const Json& v) -> std::optional<std::string> {
    const std::string rule = text + kCite;
    if (!v.is_string()) return rule;
    const std::string& s = v.get_ref<const std::string&>();
    size_t digits_from = !s.empty() && s[0] == '-' ? 1 : 0;
    if (s.size() <= digits_from || s.size() > 12 ||
        !std::all_of(s.begin() + static_cast<long>(digits_from), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return rule;
    int64_t n = std::stoll(s);
    return n >= lo && n <= hi ? std::nullopt : std::optional<std::string>(rule);
  });
}

// A string that is a URL: http:// or https://, [a-zA-Z0-9_.,/:-], at most 256.
Rule url_rule() {
  Rule shape = rules::characters(1, 256, {.letters = true, .digits = true, .extra = U"_.,/:-"}, "");
  return judged_widest([shape](const Json& v) -> std::optional<std::string> {
    const std::string rule =
        std::string("must start with http:// or https:// and hold at most 256 characters of a-z A-Z 0-9 _ . , / : -") +
        kCite;
    if (!v.is_string()) return rule;
    const std::string& s = v.get_ref<const std::string&>();
    if ((s.rfind("http://", 0) != 0 && s.rfind("https://", 0) != 0) || shape(v)) return rule;
    return std::nullopt;
  });
}

Key switch_key(std::string key, std::string meaning, std::string zero, std::string one, int default_value) {
  return Key{std::move(key), true,
             meaning + "; default " + std::to_string(default_value) + ". 0 = " + zero + ", 1 = " + one + ".",
             [](const Json& v) -> std::optional<std::string> {
               if (v.is_number_integer() && (v == 0 || v == 1)) return std::nullopt;
               return std::string("must be 0 or 1") + kCite;
             },
             {}};
}

Key text_key(std::string key, std::string meaning, Rule rule, std::string alias_of = {}) {
  return Key{std::move(key), false, meaning + ".", std::move(rule), std::move(alias_of)};
}

std::vector<Key> make_keys() {
  const CharClass digits{.digits = true};
  const std::string digits_15 = "at most 15 characters, decimal digits only";
  const std::string digits_20 = "at most 20 characters, decimal digits only";
  const std::string wifi = "1 to 64 characters of A-Z a-z 0-9 - _ . /";
  const CharClass wifi_class{.letters = true, .digits = true, .extra = U"-_./"};
  const std::string country = "at most 10 characters of A-Z a-z and the comma";
  // A-28: the numeric codes are documented as letters and commas, contradicting
  // their default 46000; digits are allowed too.
  const std::string numeric = "at most 10 characters of A-Z a-z 0-9 and the comma (the list says letters and commas, yet the default is 46000)";
  const std::string alpha = "at most 90 characters of A-Z a-z 0-9 - _ @ # . , : / \\ ( ) space or Chinese";
  const CharClass alpha_class{.letters = true, .digits = true, .extra = U"-_@#.,:/\\() ", .chinese = true};
  std::vector<Key> k = {
      switch_key("com.cph.mainkeys", "Hide the virtual navigation keys", "keys shown", "keys hidden", 0),
      switch_key("disable.status.bar", "Disable the status bar", "status bar shown", "status bar hidden", 0),
      switch_key("ro.permission.changed", "Grant every permission an app asks for at install", "not granted",
                 "granted automatically", 0),
      switch_key("ro.install.auto", "Confirm app installation automatically", "not confirmed", "confirmed", 0),
      switch_key("ro.com.cph.non_root", "The phone is non-root", "root", "non-root", 1),
      switch_key("ro.com.cph.notification_disable", "Disable notifications", "enabled", "disabled", 0),
      switch_key("com.cph.disable_fb_permission", "Turn off app screenshot privacy protection",
                 "protection on", "protection off", 0),
      text_key("com.cph.bandwidth_limit",
               "Public-network download limit in kbit/s (not on rx1.cp.c60.d32.e1v1.qemu phones)",
               [](const Json& v) -> std::optional<std::string> {
                 static const Rule limited = int_text(1, 99999999, "");
                 static const Rule unlimited = int_text(-1, -1, "");
                 if (!limited(v) || !unlimited(v)) return std::nullopt;
                 return std::string("must be \"1\"..\"99999999\" (kbit/s) or \"-1\" for unlimited") + kCite;
               }),
      switch_key("ro.com.cph.toast_enable", "Enable Toast message boxes when ro.com.cph.non_root = 1", "disabled",
                 "enabled", 0),
      text_key("com.cph.cam_local_pic_path", "Local picture the camera reads",
               chars(1, 90, {.letters = true, .digits = true, .extra = U"-_@#.:/ ", .chinese = true},
                     "must be 1 to 90 characters of A-Z a-z 0-9 - _ @ # . : / space or Chinese")),
      text_key("persist.sys.locale", "Language tag at first boot",
               chars(1, 64, {.letters = true, .digits = true, .extra = U"-"},
                     "must be 1 to 64 characters of A-Z a-z 0-9 -")),
      text_key("sys.prop.writeimsi", "IMSI", chars(0, 15, digits, "must be " + digits_15)),
      text_key("sys.prop.writephonenum", "Phone number", chars(0, 20, digits, "must be " + digits_20)),
      text_key("sys.prop.writewifissid", "Wi-Fi network name; default cloudphone_wifi",
               chars(1, 64, wifi_class, "must be " + wifi)),
      text_key("gsm.sim.operator.iso-country", "SIM card country; default cn",
               chars(0, 10, {.letters = true, .extra = U","}, "must be " + country)),
      text_key("gsm.sim.operator.numeric", "SIM provider code; default 46000",
               chars(0, 10, {.letters = true, .digits = true, .extra = U","}, "must be " + numeric)),
      text_key("gsm.sim.operator.alpha", "SIM carrier; default CMCC", chars(0, 90, alpha_class, "must be " + alpha)),
      text_key("gsm.operator.iso-country", "Network operator country; default cn",
               chars(0, 10, {.letters = true, .extra = U","}, "must be " + country)),
      text_key("gsm.operator.numeric", "Network provider code; default 46000",
               chars(0, 10, {.letters = true, .digits = true, .extra = U","}, "must be " + numeric)),
      text_key("gsm.operator.alpha", "Network operator; default CMCC", chars(0, 90, alpha_class, "must be " + alpha)),
      switch_key("ro.horizontal.screen", "Landscape screen", "portrait", "landscape", 0),
  };
  for (const char* name : {"com.cph.cg.sign_check_url", "com.cph.cg.event_notify_url", "com.cph.cg.heartbeat_url"})
    k.push_back(text_key(name, "Cloud-game instance URL", url_rule()));
  k.push_back(text_key("com.cph.cg.heartbeat_interval", "Cloud-game heartbeat interval in seconds",
                       chars(1, 10, digits, "must be 1 to 10 decimal digits")));
  for (const char* name : {"com.cph.cg.app_port", "com.cph.cg.h5_port"})
    k.push_back(text_key(name, "Cloud-game access port",
                         int_text(10000, 11000, "must be \"10000\"..\"11000\"")));
  k.push_back(switch_key("ro.com.cph.cloud_app_engine", "Enable the engine (game-type phones only)", "disabled",
                         "enabled", 0));
  k.back().integer = false;  // 10.1 types it String
  k.back().rule = rules::one_of({"0", "1"});
  k.back().description += " Written as a string, \"0\" or \"1\".";
  for (const char* name : {"ro.hardware.gpurenderer", "ro.board.platform", "ro.build.product", "ro.product.device",
                           "ro.com.cph.sfs_enable", "ro.product.manufacturer", "ro.product.name"})
    k.push_back(text_key(name, "Deprecated (CPH API: Cloud phone property list); sent as written", judged_widest(rules::max_bytes(2048))));
  k.push_back(switch_key("qemu.hw.mainkeys", "Deprecated: hide the virtual keys (use com.cph.mainkeys)",
                         "keys shown", "keys hidden", 0));
  // [S000]'s legacy names (13.1, A-29), sent under their 10.1 key with its
  // rule; iccid has no 10.1 key and is sent as written.
  k.push_back(text_key("phone_num", "Legacy name (CPH API: ResetCloudPhone) of sys.prop.writephonenum",
                       chars(0, 20, digits, "must be " + digits_20), "sys.prop.writephonenum"));
  k.push_back(text_key("imsi", "Legacy name (CPH API: ResetCloudPhone) of sys.prop.writeimsi",
                       chars(0, 15, digits, "must be " + digits_15), "sys.prop.writeimsi"));
  k.push_back(text_key("wifi_name", "Legacy name (CPH API: ResetCloudPhone) of sys.prop.writewifissid",
                       chars(1, 64, wifi_class, "must be " + wifi), "sys.prop.writewifissid"));
  k.push_back(text_key("iccid", "SIM card ICCID (CPH API: ResetCloudPhone; not in the property list, sent as iccid)",
                       judged_widest(rules::characters(
                           1, 20, {.letters = true, .digits = true},
                           "must be 1 to 20 characters of A-Z a-z 0-9 (an ICCID is 19 or 20 digits; ResetCloudPhone's example "
                           "is hex; CPH API: ResetCloudPhone)"))));
  return k;
}

// The identity keys: what a model that supports "only a few" properties
// is taken to support (phone_properties.h).
bool identity_key(std::string_view key) {
  static const std::vector<std::string_view> few = {
      "sys.prop.writephonenum", "sys.prop.writeimsi", "sys.prop.writewifissid", "persist.sys.locale",
      "gsm.sim.operator.iso-country", "gsm.sim.operator.numeric", "gsm.sim.operator.alpha",
      "gsm.operator.iso-country", "gsm.operator.numeric", "gsm.operator.alpha",
      "phone_num", "imsi", "wifi_name", "iccid"};
  return std::find(few.begin(), few.end(), key) != few.end();
}

struct Placeholder {
  std::string name;
  std::string widest;
};

const std::vector<Placeholder>& placeholder_table() {
  static const std::vector<Placeholder> table = {
      {"phone.index", "999"}, {"phone.number", "9999"}, {"phone.server_index", "9999"}, {"phone.server_number", "10000"}};
  return table;
}

}  // namespace

Rule judged_widest(Rule inner) {
  return [inner = std::move(inner)](const Json& v) -> std::optional<std::string> {
    if (!v.is_string()) return inner(v);
    const std::string written = v.get<std::string>();
    const std::string wide = widest(written);
    std::optional<std::string> broken = inner(Json(wide));
    if (broken && wide != written) *broken += "; with its ${phone.*} values at their widest it is \"" + wide + "\"";
    return broken;
  };
}

const std::vector<Key>& keys() {
  static const std::vector<Key> all = make_keys();
  return all;
}

const std::vector<std::string>& placeholders() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const Placeholder& p : placeholder_table()) out.push_back(p.name);
    return out;
  }();
  return names;
}

std::string widest(std::string_view text) {
  std::string out(text);
  for (const Placeholder& p : placeholder_table()) {
    const std::string written = "${" + p.name + "}";
    for (size_t at = out.find(written); at != std::string::npos; at = out.find(written, at + p.widest.size()))
      out.replace(at, written.size(), p.widest);
  }
  return out;
}

std::optional<std::string> refused_by_model(std::string_view phone_model, std::string_view key) {
  const bool qemu = phone_model == "rx1.cp.c60.d32.e1v1.qemu";
  if (qemu && key == "com.cph.bandwidth_limit")
    return "is not supported by phones of model rx1.cp.c60.d32.e1v1.qemu, which cannot be throttled (CPH API: Cloud phone property list)";
  if ((qemu || phone_model.rfind("aphs1", 0) == 0) && !identity_key(key))
    return "is not supported by phones of model " + std::string(phone_model) +
           ", which support modifying only a few properties (CPH API: Cloud phone property list; cphform takes them to be the "
           "identity keys: phone number, IMSI, ICCID, Wi-Fi name, SIM and operator, locale)";
  return std::nullopt;
}

}  // namespace cph::resources::phone_properties

#include "resources/koophone/kp_schema.h"

#include <regex>
#include <set>

#include "resources/schema_build.h"

namespace cph::resources {

namespace {

using namespace build;
using Json = nlohmann::json;

// 14.1: ids in the examples ("a44uhlf7") are short words; the emulator's
// catalog takes 1 to 32 of A-Z a-z 0-9 _ -, and so does this rule.
Rule instance_ids_rule() {
  return [](const Json& v) -> std::optional<std::string> {
    static const std::regex id("[A-Za-z0-9_-]{1,32}");
    if (!v.is_array() || v.empty()) return "must be a non-empty list of KooPhone instance ids such as \"a44uhlf7\"";
    std::set<std::string> seen;
    for (const Json& e : v) {
      if (!e.is_string() || !std::regex_match(e.get<std::string>(), id))
        return "each instance id must be 1 to 32 of A-Z a-z 0-9 _ - (KooPhone API: instance_ids), got " + e.dump();
      if (!seen.insert(e.get<std::string>()).second) return "lists " + e.get<std::string>() + " twice";
    }
    return std::nullopt;
  };
}

// 14.5 VideoSpec: code_rate 0..10000 kbps in steps of 100, fps 30 or 60.
Attribute definition(const std::string& name, const std::string& what) {
  Attribute d = attr(name, AttrType::object, true,
                     what + ": { code_rate = kbps (0 to 10000, a multiple of 100), fps = 30 or 60 }.", Update::in_place);
  Rule step = [](const Json& v) -> std::optional<std::string> {
    if (v.is_number_integer() && v.get<int64_t>() % 100 != 0)
      return "must be a multiple of 100 (KooPhone API: Instance video settings)";
    return std::nullopt;
  };
  d.fields = {
      attr("code_rate", AttrType::integer, true, "Bit rate in kbps.", Update::in_place,
           {rules::int_range(0, 10000), step}),
      attr("fps", AttrType::integer, true, "Frames per second: 30 or 60.", Update::in_place,
           {[](const Json& v) -> std::optional<std::string> {
             if (v.is_number_integer() && (v.get<int64_t>() == 30 || v.get<int64_t>() == 60)) return std::nullopt;
             return "must be 30 or 60 (KooPhone API: Instance video settings)";
           }}),
  };
  return d;
}

std::vector<BlockProblem> check_instances_block(const Json& a, std::optional<int>) {
  std::vector<BlockProblem> problems;
  if (!a.contains("video_settings") || !a["video_settings"].is_array()) return problems;
  // One InstanceSetting per network type: a second would overwrite the first.
  std::set<std::string> seen;
  for (size_t i = 0; i < a["video_settings"].size(); ++i) {
    const Json& s = a["video_settings"][i];
    if (s.is_object() && s.contains("network_type") && s["network_type"].is_string() &&
        !seen.insert(s["network_type"].get<std::string>()).second)
      problems.push_back({"video_settings[" + std::to_string(i) + "].network_type",
                          "sets " + s["network_type"].get<std::string>() +
                              " twice; give one entry per network type (MOBILE_NETWORK, WIFI)"});
  }
  return problems;
}

ResourceSchema make_instances_schema() {
  ResourceSchema s;
  s.type = "koophone_instances";
  s.provider_type = "koophone";
  s.description =
      "A set of KooPhone instances, adopted by id: they are bought outside the API, so this block buys and releases "
      "nothing. Refresh reads their status (KooPhone API: Batch instance status query, 32 ids a call); instances "
      "that are unknown, going offline or shut down are reported in plan and drift. video_settings are applied with "
      "PUT /v1/instances/video-setting, 32 ids a call. Nothing reads video settings back, so the state is the record "
      "of what was applied: a change made outside cphform is not seen, and an instance that joins the set gets the "
      "settings. -replace on the block resets every instance of the set (KooPhone API: Batch instance reset; its data "
      "is lost, so apply needs -allow-data-loss) and applies the settings again. Removing the block forgets the set.";
  s.identity = "instance_ids";
  s.replacement_loses = "a reset (KooPhone API: Batch instance reset) returns each instance to its factory state and "
                        "loses its data and apps";
  Attribute ids = attr("instance_ids", AttrType::list, true,
                       "Instance ids (1 to 32 of A-Z a-z 0-9 _ -). An instance added gets the video settings; one "
                       "removed keeps what it has. Or instance_ids_file = \"fleet.txt\": a file beside the manifest, "
                       "one id a line (blank lines and # comments skipped).",
                       Update::in_place, {instance_ids_rule()});
  ids.element = AttrType::string;
  ids.adopts = true;  // refresh reads their status (RefreshScope::adopted)
  ids.lines_file = "instance_ids_file";
  Attribute network = attr("network_type", AttrType::string, true, "\"MOBILE_NETWORK\" or \"WIFI\".", Update::in_place,
                           {rules::one_of({"MOBILE_NETWORK", "WIFI"})});
  Attribute encoding = attr("encoding_type", AttrType::string, false, "\"H264\" (the only one the API takes; the default).",
                            Update::in_place, {rules::one_of({"H264"})});
  Attribute video = attr("video_settings", AttrType::list, false,
                         "Video settings per network type: [{ network_type = \"WIFI\", definition_540p = { code_rate = "
                         "1000, fps = 30 }, definition_720p = {...}, definition_1080p = {...} }].",
                         Update::in_place);
  video.fields = {network, encoding, definition("definition_540p", "Standard definition (540P)"),
                  definition("definition_720p", "High definition (720P)"),
                  definition("definition_1080p", "Ultra-high definition (1080P)")};
  Attribute unavailable = computed("unavailable", AttrType::map,
                                   "Instances of the set that are not running, by id, with their status (\"shut "
                                   "down\", \"going offline\", \"unknown\" for an id the service does not return).");
  unavailable.normal_value = Json::object();
  s.attributes = {changed_by(ids, "set_video", "PUT /v1/instances/video-setting"),
                  changed_by(video, "set_video", "PUT /v1/instances/video-setting"), unavailable};
  s.check_block = check_instances_block;
  return s;
}

koophone::VideoSpec spec_of(const Json& s, const char* name) {
  const Json d = s.value(name, Json::object());
  return {d.value("code_rate", 0), d.value("fps", 30)};
}

}  // namespace

const ResourceSchema& koophone_instances_schema() {
  static const ResourceSchema s = make_instances_schema();
  return s;
}

std::vector<koophone::VideoSetting> video_settings_of(const Json& attributes) {
  std::vector<koophone::VideoSetting> out;
  const Json list = attributes.value("video_settings", Json::array());
  for (const Json& s : list) {
    koophone::VideoSetting v;
    v.network_type = s.value("network_type", "");
    v.encoding_type = s.value("encoding_type", "H264");
    v.d540 = spec_of(s, "definition_540p");
    v.d720 = spec_of(s, "definition_720p");
    v.d1080 = spec_of(s, "definition_1080p");
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<std::string> instance_ids_of(const Json& attributes) {
  return attributes.value("instance_ids", std::vector<std::string>{});
}

}  // namespace cph::resources

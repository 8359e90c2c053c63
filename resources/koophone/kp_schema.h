// The resource type of the koophone provider (issue 15; cph-api.md 14): a
// set of KooPhone instances, adopted by id (they are bought outside the API,
// 14 has no call that makes or lists them), with the video settings applied
// to every instance of the set (14.5).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "resources/koophone/kp_client.h"
#include "resources/schema.h"

namespace cph::resources {

// [koophone_instances.NAME]: instance_ids, video_settings; computed
// `unavailable` (instances not running, by id, as the last refresh saw them).
const ResourceSchema& koophone_instances_schema();

// The block's video_settings as the API's InstanceSettings (encoding_type
// H264 when unset, as 14.5 fixes it).
std::vector<koophone::VideoSetting> video_settings_of(const nlohmann::json& attributes);

// The instance ids of a set's attributes, in the manifest's order.
std::vector<std::string> instance_ids_of(const nlohmann::json& attributes);

}  // namespace cph::resources

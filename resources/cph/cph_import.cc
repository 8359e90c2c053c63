// The CPH provider's import (resources/provider.h): a server read by id
// (3.2), every server with its tags (3.3 and 7.9, in pages), and the
// manifest block written from a sample server, its image read from its
// phones (5.1).
#include <algorithm>

#include "resources/cph/cph_provider.h"
#include "resources/cph/server.h"

namespace cph::resources {

namespace {

std::string toml_string(const std::string& s) { return Json(s).dump(); }

// A TOML key: bare when it can be, quoted otherwise.
std::string toml_key(const std::string& k) {
  bool bare = !k.empty() && std::all_of(k.begin(), k.end(), [](unsigned char c) {
    return c < 0x80 && (std::isalnum(c) || c == '_' || c == '-');
  });
  return bare ? k : toml_string(k);
}

ImportedObject imported(const cloud::Server& live, Json tags = Json::object()) {
  return {live.server_id, live.server_name, server_refreshed_attributes(Json::object(), live), std::move(tags)};
}

// The block's text. `image_id` is "" when the server has no phone.
std::string server_block(const std::string& label, const std::string& name, std::optional<int> count,
                         const cloud::Server& sample, const Json& tags, const std::string& image_id) {
  std::string out = "[server." + label + "]\n";
  out += "name              = " + toml_string(name) + "\n";
  if (count) out += "count             = " + std::to_string(*count) + "\n";
  out += "server_model      = " + toml_string(sample.server_model_name) + "\n";
  out += "phone_model       = " + toml_string(sample.phone_model_name) + "\n";
  out += "vpc_id            = " + toml_string(sample.vpc_id) + "\n";
  out += "subnet_id         = " + toml_string(sample.subnet_id) + "\n";
  if (!sample.availability_zone.empty())
    out += "availability_zone = " + toml_string(sample.availability_zone) + "\n";
  if (!sample.keypair_name.empty()) out += "keypair           = " + toml_string(sample.keypair_name) + "\n";
  if (!image_id.empty())
    out += "image_id          = " + toml_string(image_id) + "  # the image its phones run (CPH API: List cloud phones)\n";
  else
    out += "image_id          = \"TODO\"  # the server has no phone to read it from: fill in its image\n";
  if (!sample.band_widths.empty()) {
    const auto& b = sample.band_widths.front();
    out += std::string("bandwidth         = { share_type = \"") + (b.band_width_share_type ? "shared" : "dedicated") +
           "\", charge_mode = \"" + (b.band_width_charge_mode ? "traffic" : "bandwidth") +
           "\", size = " + std::to_string(b.band_width_size) +
           (b.band_width_share_type ? ", id = " + toml_string(b.band_width_id) : std::string()) + " }\n";
  } else {
    out += "bandwidth         = { share_type = \"dedicated\", charge_mode = \"traffic\", size = 300 }  # TODO: check\n";
  }
  if (tags.is_object() && !tags.empty()) {
    std::string items;
    for (auto it = tags.begin(); it != tags.end(); ++it)
      items += (items.empty() ? "" : ", ") + toml_key(it.key()) + " = " + toml_string(it.value().get<std::string>());
    out += "tags              = { " + items + " }\n";
  }
  return out + "\n";
}

void only_servers(const std::string& type) {
  if (type != "server") throw std::runtime_error("import brings servers under management, not " + type + " objects");
}

}  // namespace

boost::asio::awaitable<ImportedObject> CphProvider::read_object(const std::string& type, const std::string& cloud_id) {
  only_servers(type);
  co_return imported(co_await cloud_->show_server(cloud_id));
}

boost::asio::awaitable<std::vector<ImportedObject>> CphProvider::list_objects(const std::string& type) {
  only_servers(type);
  std::vector<cloud::Server> all = co_await cloud_->list_all_servers();
  // Every server's tags (7.9, in pages): recorded with the imported rows,
  // so that later tag changes are drift, and written into the blocks.
  std::unordered_map<std::string, Json> tags_of;
  for (const cloud::TaggedResource& r : co_await cloud_->list_all_server_tags()) {
    Json tags = Json::object();
    for (const cloud::Tag& t : r.tags) tags[t.key] = t.value;
    tags_of[r.resource_id] = std::move(tags);
  }
  std::vector<ImportedObject> out;
  out.reserve(all.size());
  for (const cloud::Server& s : all) {
    auto t = tags_of.find(s.server_id);
    out.push_back(imported(s, t == tags_of.end() ? Json::object() : t->second));
  }
  co_return out;
}

boost::asio::awaitable<std::string> CphProvider::generated_block(const std::string& type, const std::string& label,
                                                                 const std::string& name, std::optional<int> count,
                                                                 const ImportedObject& sample) {
  only_servers(type);
  // The list omits what the block needs (bandwidths, availability zone):
  // the server itself is read, and its image from its phones.
  cloud::Server server = co_await cloud_->show_server(sample.cloud_id);
  std::string image;
  for (const cloud::Phone& p : co_await cloud_->list_server_phones(server.server_id))
    if (!p.image_id.empty()) {
      image = p.image_id;
      break;
    }
  co_return server_block(label, name, count, server, sample.tags, image);
}

}  // namespace cph::resources

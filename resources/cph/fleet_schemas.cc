// Descriptors of bandwidth, keypair, share_app and share_file; rules from
// cph-api.md as cited.
#include "resources/cph/fleet_schemas.h"

#include "resources/schema_build.h"

namespace cph::resources {
namespace {
using namespace build;

// OBS bucket 3.7/3.10: 3-63 characters of a-z 0-9 - . ; object 3.7: at most
// 1024 characters of A-Z a-z 0-9 . / - _ + # = (A-10), a tar file.
Rule bucket_rule() {
  return rules::matches("[a-z0-9.-]{3,63}",
                        "must be 3 to 63 characters of a-z 0-9 - . (an OBS bucket name; CPH API: Push shared-storage files)");
}
Rule object_rule() {
  return rules::matches("[A-Za-z0-9./_+#=-]{1,1020}\\.tar",
                        "must be an OBS object path of at most 1024 characters of A-Z a-z 0-9 . / - _ + # = "
                        "ending in .tar (CPH API: Push shared-storage files)");
}
// 3.11: at most 128 bytes of letters, digits, _ and .; not starting with a
// digit or _, not ending with ., at least one dot.
Rule package_rule() {
  return rules::matches("(?=.{1,128}$)(?=.*\\.)[A-Za-z.][A-Za-z0-9_.]*[A-Za-z0-9_]",
                        "must be an app package name of at most 128 bytes of A-Z a-z 0-9 _ . with at least one "
                        "dot, not starting with a digit or _ nor ending with . (CPH API: Delete shared apps)");
}
// 3.9: absolute, at most 4096 bytes of letters, digits . / - space _ =, no "..".
Rule file_paths_rule() {
  return [](const Json& v) -> std::optional<std::string> {
    static const Rule one = rules::matches(
        "(?!.*\\.\\.)/[A-Za-z0-9./ _=-]{0,4095}",
        "must be absolute paths of at most 4096 bytes of A-Z a-z 0-9 . / - _ = and space, without .. "
        "(CPH API: Delete shared-storage files)");
    if (!v.is_array() || v.empty()) return "must list at least one path the file unpacks to (CPH API: Delete shared-storage files)";
    for (const Json& p : v)
      if (auto broken = one(p)) return broken;
    return std::nullopt;
  };
}

Attribute server_list(std::string description, std::string api) {
  Attribute a = attr("servers", AttrType::list, true, std::move(description), Update::in_place);
  a.element = AttrType::string;
  a.reference_to = "server";
  a.operation = "share";
  a.update_api = std::move(api);
  return a;
}

ResourceSchema make_bandwidth() {
  ResourceSchema s;
  s.type = "bandwidth";
  s.provider_type = "cph";
  s.description =
      "A shared bandwidth for the public IPs of several servers (CPH API: Bandwidth management). Created by the first purchase of a "
      "server that uses it, or adopted with `id`; resized in place; it goes with its last server.";
  s.identity = "id";
  s.attributes = {
      changed_by(readable(attr("size", AttrType::integer, true, "Size in Mbit/s.", Update::in_place,
                               {bandwidth_size_rule()})),
                 "resize", "PUT /v1/{project_id}/cloud-phone/bandwidths/{band_width_id}"),
      with_default(readable(attr("charge_mode", AttrType::string, false, "\"bandwidth\" or \"traffic\".",
                                 Update::force_new, {rules::one_of({"bandwidth", "traffic"})})),
                   "bandwidth"),
      attr("id", AttrType::string, false, "Adopt this existing shared bandwidth instead of creating one.",
           Update::force_new, {rules::not_empty(), rules::max_bytes(64)}),
      computed("name", AttrType::string, "Name the service gave the bandwidth (no API sets it)."),
  };
  return s;
}

ResourceSchema make_keypair() {
  ResourceSchema s;
  s.type = "keypair";
  s.provider_type = "cph";
  s.description = "A KPS key pair for ADB access to the phones; servers refer to it as keypair = \"keypair.NAME\".";
  s.identity = "name";
  Attribute key = attr("public_key", AttrType::string, false,
                       "OpenSSH public key; the service generates one when neither this nor public_key_file is set.",
                       Update::force_new, {rules::matches("(ssh-rsa|ssh-ed25519|ecdsa-sha2-nistp256) [A-Za-z0-9+/=]+( .*)?",
                                                          "must be an OpenSSH public key (ssh-rsa, ssh-ed25519 or "
                                                          "ecdsa-sha2-nistp256 followed by base64)")});
  s.attributes = {
      readable(attr("name", AttrType::string, true, "Key pair name.", Update::force_new, {keypair_name_rule()})),
      key,
      attr("public_key_file", AttrType::string, false,
           "File holding the public key, relative to the manifest directory: a regular file of at most 64 KiB "
           "inside it (checked by validate, read at plan time).",
           Update::force_new,
           {rules::not_empty()}),
      computed("fingerprint", AttrType::string, "Fingerprint the service computed."),
  };
  s.check_block = [](const Json& a, std::optional<int>) {
    std::vector<BlockProblem> problems;
    if (a.contains("public_key") && a.contains("public_key_file"))
      problems.push_back({"public_key_file", "cannot be set together with public_key; choose one"});
    return problems;
  };
  return s;
}

ResourceSchema make_share_app() {
  ResourceSchema s;
  s.type = "share_app";
  s.provider_type = "cph";
  s.description =
      "An app in the shared-app storage of the listed servers (CPH API: Push shared apps and Delete shared apps): pushed to servers added to "
      "`servers`, deleted from servers removed from it, deleted everywhere when the block goes.";
  s.attributes = {
      attr("package_name", AttrType::string, true, "App package name, e.g. com.example.game.", Update::force_new,
           {package_rule()}),
      attr("bucket", AttrType::string, true, "OBS bucket holding the app tar.", Update::force_new, {bucket_rule()}),
      attr("object", AttrType::string, true, "OBS object path of the app tar.", Update::force_new, {object_rule()}),
      with_default(attr("pre_install", AttrType::boolean, false, "Pre-install the app (pre_install_app = 1).",
                        Update::force_new),
                   false),
      server_list("Servers to push to: \"server.NAME\" (every instance) or \"server.NAME[i]\".",
                  "POST/DELETE /v1/{project_id}/cloud-phone/phones/share-apps"),
  };
  return s;
}

ResourceSchema make_share_file() {
  ResourceSchema s;
  s.type = "share_file";
  s.provider_type = "cph";
  s.description =
      "A tar unpacked into the shared storage of the listed servers (CPH API: Push shared-storage files and Delete shared-storage files): pushed to servers added "
      "to `servers`; its `paths` are deleted from servers removed from it, and everywhere when the block goes.";
  Attribute paths = attr("paths", AttrType::list, true, "Absolute paths the tar unpacks to (under /data or /cache).",
                         Update::force_new, {file_paths_rule()});
  paths.element = AttrType::string;
  s.attributes = {
      attr("bucket", AttrType::string, true, "OBS bucket holding the tar.", Update::force_new, {bucket_rule()}),
      attr("object", AttrType::string, true, "OBS object path of the tar.", Update::force_new, {object_rule()}),
      paths,
      server_list("Servers to push to: \"server.NAME\" (every instance) or \"server.NAME[i]\".",
                  "POST /v1/{project_id}/cloud-phone/phones/share-files"),
  };
  return s;
}

}  // namespace

Rule bandwidth_size_rule() {
  return [](const Json& v) -> std::optional<std::string> {
    const std::string rule =
        "must be 1..300, or 300..1000 in steps of 50, or above 1000 in steps of 500 Mbit/s (CPH API: Update shared bandwidth size)";
    if (!v.is_number_integer()) return rule;
    int64_t s = v.get<int64_t>();
    if (s >= 1 && s <= 300) return std::nullopt;
    if (s > 300 && s <= 1000 && (s - 300) % 50 == 0) return std::nullopt;
    if (s > 1000 && (s - 1000) % 500 == 0) return std::nullopt;
    return rule;
  };
}

Rule keypair_name_rule() {
  // "keypair.NAME" is a reference to a [keypair.NAME] block, checked by the
  // manifest loader; anything else is a key pair's own name.
  return rules::matches("[A-Za-z0-9_-]{1,64}|keypair\\.[A-Za-z0-9_-]+",
                        "must be 1 to 64 characters of A-Z a-z 0-9 _ - (a key pair name), or \"keypair.NAME\"");
}

const ResourceSchema& bandwidth_schema() {
  static const ResourceSchema s = make_bandwidth();
  return s;
}
const ResourceSchema& keypair_schema() {
  static const ResourceSchema s = make_keypair();
  return s;
}
const ResourceSchema& share_app_schema() {
  static const ResourceSchema s = make_share_app();
  return s;
}
const ResourceSchema& share_file_schema() {
  static const ResourceSchema s = make_share_file();
  return s;
}

}  // namespace cph::resources

// What a successful server job changes (World::apply_server_job, called by
// the job engine in jobs.cc): the key pair (6.3), the phone model and image
// (3.6), and the shared apps and files recorded on the server (3.7-3.11), so
// that pushes and deletes leave an observable mark (the admin views
// /_emulator/share-apps and /_emulator/share-files, and the 3.8 listing).
#include <algorithm>
#include <nlohmann/json.hpp>

#include "emulator/world.h"

namespace cph::emulator {
namespace {
using nlohmann::json;

// docs/emulator.md: a pushed tar (bucket, object_path) is at
// "/" + object_path; a delete path removes it when equal to that path or a
// directory above it ("/" removes everything).
bool removed_by(const ShareFile& f, std::string_view path) {
  const std::string at = "/" + f.object_path;
  if (at == path) return true;
  if (path.empty() || at.size() <= path.size() || at.compare(0, path.size(), path) != 0) return false;
  return path.back() == '/' || at[path.size()] == '/';
}
}  // namespace

// A-57 (docs/emulator.md): execute_msg is at most kMaxExecuteMsgBytes (6.1,
// 6.2), and the listing stays valid JSON: when every file does not fit, the
// files are listed in order while they fit, then "truncated": true and
// "total" (the number of files on the server) are added; if even that does
// not fit (a very long path), "path" is left out.
std::string share_file_listing(const std::string& path, const std::vector<ShareFile>& files) {
  json all = json::array();
  for (const ShareFile& f : files) all.push_back({{"bucket_name", f.bucket_name}, {"object_path", f.object_path}});
  std::string full = json{{"path", path}, {"files", all}}.dump();
  if (full.size() <= kMaxExecuteMsgBytes) return full;
  json cut{{"path", path}, {"files", json::array()}, {"truncated", true}, {"total", files.size()}};
  if (cut.dump().size() > kMaxExecuteMsgBytes) cut.erase("path");
  for (const json& f : all) {
    cut["files"].push_back(f);
    if (cut.dump().size() > kMaxExecuteMsgBytes) {
      cut["files"].erase(cut["files"].size() - 1);
      break;
    }
  }
  return cut.dump();
}

void World::apply_server_job(Job& j, Server& s, int64_t t, Changes& ch) {
  const std::string& op = j.operation;
  if (op == "open_access") {
    s.keypair_name = j.argument;  // 6.3: the server now uses the new key pair
  } else if (op == "change_server") {
    // 3.6: the phones are re-created with the new phone model and image.
    // argument: "phone_model\nimage_id\nkeypair_name".
    const std::string& a = j.argument;
    size_t p1 = a.find('\n'), p2 = a.find('\n', p1 + 1);
    drop_phones(s, ch);  // with the old model's phone count
    s.phone_model_name = a.substr(0, p1);
    s.image_id = a.substr(p1 + 1, p2 - p1 - 1);
    s.keypair_name = a.substr(p2 + 1);
  } else if (op == "query_share_files") {
    // the listing goes into execute_msg: every file pushed to the
    // server (the emulator keeps no file contents).
    j.execute_msg = share_file_listing(j.argument, s.share_files);
    return;
  } else if (op == "push_share_files") {
    json a = json::parse(j.argument, nullptr, /*allow_exceptions=*/false);
    if (!a.is_object()) return;
    ShareFile f{a.value("bucket_name", ""), a.value("object_path", "")};
    auto same = [&](const ShareFile& x) { return x.bucket_name == f.bucket_name && x.object_path == f.object_path; };
    if (std::none_of(s.share_files.begin(), s.share_files.end(), same)) s.share_files.push_back(f);
    ch.servers.insert(s.id);
    return;
  } else if (op == "delete_share_files") {
    // argument: the file paths joined by ',' (3.9 paths cannot hold a comma).
    std::vector<std::string> paths;
    for (size_t start = 0;;) {
      size_t comma = j.argument.find(',', start);
      paths.push_back(j.argument.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    std::erase_if(s.share_files, [&](const ShareFile& f) {
      return std::any_of(paths.begin(), paths.end(), [&](const std::string& p) { return removed_by(f, p); });
    });
    ch.servers.insert(s.id);
    return;
  } else if (op == "push_share_apps") {
    json a = json::parse(j.argument, nullptr, /*allow_exceptions=*/false);
    if (!a.is_object()) return;
    ShareApp app{a.value("package_name", ""), a.value("bucket_name", ""), a.value("object_path", ""),
                 a.value("pre_install_app", 0)};
    // One record per package: a new push of the package replaces the old one.
    auto it = std::find_if(s.share_apps.begin(), s.share_apps.end(),
                           [&](const ShareApp& x) { return x.package_name == app.package_name; });
    if (it != s.share_apps.end())
      *it = app;
    else
      s.share_apps.push_back(app);
    ch.servers.insert(s.id);
    return;
  } else if (op == "delete_share_apps") {
    std::erase_if(s.share_apps, [&](const ShareApp& x) { return x.package_name == j.argument; });
    ch.servers.insert(s.id);
    return;
  } else {
    return;
  }
  s.update_us = t;
  ch.servers.insert(s.id);
}

}  // namespace cph::emulator

// Phones and encode servers of World (cph-api.md 5.0-5.12, 6.4, 6.5).
//
// A server owns phone_capacity phones (its phone model, 5.3) from its
// purchase until its release. They are derived, not stored one row each: a
// fleet of 10,000 servers of 105 phones would otherwise mean a million rows
// written at purchase and kept in memory. Phone `i` of server S has the id
// sha256("phone:" + S)[0..26) + i as 6 hex digits, so the id leads back to
// its server; its name, status, IPs and times follow the server. A phone
// whose state was changed (renamed, or operated by a job) gets an override
// record holding its whole mutable state, persisted in emu_phones and
// dropped with the server (or when 3.6 re-creates the phones).
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "common/crypto.h"
#include "emulator/world.h"

namespace cph::emulator {
namespace {
using nlohmann::json;

constexpr size_t kPrefixLen = 26;

std::string phone_prefix(std::string_view server_id) {
  return crypto::sha256_hex("phone:" + std::string(server_id)).substr(0, kPrefixLen);
}

std::string phone_id_of(const std::string& prefix, int index) {
  char hex[16];  // room for any unsigned, though indexes stay below 16^6
  std::snprintf(hex, sizeof hex, "%06x", static_cast<unsigned>(index));
  return prefix + hex;
}

std::string encode_id_of(std::string_view server_id) {
  return crypto::sha256_hex("encode:" + std::string(server_id)).substr(0, 32);
}

// 11.2 suggested transitions: the phones are created with their server
// (1 creating while it is created, 2 running once it is normal, -8 when its
// creation failed).
int derived_status(int server_status) {
  switch (server_status) {
    case 0: case 1: case 3: case 4: return phone_status::creating;
    case 5: return phone_status::running;
    case 2: return phone_status::creation_failed;
    default: return phone_status::abnormal;
  }
}

json parse_object(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_object() ? j : json::object();
}

// Properties given as JSON text merged over the phone's (10.1 keys).
std::string merge_properties(const std::string& current, const std::string& given) {
  json merged = parse_object(current);
  json add = parse_object(given);
  for (auto it = add.begin(); it != add.end(); ++it) merged[it.key()] = it.value();
  return merged.dump();
}
}  // namespace

std::string emulated_shell(const Phone& p, std::string_view command) {
  // Enough of a shell to make outputs observable: echo and getprop; other
  // commands succeed without output.
  auto starts = [&](std::string_view w) { return command.substr(0, w.size()) == w; };
  if (command == "echo") return "";
  if (starts("echo ")) return std::string(command.substr(5));
  if (starts("getprop ")) {
    json props = parse_object(p.property);
    auto it = props.find(std::string(command.substr(8)));
    if (it == props.end()) return "";
    return it->is_string() ? it->get<std::string>() : it->dump();
  }
  return "";
}

int World::phone_count(const Server& s) const {
  const PhoneModel* pm = catalog_.phone_model(s.phone_model_name);
  return pm ? pm->capacity : 0;
}

Phone World::phone_at(const Server& s, int index) const {
  Phone p;
  p.id = phone_id_of(phone_prefix(s.id), index);
  if (auto it = phones_.find(p.id); it != phones_.end()) p = it->second;
  p.project_id = s.project_id;
  p.server_id = s.id;
  p.index = index;
  if (p.name.empty()) {
    char suffix[16];
    std::snprintf(suffix, sizeof suffix, "-%04d", index + 1);
    p.name = s.name + suffix;  // like the 5.1 example's "mobile-0001"
  }
  if (!p.status_set) p.status = derived_status(s.status);
  if (p.image_id.empty()) p.image_id = s.image_id;
  if (p.update_us == 0) p.update_us = s.update_us;
  return p;
}

std::optional<Phone> World::find_phone(std::string_view project, std::string_view id) const {
  if (id.size() != kPrefixLen + 6) return std::nullopt;
  auto it = phone_servers_.find(std::string(id.substr(0, kPrefixLen)));
  if (it == phone_servers_.end()) return std::nullopt;
  const Server* s = find_server(project, it->second);
  if (!s) return std::nullopt;
  unsigned index = 0;
  std::string_view hex = id.substr(kPrefixLen);
  auto [ptr, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), index, 16);
  if (ec != std::errc() || ptr != hex.data() + hex.size() || static_cast<int>(index) >= phone_count(*s))
    return std::nullopt;
  Phone p = phone_at(*s, static_cast<int>(index));
  if (p.id != id) return std::nullopt;  // upper-case hex and the like
  return p;
}

World::PhonePage World::list_phones(std::string_view project, const PhoneQuery& q) const {
  PhonePage page;
  if (q.type && *q.type != 0) return page;  // every emulated phone is an ordinary one (type 0)
  auto it = server_index_.find(std::string(project));
  if (it == server_index_.end()) return page;
  const bool per_phone = q.name_contains || q.status;
  auto page_full = [&] { return static_cast<int64_t>(page.phones.size()) >= q.limit; };
  for (const IndexKey& k : it->second) {
    const Server& s = *k.server;
    if (q.server_id && s.id != *q.server_id) continue;
    const int n = phone_count(s);
    if (!per_phone && (page.count + n <= q.offset || page_full())) {
      page.count += n;  // the whole server is outside the page
      continue;
    }
    for (int i = n - 1; i >= 0; --i) {
      if (!per_phone && page_full()) {
        page.count += i + 1;
        break;
      }
      Phone p = phone_at(s, i);
      if (q.name_contains && p.name.find(*q.name_contains) == std::string::npos) continue;
      if (q.status && p.status != *q.status) continue;
      if (page.count >= q.offset && !page_full()) page.phones.push_back(std::move(p));
      ++page.count;
    }
  }
  return page;
}

void World::put_phone(const Phone& p) {
  Phone& ov = phones_[p.id];
  ov = p;
  ov.update_us = now_us_;
  if (ov.seq == 0) ov.seq = next_seq_++;
  Changes ch;
  ch.phones.insert(p.id);
  flush(ch);
}

bool World::phone_name_taken(const Phone& p, std::string_view name) const {
  const Server* s = find_server(p.project_id, p.server_id);
  if (!s) return false;
  for (int i = 0, n = phone_count(*s); i < n; ++i)
    if (i != p.index && phone_at(*s, i).name == name) return true;
  return false;
}

void World::index_phones(const Server& s) {
  phone_servers_[phone_prefix(s.id)] = s.id;
  encode_servers_[encode_id_of(s.id)] = s.id;
}

void World::unindex_phones(const Server& s) {
  phone_servers_.erase(phone_prefix(s.id));
  encode_servers_.erase(encode_id_of(s.id));
  encode_restarting_.erase(encode_id_of(s.id));
}

void World::drop_phones(const Server& s, Changes& ch) {
  const std::string prefix = phone_prefix(s.id);
  for (int i = 0, n = phone_count(s); i < n; ++i) {
    std::string id = phone_id_of(prefix, i);
    if (phones_.erase(id)) {
      ch.phones.erase(id);
      ch.erased_phones.insert(id);
    }
  }
}

// 5.5-5.7 (11.2 suggested transitions): reset shows 3, restart 4, stop 7
// while the job runs.
void World::begin_phone_job(const Job& j, Changes& ch) {
  int status = 0;
  if (j.operation == "reset_phone") status = phone_status::resetting;
  if (j.operation == "restart_phone") status = phone_status::restarting;
  if (j.operation == "stop_phone") status = phone_status::stopping;
  if (status == 0) return;
  std::optional<Phone> p = find_phone(j.project_id, j.phone_id);
  if (!p) return;
  Phone& ov = phones_[p->id];
  std::string name = ov.name;  // keep "" (follows the server) unless renamed
  ov = *p;
  ov.name = name;
  ov.status = status;
  ov.status_set = true;
  ov.update_us = now_us_;
  if (ov.seq == 0) ov.seq = next_seq_++;
  ch.phones.insert(ov.id);
}

void World::finish_phone_job(Job& j, bool failed, int64_t t, Changes& ch) {
  std::optional<Phone> p = find_phone(j.project_id, j.phone_id);
  if (!p) return;
  const json arg = parse_object(j.argument);
  auto arg_string = [&](const char* key) { return arg.contains(key) && arg[key].is_string() ? arg[key].get<std::string>() : std::string(); };
  Phone next = *p;
  bool changed = true;
  const std::string& op = j.operation;
  if (failed) {
    if (op == "reset_phone") next.status = phone_status::reset_failed;
    else if (op == "restart_phone") next.status = phone_status::restart_failed;
    else if (op == "stop_phone") next.status = phone_status::stop_failed;
    else changed = false;
  } else if (op == "reset_phone") {
    // Factory settings: the given properties (or none), the new image if any.
    next.status = phone_status::running;
    next.property = merge_properties("{}", arg_string("property"));
    if (!arg_string("image_id").empty()) next.image_id = arg_string("image_id");
  } else if (op == "restart_phone") {
    next.status = phone_status::running;
    next.property = merge_properties(next.property, arg_string("property"));
    if (!arg_string("image_id").empty()) next.image_id = arg_string("image_id");
  } else if (op == "stop_phone") {
    next.status = phone_status::stopped;
  } else if (op == "update_phone_property") {
    next.property = merge_properties(next.property, arg_string("property"));
  } else if (op == "set_phone_traffic") {
    next.traffic_type = arg_string("traffic_type");
  } else {
    changed = false;
    if (op == "adb_shell") j.execute_msg = emulated_shell(*p, arg_string("content"));
    if (op == "adb_install" || op == "adb_install_multiple" || op == "adb_uninstall") j.execute_msg = "Success";
  }
  if (!changed) return;
  Phone& ov = phones_[p->id];
  std::string name = ov.name;
  ov = next;
  ov.name = name;
  if (next.status != p->status) ov.status_set = true;
  ov.update_us = t;
  if (ov.seq == 0) ov.seq = next_seq_++;
  ch.phones.insert(ov.id);
}

World::EncodeServer World::encode_server_of(const Server& s) const {
  EncodeServer e;
  e.id = encode_id_of(s.id);
  e.name = "ENCODE_SERVER_" + s.id.substr(0, 8);
  e.ip = "10.237.255.253";  // on the server's internal phone network (phones: 10.237.x.y)
  e.server = &s;
  if (s.status == 5) e.status = encode_restarting_.count(e.id) ? 3 : 1;
  else if (s.status == 2) e.status = 2;
  else e.status = 0;
  return e;
}

std::optional<World::EncodeServer> World::find_encode_server(std::string_view project, std::string_view id) const {
  auto it = encode_servers_.find(std::string(id));
  if (it == encode_servers_.end()) return std::nullopt;
  const Server* s = find_server(project, it->second);
  if (!s) return std::nullopt;
  return encode_server_of(*s);
}

}  // namespace cph::emulator

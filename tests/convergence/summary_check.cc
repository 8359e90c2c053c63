// (d): what apply printed against what it sent. Each successful mutating
// call is attributed to the resource it acts on (by the ids in its path and
// body, mapped to addresses through the state before and after the apply);
// each "ADDRESS: Creation|Modifications|... complete" line must have such a
// call, and each such call a line.
#include <algorithm>
#include <regex>
#include <set>
#include <sstream>

#include "tests/convergence/checks.h"

namespace cph::convergence {

namespace {
using Json = nlohmann::json;

// Everything the states know, by cloud id and by the share attributes.
struct Addresses {
  std::map<std::string, std::string> by_id;  // server / bandwidth cloud ids, key pair names
  std::vector<Json> shares;                  // share rows (address, attributes)

  void add(const Json& state) {
    for (const Json& r : state.at("resources")) {
      const std::string type = r.at("type");
      if (type == "share_app" || type == "share_file") shares.push_back(r);
      if (type == "keypair") by_id["keypair:" + r.at("attributes").value("name", "")] = r.at("address").get<std::string>();
      const std::string id = r.value("cloud_id", "");
      if (!id.empty()) by_id[id] = r.at("address").get<std::string>();
    }
  }
  std::string of(const std::string& id) const {
    auto it = by_id.find(id);
    return it == by_id.end() ? "" : it->second;
  }
  // The share block a share call acts on.
  std::string share(const Json& body, bool app) const {
    for (const Json& r : shares) {
      const Json& a = r.at("attributes");
      if ((r.at("type") == "share_app") != app) continue;
      if (app && a.value("package_name", "") == body.value("package_name", "")) return r.at("address");
      if (!app && body.contains("object_path") && a.value("bucket", "") == body.value("bucket_name", "") &&
          a.value("object", "") == body.value("object_path", ""))
        return r.at("address");
      if (!app && body.contains("file_paths") && a.contains("paths") && a.at("paths") == body.at("file_paths"))
        return r.at("address");
    }
    return "";
  }
};

std::string segment_before(const std::string& path, const std::string& marker) {
  auto end = marker.empty() ? std::string::npos : path.find(marker);  // "": the last segment
  if (end == std::string::npos) end = path.size();
  auto begin = path.rfind('/', end - 1);
  return path.substr(begin + 1, end - begin - 1);
}

// The server block a purchase body buys for (its server_name is the block's
// name, or one instance's NAME-000i).
std::string purchase_block(const Json& body, const Spec& spec) {
  const std::string name = body.value("server_name", "");
  for (const ServerBlock& s : spec.servers) {
    if (name == s.name) return s.block;
    if (s.count && name.size() == s.name.size() + 5 && name.rfind(s.name + "-", 0) == 0) return s.block;
  }
  return "?" + name;
}

// Addresses one call acts on (several for batch calls); purchases are
// counted per block instead.
std::vector<std::string> touched(const Json& c, const Addresses& a, const Spec& spec,
                                 std::map<std::string, int>& purchases) {
  const std::string op = c.at("operation"), path = c.at("path");
  const Json& body = c.at("body");
  auto ids = [&](const Json& list, const char* key) {
    std::vector<std::string> out;
    for (const Json& x : list) out.push_back(a.of(key ? x.value(key, "") : x.get<std::string>()));
    return out;
  };
  if (op.find("resource_instances/action") != std::string::npos || op.find("/auth/tokens") != std::string::npos ||
      op.find("customer-orders/pay") != std::string::npos)
    return {};  // reads, or part of a purchase
  if (op == "POST /v2/{project_id}/cloud-phone/servers") {
    purchases[purchase_block(body, spec)] += body.value("count", 1);
    return {};
  }
  if (op.find("/unsubscribe") != std::string::npos) return ids(body.at("resource_ids"), nullptr);
  if (op.find("/tags") != std::string::npos) return {a.of(segment_before(path, "/tags"))};
  if (op.find("open-access") != std::string::npos) return ids(body.at("servers"), "server_id");
  if (op.find("change-server-model") != std::string::npos) return {a.of(body.value("server_id", ""))};
  if (op.find("/change") != std::string::npos) return {a.of(segment_before(path, "/change"))};
  if (op.find("/keypairs") != std::string::npos)
    return {a.of("keypair:" + (body.is_object() ? body.at("keypair").value("name", "") : segment_before(path, "")))};
  if (op.find("share-apps") != std::string::npos) return {a.share(body, true)};
  if (op.find("share-files") != std::string::npos) return {a.share(body, false)};
  return {a.of(segment_before(path, ""))};  // rename, bandwidth resize: the id ends the path
}
}  // namespace

Problems check_summary(const std::string& apply_out, const std::vector<Json>& calls, const Spec& spec,
                       const Json& state_before, const Json& state_after, int resumed_purchases) {
  Problems out;
  Addresses a;
  a.add(state_before);
  a.add(state_after);
  std::map<std::string, int> purchases;
  std::map<std::string, std::string> called;  // address -> first operation
  for (const Json& c : calls)
    for (const std::string& addr : touched(c, a, spec, purchases))
      called.emplace(addr.empty() ? "(unknown resource) " + c.at("path").get<std::string>() : addr,
                     c.at("operation").get<std::string>());

  static const std::regex line(R"(^([a-z_]+\.[A-Za-z0-9_-]+(\[\d+\])?): (Creation|Modifications|Switch|Replacement|Destruction) complete)");
  std::map<std::string, int> created;  // per server block
  std::set<std::string> printed;
  std::istringstream in(apply_out);
  int purchased = 0;
  for (const auto& [block, n] : purchases) purchased += n;
  for (std::string l; std::getline(in, l);) {
    std::smatch m;
    if (!std::regex_search(l, m, line)) continue;
    const std::string addr = m[1], kind = m[3];
    printed.insert(addr);
    if (addr.rfind("server.", 0) == 0 && kind == "Creation") {  // checked against the purchases below
      ++created[addr.substr(7, addr.find('[') == std::string::npos ? std::string::npos : addr.find('[') - 7)];
      continue;
    }
    if (called.count(addr)) continue;
    // A shared bandwidth is created by a purchase and goes with its last server.
    if (addr.rfind("bandwidth.", 0) == 0 && ((kind == "Creation" && purchased + resumed_purchases > 0) ||
                                             kind == "Destruction"))
      continue;
    out.push_back("apply printed \"" + addr + ": " + kind + " complete\" but sent no call for it");
  }
  for (const auto& [addr, op] : called)
    if (!printed.count(addr)) out.push_back("apply sent " + op + " for " + addr + " but printed no line for it");
  std::set<std::string> blocks;
  for (const auto& [b, n] : purchases) blocks.insert(b);
  for (const auto& [b, n] : created) blocks.insert(b);
  for (const std::string& b : blocks) {
    const int bought = purchases.count(b) ? purchases.at(b) : 0, lines = created.count(b) ? created.at(b) : 0;
    if (lines < bought || lines > bought + resumed_purchases)
      out.push_back("server." + b + ": apply bought " + std::to_string(bought) + " servers and printed " +
                    std::to_string(lines) + " creations (" + std::to_string(resumed_purchases) +
                    " bought by earlier runs)");
  }
  return out;
}

}  // namespace cph::convergence

// KPS key pairs (not in the reference; Huawei KPS/ECS style, documented in
// docs/emulator.md "KPS key pairs"):
//   POST   /v3/{project_id}/keypairs         {"keypair": {"name", "public_key"?}}
//   GET    /v3/{project_id}/keypairs
//   DELETE /v3/{project_id}/keypairs/{keypair_name}
// Errors are {"error_code", "error_msg", "request_id"}: 400 KPS.0400 (bad
// body, name or key), 409 KPS.0409 (name taken), 404 KPS.0404 (unknown).
#include <nlohmann/json.hpp>

#include "common/crypto.h"
#include "emulator/api.h"
#include "emulator/batch_validate.h"
#include "emulator/ids.h"

namespace cph::emulator {
namespace {
using nlohmann::json;
using ojson = nlohmann::ordered_json;

// 1-64 characters of A-Za-z0-9 _ - (the ECS key pair name rule).
bool valid_keypair_name(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
      return false;
  return true;
}

// "<type> <base64> [comment]" with a known OpenSSH key type.
bool valid_public_key(std::string_view s) {
  if (s.size() > 4096) return false;
  for (std::string_view type : {"ssh-rsa ", "ssh-ed25519 ", "ecdsa-sha2-nistp256 ", "ecdsa-sha2-nistp384 ",
                                "ecdsa-sha2-nistp521 ", "ssh-dss "})
    if (s.substr(0, type.size()) == type && s.size() > type.size() + 8) return true;
  return false;
}

std::string base64ish(std::string_view hex) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out += kAlphabet[std::stoi(std::string(hex.substr(i, 2)), nullptr, 16) % 64];
  return out;
}

ojson keypair_json(const KeyPair& k, const std::string& user_id) {
  return ojson{{"name", k.name}, {"public_key", k.public_key}, {"fingerprint", k.fingerprint}, {"user_id", user_id}};
}

HttpResponse kps_error(const ApiCall& c, int status, const char* code, const std::string& message) {
  return plain_error(status, code, message, c.request_id);
}

// POST /v3/{project_id}/keypairs
HttpResponse create_keypair(const ApiCall& c) {
  json body = body_object(c.request);
  const json* kp = member(body, "keypair");
  if (!kp || !kp->is_object()) return kps_error(c, 400, "KPS.0400", "Invalid request body: keypair is required.");
  const json* name = member(*kp, "name");
  if (!name || !name->is_string() || !valid_keypair_name(name->get_ref<const std::string&>()))
    return kps_error(c, 400, "KPS.0400", "Invalid key pair name.");
  const json* public_key = member(*kp, "public_key");
  if (public_key && (!public_key->is_string() || !valid_public_key(public_key->get_ref<const std::string&>())))
    return kps_error(c, 400, "KPS.0400", "Invalid public key.");
  const std::string& n = name->get_ref<const std::string&>();
  if (c.world.find_keypair(c.caller.project_id, n))
    return kps_error(c, 409, "KPS.0409", "Key pair " + n + " already exists.");
  std::string private_key;
  std::string key;
  if (public_key) {
    key = public_key->get<std::string>();
  } else {
    // A fake key pair: well-formed text, not usable cryptographically.
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + base64ish(crypto::random_hex(32)) + " " + n;
    private_key = "-----BEGIN OPENSSH PRIVATE KEY-----\n" + base64ish(crypto::random_hex(48)) + base64ish(crypto::random_hex(48)) +
                  "\n-----END OPENSSH PRIVATE KEY-----\n";
  }
  const KeyPair& k = c.world.create_keypair(c.caller.project_id, n, key);
  ojson out = keypair_json(k, ids::customer_id(c.caller.project_id));
  if (!private_key.empty()) out["private_key"] = private_key;  // returned once
  return json_response(200, ojson{{"keypair", std::move(out)}});
}

// GET /v3/{project_id}/keypairs
HttpResponse list_keypairs(const ApiCall& c) {
  ojson list = ojson::array();
  const std::string user_id = ids::customer_id(c.caller.project_id);
  for (const KeyPair* k : c.world.list_keypairs(c.caller.project_id))
    list.push_back(ojson{{"keypair", keypair_json(*k, user_id)}});
  return json_response(200, ojson{{"keypairs", std::move(list)}});
}

// DELETE /v3/{project_id}/keypairs/{keypair_name}
HttpResponse delete_keypair(const ApiCall& c) {
  const std::string name(c.match.param("keypair_name"));
  if (!c.world.delete_keypair(c.caller.project_id, name))
    return kps_error(c, 404, "KPS.0404", "Key pair " + name + " not found.");
  HttpResponse r;
  r.status = 204;
  return r;
}
}  // namespace

std::string builtin_public_key(std::string_view name) {
  return "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + base64ish(crypto::sha256_hex(name)) + " " + std::string(name);
}

std::vector<RouteDef> keypairs_routes() {
  return {
      {"POST", "/v3/{project_id}/keypairs", create_keypair},
      {"GET", "/v3/{project_id}/keypairs", list_keypairs},
      {"DELETE", "/v3/{project_id}/keypairs/{keypair_name}", delete_keypair},
  };
}

}  // namespace cph::emulator

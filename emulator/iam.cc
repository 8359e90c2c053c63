#include "emulator/iam.h"

#include <nlohmann/json.hpp>

#include "common/crypto.h"
#include "common/timefmt.h"
#include "emulator/api.h"

namespace cph::emulator {
namespace {
using nlohmann::json;
using ojson = nlohmann::ordered_json;

// Keystone-style error body: {"error": {"code", "message", "title"}}.
HttpResponse iam_error(int status, const std::string& title, const std::string& message) {
  return json_response(status, ojson{{"error", {{"code", status}, {"message", message}, {"title", title}}}});
}

const json* at(const json& j, std::initializer_list<const char*> path) {
  const json* cur = &j;
  for (const char* key : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

std::string text(const json* j) { return j && j->is_string() ? j->get<std::string>() : std::string(); }
}  // namespace

HttpResponse Iam::issue(const HttpRequest& req, int64_t now_s) {
  json body = body_object(req);
  const json* methods = at(body, {"auth", "identity", "methods"});
  const bool password_method = methods && methods->is_array() && methods->size() == 1 && (*methods)[0] == "password";
  const std::string name = text(at(body, {"auth", "identity", "password", "user", "name"}));
  const std::string password = text(at(body, {"auth", "identity", "password", "user", "password"}));
  const std::string domain = text(at(body, {"auth", "identity", "password", "user", "domain", "name"}));
  const std::string project_name = text(at(body, {"auth", "scope", "project", "name"}));
  const std::string project_id = text(at(body, {"auth", "scope", "project", "id"}));
  if (!password_method || name.empty() || password.empty() || domain.empty())
    return iam_error(400, "Bad Request", "The request body must be a password authentication of auth.identity.");
  // CPH needs a project-scoped token (1.4).
  if (project_name.empty() && project_id.empty())
    return iam_error(400, "Bad Request", "auth.scope.project (name or id) is required.");
  for (const IamUser& u : users_) {
    if (u.name != name || u.domain != domain) continue;
    if (u.password != password) break;
    // Any project name is accepted (it names the region's project); an id
    // must be the user's project.
    if (!project_id.empty() && project_id != u.project_id)
      return iam_error(401, "Unauthorized", "The user has no access to project " + project_id + ".");
    std::string token = "MIIE" + crypto::random_hex(64);
    tokens_[token] = Token{Credential{"", "", u.project_id}, now_s + token_lifetime_s_};
    const std::string domain_id = crypto::sha256_hex("domain:" + u.domain).substr(0, 32);
    ojson out{{"token",
               {{"expires_at", iso8601_utc(now_s + token_lifetime_s_)},
                {"issued_at", iso8601_utc(now_s)},
                {"methods", {"password"}},
                {"catalog", ojson::array()},
                {"project",
                 {{"id", u.project_id}, {"name", project_name.empty() ? "cn-east-3" : project_name},
                  {"domain", {{"id", domain_id}, {"name", u.domain}}}}},
                {"user",
                 {{"id", crypto::sha256_hex("user:" + u.domain + "/" + u.name).substr(0, 32)},
                  {"name", u.name},
                  {"domain", {{"id", domain_id}, {"name", u.domain}}},
                  {"password_expires_at", ""}}}}}};
    HttpResponse r = json_response(201, out);
    r.headers.emplace_back("X-Subject-Token", token);
    return r;
  }
  return iam_error(401, "Unauthorized", "The username or password is wrong.");
}

const Credential* Iam::verify(std::string_view token, int64_t now_s) const {
  auto it = tokens_.find(token);
  if (it == tokens_.end() || it->second.expires_s <= now_s) return nullptr;
  return &it->second.credential;
}

HttpResponse Iam::issue_security_key(const std::string& project_id, int64_t lifetime_s, int64_t now_s) {
  // Keys long expired are forgotten, so that a long test run stays small;
  // recently expired ones are kept to answer "expired" rather than "unknown".
  for (auto it = temporary_keys_.begin(); it != temporary_keys_.end();)
    it = it->second.expires_s + 3600 < now_s ? temporary_keys_.erase(it) : std::next(it);
  TemporaryKey key;
  key.credential = Credential{"TMP" + crypto::random_hex(10), crypto::random_hex(20), project_id};
  for (char& ch : key.credential.access_key) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  key.security_token = "gQpjbi1ub3J0aC00" + crypto::random_hex(48);
  key.expires_s = now_s + lifetime_s;
  // The real service writes microseconds; clients must read them.
  const std::string expires = iso8601_utc(key.expires_s);
  ojson out{{"credential",
             {{"access", key.credential.access_key},
              {"secret", key.credential.secret_key},
              {"securitytoken", key.security_token},
              {"expires_at", expires.substr(0, expires.size() - 1) + ".000000Z"}}}};
  temporary_keys_[key.credential.access_key] = std::move(key);
  return json_response(200, out);
}

const Iam::TemporaryKey* Iam::temporary_key(std::string_view access) const {
  auto it = temporary_keys_.find(access);
  return it == temporary_keys_.end() ? nullptr : &it->second;
}

HttpResponse Iam::list_projects(const HttpRequest& req, const Credential& caller, const std::string& region) {
  const std::optional<std::string> name = QueryParams(req.query()).get("name");
  ojson projects = ojson::array();
  if (!name || *name == region) {
    const std::string domain_id = crypto::sha256_hex("domain-of:" + caller.project_id).substr(0, 32);
    projects.push_back(ojson{{"domain_id", domain_id},
                             {"is_domain", false},
                             {"parent_id", domain_id},
                             {"name", region},
                             {"description", ""},
                             {"links", {{"next", nullptr}, {"previous", nullptr}, {"self", "/v3/projects/" + caller.project_id}}},
                             {"id", caller.project_id},
                             {"enabled", true}});
  }
  return json_response(200, ojson{{"projects", std::move(projects)},
                                  {"links", {{"next", nullptr}, {"previous", nullptr}, {"self", "/v3/projects"}}}});
}

}  // namespace cph::emulator

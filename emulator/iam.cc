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
    tokens_[token] = Token{Credential{"", "", u.project_id}, now_s + kTokenLifetimeS};
    const std::string domain_id = crypto::sha256_hex("domain:" + u.domain).substr(0, 32);
    ojson out{{"token",
               {{"expires_at", iso8601_utc(now_s + kTokenLifetimeS)},
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

}  // namespace cph::emulator

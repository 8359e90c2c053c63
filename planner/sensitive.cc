#include "planner/sensitive.h"

namespace cph::planner {

using Json = nlohmann::json;

namespace {

// "tags" + "owner" -> "tags.owner"; "" + "tags" -> "tags".
std::string child(const std::string& at, const std::string& key) { return at.empty() ? key : at + "." + key; }
std::string item(const std::string& at, size_t i) { return at + "[" + std::to_string(i) + "]"; }

// `inner` is `outer` or lies below it ("tags.owner" under "tags", "a[0]" under "a").
bool under(const std::string& inner, const std::string& outer) {
  if (inner.size() < outer.size() || inner.compare(0, outer.size(), outer) != 0) return false;
  return inner.size() == outer.size() || inner[outer.size()] == '.' || inner[outer.size()] == '[';
}

void mask_changes(std::vector<AttrChange>& changes, const std::vector<std::string>& paths, const Json& mark) {
  for (AttrChange& c : changes) {
    c.before = masked(c.before, paths, mark, c.name);
    c.after = masked(c.after, paths, mark, c.name);
  }
}

}  // namespace

bool is_sensitive(const std::vector<std::string>& paths, const std::string& path) {
  for (const std::string& p : paths)
    if (under(path, p)) return true;
  return false;
}

bool touches_sensitive(const std::vector<std::string>& paths, const std::string& path) {
  for (const std::string& p : paths)
    if (under(path, p) || under(p, path)) return true;
  return false;
}

Json masked(const Json& value, const std::vector<std::string>& paths, const Json& mark, const std::string& at) {
  if (paths.empty()) return value;
  // Also a null there: a saved plan holds null where the value was left out.
  if (!at.empty() && is_sensitive(paths, at)) return mark;
  if (value.is_null()) return value;
  if (!at.empty() && !touches_sensitive(paths, at)) return value;
  if (value.is_object()) {
    Json out = Json::object();
    for (auto it = value.begin(); it != value.end(); ++it) out[it.key()] = masked(it.value(), paths, mark, child(at, it.key()));
    return out;
  }
  if (value.is_array()) {
    Json out = Json::array();
    for (size_t i = 0; i < value.size(); ++i) out.push_back(masked(value[i], paths, mark, item(at, i)));
    return out;
  }
  return value;
}

Json sensitive_marks(const Json& value, const std::vector<std::string>& paths, const std::string& at) {
  if (!at.empty() && is_sensitive(paths, at)) return true;
  if (paths.empty() || (!at.empty() && !touches_sensitive(paths, at))) return false;
  if (value.is_object()) {
    Json out = Json::object();
    for (auto it = value.begin(); it != value.end(); ++it) {
      Json m = sensitive_marks(it.value(), paths, child(at, it.key()));
      if (m != Json(false)) out[it.key()] = std::move(m);
    }
    return out.empty() ? Json(false) : out;
  }
  if (value.is_array()) {
    Json out = Json::array();
    bool any = false;
    for (size_t i = 0; i < value.size(); ++i) {
      out.push_back(sensitive_marks(value[i], paths, item(at, i)));
      any = any || out.back() != Json(false);
    }
    return any ? out : Json(false);
  }
  return false;
}

// Also the unchanged instances and the sensitive outputs (show -json lists both).
Plan redacted(const Plan& plan, const Json& mark) {
  Plan out = plan;
  for (Action& a : out.actions) {
    if (a.sensitive.empty()) continue;
    a.before = masked(a.before, a.sensitive, mark);
    a.after = masked(a.after, a.sensitive, mark);
    mask_changes(a.changes, a.sensitive, mark);
  }
  for (Action& a : out.unchanged) {
    a.before = masked(a.before, a.sensitive, mark);
    a.after = masked(a.after, a.sensitive, mark);
  }
  for (OutputChange& o : out.outputs)
    if (o.sensitive) o.before = o.after = mark;
  for (Drift& d : out.drift)
    if (!d.sensitive.empty()) mask_changes(d.changes, d.sensitive, mark);
  return out;
}

bool has_sensitive(const Plan& plan) {
  for (const Action& a : plan.actions)
    if (!a.sensitive.empty()) return true;
  for (const Drift& d : plan.drift)
    if (!d.sensitive.empty()) return true;
  return false;
}

}  // namespace cph::planner

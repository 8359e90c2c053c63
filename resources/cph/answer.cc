// Reading 2xx answers against their documented shape (cph_call.h `Answer`):
// the one place where the typed calls of cph_*.cc look into a body, so that
// every call rejects a malformed answer the same way (issue 18 D3).
#include <cmath>
#include <limits>

#include "resources/cph/cph_call.h"

namespace cph::cloud {

MalformedAnswer::MalformedAnswer(int status, std::string api_template, std::string field_path,
                                 std::string what_is_wrong, std::string rid)
    : std::runtime_error(api_template + ": HTTP " + std::to_string(status) + " answer is malformed: " +
                         (field_path.empty() ? std::string("the body") : field_path) + " " + what_is_wrong +
                         (rid.empty() ? std::string() : " [request_id " + rid + "]")),
      http_status(status),
      api(std::move(api_template)),
      field(std::move(field_path)),
      problem(std::move(what_is_wrong)),
      request_id(std::move(rid)) {}

std::string MalformedAnswer::describe() const {
  std::string out = api + " answered HTTP " + std::to_string(http_status) +
                    " with a body that does not have the documented shape: " +
                    (field.empty() ? std::string("the body") : "field " + field) + " " + problem;
  if (!request_id.empty()) out += " [request_id " + request_id + "]";
  // A read changed nothing; a mutation may have been carried out (StepJournal::abandon keeps it).
  if (api.rfind("GET ", 0) == 0) return out + " (nothing was read from it)";
  return out + " (the request may have been carried out: the journal keeps it for the next run to reconcile)";
}

namespace detail {

struct Answer::Source {
  json root;
  std::string api;
  int status = 0;
  std::string request_id;
};

namespace {

const char* type_name(const json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "a Boolean";
  if (v.is_number()) return "a number";
  if (v.is_string()) return "a String";
  if (v.is_array()) return "an array";
  return "an object";
}

const json& empty_object() {
  static const json value = json::object();
  return value;
}

// The code of a body that has 1.5's error shape and nothing else
// ({"request_id", "error_code", "error_msg", "failures"}, or a gateway's
// {"error": {...}}); "" for any other body. Such a body in a 2xx is not the
// answer of the API (a job's own error_code sits beside its job_id).
std::string error_body_code(const json& body) {
  std::string code = "error";
  for (const auto& [key, value] : body.items()) {
    if (key == "error_code" && value.is_string() && !value.get<std::string>().empty())
      code = value.get<std::string>();
    else if (key != "request_id" && key != "error_msg" && key != "failures" && key != "error")
      return {};
  }
  return body.contains("error_code") || body.contains("error") ? code : std::string();
}

}  // namespace

Answer::Answer(std::shared_ptr<const Source> source, const json* node, std::string path)
    : source_(std::move(source)), node_(node), path_(std::move(path)) {}

Answer Answer::of(const HttpResponse& r, const Call& c) {
  auto source = std::make_shared<Source>();
  source->api = c.api;
  source->status = r.status;
  source->request_id = r.header("X-Request-Id");
  if (r.body.empty()) throw MalformedAnswer(r.status, c.api, "", "is empty", source->request_id);
  source->root = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (source->root.is_discarded())
    throw MalformedAnswer(r.status, c.api, "", "is not valid JSON", source->request_id);
  if (!source->root.is_object())
    throw MalformedAnswer(r.status, c.api, "", std::string("is ") + type_name(source->root) + ", expected an object",
                          source->request_id);
  if (source->request_id.empty()) {
    auto it = source->root.find("request_id");
    if (it != source->root.end() && it->is_string()) source->request_id = it->get<std::string>();
  }
  if (const std::string code = error_body_code(source->root); !code.empty())
    throw MalformedAnswer(r.status, c.api, "", "is an error body (" + code + ")", source->request_id);
  const json* root = &source->root;
  return Answer(std::move(source), root, "");
}

std::string Answer::field(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

void Answer::fail(const std::string& key, const std::string& problem) const {
  throw MalformedAnswer(source_->status, source_->api, field(key), problem, source_->request_id);
}

const json* Answer::find(const char* key) const {
  auto it = node_->find(key);
  if (it == node_->end() || it->is_null()) return nullptr;
  return &*it;
}

std::string Answer::opt_text(const char* key) const {
  const json* v = find(key);
  if (!v) return {};
  if (v->is_string()) return v->get<std::string>();
  if (v->is_number() || v->is_boolean()) return v->dump();  // 11.1: e.g. imei sent as a number
  fail(key, std::string("is ") + type_name(*v) + ", expected a String");
}

std::string Answer::text(const char* key) const {
  if (!node_->contains(key)) fail(key, "is missing");  // null reads as ""
  return opt_text(key);
}

std::string Answer::id(const char* key) const {
  const json* v = find(key);
  if (!v) fail(key, "is missing");
  if (!v->is_string()) fail(key, std::string("is ") + type_name(*v) + ", expected a String");
  if (v->get_ref<const std::string&>().empty()) fail(key, "is empty");
  return v->get<std::string>();
}

int Answer::opt_integer(const char* key) const {
  const json* v = find(key);
  if (!v) return 0;
  int64_t value = 0;
  if (v->is_number_integer()) {
    value = v->get<int64_t>();
  } else if (v->is_number_float()) {
    // Only a whole number within int's range converts (a cast of 1e300 would be undefined).
    const double d = v->get<double>();
    if (!(d >= std::numeric_limits<int>::min() && d <= std::numeric_limits<int>::max()) || d != std::trunc(d))
      fail(key, "is " + v->dump() + ", expected an Integer");
    value = static_cast<int64_t>(d);
  } else if (v->is_string()) {  // 11.1: numbers encoded as strings
    const std::string& s = v->get_ref<const std::string&>();
    size_t used = 0;
    try {
      value = std::stoll(s, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != s.size()) fail(key, "is the String \"" + s.substr(0, 40) + "\", expected an Integer");
  } else {
    fail(key, std::string("is ") + type_name(*v) + ", expected an Integer");
  }
  if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max())
    fail(key, "is " + std::to_string(value) + ", out of range");
  return static_cast<int>(value);
}

int Answer::integer(const char* key) const {
  if (!find(key)) fail(key, "is missing");
  return opt_integer(key);
}

Answer Answer::opt_object(const char* key) const {
  const json* v = find(key);
  if (!v) return Answer(source_, &empty_object(), field(key));
  if (!v->is_object()) fail(key, std::string("is ") + type_name(*v) + ", expected an object");
  return Answer(source_, v, field(key));
}

Answer Answer::object(const char* key) const {
  if (!find(key)) fail(key, "is missing");
  return opt_object(key);
}

std::vector<Answer> Answer::opt_objects(const char* key) const {
  std::vector<Answer> out;
  const json* v = find(key);
  if (!v) return out;
  if (!v->is_array()) fail(key, std::string("is ") + type_name(*v) + ", expected an array");
  out.reserve(v->size());
  for (size_t i = 0; i < v->size(); ++i) {
    const std::string item = std::string(key) + "[" + std::to_string(i) + "]";
    if (!(*v)[i].is_object()) fail(item, std::string("is ") + type_name((*v)[i]) + ", expected an object");
    out.push_back(Answer(source_, &(*v)[i], field(item)));
  }
  return out;
}

std::vector<Answer> Answer::objects(const char* key) const {
  if (!find(key)) fail(key, "is missing");
  return opt_objects(key);
}

std::vector<std::string> Answer::ids(const char* key) const {
  const json* v = find(key);
  if (!v) fail(key, "is missing");
  if (!v->is_array()) fail(key, std::string("is ") + type_name(*v) + ", expected an array");
  std::vector<std::string> out;
  for (size_t i = 0; i < v->size(); ++i) {
    const json& item = (*v)[i];
    const std::string name = std::string(key) + "[" + std::to_string(i) + "]";
    if (!item.is_string()) fail(name, std::string("is ") + type_name(item) + ", expected a String");
    if (item.get_ref<const std::string&>().empty()) fail(name, "is empty");
    out.push_back(item.get<std::string>());
  }
  return out;
}

}  // namespace detail
}  // namespace cph::cloud

// Fuzz target: the `${...}` expression language of manifest/expression.h.
// Besides not crashing, two properties must hold:
//  - a parsed template renders back to text that parses to the same parts;
//  - a parsed reference prints (str()/address()) as text that parses back
//    to the same reference.
// A violation aborts, so the fuzzer reports it like a crash.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "manifest/expression.h"

namespace {

using cph::manifest::Json;
using cph::manifest::Reference;

[[noreturn]] void fail(const char* what, std::string_view text) {
  std::fprintf(stderr, "expression property violated: %s\ninput: %.*s\n", what, static_cast<int>(text.size()),
               text.data());
  std::abort();
}

bool same_parts(const cph::manifest::Template& a, const cph::manifest::Template& b) {
  if (a.parts.size() != b.parts.size()) return false;
  for (size_t i = 0; i < a.parts.size(); ++i)
    if (a.parts[i].literal != b.parts[i].literal || a.parts[i].ref != b.parts[i].ref) return false;
  return true;
}

void check_template(std::string_view text) {
  std::string error;
  std::optional<cph::manifest::Template> t = cph::manifest::parse_template(text, &error);
  if (!t) return;
  std::string rendered = t->render();
  std::optional<cph::manifest::Template> again = cph::manifest::parse_template(rendered, &error);
  if (!again) fail("a rendered template does not parse", text);
  if (!same_parts(*t, *again)) fail("a rendered template parses to other parts", text);
}

void check_reference(std::string_view text, bool with_attribute) {
  std::string error;
  std::optional<Reference> r = cph::manifest::parse_reference(text, with_attribute, &error);
  if (!r) return;
  std::string printed = r->attribute.empty() && !r->is_variable() ? r->address() : r->str();
  std::optional<Reference> again = cph::manifest::parse_reference(printed, with_attribute, &error);
  if (!again || !(*again == *r)) fail("a printed reference does not parse back to itself", text);
}

// Values for some references, unknown for others, so that both branches of
// evaluate() run: known when the name has an even length.
std::optional<Json> lookup(const Reference& r) {
  if (r.name.size() % 2 == 1) return std::nullopt;
  if (r.attribute == "count") return Json(static_cast<int>(r.name.size()));
  if (r.attribute == "tags") return Json{{"k", r.name}};
  return Json(r.name + "-value");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  check_template(text);
  check_reference(text, true);
  check_reference(text, false);
  try {
    // Strings nested as the manifests nest them: attributes, lists, maps.
    Json value = {{"a", std::string(text)}, {"b", Json::array({std::string(text), 1, true})}};
    std::vector<Reference> unknown;
    Json out = cph::manifest::evaluate(value, lookup, &unknown);
    (void)cph::manifest::is_known(out);
    (void)cph::manifest::references(value);
  } catch (const Json::exception&) {
    // Text that is not UTF-8 cannot become a JSON string value's dump, but
    // building and evaluating it must not crash.
  }
  return 0;
}

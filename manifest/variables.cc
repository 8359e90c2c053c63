// Variables: declarations, values by precedence, and substitution into the
// document tree.
#include "manifest/variables.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <functional>

#include "common/crypto.h"
#include "manifest/expression.h"
#include "manifest/files.h"
#include "manifest/limits.h"
#include "manifest/validate.h"

namespace cph::manifest::detail {
Json to_json(const doc::Node& n) {
  switch (n.kind) {
    case doc::Kind::array: {
      Json out = Json::array();
      for (const doc::Node& item : n.items) out.push_back(to_json(item));
      return out;
    }
    case doc::Kind::table: {
      Json out = Json::object();
      for (const doc::Entry& e : n.entries) out[e.key] = to_json(e.value);
      return out;
    }
    default: return n.scalar;
  }
}

namespace {

doc::Node to_node(const Json& v, const SourcePos& pos, bool sensitive) {
  doc::Node n;
  n.pos = pos;
  n.sensitive = sensitive;
  if (v.is_object()) {
    n.kind = doc::Kind::table;
    n.inline_table = true;
    for (auto it = v.begin(); it != v.end(); ++it)
      n.entries.push_back(doc::Entry{it.key(), pos, to_node(it.value(), pos, sensitive)});
  } else if (v.is_array()) {
    n.kind = doc::Kind::array;
    for (const Json& item : v) n.items.push_back(to_node(item, pos, sensitive));
  } else {
    n.kind = v.is_string() ? doc::Kind::string
             : v.is_boolean() ? doc::Kind::boolean
             : v.is_number_integer() ? doc::Kind::integer
                                     : doc::Kind::floating;
    n.scalar = v;
  }
  return n;
}

bool has_type(const Json& v, const std::string& type) {
  if (type == "string") return v.is_string();
  if (type == "number") return v.is_number();
  if (type == "bool") return v.is_boolean();
  if (type == "list") return v.is_array();
  if (type == "map") return v.is_object();
  return false;
}

std::string type_of(const Json& v) {
  return v.is_string() ? "string" : v.is_number() ? "number" : v.is_boolean() ? "bool" : v.is_array() ? "list" : "map";
}

std::string example(const std::string& type) {
  if (type == "number") return "a number such as 3 or 1.5";
  if (type == "bool") return "true or false";
  if (type == "list") return "a JSON array such as [\"a\",\"b\"]";
  if (type == "map") return "a JSON object such as {\"owner\":\"ops\"}";
  return "a string";
}

// A -var or environment value as the variable's type; nullopt when it does not parse.
std::optional<Json> from_text(const std::string& text, const std::string& type) {
  if (type == "string") return Json(text);
  if (type == "bool") {
    if (text == "true" || text == "false") return Json(text == "true");
    return std::nullopt;
  }
  if (type == "number") {
    int64_t i = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
    if (!text.empty() && ec == std::errc() && end == text.data() + text.size()) return Json(i);
    Json parsed = Json::parse(text, nullptr, false);
    if (!parsed.is_discarded() && parsed.is_number()) return parsed;
    return std::nullopt;
  }
  Json parsed = Json::parse(text, nullptr, false);
  if (parsed.is_discarded() || !has_type(parsed, type)) return std::nullopt;
  return parsed;
}

Variable* find(std::vector<Variable>& vars, const std::string& name) {
  auto it = std::find_if(vars.begin(), vars.end(), [&](const Variable& v) { return v.name == name; });
  return it == vars.end() ? nullptr : &*it;
}

std::vector<std::string> names(const std::vector<Variable>& vars) {
  std::vector<std::string> out;
  for (const Variable& v : vars) out.push_back(v.name);
  return out;
}

// After "variable X is not declared": the declared variable it was likely
// meant to be, the declared ones, or that there are none.
std::string declared_hint(const std::string& name, const std::vector<Variable>& vars) {
  return vars.empty() ? "; the manifests declare no variables" : suggestion(name, names(vars));
}

void read_declaration(const doc::Entry& decl, std::vector<Variable>& vars, std::vector<Diagnostic>& diags) {
  auto error = [&](const SourcePos& pos, const std::string& m) {
    diags.push_back(Diagnostic{pos, "variable \"" + decl.key + "\": " + m});
  };
  if (decl.value.kind != doc::Kind::table)
    return error(decl.value.pos, "must be a table, written [variables." + decl.key + "] (got " +
                                     std::string(doc::kind_name(decl.value.kind)) + ")");
  if (const Variable* seen = find(vars, decl.key))
    return error(decl.value.pos, "is also declared at " + seen->pos.str() + "; declare each variable once");
  Variable v;
  v.name = decl.key;
  v.pos = decl.value.pos;
  static const std::vector<std::string> keys = {"type", "default", "description", "sensitive"};
  const doc::Node* default_node = nullptr;
  for (const doc::Entry& e : decl.value.entries) {
    if (e.key == "default") {
      default_node = &e.value;
    } else if (e.key == "type") {
      const auto& types = variable_types();
      if (e.value.kind != doc::Kind::string ||
          std::find(types.begin(), types.end(), e.value.scalar.get<std::string>()) == types.end())
        error(e.value.pos, "\"type\" must be one of \"string\", \"number\", \"bool\", \"list\", \"map\" (got " +
                               doc::brief(e.value) + ")");
      else
        v.type = e.value.scalar.get<std::string>();
    } else if (e.key == "description") {
      if (e.value.kind != doc::Kind::string) error(e.value.pos, "\"description\" must be a string");
      else v.description = e.value.scalar.get<std::string>();
    } else if (e.key == "sensitive") {
      if (e.value.kind != doc::Kind::boolean) error(e.value.pos, "\"sensitive\" must be true or false");
      else v.sensitive = e.value.scalar.get<bool>();
    } else {
      error(e.key_pos, "unknown attribute \"" + e.key + "\"" + suggestion(e.key, keys));
    }
  }
  if (default_node) {
    Json value = to_json(*default_node);
    if (default_node->kind == doc::Kind::datetime) {
      error(default_node->pos, "\"default\" must be a string, number, bool, array or table (got a date/time)");
    } else if (v.type.empty()) {
      v.type = type_of(value);
      v.value = value;
      v.source = "default";
    } else if (!has_type(value, v.type)) {
      std::string shown = v.sensitive ? "(sensitive value)" : doc::brief(*default_node);
      error(default_node->pos, "\"default\" must be a " + v.type + " as declared by type = \"" + v.type + "\" (got " +
                                   type_of(value) + " " + shown + ")");
    } else {
      v.value = value;
      v.source = "default";
    }
  }
  if (v.type.empty()) v.type = "string";
  vars.push_back(std::move(v));
}

std::string text_of(const Json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

}  // namespace

const std::vector<std::string>& variable_types() {
  static const std::vector<std::string> types = {"string", "number", "bool", "list", "map"};
  return types;
}

void declare_variables(const doc::Entry& entry, std::vector<Variable>& vars, std::vector<Diagnostic>& diags) {
  if (entry.value.kind != doc::Kind::table)
    return diags.push_back(Diagnostic{entry.value.pos, "variables are declared as [variables.NAME] tables"});
  for (const doc::Entry& decl : entry.value.entries) {
    std::string label = decl.key;
    bool ok = !label.empty() && (std::isalpha(static_cast<unsigned char>(label[0])) || label[0] == '_') &&
              std::all_of(label.begin(), label.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; });
    if (!ok) {
      diags.push_back(Diagnostic{decl.key_pos, "variable name \"" + label + "\" must match ^[A-Za-z_][A-Za-z0-9_-]*$"});
      continue;
    }
    read_declaration(decl, vars, diags);
  }
}

void resolve_variables(std::vector<Variable>& vars, const VariableInputs& inputs, std::vector<Diagnostic>& diags) {
  auto set_text = [&](Variable& v, const std::string& text, const std::string& source) {
    if ((v.type == "list" || v.type == "map") && limits::json_nesting(text) > limits::kMaxNesting) {
      diags.push_back(Diagnostic{v.pos, "variable \"" + v.name + "\": the value from " + source + " nests arrays and "
                                        "objects more than " + std::to_string(limits::kMaxNesting) + " deep"});
      return;
    }
    std::optional<Json> value = from_text(text, v.type);
    if (!value) {
      std::string shown = v.sensitive ? "(sensitive value)" : "\"" + text + "\"";
      diags.push_back(Diagnostic{v.pos, "variable \"" + v.name + "\": the value from " + source + " must be " +
                                            example(v.type) + ", as declared by type = \"" + v.type + "\" (got " +
                                            shown + ")"});
      return;
    }
    v.value = std::move(*value);
    v.source = source;
  };
  for (const auto& [name, text] : inputs.environment)
    if (Variable* v = find(vars, name)) set_text(*v, text, "CPHFORM_VAR_" + name);
  for (const std::filesystem::path& file : inputs.var_files) {
    std::string shown = file.lexically_normal().string();
    std::string why;
    std::optional<std::string> text = files::read_bounded(file, limits::kMaxFileBytes, &why);
    if (!text) {
      diags.push_back(Diagnostic{SourcePos{shown, 1, 1}, "cannot read the variables file given by -var-file: it " + why});
      continue;
    }
    std::optional<doc::Node> root = doc::parse_toml(*text, shown, diags);
    if (!root) continue;
    for (const doc::Entry& e : root->entries) {
      Variable* v = find(vars, e.key);
      if (!v) {
        diags.push_back(Diagnostic{e.key_pos, "variable \"" + e.key + "\" is not declared; declare it with [variables." +
                                                  e.key + "] in the manifests" + declared_hint(e.key, vars)});
        continue;
      }
      Json value = to_json(e.value);
      if (e.value.kind == doc::Kind::datetime || !has_type(value, v->type)) {
        std::string got = v->sensitive ? "(sensitive value)" : doc::brief(e.value);
        diags.push_back(Diagnostic{e.value.pos, "variable \"" + v->name + "\" must be " + example(v->type) +
                                                    ", as declared by type = \"" + v->type + "\" at " + v->pos.str() +
                                                    " (got " + got + ")"});
        continue;
      }
      v->value = value;
      v->source = shown;
    }
  }
  for (const std::string& assignment : inputs.vars) {
    size_t eq = assignment.find('=');
    std::string name = assignment.substr(0, eq);
    Variable* v = find(vars, name);
    SourcePos where{"-var", 0, 0};
    if (eq == std::string::npos || name.empty()) {
      diags.push_back(Diagnostic{where, "-var \"" + name + "\" must be written NAME=VALUE"});
    } else if (!v) {
      diags.push_back(Diagnostic{where, "-var " + name + ": variable \"" + name + "\" is not declared; declare it "
                                        "with [variables." + name + "] in the manifests" + declared_hint(name, vars)});
    } else {
      set_text(*v, assignment.substr(eq + 1), "-var " + name);
    }
  }
  for (Variable& v : vars)
    if (v.source.empty() && !inputs.allow_unset)
      diags.push_back(Diagnostic{v.pos, "variable \"" + v.name + "\" has no value: give it a default, -var " + v.name +
                                            "=VALUE, a -var-file, or CPHFORM_VAR_" + v.name});
}

void substitute_variables(doc::Node& node, const std::vector<Variable>& vars, const std::string& workspace,
                          std::vector<Diagnostic>& diags) {
  for (doc::Node& item : node.items) substitute_variables(item, vars, workspace, diags);
  for (doc::Entry& e : node.entries) substitute_variables(e.value, vars, workspace, diags);
  if (node.kind != doc::Kind::string) return;
  const std::string& text = node.scalar.get_ref<const std::string&>();
  if (text.find("${") == std::string::npos) return;
  std::string why;
  std::optional<Template> t = parse_template(text, &why);
  if (!t) return diags.push_back(Diagnostic{node.pos, "invalid interpolation in " + doc::brief(node) + ": " + why});
  Template out;
  bool sensitive = node.sensitive;
  bool ok = true;
  for (const TemplatePart& p : t->parts) {
    if (!p.ref || !p.ref->is_variable()) {
      out.parts.push_back(p);
      continue;
    }
    Variable selected;  // ${terraform.workspace}: the workspace this run uses
    const Variable* found = nullptr;
    if (p.ref->type == "terraform" && p.ref->name == "workspace") {
      selected = Variable{"terraform.workspace", "string", "", false, Json(workspace), "workspace", node.pos};
      found = &selected;
    } else if (p.ref->type == "terraform") {
      diags.push_back(Diagnostic{node.pos, "unknown \"terraform." + p.ref->name + "\" in " + doc::brief(node) +
                                               "; the one value of terraform is terraform.workspace, the name of "
                                               "the selected workspace"});
      ok = false;
      continue;
    } else if (auto it = std::find_if(vars.begin(), vars.end(), [&](const Variable& v) { return v.name == p.ref->name; });
               it != vars.end()) {
      found = &*it;
    } else {
      diags.push_back(Diagnostic{node.pos, "undefined variable \"" + p.ref->name + "\" in " + doc::brief(node) +
                                               "; declare it with [variables." + p.ref->name + "]" +
                                               declared_hint(p.ref->name, vars)});
      ok = false;
      continue;
    }
    if (found->value.is_null()) {  // its missing value is reported at the declaration
      ok = false;
      continue;
    }
    sensitive = sensitive || found->sensitive;
    if (t->whole()) {
      node = to_node(found->value, node.pos, sensitive);
      if (found->value.is_string()) node.scalar = Template{{TemplatePart{found->value.get<std::string>(), std::nullopt}}}.render();
      return;
    }
    if (found->value.is_structured()) {
      diags.push_back(Diagnostic{node.pos, "variable \"" + found->name + "\" is a " + found->type + " and cannot be part of "
                                               "a longer string; write \"${var." + found->name + "}\" alone"});
      ok = false;
      continue;
    }
    if (!out.parts.empty() && !out.parts.back().ref) out.parts.back().literal += text_of(found->value);
    else out.parts.push_back(TemplatePart{text_of(found->value), std::nullopt});
  }
  if (!ok) return;
  node.scalar = out.render();
  node.sensitive = sensitive;
}

std::vector<std::string> sensitive_texts(const std::vector<Variable>& vars) {
  std::vector<std::string> out;
  std::function<void(const Json&)> add = [&](const Json& v) {
    if (v.is_structured()) {
      for (const Json& item : v) add(item);
      return;
    }
    std::string text = text_of(v);
    if (text.size() >= 3) out.push_back(text);
  };
  for (const Variable& v : vars)
    if (v.sensitive && !v.value.is_null()) add(v.value);
  return out;
}

std::string variables_digest_input(const std::vector<Variable>& vars) {
  std::string out;
  for (const Variable& v : vars) {
    std::string value = v.value.dump();
    out += "var " + v.name + "=" + (v.sensitive ? "sha256:" + crypto::sha256_hex(value) : value) + "\n";
  }
  return out;
}

}  // namespace cph::manifest::detail

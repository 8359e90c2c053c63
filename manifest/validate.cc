// Schema-driven validation: walks resources::ResourceSchema over a block of
// the document tree. Nothing here knows a particular resource type.
#include "manifest/validate.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>
#include <sstream>

#include "manifest/files.h"
#include "manifest/limits.h"
#include "manifest/rows_file.h"

namespace cph::manifest::detail {
namespace {

using resources::Attribute;
using resources::AttrType;
using resources::ResourceSchema;
using resources::Update;

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

bool matches(AttrType expected, doc::Kind got) {
  switch (expected) {
    case AttrType::string: return got == doc::Kind::string;
    case AttrType::integer: return got == doc::Kind::integer;
    case AttrType::boolean: return got == doc::Kind::boolean;
    case AttrType::object: return got == doc::Kind::table;
    case AttrType::list: return got == doc::Kind::array;
    case AttrType::map: return got == doc::Kind::table;
  }
  return false;
}

std::string with_article(AttrType t) {
  switch (t) {
    case AttrType::string: return "a string";
    case AttrType::integer: return "an integer";
    case AttrType::boolean: return "a boolean (true or false)";
    case AttrType::object: return "a table, e.g. { key = value }";
    case AttrType::list: return "an array, e.g. [ ... ]";
    case AttrType::map: return "a table of strings, e.g. { owner = \"ops\" }";
  }
  return "?";
}

// The likely fix for the common mix-ups between quoted and bare values.
std::string type_hint(AttrType expected, const doc::Node& v) {
  bool quoted = v.kind == doc::Kind::string;
  if (expected == AttrType::string && (v.kind == doc::Kind::integer || v.kind == doc::Kind::floating ||
                                       v.kind == doc::Kind::boolean))
    return "; put the value in quotes";
  if (expected == AttrType::integer && quoted) {
    const std::string& s = v.scalar.get_ref<const std::string&>();
    if (!s.empty() && s.find_first_not_of("-0123456789") == std::string::npos) return "; write the number without quotes";
  }
  if (expected == AttrType::integer && v.kind == doc::Kind::floating) return "; use a whole number";
  if (expected == AttrType::boolean && quoted) {
    std::string s = lower(v.scalar.get_ref<const std::string&>());
    if (s == "true" || s == "false") return "; write " + s + " without quotes";
  }
  return "";
}

// Follows "ports[0].name" into the attributes, for quoting a value in the
// message of a cross-attribute problem.
const Json* lookup(const Json& root, const std::string& path) {
  const Json* at = &root;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '[') {
      size_t close = path.find(']', i);
      std::string digits = close == std::string::npos ? "" : path.substr(i + 1, close - i - 1);
      if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos ||
          !at->is_array())
        return nullptr;
      size_t index = static_cast<size_t>(std::stoi(digits));
      if (index >= at->size()) return nullptr;
      at = &(*at)[index];
      i = close + 1;
      continue;
    }
    if (path[i] == '.') ++i;
    size_t end = path.find_first_of(".[", i);
    std::string key = path.substr(i, end == std::string::npos ? std::string::npos : end - i);
    if (!at->is_object() || !at->contains(key)) return nullptr;
    at = &(*at)[key];
    i = end == std::string::npos ? path.size() : end;
  }
  return at;
}

class BlockValidator {
 public:
  BlockValidator(const ResourceSchema& schema, ResourceConfig& rc, std::vector<Diagnostic>& diags,
                 std::vector<PendingReference>& refs)
      : schema_(schema), rc_(rc), diags_(diags), refs_(refs) {}

  // The block with each Attribute::lines_file entry ("instance_ids_file =
  // \"fleet.txt\"") replaced by its attribute, a list of the file's lines
  // (blank lines and # comments skipped), positioned where the file is named.
  doc::Node with_listed_files(const doc::Node& table) {
    doc::Node out = table;
    for (const Attribute& a : schema_.attributes) {
      if (a.lines_file.empty()) continue;
      auto named = std::find_if(out.entries.begin(), out.entries.end(),
                                [&](const doc::Entry& e) { return e.key == a.lines_file; });
      if (named == out.entries.end()) continue;
      const bool both = std::any_of(out.entries.begin(), out.entries.end(),
                                    [&](const doc::Entry& e) { return e.key == a.name; });
      if (both || named->value.kind != doc::Kind::string) {
        error(named->key_pos, "attribute \"" + a.lines_file + "\" " +
                                  (both ? "and \"" + a.name + "\" are both set; keep one"
                                        : "must be the name of a file with one value a line"));
        out.entries.erase(named);
        continue;
      }
      doc::Node list;
      list.kind = doc::Kind::array;
      list.pos = named->value.pos;
      try {
        std::istringstream lines(files::read_named_file(named->value.scalar.get<std::string>(), named->value.pos,
                                                        rc_.address() + ": attribute \"" + a.lines_file + "\"",
                                                        limits::kMaxListFileBytes));
        for (std::string line; std::getline(lines, line);) {
          const size_t first = line.find_first_not_of(" \t\r");
          if (first == std::string::npos || line[first] == '#') continue;
          doc::Node item;
          item.kind = doc::Kind::string;
          item.pos = named->value.pos;
          item.scalar = line.substr(first, line.find_last_not_of(" \t\r") - first + 1);
          list.items.push_back(std::move(item));
        }
      } catch (const ManifestError& e) {
        diags_.insert(diags_.end(), e.diagnostics.begin(), e.diagnostics.end());
        ++errors_;
        unreadable_.insert(a.name);  // reported once: not also as a missing attribute
        out.entries.erase(named);
        continue;
      }
      const SourcePos at = named->key_pos;
      out.entries.erase(named);
      out.entries.push_back({a.name, at, std::move(list)});
    }
    return out;
  }

  // The block with each Attribute::rows_file entry ("phones_file =
  // \"phones.csv\"") replaced by its attribute, an array of the file's rows
  // (manifest/rows_file.h) whose cells keep their place in that file. Its
  // columns are checked once, here: a column no field has, or a required
  // field no column gives, is one problem at the header, not one a row.
  // Cells of integer fields written as digits become integers ("0002": 2).
  doc::Node with_row_files(const doc::Node& table) {
    doc::Node out = table;
    for (const Attribute& a : schema_.attributes) {
      if (a.rows_file.empty()) continue;
      auto named = std::find_if(out.entries.begin(), out.entries.end(),
                                [&](const doc::Entry& e) { return e.key == a.rows_file; });
      if (named == out.entries.end()) continue;
      const bool both = std::any_of(out.entries.begin(), out.entries.end(),
                                    [&](const doc::Entry& e) { return e.key == a.name; });
      const std::string what = rc_.address() + ": attribute \"" + a.rows_file + "\"";
      auto drop = [&] {
        unreadable_.insert(a.name);
        out.entries.erase(named);
      };
      if (both || named->value.kind != doc::Kind::string) {
        error(named->key_pos, "attribute \"" + a.rows_file + "\" " +
                                  (both ? "and \"" + a.name + "\" are both set; keep one"
                                        : "must be the name of a CSV or JSON file of rows"));
        drop();
        continue;
      }
      const std::string written_name = named->value.scalar.get<std::string>();
      std::string text;
      try {
        text = files::read_named_file(written_name, named->value.pos, what, limits::kMaxRowsFileBytes);
      } catch (const ManifestError& e) {
        diags_.insert(diags_.end(), e.diagnostics.begin(), e.diagnostics.end());
        ++errors_;
        drop();
        continue;
      }
      // Positions name the file as the manifest's are named: beside it.
      const std::string shown =
          (std::filesystem::path(named->value.pos.file).parent_path() / written_name).lexically_normal().string();
      const size_t diags_before = diags_.size();
      std::optional<rows_file::Rows> rows = rows_file::parse(text, shown, what + " names \"" + written_name + "\", which", diags_);
      if (!rows) {
        errors_ += diags_.size() - diags_before;
        drop();
        continue;
      }
      std::vector<std::string> names = settable_names(a.fields);
      const size_t errors_before = errors_;
      for (const auto& [column, at] : rows->columns)
        if (std::find(names.begin(), names.end(), column) == names.end()) {
          error(at, "attribute \"" + a.rows_file + "\": unknown column \"" + column + "\"" + suggestion(column, names));
        }
      for (const Attribute& f : a.fields)
        if (f.required && std::none_of(rows->columns.begin(), rows->columns.end(),
                                       [&](const auto& c) { return c.first == f.name; }))
          error(rows->columns.empty() ? rows->list.pos : rows->columns.front().second,
                "attribute \"" + a.rows_file + "\": the file has no column \"" + f.name + "\"; every row needs one. " +
                    f.description);
      if (errors_ != errors_before) {
        drop();
        continue;
      }
      std::set<std::string> integers;
      for (const Attribute& f : a.fields)
        if (f.type == AttrType::integer) integers.insert(f.name);
      for (doc::Node& row : rows->list.items)
        for (doc::Entry& cell : row.entries) {
          if (cell.value.kind != doc::Kind::string || !integers.count(cell.key)) continue;
          const std::string* s = &cell.value.scalar.get_ref<const std::string&>();
          if (!s->empty() && s->size() <= 18 && *s != "-" &&
              s->find_first_not_of("0123456789", (*s)[0] == '-' ? 1 : 0) == std::string::npos) {
            cell.value.kind = doc::Kind::integer;
            cell.value.scalar = std::stoll(*s);
          }
        }
      const SourcePos at = named->key_pos;
      out.entries.erase(named);
      out.entries.push_back({a.name, at, std::move(rows->list)});
    }
    return out;
  }

  void run(const doc::Node& written) {
    const doc::Node table = with_row_files(with_listed_files(written));
    std::set<std::string> present;
    for (const doc::Entry& e : table.entries) {
      if (e.key == "count" && schema_.supports_count) {
        check_count(e.value);
        continue;
      }
      if (e.key == "depends_on") {
        check_depends_on(e.value);
        continue;
      }
      if (e.key == "lifecycle") {
        check_lifecycle(e.value);
        continue;
      }
      if (e.key == "provider") {
        check_provider(e.value);
        continue;
      }
      if (e.key == "count") {
        error(e.key_pos, "\"count\" is not supported by resource type \"" + schema_.type +
                             "\"; declare one block per instance");
        continue;
      }
      if (std::optional<Json> value = check_entry(schema_.attributes, e, "", top_level_names()))
        rc_.attributes[e.key] = std::move(*value);
      present.insert(e.key);
    }
    finish(schema_.attributes, present, "", table.pos, "[" + rc_.address() + "]", rc_.attributes);
    if (errors_ == 0 && unknowns_ == 0 && schema_.check_block) check_block();
  }

 private:
  void error(const SourcePos& pos, const std::string& message) {
    diags_.push_back(Diagnostic{pos, rc_.address() + ": " + message});
    ++errors_;
  }

  std::vector<std::string> settable_names(const std::vector<Attribute>& fields) const {
    std::vector<std::string> names;
    for (const Attribute& a : fields)
      if (a.update != Update::computed) names.push_back(a.name);
    return names;
  }

  std::vector<std::string> top_level_names() const {
    std::vector<std::string> names = settable_names(schema_.attributes);
    if (schema_.supports_count) names.push_back("count");
    names.push_back("depends_on");
    names.push_back("lifecycle");
    names.push_back("provider");
    return names;
  }

  // provider = "provider.east": which provider instance owns the block's
  // objects; the name is checked once every [provider.NAME] is read.
  void check_provider(const doc::Node& v) {
    rc_.positions["provider"] = v.pos;
    if (v.kind != doc::Kind::string || v.scalar.get_ref<const std::string&>().rfind("provider.", 0) != 0 ||
        v.scalar.get_ref<const std::string&>().size() <= 9)
      return error(v.pos, "attribute \"provider\" must name a provider as \"provider.NAME\", such as "
                          "\"provider.east\" for [provider.east] (got " + doc::brief(v) + ")");
    rc_.provider = v.scalar.get<std::string>();
  }

  // depends_on = ["server.game", "share_app.x"]: existence is checked once all blocks are read.
  void check_depends_on(const doc::Node& v) {
    rc_.positions["depends_on"] = v.pos;
    if (v.kind != doc::Kind::array)
      return error(v.pos, "attribute \"depends_on\" must be an array of block addresses such as [\"server.game\"] (got " +
                              std::string(kind_name(v.kind)) + " " + brief(v) + ")");
    for (size_t i = 0; i < v.items.size(); ++i) {
      const doc::Node& item = v.items[i];
      std::string path = "depends_on[" + std::to_string(i) + "]";
      rc_.positions[path] = item.pos;
      std::string why;
      std::optional<Reference> ref;
      if (item.kind == doc::Kind::string) ref = parse_reference(item.scalar.get<std::string>(), false, &why);
      if (!ref || ref->is_variable()) {
        error(item.pos, "each element of \"depends_on\" must be a block address such as \"server.game\" (got " +
                            brief(item) + ")");
        continue;
      }
      refs_.push_back(PendingReference{PendingReference::Kind::depends_on, *ref, item.pos, path});
    }
  }

  // lifecycle = { prevent_destroy, ignore_changes, create_before_destroy, allow_data_loss }
  void check_lifecycle(const doc::Node& v) {
    rc_.positions["lifecycle"] = v.pos;
    static const std::vector<std::string> keys = {"prevent_destroy", "ignore_changes", "create_before_destroy",
                                                  "allow_data_loss"};
    if (v.kind != doc::Kind::table)
      return error(v.pos, "attribute \"lifecycle\" must be a table such as { prevent_destroy = true } (got " +
                              std::string(kind_name(v.kind)) + " " + brief(v) + ")");
    Lifecycle& l = rc_.lifecycle;
    for (const doc::Entry& e : v.entries) {
      std::string path = "lifecycle." + e.key;
      rc_.positions[path] = e.value.pos;
      if (std::find(keys.begin(), keys.end(), e.key) == keys.end()) {
        error(e.key_pos, "unknown attribute \"" + path + "\"" + suggestion(e.key, keys));
        continue;
      }
      if (e.key != "ignore_changes") {
        if (e.value.kind != doc::Kind::boolean) {
          error(e.value.pos, "attribute \"" + path + "\" must be " + with_article(AttrType::boolean) + " (got " +
                                 std::string(kind_name(e.value.kind)) + " " + brief(e.value) + ")" +
                                 type_hint(AttrType::boolean, e.value));
          continue;
        }
        bool b = e.value.scalar.get<bool>();
        (e.key == "prevent_destroy" ? l.prevent_destroy
         : e.key == "create_before_destroy" ? l.create_before_destroy
                                            : l.allow_data_loss) = b;
        continue;
      }
      if (e.value.kind != doc::Kind::array) {
        error(e.value.pos, "attribute \"lifecycle.ignore_changes\" must be an array of attribute names such as "
                           "[\"name\"] (got " + std::string(kind_name(e.value.kind)) + " " + brief(e.value) + ")");
        continue;
      }
      std::vector<std::string> names;
      for (const Attribute& a : schema_.attributes) names.push_back(a.name);
      for (const doc::Node& item : e.value.items) {
        std::string name = item.kind == doc::Kind::string ? item.scalar.get<std::string>() : "";
        std::string top = name.substr(0, name.find_first_of(".["));
        if (!schema_.find(top)) {
          error(item.pos, "attribute \"lifecycle.ignore_changes\" must name attributes of \"" + schema_.type +
                              "\" (got " + brief(item) + ")" + suggestion(top, names));
          continue;
        }
        l.ignore_changes.push_back(name);
      }
    }
  }

  // A string that interpolates resource attributes: its references are
  // recorded and its value is known after apply, so no rule can judge it.
  // A string still holding ${var.NAME} after substitution: a variable with
  // no value, which only VariableInputs::allow_unset lets through (and
  // substitution reported otherwise). Its value is unknown until planning.
  static bool holds_unset_variable(const doc::Node& v) {
    if (v.kind != doc::Kind::string || v.scalar.get_ref<const std::string&>().find("${") == std::string::npos)
      return false;
    std::optional<Template> t = parse_template(v.scalar.get_ref<const std::string&>(), nullptr);
    return t && std::any_of(t->parts.begin(), t->parts.end(),
                            [](const TemplatePart& p) { return p.ref && p.ref->is_variable(); });
  }

  bool is_template(const doc::Node& v, const std::string& path) {
    if (v.kind != doc::Kind::string) return false;
    const std::string& s = v.scalar.get_ref<const std::string&>();
    if (s.find("${") == std::string::npos) return false;
    std::string why;
    std::optional<Template> t = parse_template(s, &why);
    if (!t) {
      error(v.pos, "attribute \"" + path + "\" has an invalid interpolation: " + why);
      return true;
    }
    bool references = false;
    for (const TemplatePart& p : t->parts) {
      if (!p.ref) continue;
      if (placeholder(*p.ref, v.pos, path)) continue;
      refs_.push_back(PendingReference{PendingReference::Kind::interpolation, *p.ref, v.pos, path});
      references = true;
    }
    return references;
  }

  // "${phone.index}": a value the block's type gives each of its objects
  // (ResourceSchema::placeholders), not a reference; the string stays as
  // written and its rules judge it. Another type's placeholder is an error
  // here. False for anything else.
  bool placeholder(const Reference& ref, const SourcePos& pos, const std::string& path) {
    if (!ref.is_placeholder()) return false;
    const std::string name = ref.type + "." + ref.name;
    auto own = std::find(schema_.placeholders.begin(), schema_.placeholders.end(), name);
    if (own != schema_.placeholders.end()) return true;
    std::string owners;
    for (const ResourceSchema* other : resources::all_schemas())
      if (std::find(other->placeholders.begin(), other->placeholders.end(), name) != other->placeholders.end())
        owners += (owners.empty() ? "a [" : " or [") + other->type + ".NAME]";
    error(pos, "attribute \"" + path + "\" uses ${" + name + "}, which only " + owners + " block gives a value");
    return true;
  }

  // A reference attribute holding a block address ("keypair.adb"): kept as
  // written, its target checked later. Returns false for a literal.
  bool is_address(const Attribute& a, const doc::Node& v, const std::string& path) {
    if (a.reference_to.empty() || v.kind != doc::Kind::string) return false;
    const std::string& s = v.scalar.get_ref<const std::string&>();
    if (s.find('.') == std::string::npos || s.find("${") != std::string::npos) return false;
    std::string why;
    std::optional<Reference> ref = parse_reference(s, false, &why);
    if (!ref || ref->is_variable())
      error(v.pos, "attribute \"" + path + "\" must be the address of a \"" + a.reference_to + "\" block such as \"" +
                       a.reference_to + ".NAME\", or a cloud name without a dot (got " + brief(v) + ")");
    else if (ref->type != a.reference_to)
      error(v.pos, "attribute \"" + path + "\" must refer to a \"" + a.reference_to + "\" block (got " + brief(v) +
                       ", a \"" + ref->type + "\" address)");
    else
      refs_.push_back(PendingReference{PendingReference::Kind::address, *ref, v.pos, path});
    return true;
  }

  void check_count(const doc::Node& v) {
    rc_.positions["count"] = v.pos;
    if (holds_unset_variable(v)) {
      ++unknowns_;
      rc_.count = 1;  // unknown: one instance stands for them, so that indexed references stay checkable
      return;
    }
    if (v.kind != doc::Kind::integer)
      return error(v.pos, "attribute \"count\" must be an integer from " + std::to_string(kMinCount) + " to " +
                              std::to_string(kMaxCount) + " (got " + std::string(kind_name(v.kind)) + " " +
                              brief(v) + ")" + type_hint(AttrType::integer, v));
    int64_t n = v.scalar.get<int64_t>();
    if (n < kMinCount) return error(v.pos, "attribute \"count\" must be at least " + std::to_string(kMinCount) + " (got " + std::to_string(n) + ")");
    if (n > kMaxCount)
      return error(v.pos, "attribute \"count\" must be at most " + std::to_string(kMaxCount) + " (got " +
                              std::to_string(n) + ")");
    rc_.count = static_cast<int>(n);
  }

  // One key of a table: known, settable, then its value.
  std::optional<Json> check_entry(const std::vector<Attribute>& fields, const doc::Entry& e, const std::string& prefix,
                                  const std::vector<std::string>& names) {
    std::string path = prefix + e.key;
    auto it = std::find_if(fields.begin(), fields.end(), [&](const Attribute& a) { return a.name == e.key; });
    if (it == fields.end()) {
      error(e.key_pos, "unknown attribute \"" + path + "\"" + suggestion(e.key, names));
      return std::nullopt;
    }
    if (it->update == Update::computed) {
      error(e.key_pos, "attribute \"" + path + "\" is computed by the cloud and cannot be set; remove it");
      return std::nullopt;
    }
    return check_value(*it, e.value, path);
  }

  std::optional<Json> check_value(const Attribute& a, const doc::Node& v, const std::string& path) {
    rc_.positions[path] = v.pos;
    // A write-only value (a password) is as secret as a sensitive
    // variable's, written literally or not: never shown.
    if (v.sensitive || a.write_only) rc_.sensitive.push_back(path);
    if (holds_unset_variable(v)) {  // not checked: counted present, left out
      ++unknowns_;
      return std::nullopt;
    }
    size_t errors_at_start = errors_;
    if (is_address(a, v, path) || ((a.type == AttrType::string || !a.reference_to.empty()) && is_template(v, path))) {
      if (errors_ != errors_at_start) return std::nullopt;
      return v.scalar;
    }
    if (errors_ != errors_at_start) return std::nullopt;  // another type's placeholder
    if (!a.reference_to.empty() && v.kind == doc::Kind::string && a.type != AttrType::string)
      return v.scalar;  // a literal cloud name in place of the attribute's table
    if (!matches(a.type, v.kind)) {
      error(v.pos, "attribute \"" + path + "\" must be " + with_article(a.type) + " (got " +
                       std::string(kind_name(v.kind)) + " " + (a.write_only ? "(sensitive value)" : brief(v)) + ")" +
                       type_hint(a.type, v));
      return std::nullopt;
    }
    size_t errors_before = errors_;
    Json value;
    if (a.type == AttrType::map) {
      value = Json::object();
      for (const doc::Entry& e : v.entries) {
        rc_.positions[path + "." + e.key] = e.value.pos;
        if (e.value.sensitive) rc_.sensitive.push_back(path + "." + e.key);
        if (e.value.kind != doc::Kind::string)
          error(e.value.pos, "attribute \"" + path + "." + e.key + "\" must be a string (got " +
                                 std::string(kind_name(e.value.kind)) + " " + brief(e.value) + ")");
        else if (!is_template(e.value, path + "." + e.key) || errors_ == errors_before)
          value[e.key] = e.value.scalar;
      }
    } else if ((a.type == AttrType::object || (a.type == AttrType::list && a.element == AttrType::object)) &&
        a.fields.empty()) {
      value = free_form(v, path);  // a map whose keys the schema leaves open, e.g. tags
    } else if (a.type == AttrType::object) {
      value = check_table(a.fields, v, path + ".");
    } else if (a.type == AttrType::list) {
      value = Json::array();
      for (size_t i = 0; i < v.items.size(); ++i) {
        Attribute element;
        element.name = a.name;
        element.type = a.element;
        element.fields = a.fields;
        element.reference_to = a.reference_to;
        if (std::optional<Json> item = check_value(element, v.items[i], path + "[" + std::to_string(i) + "]"))
          value.push_back(std::move(*item));
      }
    } else {
      value = v.scalar;
    }
    if (errors_ != errors_before) return std::nullopt;
    for (const resources::Rule& rule : a.rules) {
      if (std::optional<std::string> broken = rule(value)) {
        error(v.pos, "attribute \"" + path + "\" " + *broken +
                         (a.write_only ? std::string() : " (got " + brief(v) + ")"));
        return std::nullopt;  // one rule at a time: later rules often restate the first
      }
    }
    return value;
  }

  // A value taken as written, for tables and arrays the schema gives no keys for.
  Json free_form(const doc::Node& v, const std::string& path) {
    rc_.positions[path] = v.pos;
    if (v.sensitive) rc_.sensitive.push_back(path);
    is_template(v, path);
    switch (v.kind) {
      case doc::Kind::table: {
        Json out = Json::object();
        for (const doc::Entry& e : v.entries) out[e.key] = free_form(e.value, path + "." + e.key);
        return out;
      }
      case doc::Kind::array: {
        Json out = Json::array();
        for (size_t i = 0; i < v.items.size(); ++i)
          out.push_back(free_form(v.items[i], path + "[" + std::to_string(i) + "]"));
        return out;
      }
      default: return v.scalar;
    }
  }

  Json check_table(const std::vector<Attribute>& fields, const doc::Node& table, const std::string& prefix) {
    Json out = Json::object();
    std::set<std::string> present;
    std::vector<std::string> names = settable_names(fields);
    for (const doc::Entry& e : table.entries) {
      if (std::optional<Json> value = check_entry(fields, e, prefix, names)) out[e.key] = std::move(*value);
      present.insert(e.key);
    }
    std::string owner = prefix.substr(0, prefix.size() - 1);
    finish(fields, present, prefix, table.pos, owner, out);
    return out;
  }

  // Required attributes that are absent, and defaults for optional ones.
  void finish(const std::vector<Attribute>& fields, const std::set<std::string>& present, const std::string& prefix,
              const SourcePos& pos, const std::string& owner, Json& out) {
    for (const Attribute& a : fields) {
      if (present.count(a.name) || a.update == Update::computed || unreadable_.count(prefix + a.name)) continue;
      if (a.required) {
        error(pos, "attribute \"" + prefix + a.name + "\" is required; add " + a.name + " = ... to " + owner +
                       (a.description.empty() ? "" : ". " + a.description));
      } else if (!a.default_value.is_null()) {
        out[a.name] = a.default_value;
      }
    }
  }

  void check_block() {
    for (const resources::BlockProblem& p : schema_.check_block(rc_.attributes, rc_.count)) {
      std::string got;
      bool secret = std::any_of(rc_.sensitive.begin(), rc_.sensitive.end(), [&](const std::string& s) {
        return p.path.rfind(s, 0) == 0 || s.rfind(p.path, 0) == 0;
      });
      if (const Json* value = lookup(rc_.attributes, p.path); value && !secret)
        got = " (got " + value->dump(-1, ' ', false, Json::error_handler_t::replace) + ")";
      error(rc_.pos_of(p.path), "attribute \"" + p.path + "\" " + p.message + got);
    }
  }

  const ResourceSchema& schema_;
  ResourceConfig& rc_;
  std::vector<Diagnostic>& diags_;
  std::vector<PendingReference>& refs_;
  std::set<std::string> unreadable_;  // attributes whose lines_file or rows_file could not be read
  size_t errors_ = 0;
  size_t unknowns_ = 0;  // values holding a variable with no value (not checked)
};

}  // namespace

ResourceConfig validate_block(const ResourceSchema& schema, const std::string& label, const doc::Node& table,
                              std::vector<Diagnostic>& diags, std::vector<PendingReference>& refs) {
  ResourceConfig rc;
  rc.type = schema.type;
  rc.name = label;
  rc.pos = table.pos;
  BlockValidator(schema, rc, diags, refs).run(table);
  return rc;
}

std::optional<std::string> closest(std::string_view name, const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  size_t best_distance = 3;
  std::string wanted = lower(name);
  for (const std::string& c : candidates) {
    size_t d = edit_distance(wanted, lower(c));
    if (d < best_distance && d < wanted.size()) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

std::string suggestion(std::string_view name, const std::vector<std::string>& candidates) {
  if (std::optional<std::string> near = closest(name, candidates)) return "; did you mean \"" + *near + "\"?";
  if (candidates.empty()) return "";  // never "expected one of: " and nothing
  return "; expected one of: " + join(candidates);
}

}  // namespace cph::manifest::detail

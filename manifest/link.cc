// Cross-block checks: references, dependencies, cycles, duplicates.
#include "manifest/link.h"

#include <algorithm>
#include <set>

#include "manifest/limits.h"
#include "manifest/variables.h"
#include "resources/schema.h"

namespace cph::manifest::detail {
namespace {

bool any_sensitive(const doc::Node& n) {
  if (n.sensitive) return true;
  for (const doc::Node& item : n.items)
    if (any_sensitive(item)) return true;
  for (const doc::Entry& e : n.entries)
    if (any_sensitive(e.value)) return true;
  return false;
}

void collect_refs(const doc::Node& n, const std::string& path, std::vector<PendingReference>& out,
                  std::vector<Diagnostic>& diags, const std::string& owner) {
  for (size_t i = 0; i < n.items.size(); ++i) collect_refs(n.items[i], path + "[" + std::to_string(i) + "]", out, diags, owner);
  for (const doc::Entry& e : n.entries) collect_refs(e.value, path + "." + e.key, out, diags, owner);
  if (n.kind != doc::Kind::string) return;
  std::string why;
  std::optional<Template> t = parse_template(n.scalar.get<std::string>(), &why);
  if (!t) return diags.push_back(Diagnostic{n.pos, owner + ": \"" + path + "\" has an invalid interpolation: " + why});
  for (const TemplatePart& p : t->parts)
    if (p.ref) out.push_back(PendingReference{PendingReference::Kind::interpolation, *p.ref, n.pos, path});
}

std::string instance_name(const std::string& base, int index) {
  std::string digits = std::to_string(index + 1);
  return base + "-" + std::string(digits.size() < 4 ? 4 - digits.size() : 0, '0') + digits;
}

// "a -> b -> c -> a", with the middle left out of a long cycle.
std::string cycle_text(const std::vector<const std::string*>& path, size_t start, const std::string& to) {
  std::string chain;
  const size_t length = path.size() - start;
  for (size_t k = start; k < path.size(); ++k) {
    const size_t from_end = path.size() - k;
    if (length > limits::kMaxCycleShown && k - start >= limits::kMaxCycleShown / 2 &&
        from_end > limits::kMaxCycleShown / 2) {
      chain += "... (" + limits::with_commas(length - limits::kMaxCycleShown) + " more) -> ";
      k = path.size() - limits::kMaxCycleShown / 2 - 1;
      continue;
    }
    chain += *path[k] + " -> ";
  }
  return chain + to;
}

using Edges = std::map<std::string, std::map<std::string, SourcePos>>;

// Depth-first over the blocks with an explicit stack (a chain of 30,000
// depends_on must not exhaust the call stack); each cycle is reported once,
// at the reference that closes it.
void report_cycles(const std::map<std::string, ResourceConfig*>& blocks, const Edges& edges,
                   std::vector<Diagnostic>& diags) {
  static const std::map<std::string, SourcePos> none;
  auto out_of = [&](const std::string& node) -> const std::map<std::string, SourcePos>& {
    auto it = edges.find(node);
    return it == edges.end() ? none : it->second;
  };
  std::map<std::string, size_t> on_path;  // block -> its index in `path`
  std::set<std::string> done;
  std::vector<const std::string*> path;
  struct Frame {
    std::map<std::string, SourcePos>::const_iterator next, end;
  };
  std::vector<Frame> stack;
  for (const auto& [root, rc] : blocks) {
    if (done.count(root)) continue;
    auto enter = [&](const std::string& node) {
      on_path.emplace(node, path.size());
      path.push_back(&node);
      const auto& out = out_of(node);
      stack.push_back(Frame{out.begin(), out.end()});
    };
    enter(root);
    while (!stack.empty()) {
      Frame& f = stack.back();
      if (f.next == f.end) {
        done.insert(*path.back());
        on_path.erase(*path.back());
        path.pop_back();
        stack.pop_back();
        continue;
      }
      const std::string& to = f.next->first;
      ++f.next;
      if (auto cycle = on_path.find(to); cycle != on_path.end()) {
        size_t start = cycle->second;
        const std::string& second = start + 1 == path.size() ? to : *path[start + 1];
        const SourcePos& at = out_of(to).at(second);
        diags.push_back(Diagnostic{at, to + ": dependency cycle: " + cycle_text(path, start, to) +
                                           "; remove one of these references or depends_on entries"});
      } else if (!done.count(to) && blocks.count(to)) {
        enter(blocks.find(to)->first);
      }
    }
  }
}

// ResourceSchema::check_referenced: the rules of a block that depend on the
// blocks it names in its reference attributes (a [phones] block's
// properties against its servers' phone models).
void check_referenced(const Manifest& m, const std::map<std::string, ResourceConfig*>& blocks,
                      std::vector<Diagnostic>& diags) {
  for (const ResourceConfig& rc : m.resources) {
    const resources::ResourceSchema* schema = resources::find_schema(rc.type);
    if (!schema || !schema->check_referenced) continue;
    std::vector<std::pair<std::string, const Json*>> referenced;
    for (const resources::Attribute& a : schema->attributes) {
      if (a.reference_to.empty() || !rc.attributes.contains(a.name)) continue;
      const Json& v = rc.attributes[a.name];
      std::vector<std::string> written;
      if (v.is_string()) written.push_back(v.get<std::string>());
      for (const Json& item : v.is_array() ? v : Json::array())
        if (item.is_string()) written.push_back(item.get<std::string>());
      for (const std::string& text : written) {
        std::optional<Reference> ref = parse_reference(text, false);
        if (!ref || ref->is_variable()) continue;  // a literal cloud name
        auto target = blocks.find(ref->block());
        if (target != blocks.end()) referenced.emplace_back(ref->block(), &target->second->attributes);
      }
    }
    for (const resources::BlockProblem& p : schema->check_referenced(rc.attributes, referenced))
      diags.push_back(Diagnostic{rc.pos_of(p.path), rc.address() + ": attribute \"" + p.path + "\" " + p.message});
  }
}

}  // namespace

void read_outputs(const doc::Entry& entry, std::vector<Output>& outputs,
                  std::map<std::string, std::vector<PendingReference>>& refs, std::vector<Diagnostic>& diags) {
  if (entry.value.kind != doc::Kind::table)
    return diags.push_back(Diagnostic{entry.value.pos, "outputs are declared as [output.NAME] tables"});
  static const std::vector<std::string> keys = {"value", "description", "sensitive"};
  for (const doc::Entry& decl : entry.value.entries) {
    std::string owner = "output." + decl.key;
    auto error = [&](const SourcePos& pos, const std::string& m) { diags.push_back(Diagnostic{pos, owner + ": " + m}); };
    if (decl.value.kind != doc::Kind::table) {
      error(decl.value.pos, "must be a table, written [" + owner + "]");
      continue;
    }
    auto seen = std::find_if(outputs.begin(), outputs.end(), [&](const Output& o) { return o.name == decl.key; });
    if (seen != outputs.end()) {
      error(decl.value.pos, "is also declared at " + seen->pos.str() + "; output names must be unique");
      continue;
    }
    Output o;
    o.name = decl.key;
    o.pos = decl.value.pos;
    const doc::Node* value = nullptr;
    for (const doc::Entry& e : decl.value.entries) {
      if (e.key == "value") {
        value = &e.value;
      } else if (e.key == "description") {
        if (e.value.kind != doc::Kind::string) error(e.value.pos, "\"description\" must be a string");
        else o.description = e.value.scalar.get<std::string>();
      } else if (e.key == "sensitive") {
        if (e.value.kind != doc::Kind::boolean) error(e.value.pos, "\"sensitive\" must be true or false");
        else o.sensitive = e.value.scalar.get<bool>();
      } else {
        error(e.key_pos, "unknown attribute \"" + e.key + "\"" + suggestion(e.key, keys));
      }
    }
    if (!value) {
      error(decl.value.pos, "attribute \"value\" is required, e.g. value = \"${server.web[0].public_ip}\"");
      continue;
    }
    if (any_sensitive(*value) && !o.sensitive)
      error(value->pos, "the value comes from a sensitive variable; set sensitive = true on the output");
    o.expression = to_json(*value);
    collect_refs(*value, "value", refs[owner], diags, owner);
    outputs.push_back(std::move(o));
  }
}

void link(Manifest& m, const std::map<std::string, std::vector<PendingReference>>& refs,
          std::vector<Diagnostic>& diags) {
  std::map<std::string, ResourceConfig*> blocks;
  for (ResourceConfig& rc : m.resources) blocks[rc.address()] = &rc;
  // from block -> to block -> where the first reference is written
  Edges edges;

  for (const auto& [owner, list] : refs) {
    for (const PendingReference& p : list) {
      const Reference& r = p.ref;
      if (r.is_variable()) continue;  // substituted before validation
      const auto& from = owner;  // clang 14 cannot capture a structured binding
      auto error = [&](const std::string& why) {
        diags.push_back(Diagnostic{p.pos, from + ": \"" + p.path + "\" refers to " + r.str() + ", " + why});
      };
      const resources::ResourceSchema* schema = resources::find_schema(r.type);
      if (!schema) {
        error("but there is no resource type \"" + r.type + "\"");
        continue;
      }
      auto target = blocks.find(r.block());
      if (target == blocks.end()) {
        std::vector<std::string> same_type;
        for (const auto& [address, rc] : blocks)
          if (rc->type == r.type) same_type.push_back(rc->name);
        std::string hint = same_type.empty() ? "; declare a [" + r.block() + "] block"
                                             : suggestion(r.name, same_type);
        error("but no block [" + r.block() + "] is declared" + hint);
        continue;
      }
      const ResourceConfig& t = *target->second;
      if (r.index && !t.count) {
        error("but " + r.block() + " has no count; refer to it without an index");
        continue;
      }
      if (r.index && *r.index >= *t.count) {
        error("but the index " + std::to_string(*r.index) + " is out of range: " + r.block() + " has count = " +
              std::to_string(*t.count) +
              (*t.count == 0 ? " (no instances)" : " (indexes 0.." + std::to_string(*t.count - 1) + ")"));
        continue;
      }
      if (p.kind == PendingReference::Kind::interpolation) {
        if (!schema->find(r.attribute)) {
          std::vector<std::string> names;
          for (const resources::Attribute& a : schema->attributes) names.push_back(a.name);
          error("but \"" + r.type + "\" has no attribute \"" + r.attribute + "\"" + suggestion(r.attribute, names));
          continue;
        }
        if (!r.index && t.count) {
          error("but " + r.block() + " has count = " + std::to_string(*t.count) + "; pick one instance, e.g. " +
                r.block() + "[0]." + r.attribute);
          continue;
        }
      }
      edges[owner].emplace(r.block(), p.pos);
    }
  }

  for (ResourceConfig& rc : m.resources) {
    rc.depends_on.clear();
    for (const auto& [to, pos] : edges[rc.address()]) rc.depends_on.push_back(to);  // map keys: sorted, unique
  }

  report_cycles(blocks, edges, diags);
  check_referenced(m, blocks, diags);

  // Instance names: with count, NAME-0001, NAME-0002, ...
  std::map<std::string, std::map<std::string, std::string>> names;  // type -> instance name -> instance address
  for (const ResourceConfig& rc : m.resources) {
    const resources::ResourceSchema* schema = resources::find_schema(rc.type);
    if (!schema || !schema->supports_count || !rc.attributes.contains("name") || !rc.attributes["name"].is_string())
      continue;
    std::string base = rc.attributes["name"].get<std::string>();
    if (base.find("${") != std::string::npos) continue;
    int n = rc.count.value_or(1);
    for (int i = 0; i < n; ++i) {
      std::string name = rc.count ? instance_name(base, i) : base;
      std::string address = rc.count ? rc.address() + "[" + std::to_string(i) + "]" : rc.address();
      auto [it, fresh] = names[rc.type].emplace(name, address);
      if (!fresh) {
        diags.push_back(Diagnostic{rc.pos_of("name"),
                                   rc.address() + ": attribute \"name\" gives " + address + " the " + rc.type +
                                       " name \"" + name + "\", which " + it->second +
                                       " also has; instance names must be unique (with count, NAME-0001, "
                                       "NAME-0002, ... are used), rename one"});
        break;
      }
    }
  }

  // Two blocks of one type claiming the same cloud object.
  std::map<std::string, std::string> claimed;  // type + identity value -> address
  for (const ResourceConfig& rc : m.resources) {
    const resources::ResourceSchema* schema = resources::find_schema(rc.type);
    if (!schema || schema->identity.empty() || !rc.attributes.contains(schema->identity)) continue;
    const Json& v = rc.attributes[schema->identity];
    if (v.is_null() || (v.is_string() && v.get<std::string>().find("${") != std::string::npos)) continue;
    // A list of addresses (the servers of a [phones] block) claims each
    // instance it names: "server.game" with count = 2 is server.game[0]
    // and server.game[1].
    std::vector<Json> claims;
    for (const Json& item : v.is_array() ? v : Json::array({v})) {
      std::optional<Reference> ref = item.is_string() ? parse_reference(item.get<std::string>(), false) : std::nullopt;
      auto target = ref && !ref->index ? blocks.find(ref->block()) : blocks.end();
      if (v.is_array() && target != blocks.end() && target->second->count)
        for (int i = 0; i < *target->second->count; ++i) claims.push_back(Json(ref->block() + "[" + std::to_string(i) + "]"));
      else
        claims.push_back(item);
    }
    for (const Json& claim : claims) {
      auto [it, fresh] = claimed.emplace(rc.type + "\n" + claim.dump(), rc.address());
      if (fresh) continue;
      diags.push_back(Diagnostic{rc.pos_of(schema->identity),
                                 rc.address() + ": attribute \"" + schema->identity + "\" names the same " + rc.type +
                                     " as " + it->second + " (" + claim.dump() + "); two blocks cannot manage one "
                                     "cloud object, remove one"});
      break;
    }
  }
}

}  // namespace cph::manifest::detail

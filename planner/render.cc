#include "planner/render.h"

#include <algorithm>
#include <iterator>
#include <set>
#include <sstream>
#include <vector>

#include "common/ansi.h"
#include "planner/sensitive.h"

namespace cph::planner {

namespace {
// Stands for a sensitive value in the redacted copy a rendering works on;
// render_value prints it as "(sensitive value)", unquoted, as Terraform does.
const nlohmann::json& sensitive_mark() {
  static const nlohmann::json mark = std::string("\x01cphform-sensitive\x01");
  return mark;
}
}  // namespace

std::string render_value(const nlohmann::json& v) {
  if (v.is_null()) return "(unset)";
  if (v == sensitive_mark()) return kSensitiveText;
  if (v.is_object()) {
    std::string out = "{ ";
    bool first = true;
    for (auto it = v.begin(); it != v.end(); ++it) {
      out += (first ? "" : ", ") + it.key() + " = " + render_value(it.value());
      first = false;
    }
    return out + " }";
  }
  if (v.is_array()) {
    std::string out = "[";
    for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + render_value(v[i]);
    return out + "]";
  }
  return v.dump();
}

namespace {

using ansi::paint;

// The action's sign, coloured as Terraform colours it on a terminal: green
// for what is bought, red for what is released, yellow for in-place changes
// (the "!" of a switch in red: its phones' data is lost).
std::string symbol(ActionKind k, bool color) {
  switch (k) {
    case ActionKind::create: return "  " + paint(color, ansi::kGreen, "+");
    case ActionKind::update: return "  " + paint(color, ansi::kYellow, "~");
    case ActionKind::switch_phones: return " " + paint(color, ansi::kRed, "!") + paint(color, ansi::kYellow, "~");
    case ActionKind::replace: return paint(color, ansi::kRed, "-") + "/" + paint(color, ansi::kGreen, "+");
    case ActionKind::remove: return "  " + paint(color, ansi::kRed, "-");
  }
  return "  ?";
}

bool state_only(const Action& a) {
  return a.kind == ActionKind::update && a.operations == std::vector<std::string>{"record"};
}

std::string headline(const Action& a) {
  switch (a.kind) {
    case ActionKind::create: return "will be created";
    case ActionKind::update:
      if (!a.requested.empty()) return "will be updated in-place (" + a.requested + " requested)";
      return state_only(a) ? "will be updated in the state only (the change applies to new orders; no call)"
                           : "will be updated in-place";
    case ActionKind::switch_phones: return "will be switched in place (its phones are recreated: PHONE DATA IS LOST)";
    case ActionKind::replace: return "must be replaced";
    case ActionKind::remove: return "will be destroyed";
  }
  return "";
}

// "server.web[0]" -> server "web[0]"
std::string resource_label(const Action& a) {
  return a.type + " \"" + a.address.substr(a.type.size() + 1) + "\"";
}

size_t key_width(const nlohmann::json& obj) {
  size_t w = 0;
  if (obj.is_object())
    for (auto it = obj.begin(); it != obj.end(); ++it) w = std::max(w, it.key().size());
  return w;
}

// Lists longer than this (the rows of a phones_file) are shown by the
// elements that changed, not whole twice.
constexpr size_t kWholeListAtMost = 10;
// Elements of each side listed; more are counted.
constexpr size_t kListedElements = 20;

// "~ phones = [20000 elements: 1 removed, 1 added]" and the elements that
// left (-) or came (+), compared by value. False when the change is not of
// a long list.
bool render_list_change(std::ostringstream& out, const AttrChange& c, const std::string& label, bool color) {
  if (!c.before.is_array() || !c.after.is_array() ||
      std::max(c.before.size(), c.after.size()) <= kWholeListAtMost)
    return false;
  std::multiset<std::string> before, after;
  for (const nlohmann::json& e : c.before) before.insert(e.dump());
  for (const nlohmann::json& e : c.after) after.insert(e.dump());
  std::vector<std::string> gone, came;
  std::set_difference(before.begin(), before.end(), after.begin(), after.end(), std::back_inserter(gone));
  std::set_difference(after.begin(), after.end(), before.begin(), before.end(), std::back_inserter(came));
  out << "      " << paint(color, ansi::kYellow, "~") << " " << label << " = [" << c.after.size() << " elements: "
      << gone.size() << " removed, " << came.size() << " added]";
  if (c.forces_replacement) out << " " << paint(color, ansi::kRed, "# forces replacement");
  out << "\n";
  auto list = [&](const std::vector<std::string>& elements, const std::string& sign) {
    for (size_t i = 0; i < elements.size() && i < kListedElements; ++i)
      out << "          " << sign << " " << render_value(nlohmann::json::parse(elements[i])) << "\n";
    if (elements.size() > kListedElements)
      out << "          " << sign << " ... " << elements.size() - kListedElements << " more\n";
  };
  list(gone, paint(color, ansi::kRed, "-"));
  list(came, paint(color, ansi::kGreen, "+"));
  return true;
}

void render_action(std::ostringstream& out, const Action& a, bool color) {
  out << "  " << paint(color, ansi::kBold, "# " + a.address + " " + headline(a)) << "\n";
  if (!a.reason.empty()) out << "  # (because " << a.reason << ")\n";
  if (a.kind == ActionKind::replace && a.type == "server")
    out << "  # (releasing and buying it again loses its phones' data and places a new paid order: apply needs "
        << "-allow-data-loss or lifecycle.allow_data_loss)\n";
  out << symbol(a.kind, color) << " " << resource_label(a) << " {\n";
  auto pad = [](const std::string& k, size_t w) { return k + std::string(w > k.size() ? w - k.size() : 0, ' '); };
  if (a.kind == ActionKind::create || a.kind == ActionKind::remove) {
    const nlohmann::json& attrs = a.kind == ActionKind::create ? a.after : a.before;
    const std::string sign = a.kind == ActionKind::create ? paint(color, ansi::kGreen, "+") : paint(color, ansi::kRed, "-");
    size_t w = key_width(attrs);
    for (auto it = attrs.begin(); it != attrs.end(); ++it) {
      if (it.value().is_null()) continue;
      out << "      " << sign << " " << pad(it.key(), w) << " = " << render_value(it.value()) << "\n";
    }
  } else {
    size_t w = 2;
    for (const auto& c : a.changes) w = std::max(w, c.name.size());
    if (!a.cloud_id.empty()) out << "        " << pad("id", w) << " = \"" << a.cloud_id << "\"\n";
    for (const auto& c : a.changes) {
      if (render_list_change(out, c, pad(c.name, w), color)) continue;
      out << "      " << paint(color, ansi::kYellow, "~") << " " << pad(c.name, w) << " = " << render_value(c.before) << " -> " << render_value(c.after);
      if (c.forces_replacement) out << " " << paint(color, ansi::kRed, "# forces replacement");
      if (c.next_order) out << " # applies to new orders and renewals only";
      out << "\n";
    }
  }
  out << "    }\n\n";
}

}  // namespace

std::string render_summary(const Plan& plan, bool color) {
  if (!plan.has_changes())
    return paint(color, ansi::kBoldGreen, "No changes.") + " Your infrastructure matches the configuration.";
  std::ostringstream out;
  out << paint(color, ansi::kBold, "Plan:") << " " << plan.to_add() << " to add, " << plan.to_change() << " to change, " << plan.to_destroy()
      << " to destroy.";
  return out.str();
}

std::string render_drift(const Plan& given, const RenderOptions& options) {
  const bool color = options.color;
  const Plan plan = redacted(given, sensitive_mark());
  std::ostringstream out;
  if (plan.drift.empty()) {
    out << paint(color, ansi::kBoldGreen, "No changes.") << " Your infrastructure still matches the recorded state.\n";
    return out.str();
  }
  out << paint(color, ansi::kBold, "Objects have changed outside of cphform:") << "\n\n";
  for (const Drift& d : plan.drift) {
    // With several providers, which one saw it ("id X, provider.east").
    const std::string where = d.provider.empty() ? "" : ", provider." + d.provider;
    if (d.deleted) {
      out << "  " << paint(color, ansi::kBold, "# " + d.address + " has been deleted (id " + d.cloud_id + where + ")") << "\n\n";
      continue;
    }
    out << "  " << paint(color, ansi::kBold, "# " + d.address + " has changed (id " + d.cloud_id + where + ")") << "\n";
    for (const auto& c : d.changes)
      out << "  " << paint(color, ansi::kYellow, "~") << " " << c.name << " = " << render_value(c.before) << " -> " << render_value(c.after) << "\n";
    out << "\n";
  }
  out << "Refresh-only plan: " << plan.drift.size() << " resource(s) to update in the state; nothing changes in "
      << "the cloud.\n";
  return out.str();
}

std::string render_dot(const Plan& plan) {
  // Escapes a piece of a DOT string; lines are joined with DOT's own "\n".
  auto escaped = [](const std::string& text) {
    std::string out;
    for (char c : text) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    return out;
  };
  std::ostringstream out;
  out << "digraph cphform {\n  rankdir = LR;\n  node [shape = box];\n";
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const Step& s = plan.steps[i];
    out << "  step" << (i + 1) << " [label = \"" << escaped(s.operation);
    for (size_t a : s.actions) out << "\\n" << escaped(plan.actions[a].address);
    out << "\"];\n";
  }
  for (size_t i = 0; i < plan.steps.size(); ++i)
    for (size_t before : plan.steps[i].after) out << "  step" << (before + 1) << " -> step" << (i + 1) << ";\n";
  out << "}\n";
  return out.str();
}

std::string render_plan(const Plan& given, const RenderOptions& options) {
  const bool color = options.color;
  const Plan plan = redacted(given, sensitive_mark());
  std::ostringstream out;
  if (!plan.pending.empty()) {
    out << "Unfinished operations from an earlier run (apply resumes them first):\n";
    for (const auto& p : plan.pending) out << "  resuming: " << p.description << "\n";
    out << "\n";
  }
  for (const auto& v : plan.vanished)
    out << "Note: " << v << " is recorded in state but no longer exists in the cloud (deleted outside cphform).\n";
  if (!plan.vanished.empty()) out << "\n";
  // A server out of the normal state (an abnormal one a failed purchase
  // left, cph-api.md 3.1) is shown on every plan until it is dealt with.
  bool broken = false;
  for (const Drift& d : plan.drift)
    for (const auto& c : d.changes)
      if (c.name == "status" && c.after.is_number_integer() && c.after != Json(5)) {
        out << "Note: " << d.address << " (id " << d.cloud_id << ") is not normal: status = " << render_value(c.before)
            << " -> " << render_value(c.after) << (c.after == Json(2) ? " (abnormal)" : "")
            << ". Replace it with -replace=" << d.address << ", or release it by removing it from the manifests.\n";
        broken = true;
      }
  if (broken) out << "\n";
  if (!plan.actions.empty()) {
    out << paint(color, ansi::kBold, "cphform will perform the following actions:") << "\n\n";
    for (const Action& a : plan.actions) render_action(out, a, color);
    out << paint(color, ansi::kBold, "Execution graph:") << "\n";
    for (size_t i = 0; i < plan.steps.size(); ++i) {
      const Step& s = plan.steps[i];
      out << "  " << (i + 1) << ". " << s.operation << " ";
      for (size_t k = 0; k < s.actions.size(); ++k) out << (k ? ", " : "") << plan.actions[s.actions[k]].address;
      if (!s.batch.empty()) out << " (" << s.batch << ")";
      if (!s.after.empty()) {
        out << " after step";
        for (size_t k = 0; k < s.after.size(); ++k) out << (k ? ", " : " ") << (s.after[k] + 1);
      }
      out << "\n";
    }
    out << "\n";
  }
  out << render_summary(plan, color) << "\n";
  return out.str();
}

}  // namespace cph::planner

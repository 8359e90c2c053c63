// drift: a read-only report of what changed outside cphform. It takes no
// write lock and writes nothing but its -out report (0600); exit 0 no drift,
// 2 drift, 1 error (a report that could not be written included).
// -phone-properties adds what only one read per object reports (the
// providers' detail_drift: CPH phone properties, one call per phone);
// without it the report says what was not compared.
#include <algorithm>
#include <iostream>
#include <set>
#include <sstream>

#include "cli/command.h"
#include "planner/render.h"
#include "planner/sensitive.h"
#include "resources/schema.h"

namespace cph::engine {

namespace asio = boost::asio;
using Json = nlohmann::json;

namespace {

// Glob match where only '*' is special (any run of characters), so that
// brackets in addresses ("server.web[*]") are literal.
bool glob_match(const std::string& pattern, const std::string& text) {
  size_t p = 0, t = 0, star = std::string::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool ignored(const std::vector<std::string>& patterns, const std::string& what) {
  return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& p) { return glob_match(p, what); });
}

// Which unmanaged servers to report: a name prefix and/or tags (-tag
// KEY=VALUE, repeatable, all required). Neither: none are reported.
using resources::UnmanagedFilter;

std::vector<std::pair<std::string, std::string>> parse_tag_filters(const std::vector<std::string>& values) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& v : values) {
    auto eq = v.find('=');
    if (eq == std::string::npos || eq == 0) throw UsageError("-tag takes KEY=VALUE (got \"" + v + "\")");
    out.emplace_back(v.substr(0, eq), v.substr(eq + 1));
  }
  return out;
}

// The drift findings with, for each attribute, what the manifest wants;
// [drift] ignore patterns leave matching findings out.
Json drift_report(const planner::Plan& plan, const Inventories& live, const UnmanagedFilter& filter,
                  const std::set<std::string>& managed_ids, const std::vector<std::string>& ignore) {
  Json drift = Json::array();
  for (const planner::Drift& d : plan.drift) {
    if (d.deleted && ignored(ignore, d.address)) continue;
    const planner::Action* action = nullptr;
    for (const auto& a : plan.actions)
      if (a.address == d.address) action = &a;
    Json changes = Json::array();
    for (const auto& c : d.changes) {
      if (ignored(ignore, d.address + "." + c.name)) continue;
      // Without a planned action the manifest agrees with the live value.
      Json wanted = c.after;
      if (action && action->after.is_object() && action->after.contains(c.name)) wanted = action->after[c.name];
      if (action && action->kind == planner::ActionKind::remove) wanted = nullptr;
      // Values of sensitive variables are left out (null) and the change marked.
      const std::vector<std::string>& secret = d.sensitive;
      Json change = {{"attribute", c.name},
                     {"recorded", planner::masked(c.before, secret, nullptr, c.name)},
                     {"live", planner::masked(c.after, secret, nullptr, c.name)},
                     {"manifest", planner::masked(wanted, secret, nullptr, c.name)}};
      if (planner::touches_sensitive(secret, c.name)) change["sensitive"] = true;
      changes.push_back(std::move(change));
    }
    if (!d.deleted && changes.empty()) continue;
    drift.push_back({{"address", d.address}, {"cloud_id", d.cloud_id}, {"deleted", d.deleted}, {"changes", changes}});
    // Several providers: which instance (and region) reported it.
    if (!d.provider.empty()) drift.back()["provider"] = d.provider;
  }
  // Unmanaged objects of every instance; with several, each says whose it is.
  Json unmanaged = Json::array();
  for (const auto& [instance, inventory] : live)
    for (Json& u : inventory->unmanaged(managed_ids, filter)) {
      if (live.size() > 1) u["provider"] = instance;
      unmanaged.push_back(std::move(u));
    }
  return {{"format_version", "1.0"},
          {"drift", drift},
          {"unmanaged", unmanaged},
          {"has_drift", !drift.empty() || !unmanaged.empty()}};
}

// One value of a drift change for people: "(sensitive value)" when it holds one.
std::string shown(const Json& change, const char* key) {
  return change.value("sensitive", false) ? planner::kSensitiveText : planner::render_value(change[key]);
}

// ", provider.east in cn-east-3" for a finding of one of several providers.
std::string where(const Json& finding) {
  if (!finding.contains("provider")) return "";
  return ", provider." + finding["provider"].get<std::string>() +
         (finding.contains("region") ? " in " + finding["region"].get<std::string>() : "");
}

// The findings of the providers' per-object reads (-phone-properties),
// added to the report under their rows' addresses; without the flag, what
// they would have compared.
asio::awaitable<void> add_detail_drift(Session& s, bool read, Json& report) {
  Json not_compared = Json::array();
  for (CloudConnection* c : s.conn.instances()) {
    std::vector<resources::RecordedObject> rows;
    for (const auto& row : s.store->resources()) {
      const resources::ResourceSchema* schema = resources::find_schema(row.type);
      const std::string owner = row.provider.empty() && schema ? schema->provider_type : row.provider;
      if (owner == c->name || (row.provider.empty() && s.conn.instances().size() == 1))
        rows.push_back({row.address, row.type, row.cloud_id, row.attributes});
    }
    const resources::DetailDrift found = co_await c->provider->detail_drift(rows, read);
    if (!found.not_compared.empty()) not_compared.push_back(found.not_compared);
    for (const auto& f : found.findings) {
      Json* entry = nullptr;
      for (Json& d : report["drift"])
        if (d["address"] == f.address) entry = &d;
      if (!entry) {
        report["drift"].push_back({{"address", f.address}, {"cloud_id", f.address}, {"deleted", false},
                                   {"changes", Json::array()}});
        if (s.conn.instances().size() > 1) report["drift"].back()["provider"] = c->name;
        entry = &report["drift"].back();
      }
      (*entry)["changes"].push_back(f.change);
    }
  }
  if (!report["drift"].empty()) report["has_drift"] = true;
  if (!not_compared.empty()) report["not_compared"] = not_compared;
}

// A change of one of a row's objects (a phone): which, then its values.
bool of_object(const Json& change) { return change.contains("object"); }

std::string render_text(const Json& r) {
  std::ostringstream out;
  std::string hint;
  for (const Json& n : r.value("not_compared", Json::array()))
    hint += "Not compared: " + n.get<std::string>() + " (read one call per phone; cphform drift -phone-properties "
            "compares them).\n";
  if (!r["has_drift"].get<bool>()) {
    out << "No drift: the cloud matches the recorded state.\n" << hint;
    return out.str();
  }
  out << "Drift detected: " << r["drift"].size() << " managed resource(s) changed outside cphform";
  if (!r["unmanaged"].empty()) out << ", " << r["unmanaged"].size() << " unmanaged server(s) found";
  out << ".\n\n";
  for (const Json& d : r["drift"]) {
    out << d["address"].get<std::string>() << " (id " << d["cloud_id"].get<std::string>()
        << where(d) << ")";
    if (d["deleted"].get<bool>()) {
      out << ": deleted outside cphform\n";
      continue;
    }
    out << ":\n";
    for (const Json& c : d["changes"])
      if (of_object(c))
        out << "  " << c["attribute"].get<std::string>() << ": " << c["object"].get<std::string>() << ": recorded "
            << shown(c, "recorded") << ", now " << shown(c, "live") << "\n";
      else
        out << "  " << c["attribute"].get<std::string>() << ": recorded " << shown(c, "recorded") << ", now "
            << shown(c, "live") << " (manifest: " << shown(c, "manifest") << ")\n";
  }
  if (!r["unmanaged"].empty()) {
    out << "\nUnmanaged servers:\n";
    for (const Json& u : r["unmanaged"])
      out << "  " << u["server_name"].get<std::string>() << " (id " << u["server_id"].get<std::string>()
          << (u["tags"].empty() ? "" : ", tags " + planner::render_value(u["tags"])) << where(u) << ")\n";
  }
  return out.str();
}

std::string md_cell(const Json& change, const char* key) {
  std::string s = shown(change, key);
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return "`" + out + "`";
}

std::string render_markdown(const Json& r) {
  std::ostringstream out;
  out << "### cphform drift report\n\n";
  if (!r["has_drift"].get<bool>()) {
    out << "No drift: the cloud matches the recorded state.\n";
    return out.str();
  }
  out << "| Resource | Attribute | Recorded | Live | Manifest |\n|---|---|---|---|---|\n";
  for (const Json& d : r["drift"]) {
    std::string addr = "`" + d["address"].get<std::string>() + "`" + where(d);
    if (d["deleted"].get<bool>()) {
      out << "| " << addr << " | *(deleted outside cphform)* | | | |\n";
      continue;
    }
    for (const Json& c : d["changes"])
      out << "| " << addr << " | " << c["attribute"].get<std::string>()
          << (of_object(c) ? " of " + c["object"].get<std::string>() : std::string()) << " | " << md_cell(c, "recorded")
          << " | " << md_cell(c, "live") << " | " << (of_object(c) ? std::string() : md_cell(c, "manifest")) << " |\n";
  }
  if (!r["unmanaged"].empty()) {
    out << "\n**Unmanaged servers:**\n\n";
    for (const Json& u : r["unmanaged"])
      out << "- `" << u["server_name"].get<std::string>() << "` (id `" << u["server_id"].get<std::string>() << "`"
          << where(u) << ")\n";
  }
  return out.str();
}

}  // namespace

asio::awaitable<int> cmd_drift(Context& ctx, const Flags& flags) {
  std::string format = flags.get("format", "text");
  if (format != "text" && format != "json" && format != "markdown")
    throw UsageError("-format must be text, json or markdown");
  const UnmanagedFilter filter{flags.get("name-prefix"), parse_tag_filters(flags.all("tag"))};
  const SessionOptions read_only;  // named: GCC 12 double-destroys braced temporaries passed to coroutines
  auto s = co_await open_session(ctx, read_only);
  std::ostringstream sink;  // keep the report clean: the refresh line goes nowhere
  Context quiet{ctx.dir, ctx.in, sink, ctx.err};
  Inventories live;
  planner::Plan plan = co_await refresh_and_plan(quiet, *s, false, &live, nullptr, filter.active());
  std::set<std::string> managed;
  for (const auto& row : s->store->resources()) managed.insert(row.cloud_id);
  for (const auto& p : plan.pending)
    for (const auto& id : p.entry.response.value("server_ids", std::vector<std::string>{})) managed.insert(id);
  Json report = drift_report(plan, live, filter, managed, s->ws.manifest.drift.ignore);
  co_await add_detail_drift(*s, flags.has("phone-properties"), report);
  for (const char* findings : {"drift", "unmanaged"})
    for (Json& d : report[findings])
      if (d.contains("provider"))
        if (const manifest::ProviderConfig* p = s->ws.manifest.find_provider(d["provider"].get<std::string>()))
          if (p->region) d["region"] = *p->region;
  if (ctx.json) {
    for (const Json& d : report["drift"])
      ctx.json->emit("resource_drift", "info",
                     d["address"].get<std::string>() +
                         (d["deleted"].get<bool>() ? ": deleted outside cphform" : ": changed outside cphform"),
                     {{"change", {{"resource", JsonEvents::resource(d["address"].get<std::string>())},
                                  {"action", d["deleted"].get<bool>() ? "delete" : "update"},
                                  {"cloud_id", d["cloud_id"]},
                                  {"changes", d["changes"]}}}});
    for (const Json& u : report["unmanaged"])
      ctx.json->emit("unmanaged_server", "info", "unmanaged server " + u["server_name"].get<std::string>(),
                     {{"server", u}});
    ctx.json->emit("drift_summary", "info", report["has_drift"].get<bool>() ? "Drift detected" : "No drift",
                   {{"has_drift", report["has_drift"]},
                    {"drifted", report["drift"].size()},
                    {"unmanaged", report["unmanaged"].size()}});
    co_return report["has_drift"].get<bool>() ? 2 : 0;
  }
  std::string text = format == "json" ? report.dump() + "\n" : format == "markdown" ? render_markdown(report) : render_text(report);
  if (flags.has("out")) {
    write_private_file(flags.get("out"), text, "the drift report");  // throws: exit 1 with the reason
    ctx.out << "Wrote the drift report to " << flags.get("out") << "\n";
  } else {
    ctx.out << text;
  }
  co_return report["has_drift"].get<bool>() ? 2 : 0;
}

}  // namespace cph::engine

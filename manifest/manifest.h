// Manifests: every *.toml in a directory, parsed and validated against the
// resource schemas into typed, defaulted resource configurations. Nothing
// here talks to the cloud or the state; a manifest error is found before any
// request is sent or any row is written.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace cph::manifest {

using Json = nlohmann::json;

struct SourcePos {
  std::string file;  // as given (relative to the working directory when loaded from a dir)
  int line = 0;      // 1-based; 0 when unknown
  int column = 0;    // 1-based; 0 when unknown
  std::string str() const;  // "file:line:column"
};

struct Diagnostic {
  SourcePos pos;
  std::string message;  // names the attribute, the rule and how to fix it
  std::string str() const;  // "file:line:column: error: message"
};

// One or more errors; what() lists them all, one per line.
struct ManifestError : std::runtime_error {
  explicit ManifestError(std::vector<Diagnostic> diagnostics);
  std::vector<Diagnostic> diagnostics;
};

// [provider]: all keys optional.
struct ProviderConfig {
  std::string endpoint = "emulator";  // "emulator" or an http(s) URL
  std::optional<std::string> region;      // default HW_REGION_NAME
  std::optional<std::string> project_id;  // default HW_PROJECT_ID
  SourcePos pos;
};

// One resource block, e.g. [server.web]. Instances are expanded by the planner.
struct ResourceConfig {
  std::string type;                 // "server"
  std::string name;                 // "web" (the block label)
  std::optional<int> count;         // the count meta-argument, when set
  Json attributes = Json::object(); // validated, defaults applied, by attribute name
  std::map<std::string, SourcePos> positions;  // "bandwidth.size" -> where it was written
  SourcePos pos;                    // the table header
  std::string address() const { return type + "." + name; }
  // Position of an attribute path, falling back to the block header.
  const SourcePos& pos_of(const std::string& path) const;
};

// [backend]: where the state lives. SQLite (.cphform/state.db) by default;
// "pg" for a team's PostgreSQL. The connection string is better left to
// CPHFORM_PG_CONN or the PG* variables than written in a manifest.
struct BackendSettings {
  std::string type = "sqlite";      // "sqlite" or "pg"
  std::optional<std::string> conn;  // postgres:// URL or key=value string (pg only)
  SourcePos pos;
};

// [drift]: what `cphform drift` does not report.
struct DriftConfig {
  // Patterns over "ADDRESS.ATTRIBUTE" (a changed attribute) or "ADDRESS" (a
  // deleted server); `*` matches any run of characters, e.g.
  // "server.*.name" or "server.web[*]".
  std::vector<std::string> ignore;
  SourcePos pos;
};

struct Manifest {
  ProviderConfig provider;
  BackendSettings backend;
  DriftConfig drift;
  std::vector<ResourceConfig> resources;  // sorted by address
  std::vector<std::string> files;         // the files read, sorted
  std::string digest;                     // sha256 over the files' names and bytes
  const ResourceConfig* find(std::string_view address) const;
};

// Reads every *.toml file in dir (not recursive). Throws ManifestError.
Manifest load_manifest_dir(const std::filesystem::path& dir);
// Parses one document; `filename` is used in diagnostics. Throws ManifestError.
Manifest parse_manifest(std::string_view toml_text, const std::string& filename);

}  // namespace cph::manifest

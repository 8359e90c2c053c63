// Manifests: every *.toml in a directory, parsed and validated against the
// resource schemas into typed, defaulted resource configurations. Nothing
// here talks to the cloud or the state; a manifest error is found before any
// request is sent or any row is written.
#pragma once

#include <filesystem>
#include <map>
#include <chrono>
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

// [provider] or [provider.NAME] (issue 13, named providers): all keys
// optional, except `type` for a NAME that is not a provider type.
struct ProviderConfig {
  // The instance name resources choose it by (provider = "provider.east").
  // The single [provider] form, and the implicit provider when none is
  // declared, are named after their type ("cph").
  std::string name = {};
  std::string type = {};  // "cph": the provider type (resources::ResourceSchema::provider_type)
  // "emulator" (the built-in one, only when asked for by name), an http(s)
  // URL, or "" (unset): Huawei Cloud's https://cph.{region}.myhuaweicloud.com.
  std::string endpoint;
  std::optional<std::string> region;      // default HW_REGION_NAME
  std::optional<std::string> project_id;  // default HW_PROJECT_ID
  // Who pays the orders (resources::Payment): "auto" (the order pays itself),
  // "bss" (cphform pays it through BSS) or "manual" (apply stops at it).
  std::string pay_orders = "auto";
  // timeouts = { connect = "10s", tls = "10s", read = "30s", request = "60s" }:
  // the deadlines of every HTTP exchange with the cloud (cloud::HttpOptions,
  // whose defaults an unset key keeps).
  struct Timeouts {
    std::optional<std::chrono::milliseconds> connect, tls, read, request;
  } timeouts;
  // ca_file = "ca.pem": a PEM CA bundle trusted for HTTPS besides the system
  // store (a relative path is from the manifest directory).
  std::string ca_file;
  // insecure = true: HTTPS certificates are not verified at all. Only ever
  // explicit; every run that uses it warns.
  bool insecure = false;
  // endpoints = { cph = "https://...", iam = "...", kps = "...", bss = "..." }:
  // one service's URL instead of the one derived from the region (e.g. bss =
  // "https://bss-intl.myhuaweicloud.com" for an international account). Keys
  // as written; http(s) URLs only.
  std::map<std::string, std::string> endpoints;
  // The attributes its type takes besides these (resources::ProviderKind::
  // settings: tencent_bm's secret_id and secret_key), as written. Never
  // printed: they may be secrets.
  std::map<std::string, std::string> settings;
  SourcePos pos;
};

// The lifecycle meta-argument of a resource block:
//   lifecycle = { prevent_destroy = true, ignore_changes = ["name"] }
struct Lifecycle {
  bool prevent_destroy = false;            // a plan that destroys or replaces it is an error
  std::vector<std::string> ignore_changes; // attribute names (of the block's type) whose changes are not planned
  bool create_before_destroy = false;      // replacement creates the new object first
  bool allow_data_loss = false;            // destructive updates (switch) need no -allow-data-loss
};

// One resource block, e.g. [server.web]. Instances are expanded by the planner.
//
// String attributes may hold templates that refer to other blocks
// ("${bandwidth.shared.id}"); they are kept as written and resolved by the
// planner with manifest::evaluate() (expression.h). Attributes with a
// `reference_to` in the schema may hold a block address instead of a value
// ("keypair.adb", "server.test[2]"); a string without a dot there is a
// literal cloud name.
struct ResourceConfig {
  std::string type;                 // "server"
  std::string name;                 // "web" (the block label)
  std::optional<int> count;         // the count meta-argument, when set
  Json attributes = Json::object(); // validated, defaults applied, by attribute name
  std::map<std::string, SourcePos> positions;  // "bandwidth.size" -> where it was written
  SourcePos pos;                    // the table header
  // Every block this one depends on, by block address ("server.game"):
  // references in attributes plus depends_on. Sorted, unique.
  std::vector<std::string> depends_on;
  Lifecycle lifecycle;
  // Attribute paths whose values come from sensitive variables: never print them.
  std::vector<std::string> sensitive;
  // The provider instance that owns its objects (ProviderConfig::name): the
  // one `provider = "provider.NAME"` names, else the only one of its type.
  std::string provider = {};
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

// [variables.NAME]: a declared input of the manifests.
struct Variable {
  std::string name;
  std::string type;          // "string", "number", "bool", "list" or "map"
  std::string description;
  bool sensitive = false;    // its value is never printed
  Json value;                // the effective value (see VariableInputs)
  std::string source;        // where the value came from: "default", "environment", a var file, "-var"
  SourcePos pos;             // the declaration
};

// [output.NAME]: a value shown after apply and by `cphform output`.
struct Output {
  std::string name;
  Json expression;           // the value, usually a template string "${server.game[0].public_ip}"
  std::string description;
  bool sensitive = false;    // shown as (sensitive) by people-facing output
  SourcePos pos;             // the table header
};

struct Manifest {
  // Every provider instance, sorted by name: the declared ones, plus the
  // implicit one (named after its type, default settings) for a type used
  // with none declared. Never empty.
  std::vector<ProviderConfig> providers = {};
  // The default of single-provider callers: the provider named after its
  // type when there is one (the [provider] of a single-provider
  // configuration), else the first of `providers`.
  ProviderConfig provider;
  const ProviderConfig* find_provider(std::string_view name) const;
  BackendSettings backend;
  DriftConfig drift;
  std::vector<ResourceConfig> resources;  // sorted by address
  std::vector<Variable> variables;        // sorted by name
  std::vector<Output> outputs;            // sorted by name
  std::vector<std::string> files;         // the files read, sorted
  // sha256 over what the files mean (their parsed values; not comments,
  // layout or key order) and the effective variable values (those of
  // sensitive variables hashed first): a saved plan goes stale when the
  // meaning or a variable changes, not on a comment or `cphform fmt`.
  std::string digest;
  const ResourceConfig* find(std::string_view address) const;
};

// Where variable values come from, besides the defaults in the manifests.
// Precedence, as in Terraform (later wins):
//   1. `default` of the [variables.NAME] declaration
//   2. the environment, CPHFORM_VAR_NAME=VALUE
//   3. -var-file FILE.toml files, in the order given (top-level NAME = value)
//   4. -var NAME=VALUE flags, in the order given
// Values of -var and the environment are text: a string variable takes it
// as is, a number variable parses it (42, 1.5), a bool variable takes true
// or false, and a list or map variable parses it as JSON (["a","b"],
// {"k":"v"}). Var files are TOML and typed.
struct VariableInputs {
  std::vector<std::string> vars;                   // "NAME=VALUE", -var in order given
  std::vector<std::filesystem::path> var_files;    // -var-file in order given
  std::map<std::string, std::string> environment;  // NAME -> value of CPHFORM_VAR_NAME
  // The selected workspace, the value of `${terraform.workspace}`.
  std::string workspace = "default";
  // A variable may have no value: its uses are left unchecked instead of an
  // error (validate and the commands that only read the state, which need no
  // values). Planning never sets it.
  bool allow_unset = false;
  // Empty vars and files; environment read from CPHFORM_VAR_* of this process.
  static VariableInputs from_environment();
};

// Loads every *.toml file in dir (not recursive), with variable values
// from `inputs`. Throws ManifestError.
Manifest load_manifest_dir(const std::filesystem::path& dir, const VariableInputs& inputs);
// The same with no variable values besides the defaults.
Manifest load_manifest_dir(const std::filesystem::path& dir);
// Parses one document; `filename` is used in diagnostics. Throws ManifestError.
Manifest parse_manifest(std::string_view toml_text, const std::string& filename,
                        const VariableInputs& inputs = {});

}  // namespace cph::manifest

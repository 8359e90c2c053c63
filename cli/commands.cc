#include "cli/commands.h"

#include <algorithm>
#include <cstdlib>
#include <set>
#include <sstream>
#include <stdexcept>

#include "manifest/validate.h"

namespace cph::engine {

namespace {

// Flags several commands share.
const FlagSpec kJson{"json", "", "one JSON event per line on stdout (docs/json-format.md)"};
const FlagSpec kVar{"var", "NAME=VALUE", "set a variable (repeatable)"};
const FlagSpec kVarFile{"var-file", "FILE.toml", "read variables from a file (repeatable)"};
const FlagSpec kNoColor{"no-color", "", "no colour (also NO_COLOR=1); colour is only ever used on a terminal"};
const FlagSpec kLock{"lock", "true|false", "false: do not lock the state (warns; only when no other run can touch it)"};
const FlagSpec kLockTimeout{"lock-timeout", "DURATION", "wait this long for the state lock (30s, 2m; default 0s)"};
const FlagSpec kTarget{"target", "ADDR", "only this instance or block and what it depends on (repeatable)"};
const FlagSpec kExclude{"exclude", "ADDR", "leave this instance or block out (repeatable)"};
const FlagSpec kReplace{"replace", "ADDR",
                        "release and buy this server again on purpose (repeatable; apply needs -allow-data-loss)"};
const FlagSpec kParallelism{"parallelism", "N", "requests of one API in flight at once (default 10)"};
const FlagSpec kAutoApprove{"auto-approve", "", "do not ask for confirmation"};
const FlagSpec kInput{"input", "true|false", "false: never prompt; fail where a prompt would be needed"};

constexpr std::string_view kExitPlain = "0 success, 1 error";
constexpr std::string_view kExitCloud = "0 success, 1 error, 130 interrupted (Ctrl-C; in-flight work stays in the journal)";

std::vector<CommandSpec> build_table() {
  return {
      {"plan", "plan [options]", "Show what apply would change",
       {{"detailed-exitcode", "", "exit 2 when there are changes (0 none, 1 error)"},
        {"destroy", "", "plan to release every server this state manages"},
        {"out", "FILE", "save the plan; cphform apply FILE carries out exactly it"},
        {"refresh-only", "", "only what changed outside cphform (with -detailed-exitcode 2 means drift)"},
        kTarget, kExclude, kReplace, kParallelism, kJson, kVar, kVarFile, kInput, kNoColor,
        {"lock", "true|false", "accepted for Terraform habits: plan never locks the state"}},
       0, "0 success (no changes unless -detailed-exitcode), 1 error, 2 changes present (-detailed-exitcode)", ""},
      {"apply", "apply [options] [PLANFILE]", "Make the cloud match the manifests, or carry out a saved plan exactly",
       {kAutoApprove, kLock, kLockTimeout, {"refresh-only", "", "record what changed outside cphform in the state"},
        {"allow-data-loss", "", "let a switch or a server replacement run: phone data is lost"}, kTarget, kExclude,
        kReplace, kParallelism, kJson, kVar, kVarFile, kInput, kNoColor},
       1, kExitCloud,
       "Ctrl-C stops starting operations and keeps those in flight in the journal for the next apply.\n"
       "-json needs -auto-approve or a saved plan: there is no prompt to answer."},
      {"destroy", "destroy [options]", "Release every server this state manages",
       {kAutoApprove, kLock, kLockTimeout, {"allow-data-loss", "", "accepted as for apply"}, kTarget, kExclude, kParallelism,
        kJson, kVar, kVarFile, kInput, kNoColor},
       0, kExitCloud, ""},
      {"show", "show [-json] PLANFILE", "Show a saved plan",
       {{"json", "", "Terraform's JSON plan representation (docs/json-format.md)"}, kNoColor}, 1, kExitPlain, ""},
      {"drift", "drift [options]", "Report what changed outside cphform; read-only, no lock",
       {{"format", "text|json|markdown", "report format (default text)"},
        {"out", "FILE", "write the report to FILE"},
        {"name-prefix", "PREFIX", "also list unmanaged servers whose name starts with PREFIX"},
        {"tag", "KEY=VALUE", "also list unmanaged servers with this tag (repeatable)"},
        {"phone-properties", "",
         "also compare the properties of the phones of [phones] blocks with what was applied: one call per phone "
         "(CPH API: Show cloud phone detail), 10,000 calls for 10,000 phones"},
        kJson, kVar, kVarFile, kNoColor},
       0, "0 no drift, 1 error, 2 drift found", ""},
      {"graph", "graph [-type=plan|apply|destroy]", "The execution graph in DOT",
       {{"type", "plan|apply|destroy", "which plan to draw (default plan)"}, kVar, kVarFile, kNoColor}, 0, kExitPlain,
       ""},
      {"import", "import ADDRESS SERVER_ID | import -filter name_prefix=PREFIX|tag=KEY=VALUE",
       "Manage existing servers",
       {{"filter", "name_prefix=PREFIX|tag=KEY=VALUE", "import every matching server into the declared blocks"},
        {"generate-config-out", "FILE.toml", "with -filter: write the blocks from what the cloud reports (a new file)"},
        {"provider", "NAME", "with -filter: list the servers of [provider.NAME] (default: the default provider)"},
        kLock, kLockTimeout, kVar, kVarFile, kInput, kNoColor},
       2, kExitPlain, ""},
      {"koophone", "koophone exec [options] SET -- COMMAND",
       "Run an adb shell command on every instance of a koophone_instances set",
       {{"sync", "", "run it synchronously (KooPhone API: Instance sync command), for short commands"},
        {"timeout", "DURATION", "stop waiting for the tasks after this long (default 1h; still running: TIMEOUT)"},
        {"json", "", "one JSON document: each instance's result, the task ids, the calls made"},
        kParallelism, kVar, kVarFile, kNoColor},
       1000, "0 every instance succeeded, 1 an instance failed, or an error",
       "SET is koophone_instances.NAME or NAME: the command runs on the block's instance_ids, through its\n"
       "provider instance. Without -sync it runs asynchronously (KooPhone API: Instance async command), 32\n"
       "instances a call, and each task is queried once a polling round until every instance has ended.\n"
       "A command is not state: nothing is locked, recorded or journaled; the task ids are printed instead.\n"
       "COMMAND (the words after --) is at most 1024 bytes of letters, digits, spaces and _ . / : -."},
      {"phone", "phone reset|restart|stop [options] ADDR...",
       "Reset, restart or stop phones of [phones] blocks, as a planned apply",
       {kAutoApprove, {"allow-data-loss", "", "let a reset run: it restores factory state and loses the phones' data"},
        kLock, kLockTimeout, kParallelism, kJson, kVar, kVarFile, kInput, kNoColor},
       1000, kExitCloud,
       "ADDR is phones.NAME (every phone of the block) or phones.NAME[MEMBER], MEMBER being a phone id, a\n"
       "phone name, or a server address (phones.game[server.game[1]]: that server's phones); quote it in the\n"
       "shell. The plan shows the operation and asks for confirmation as apply does (-json needs\n"
       "-auto-approve). Only the named blocks are planned; when they or what they depend on have manifest\n"
       "edits not applied yet, nothing is done: apply those first. Drift of the named blocks (a phone\n"
       "stopped or renamed by hand) is put back on the way, as apply would, and the plan shows it.\n"
       "reset restores the phones' factory state with the block's declared properties and loses their data,\n"
       "so it needs -allow-data-loss (it is -replace of those phones). restart starts a stopped phone too.\n"
       "A phone stopped here, of a block whose power is \"running\", is drift until the block says\n"
       "power = \"stopped\": the next apply starts it. Each phone's outcome is listed; a phone that fails\n"
       "does not stop the others."},
      {"state", "state list | show ADDRESS | rm ADDRESS... | mv FROM TO | pull | migrate -to=pg|sqlite",
       "Read or edit the recorded state",
       {{"to", "pg|sqlite", "state migrate: the backend to copy lineage, serial, rows, journal and history to"},
        {"force", "", "state migrate: overwrite a target that has a state"}, kLock, kLockTimeout, kVar, kVarFile,
        kNoColor},
       16, kExitPlain, ""},
      {"journal", "journal list | show ID | discard ID", "Unfinished cloud operations",
       {{"json", "", "list and show as JSON"}, kAutoApprove, kLock, kLockTimeout, kInput, kVar, kVarFile, kNoColor}, 1,
       kExitPlain,
       "discard asks for 'yes' (or takes -auto-approve) and says what it leaves in the cloud."},
      {"workspace", "workspace list | show | new NAME | select NAME | delete [-force] NAME",
       "Several states per manifest directory",
       {{"force", "", "delete: even when the state manages resources"}, kVar, kVarFile, kNoColor}, 1,
       kExitPlain, ""},
      {"history", "history [-limit=N]", "The state's change history, newest run first",
       {{"limit", "N", "show the newest N runs, each whole (default 50)"}, kVar, kVarFile, kNoColor}, 0, kExitPlain, ""},
      {"force-unlock", "force-unlock [-force] LOCK_ID", "Release a stuck state lock",
       {{"force", "", "do not ask for confirmation"}, kVar, kVarFile, kNoColor}, 1, kExitPlain, ""},
      {"validate", "validate [-json]", "Check the manifests without contacting the cloud",
       {{"json", "", "the result as JSON (docs/json-format.md)"}, kVar, kVarFile, kNoColor}, 0,
       "0 valid, 1 invalid or error",
       "Variables without a value are allowed: what uses them is checked once they have one (plan)."},
      {"fmt", "fmt [options] [DIR|FILE]...", "Rewrite the manifests in the canonical layout",
       {{"check", "", "change nothing; exit 3 if a file would change"}, {"diff", "", "print what would change"}, kNoColor},
       1000,
       "0 success, 1 error, 3 a file is not formatted (-check)", ""},
      {"output", "output [-json] [NAME]", "The manifests' outputs from the recorded state",
       {{"json", "", "as JSON, in Terraform's shape"}, kVar, kVarFile, kNoColor}, 1, kExitPlain,
       "NAME prints one value raw (a string without quotes)."},
      {"docs", "docs manifest [-check FILE]", "Print the manifest reference (docs/manifest.md)",
       {{"check", "FILE", "exit 1 when FILE differs from what would be printed"}}, 0, kExitPlain, ""},
      {"emulator", "emulator serve --listen 127.0.0.1:PORT --data FILE --credentials-file FILE",
       "Run the CPH emulator (cphform emulator serve -help lists its flags)", {}, 0,
       "0 stopped, 1 error, 2 bad flags", ""},
      {"version", "version", "Print the version", {}, 0, "0", ""},
      {"help", "help [COMMAND]", "This text, or one command's usage", {}, 1, "0 success, 1 unknown command", ""},
  };
}

std::string flag_text(const FlagSpec& f) {
  return "-" + std::string(f.name) + (f.value.empty() ? "" : "=" + std::string(f.value));
}

}  // namespace

const std::vector<CommandSpec>& command_table() {
  static const std::vector<CommandSpec> table = build_table();
  return table;
}

const CommandSpec* find_command(std::string_view name) {
  for (const CommandSpec& c : command_table())
    if (c.name == name) return &c;
  return nullptr;
}

const CommandSpec& command_spec(std::string_view name) {
  const CommandSpec* c = find_command(name);
  if (!c) throw std::logic_error("no command \"" + std::string(name) + "\" in the command table");
  return *c;
}

Flags parse_command_flags(std::string_view command, const std::vector<std::string>& args) {
  return parse_command_flags(command_spec(command), args);
}

Flags parse_command_flags(const CommandSpec& command, const std::vector<std::string>& args) {
  std::set<std::string> switches, valued;
  for (const FlagSpec& f : command.flags) (f.value.empty() ? switches : valued).insert(std::string(f.name));
  return parse_flags(args, switches, valued, command.max_positional);
}

std::string global_usage() {
  std::ostringstream out;
  out << "Usage: cphform [-chdir=DIR] COMMAND [options]\n\nCommands:\n";
  for (const CommandSpec& c : command_table())
    out << "  " << c.name << std::string(c.name.size() < 14 ? 14 - c.name.size() : 1, ' ') << c.summary << "\n";
  out << "\nGlobal options (before COMMAND):\n"
      << "  -chdir=DIR    run in DIR\n"
      << "  -help, -h     this text; cphform COMMAND -help or cphform help COMMAND for one command\n"
      << "  -version      print the version\n"
      << "\nOptions may be written -flag or --flag, and -flag=value or -flag value.\n";
  return out.str();
}

std::string command_usage(const CommandSpec& c) {
  std::ostringstream out;
  out << "Usage: cphform " << c.synopsis << "\n\n  " << c.summary << ".\n";
  if (!c.details.empty()) out << "\n" << c.details << "\n";
  if (!c.flags.empty()) {
    size_t w = 0;
    for (const FlagSpec& f : c.flags) w = std::max(w, flag_text(f).size());
    out << "\nOptions:\n";
    for (const FlagSpec& f : c.flags)
      out << "  " << flag_text(f) << std::string(w + 2 - flag_text(f).size(), ' ') << f.help << "\n";
  }
  out << "\nExit codes: " << c.exit_codes << "\n";
  return out.str();
}

std::string unknown_flag_line(const CommandSpec& c, const std::string& flag) {
  std::vector<std::string> names;
  for (const FlagSpec& f : c.flags) names.emplace_back(f.name);
  const auto near = manifest::detail::closest(flag, names);
  return "Error: unknown flag -" + flag + " for cphform " + std::string(c.name) +
         (near ? "; did you mean -" + *near + "?" : "") + " (cphform " + std::string(c.name) +
         " -help lists its flags)";
}

bool input_allowed(const Flags& flags) {
  const std::string v = flags.get("input", "true");
  if (v != "true" && v != "false") throw UsageError("-input takes true or false (got \"" + v + "\")");
  return v == "true";
}

bool is_no_color_flag(const std::string& arg) {
  return arg == "-no-color" || arg == "--no-color" || arg == "-no-color=true" || arg == "--no-color=true";
}

bool color_wanted(bool terminal, bool no_color_flag) {
  auto set = [](const char* name) {
    const char* v = std::getenv(name);
    return v && *v ? std::string_view(v) : std::string_view();
  };
  if (no_color_flag || !set("NO_COLOR").empty()) return false;
  if (const std::string_view force = set("CLICOLOR_FORCE"); !force.empty() && force != "0") return true;
  return terminal && set("TERM") != "dumb";
}

bool is_help_flag(const std::string& arg) {
  return arg == "-help" || arg == "--help" || arg == "-h" || arg == "--h" || arg == "-help=true" ||
         arg == "--help=true";
}

}  // namespace cph::engine

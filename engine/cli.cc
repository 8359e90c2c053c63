#include "engine/cli.h"

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "engine/command.h"
#include "engine/executor.h"

namespace cph::engine {

namespace fs = std::filesystem;

namespace {

constexpr const char* kUsage = R"(Usage: cphform [-chdir=DIR] COMMAND [options]

Commands:
  plan          Show what apply would change
                  -detailed-exitcode (0 none, 1 error, 2 changes)  -destroy  -out=FILE
                  -refresh-only (only what changed outside cphform; 2 means drift)
                  -target=ADDR / -exclude=ADDR (repeatable; an address or a whole block; with -destroy
                    the targets and what depends on them)
                  -replace=ADDR (repeatable; release and buy again on purpose: needs -allow-data-loss to apply)
                  -parallelism=N (requests of one API in flight at once; default 10; also for apply/destroy)
  apply [FILE]  Make the cloud match the manifests, or carry out a saved plan exactly
                  -auto-approve  -lock-timeout=DURATION  -refresh-only (record drift in state)
                  -allow-data-loss (let a switch or a server replacement run: phone data is lost)
                  -target=ADDR  -exclude=ADDR  -replace=ADDR (as for plan)
                  Ctrl-C: stop starting operations, keep those in flight in the journal, exit 130
  destroy       Release every server this state manages (-auto-approve)
  show FILE     Show a saved plan (-json for the machine-readable report)
  drift         Report what changed outside cphform; read-only, no lock (exit 0 none, 2 drift)
                  -format=text|json|markdown  -out=FILE  -name-prefix=PREFIX  -tag=KEY=VALUE (repeatable)
  graph         The execution graph in DOT (-type=plan|apply|destroy)
  import        Manage an existing server: import ADDRESS SERVER_ID, or
                  import -filter name_prefix=PREFIX | tag=KEY=VALUE into declared blocks, or with
                  -generate-config-out=FILE.toml (a new file) writing the blocks from what the cloud reports
  state         list | show ADDRESS | rm ADDRESS... | mv FROM TO | pull (JSON) |
                  migrate -to=pg|sqlite (copy lineage, serial, rows, journal and history)
  journal       Unfinished cloud operations: list | show ID | discard ID (-json for list/show;
                  discard asks for 'yes' or takes -auto-approve, and says what it leaves in the cloud)
  workspace     list | show | new NAME | select NAME | delete [-force] NAME
  history       The state's change history, newest first (-limit=N)
  force-unlock  Release a stuck state lock: force-unlock [-force] LOCK_ID
  validate      Check the manifests without contacting the cloud (-json)
  fmt [DIR]     Rewrite the manifests in the canonical layout (-check: exit 3 if a file would change; -diff)
  output [NAME] The manifests' outputs from the recorded state (-json; NAME prints one raw value)
  emulator      Run the CPH emulator: cphform emulator serve --listen 127.0.0.1:PORT --data FILE
                  --credentials-file FILE [--time-scale N]
  version       Print the version

plan, apply, destroy and drift take -json: one JSON event per line (docs/json-format.md).
plan, apply, destroy, drift, graph, import and output take -var NAME=VALUE and -var-file FILE.toml
(repeatable; see docs/manifest-language.md).
Options may be written -flag or --flag, and -flag=value or -flag value.
)";

void print_manifest_errors(const manifest::ManifestError& e, std::ostream& err) {
  for (const auto& d : e.diagnostics) err << d.str() << "\n";
  err << "Error: the manifests have " << e.diagnostics.size() << " error" << (e.diagnostics.size() == 1 ? "" : "s")
      << "; nothing was changed.\n";
}

}  // namespace

int run_cli(const std::vector<std::string>& all_args, std::istream& in, std::ostream& out, std::ostream& err) {
  std::vector<std::string> args = all_args;
  fs::path dir = fs::current_path();
  // Global options come before the command.
  while (!args.empty() && (args[0].rfind("-chdir=", 0) == 0 || args[0].rfind("--chdir=", 0) == 0)) {
    dir = args[0].substr(args[0].find('=') + 1);
    args.erase(args.begin());
  }
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    out << kUsage;
    return args.empty() ? 1 : 0;
  }
  const std::string command = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  // -json switches plan/apply/destroy/drift to the event stream.
  JsonEvents events(out);
  Context ctx{dir, in, out, err};
  if (command == "plan" || command == "apply" || command == "destroy" || command == "drift") {
    auto json_flag = std::find_if(rest.begin(), rest.end(), [](const std::string& a) { return a == "-json" || a == "--json"; });
    if (json_flag != rest.end()) {
      rest.erase(json_flag);
      ctx.json = &events;
      events.version();
    }
  }
  try {
    if (command == "version" || command == "-version" || command == "--version") {
      out << "cphform v0.1.0\n";
      return 0;
    }
    if (command == "emulator") {
      if (rest.empty() || rest[0] != "serve") throw UsageError("usage: cphform emulator serve [flags]");
      return emulator::serve_main(std::vector<std::string>(rest.begin() + 1, rest.end()));
    }
    if (std::set<std::string>{"plan", "apply", "destroy", "drift", "graph", "import", "output"}.count(command))
      take_variable_flags(ctx, rest);
    if (command == "output") return cmd_output(ctx, parse_flags(rest, {"json", "no-color"}, {}, 1));
    if (command == "validate") return cmd_validate(ctx, parse_flags(rest, {"json", "no-color"}, {}));
    if (command == "plan") {
      Flags flags = parse_flags(rest, {"detailed-exitcode", "destroy", "refresh-only", "no-color"},
                                {"out", "target", "exclude", "parallelism", "replace"});
      if (flags.has("refresh-only") && (flags.has("out") || flags.has("destroy") || flags.has("replace")))
        throw UsageError("-refresh-only cannot be combined with -out, -destroy or -replace");
      if (flags.has("destroy") && flags.has("replace")) throw UsageError("-replace cannot be combined with -destroy");
      return run_async([&] { return cmd_plan(ctx, flags); });
    }
    if (command == "apply" || command == "destroy") {
      Flags flags = parse_flags(rest, {"auto-approve", "refresh-only", "no-color", "allow-data-loss"},
                                {"lock-timeout", "target", "exclude", "parallelism", "replace"}, command == "apply" ? 1 : 0);
      if (!flags.positional.empty() && (flags.has("target") || flags.has("exclude") || flags.has("replace")))
        throw UsageError("a saved plan is applied whole: -target/-exclude/-replace belong to the plan command");
      if (flags.has("replace") && (command == "destroy" || flags.has("refresh-only")))
        throw UsageError("-replace belongs to plan and apply, not to destroy or -refresh-only");
      if (flags.has("refresh-only") && (command == "destroy" || !flags.positional.empty()))
        throw UsageError("-refresh-only applies to plan and apply without a plan file");
      if (ctx.json && !flags.has("auto-approve") && flags.positional.empty())
        throw UsageError("-json needs -auto-approve (or a saved plan): there is no prompt to answer");
      return run_async([&] { return cmd_apply(ctx, flags, command == "destroy"); });
    }
    if (command == "show") return cmd_show(ctx, parse_flags(rest, {"json", "no-color"}, {}, 1));
    if (command == "drift") {
      Flags flags = parse_flags(rest, {"no-color"}, {"format", "out", "name-prefix", "tag"});
      return run_async([&] { return cmd_drift(ctx, flags); });
    }
    if (command == "graph") {
      Flags flags = parse_flags(rest, {}, {"type"});
      return run_async([&] { return cmd_graph(ctx, flags); });
    }
    if (command == "import") {
      Flags flags = parse_flags(rest, {}, {"filter", "lock-timeout", "generate-config-out"}, 2);
      return run_async([&] { return cmd_import(ctx, flags); });
    }
    if (command == "state") return cmd_state(ctx, rest);
    if (command == "journal") return cmd_journal(ctx, rest);
    if (command == "workspace") return cmd_workspace(ctx, rest);
    if (command == "history") return cmd_history(ctx, parse_flags(rest, {}, {"limit"}));
    if (command == "force-unlock") return cmd_force_unlock(ctx, parse_flags(rest, {"force"}, {}, 1));
    if (command == "fmt") return cmd_fmt(ctx, rest);
    if (command == "docs") return cmd_docs(ctx, rest);
    throw UsageError("unknown command \"" + command + "\"");
  } catch (const UsageError& e) {
    if (ctx.json) ctx.json->diagnostic(e.what());
    err << "Error: " << e.what() << "\n\n" << kUsage;
    return 1;
  } catch (const manifest::ManifestError& e) {
    if (ctx.json) {
      for (const auto& d : e.diagnostics) ctx.json->diagnostic(d.message, "", "", d.pos);
      return 1;
    }
    print_manifest_errors(e, err);
    return 1;
  } catch (const state::LockHeld& e) {
    std::string message = "the state is locked by " + e.holder.holder + " (" + e.holder.operation + ", since " +
                          e.holder.created_at + ", expires " + e.holder.expires_at + ", lock id " + e.holder.id +
                          "). Retry later, wait with -lock-timeout=DURATION, or release it with cphform "
                          "force-unlock " + e.holder.id + ".";
    if (ctx.json) ctx.json->diagnostic(message);
    err << "Error: " << message << "\n";
    return 1;
  } catch (...) {
    std::string message = describe_error(std::current_exception());
    if (ctx.json) ctx.json->diagnostic(message);
    err << "Error: " << message << "\n";
    return 1;
  }
}

}  // namespace cph::engine

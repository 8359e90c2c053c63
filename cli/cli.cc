#include "cli/cli.h"

#include <unistd.h>

#include <algorithm>
#include <exception>
#include <filesystem>
#include <iostream>

#include "cli/command.h"
#include "cli/commands.h"
#include "common/ansi.h"
#include "engine/executor.h"
#include "manifest/validate.h"

namespace cph::engine {

namespace fs = std::filesystem;

namespace {

// Where to read more after a usage error.
std::string help_hint(const std::string& command) {
  return find_command(command) ? "Run cphform " + command + " -help for its usage.\n"
                               : "Run cphform -help for the commands.\n";
}

// The unknown command line, with the closest command when there is one.
std::string unknown_command_line(const std::string& command) {
  std::vector<std::string> names;
  for (const CommandSpec& c : command_table()) names.emplace_back(c.name);
  const auto near = manifest::detail::closest(command, names);
  return "Error: unknown command \"" + command + "\"" + (near ? "; did you mean " + *near + "?" : "") +
         " (cphform -help lists the commands)";
}

// `cphform help [COMMAND]`.
int print_help(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.size() < 2) {
    out << global_usage();
    return 0;
  }
  if (is_help_flag(args[1])) {
    out << command_usage(command_spec("help"));
    return 0;
  }
  const size_t name = args[1].find_first_not_of('-');
  if (name != 0 && name != std::string::npos) {
    err << unknown_flag_line(command_spec("help"), args[1].substr(name)) << "\n";
    return 1;
  }
  const CommandSpec* c = find_command(args[1]);
  if (!c) {
    err << unknown_command_line(args[1]) << "\n";
    return 1;
  }
  out << command_usage(*c);
  return 0;
}

// "Error: MESSAGE", the prefix in bold red when colour is on.
std::string error_line(bool color, const std::string& message) {
  return ansi::paint(color, ansi::kBoldRed, "Error:") + " " + message + "\n";
}

void print_manifest_errors(const manifest::ManifestError& e, std::ostream& err, bool color) {
  for (const auto& d : e.diagnostics) err << d.str() << "\n";
  err << ansi::paint(color, ansi::kBoldRed, "Error:") << " the manifests have " << e.diagnostics.size() << " error"
      << (e.diagnostics.size() == 1 ? "" : "s") << "; nothing was changed.\n";
}

}  // namespace

namespace {

// plan's own flag rules: it never prompts and never locks, but the values
// must still be valid ones.
void check_plan_flags(const Flags& flags) {
  input_allowed(flags);
  if (const std::string lock = flags.get("lock", "true"); lock != "true" && lock != "false")
    throw UsageError("-lock takes true or false (got \"" + lock + "\")");
  if (flags.has("refresh-only") && (flags.has("out") || flags.has("destroy") || flags.has("replace")))
    throw UsageError("-refresh-only cannot be combined with -out, -destroy or -replace");
  if (flags.has("destroy") && flags.has("replace")) throw UsageError("-replace cannot be combined with -destroy");
}

void check_apply_flags(const Context& ctx, const Flags& flags, const std::string& command) {
  if (!flags.positional.empty() && (flags.has("target") || flags.has("exclude") || flags.has("replace")))
    throw UsageError("a saved plan is applied whole: -target/-exclude/-replace belong to the plan command");
  if (flags.has("replace") && (command == "destroy" || flags.has("refresh-only")))
    throw UsageError("-replace belongs to plan and apply, not to destroy or -refresh-only");
  if (flags.has("refresh-only") && (command == "destroy" || !flags.positional.empty()))
    throw UsageError("-refresh-only applies to plan and apply without a plan file");
  if (ctx.json && !flags.has("auto-approve") && flags.positional.empty())
    throw UsageError("-json needs -auto-approve (or a saved plan): there is no prompt to answer");
  // Refused before any call: the run would stop at the prompt anyway.
  if (!input_allowed(flags) && !flags.has("auto-approve") && flags.positional.empty())
    throw UsageError(command + " asks for confirmation and -input=false forbids asking: pass -auto-approve "
                     "(or a saved plan); nothing was changed");
}

// Runs one command (its help and -json already handled by run_cli).
int run_command(Context& ctx, const std::string& command, const CommandSpec* spec, std::vector<std::string>& rest) {
  if (command == "version" || command == "-version" || command == "--version") {
    parse_command_flags("version", rest);
    ctx.out << "cphform v0.1.0\n";
    return 0;
  }
  if (command == "emulator") {
    if (rest.empty() || rest[0] != "serve") {
      parse_command_flags("emulator", rest);
      throw UsageError("usage: cphform emulator serve [flags]");
    }
    return emulator::serve_main(std::vector<std::string>(rest.begin() + 1, rest.end()));
  }
  // Every command that reads the manifests takes -var and -var-file; those
  // that only check them or read the state need no values (issue 12).
  if (std::set<std::string>{"plan", "apply", "destroy", "phone", "drift", "graph", "import", "output", "validate", "state",
                            "journal", "workspace", "history", "force-unlock"}
          .count(command))
    take_variable_flags(ctx, rest);
  ctx.vars.allow_unset = std::set<std::string>{"output", "validate", "state", "journal", "workspace", "history",
                                               "force-unlock"}
                             .count(command) > 0;
  if (command == "koophone") return cmd_koophone(ctx, rest);  // its -var flags stop at --
  if (command == "output") return cmd_output(ctx, parse_command_flags(*spec, rest));
  if (command == "validate") return cmd_validate(ctx, parse_command_flags(*spec, rest));
  if (command == "plan") {
    Flags flags = parse_command_flags(*spec, rest);
    check_plan_flags(flags);
    return run_async([&] { return cmd_plan(ctx, flags); });
  }
  if (command == "apply" || command == "destroy") {
    Flags flags = parse_command_flags(*spec, rest);
    check_apply_flags(ctx, flags, command);
    return run_async([&] { return cmd_apply(ctx, flags, command == "destroy"); });
  }
  if (command == "phone") {
    Flags flags = parse_command_flags(*spec, rest);
    if (ctx.json && !flags.has("auto-approve"))
      throw UsageError("-json needs -auto-approve: there is no prompt to answer");
    if (!input_allowed(flags) && !flags.has("auto-approve"))
      throw UsageError("phone asks for confirmation and -input=false forbids asking: pass -auto-approve; nothing "
                       "was changed");
    return run_async([&] { return cmd_phone(ctx, flags); });
  }
  if (command == "show") return cmd_show(ctx, parse_command_flags(*spec, rest));
  if (command == "drift") {
    Flags flags = parse_command_flags(*spec, rest);
    return run_async([&] { return cmd_drift(ctx, flags); });
  }
  if (command == "graph") {
    Flags flags = parse_command_flags(*spec, rest);
    return run_async([&] { return cmd_graph(ctx, flags); });
  }
  if (command == "import") {
    Flags flags = parse_command_flags(*spec, rest);
    input_allowed(flags);  // import never prompts; the value must still be one
    return run_async([&] { return cmd_import(ctx, flags); });
  }
  if (command == "state") return cmd_state(ctx, rest);
  if (command == "journal") return cmd_journal(ctx, rest);
  if (command == "workspace") return cmd_workspace(ctx, rest);
  if (command == "history") return cmd_history(ctx, parse_command_flags(*spec, rest));
  if (command == "force-unlock") return cmd_force_unlock(ctx, parse_command_flags(*spec, rest));
  if (command == "fmt") return cmd_fmt(ctx, rest);
  if (command == "docs") return cmd_docs(ctx, rest);
  ctx.err << unknown_command_line(command) << "\n";
  return 1;
}

// Prints what stopped a command (as a -json diagnostic too) and returns its
// exit code, 1.
int report_failure(Context& ctx, const std::string& command, const CommandSpec* spec, std::exception_ptr failure) {
  std::string message;
  try {
    std::rethrow_exception(failure);
  } catch (const UnknownFlag& e) {
    const std::string line = spec ? unknown_flag_line(*spec, e.flag) : std::string("Error: ") + e.what();
    message = line.substr(std::string("Error: ").size());
  } catch (const UsageError& e) {
    if (ctx.json) ctx.json->diagnostic(e.what());
    ctx.err << error_line(ctx.err_color, e.what()) << help_hint(command);
    return 1;
  } catch (const manifest::ManifestError& e) {
    if (ctx.json) {
      for (const auto& d : e.diagnostics) ctx.json->diagnostic(d.message, "", "", d.pos);
      return 1;
    }
    print_manifest_errors(e, ctx.err, ctx.err_color);
    return 1;
  } catch (const state::LockHeld& e) {
    message = "the state is locked by " + e.holder.holder + " (" + e.holder.operation + ", since " +
              e.holder.created_at + ", expires " + e.holder.expires_at + ", lock id " + e.holder.id +
              "). Retry later, wait with -lock-timeout=DURATION, or release it with cphform "
              "force-unlock " + e.holder.id + ".";
  } catch (...) {
    message = describe_error(std::current_exception());
  }
  if (ctx.json) ctx.json->diagnostic(message);
  ctx.err << error_line(ctx.err_color, message);
  return 1;
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
  if (args.empty()) {
    out << global_usage();
    return 1;
  }
  if (is_help_flag(args[0])) {
    out << global_usage();
    return 0;
  }
  if (args[0] == "help") return print_help(args, out, err);
  const std::string command = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  const CommandSpec* spec = find_command(command == "-version" || command == "--version" ? "version" : command);
  // `emulator serve` has its own flags (emulator/emulator.cc), --help among them.
  const bool emulator_serve = command == "emulator" && !rest.empty() && rest[0] == "serve";
  // What follows "--" is not cphform's (koophone exec SET -- ls -h): no help, colour or -json there.
  const auto own_end = std::find(rest.begin(), rest.end(), std::string("--"));
  if (spec && !emulator_serve && std::any_of(rest.begin(), own_end, is_help_flag)) {
    out << command_usage(*spec);
    return 0;
  }
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
  // Decided before the flags are parsed so that their own errors are
  // coloured alike; the flag itself stays for the parser, which refuses it
  // where the command table does not list it.
  const bool no_color = std::any_of(rest.begin(), std::find(rest.begin(), rest.end(), std::string("--")),
                                    is_no_color_flag);
  ctx.color = !ctx.json && color_wanted(&out == &std::cout && isatty(STDOUT_FILENO), no_color);
  ctx.err_color = color_wanted(&err == &std::cerr && isatty(STDERR_FILENO), no_color);
  try {
    return run_command(ctx, command, spec, rest);
  } catch (...) {
    return report_failure(ctx, command, spec, std::current_exception());
  }
}

}  // namespace cph::engine

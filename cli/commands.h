// The commands of the CLI as one table: each command's synopsis, flags and
// exit codes. The help text (`cphform -help`, `cphform help COMMAND`,
// `cphform COMMAND -help`) is printed from it and the flag parser takes its
// flag names from it, so the usage and the parser cannot disagree.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/command.h"

namespace cph::engine {

// A flag the command does not know: run_cli prints unknown_flag_line.
struct UnknownFlag : UsageError {
  explicit UnknownFlag(std::string name) : UsageError("unknown flag -" + name), flag(std::move(name)) {}
  std::string flag;  // without dashes
};

struct FlagSpec {
  std::string_view name;   // without dashes: "out"
  std::string_view value;  // the placeholder of a flag that takes a value ("FILE"); empty for a switch
  std::string_view help;
};

struct CommandSpec {
  std::string_view name;      // "plan"
  std::string_view synopsis;  // "plan [options]"
  std::string_view summary;   // one line, for the command list
  std::vector<FlagSpec> flags;
  size_t max_positional = 0;  // positional arguments the flag parser accepts (after a subcommand)
  std::string_view exit_codes;
  std::string_view details;   // more lines of usage; may be empty
};

// Every command, in the order `cphform -help` lists them.
const std::vector<CommandSpec>& command_table();
// nullptr for an unknown command.
const CommandSpec* find_command(std::string_view name);
// The command of that name; the name must be in the table.
const CommandSpec& command_spec(std::string_view name);

// `args` parsed with the command's flags (switches and flags taking a value
// as the table says). An unknown flag throws UnknownFlag.
Flags parse_command_flags(const CommandSpec& command, const std::vector<std::string>& args);
Flags parse_command_flags(std::string_view command, const std::vector<std::string>& args);

// The whole usage: commands, global options.
std::string global_usage();
// One command's usage: synopsis, summary, flags, exit codes.
std::string command_usage(const CommandSpec& command);
// The one line printed for an unknown flag: its name, the closest flag of
// the command when there is one, and how to get help.
std::string unknown_flag_line(const CommandSpec& command, const std::string& flag);

// -input=true|false (true when absent; UsageError otherwise): false means
// never prompt, and fail where a prompt would be needed.
bool input_allowed(const Flags& flags);

// True for -help, -h, --help (and -help=true).
bool is_help_flag(const std::string& arg);

// True for -no-color, --no-color (and =true).
bool is_no_color_flag(const std::string& arg);

// Whether output to a stream is coloured, as Terraform decides it: never
// with -no-color or a non-empty NO_COLOR (no-color.org); always with a
// CLICOLOR_FORCE other than "" or "0" (for CI logs that render ANSI, and
// tests); otherwise only when the stream is a terminal and TERM is not
// "dumb". Pipes, files and logs never get escape codes.
bool color_wanted(bool terminal, bool no_color_flag);

}  // namespace cph::engine

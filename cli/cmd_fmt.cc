// `cphform fmt [-check] [-diff] [DIR|FILE]...`: rewrites the *.toml files of
// the manifest directory (not recursive), or the files named, in the
// canonical layout of manifest/format.h, like `terraform fmt`. The names of the files that
// change are printed; -diff adds a unified diff of each; -check writes
// nothing and exits 3 when a file would change (as terraform fmt -check).
// A file with a syntax error (or one the formatter could not keep the
// meaning of) is reported as file:line:column: error, and then no file is
// written at all (exit 1).
#include <algorithm>
#include <cstdint>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "cli/command.h"
#include "cli/commands.h"
#include "manifest/format.h"

namespace cph::engine {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::string line;
  std::istringstream in(text);
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

// A unified diff (3 lines of context) of two texts, headed --- old/PATH, +++ new/PATH.
std::string unified_diff(const std::string& path, const std::string& before, const std::string& after) {
  const std::vector<std::string> a = split_lines(before), b = split_lines(after);
  const size_t n = a.size(), m = b.size();
  struct Op {
    char kind;  // ' ', '-', '+'
    const std::string* text;
  };
  std::vector<Op> ops;
  if ((n + 1) * (m + 1) > 20'000'000) {  // too large to align: the whole text replaced
    for (const auto& l : a) ops.push_back({'-', &l});
    for (const auto& l : b) ops.push_back({'+', &l});
  } else {
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    std::vector<std::vector<uint32_t>> lcs(n + 1, std::vector<uint32_t>(m + 1, 0));
    for (size_t i = n; i-- > 0;)
      for (size_t j = m; j-- > 0;)
        lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    size_t i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[i] == b[j]) {
        ops.push_back({' ', &a[i++]});
        ++j;
      } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
        ops.push_back({'-', &a[i++]});
      } else {
        ops.push_back({'+', &b[j++]});
      }
    }
  }
  // Lines of each side before each op.
  std::vector<size_t> old_before(ops.size() + 1, 0), new_before(ops.size() + 1, 0);
  for (size_t k = 0; k < ops.size(); ++k) {
    old_before[k + 1] = old_before[k] + (ops[k].kind != '+');
    new_before[k + 1] = new_before[k] + (ops[k].kind != '-');
  }
  constexpr size_t kContext = 3;
  const std::string sep = !path.empty() && path[0] == '/' ? "" : "/";
  std::string out = "--- old" + sep + path + "\n+++ new" + sep + path + "\n";
  for (size_t k = 0; k < ops.size();) {
    if (ops[k].kind == ' ') {
      ++k;
      continue;
    }
    size_t start = k >= kContext ? k - kContext : 0, last = k;
    for (size_t scan = k; scan < ops.size() && scan - last <= 2 * kContext; ++scan)
      if (ops[scan].kind != ' ') last = scan;
    size_t stop = std::min(ops.size(), last + kContext + 1);
    size_t old_count = old_before[stop] - old_before[start], new_count = new_before[stop] - new_before[start];
    out += "@@ -" + std::to_string(old_before[start] + (old_count ? 1 : 0)) + "," + std::to_string(old_count) +
           " +" + std::to_string(new_before[start] + (new_count ? 1 : 0)) + "," + std::to_string(new_count) +
           " @@\n";
    for (size_t h = start; h < stop; ++h) out += ops[h].kind + *ops[h].text + "\n";
    k = stop;
  }
  return out;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The files one argument of fmt names, each with the name to show: a
// directory's *.toml files (not recursive), or a file itself, as terraform
// fmt takes either.
std::vector<std::pair<fs::path, std::string>> files_named(const fs::path& ctx_dir, const fs::path& shown) {
  const fs::path path = shown.is_absolute() ? shown : ctx_dir / shown;
  std::vector<std::pair<fs::path, std::string>> out;
  if (fs::is_regular_file(path)) {
    out.emplace_back(path, shown.lexically_normal().string());
    return out;
  }
  if (!fs::is_directory(path))
    throw std::runtime_error((shown.empty() ? path : shown).string() + " is neither a manifest file nor a directory");
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(path))
    if (entry.is_regular_file() && entry.path().extension() == ".toml") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) out.emplace_back(file, (shown / file.filename()).lexically_normal().string());
  return out;
}

}  // namespace

int cmd_fmt(Context& ctx, const std::vector<std::string>& args) {
  Flags flags = parse_command_flags("fmt", args);
  std::vector<fs::path> named;
  for (const std::string& p : flags.positional) named.emplace_back(p);
  if (named.empty()) named.emplace_back();
  std::vector<std::pair<fs::path, std::string>> files;  // every one checked before any is read
  for (const fs::path& shown : named)
    for (auto& f : files_named(ctx.dir, shown))
      if (std::none_of(files.begin(), files.end(), [&](const auto& seen) { return fs::equivalent(seen.first, f.first); }))
        files.push_back(std::move(f));

  struct Change {
    fs::path path;
    std::string name;
    std::string before, after;
  };
  std::vector<Change> changes;
  size_t failed = 0;
  for (const auto& [file, name] : files) {
    std::string text = read_file(file);
    manifest::FormatResult r = manifest::format_manifest(text, name);
    if (!r.diagnostics.empty()) {
      for (const auto& d : r.diagnostics) ctx.err << d.str() << "\n";
      ++failed;
    } else if (r.text != text) {
      changes.push_back({file, name, std::move(text), std::move(r.text)});
    }
  }
  if (failed) {
    ctx.err << "Error: " << failed << " file" << (failed == 1 ? "" : "s")
            << " could not be formatted; no file was changed.\n";
    return 1;
  }
  const bool check = flags.has("check");
  for (const Change& c : changes) {
    ctx.out << c.name << "\n";
    if (flags.has("diff")) ctx.out << unified_diff(c.name, c.before, c.after);
    if (check) continue;
    std::ofstream out(c.path, std::ios::binary | std::ios::trunc);
    out << c.after;
    out.flush();
    out.close();  // a failed flush or close (a full disk) sets failbit too
    if (!out) throw std::runtime_error("cannot write " + c.path.string() + ": " + std::strerror(errno));
  }
  return check && !changes.empty() ? 3 : 0;
}

}  // namespace cph::engine

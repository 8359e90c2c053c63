// check_text: a one-pass scan of TOML text that knows just enough of the
// syntax (strings, comments, headers, keys, brackets) to measure what would
// make a parser recurse deeply. It never judges validity: toml++ does that.
#include "manifest/limits.h"

#include <algorithm>
#include <vector>

namespace cph::manifest::limits {
namespace {

class Scanner {
 public:
  Scanner(std::string_view text, const std::string& file) : s_(text), file_(file) {}

  std::optional<Diagnostic> run() {
    bool line_start = true;  // nothing but blanks yet on a line outside brackets
    bool key = true;         // reading a key: dots separate its parts
    bool header = false;     // inside [a.b] or [[a.b]]
    size_t parts = 1;
    size_t headers = 0;
    while (i_ < s_.size()) {
      const char c = s_[i_];
      if (c == '\n') {
        advance();
        if (stack_.empty()) {
          line_start = key = true;
          header = false;
          parts = 1;
        }
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\r') {
        advance();
        continue;
      }
      if (c == '#') {
        while (i_ < s_.size() && s_[i_] != '\n') advance();
        continue;
      }
      const bool first = line_start;
      line_start = false;
      if (c == '"' || c == '\'') {
        skip_string();
        continue;
      }
      if (first && c == '[') {
        if (++headers > kMaxHeaders)
          return at("more than " + with_commas(kMaxHeaders) + " [table] headers in one file; split the manifest "
                    "into several files");
        advance();
        if (i_ < s_.size() && s_[i_] == '[') advance();
        header = key = true;
        parts = 1;
        continue;
      }
      if (key && c == '.') {
        if (++parts > kMaxKeyParts)
          return at("this key has more than " + std::to_string(kMaxKeyParts) + " dotted parts; a key or [table] "
                    "header may have at most " + std::to_string(kMaxKeyParts) + " (a.b.c has 3)");
        advance();
        continue;
      }
      if (header && c == ']') {
        header = key = false;
        advance();
        if (i_ < s_.size() && s_[i_] == ']') advance();
        continue;
      }
      if (std::optional<Diagnostic> d = punctuation(c, key, parts)) return d;
      advance();
    }
    return std::nullopt;
  }

 private:
  // Brackets, separators and `=` of values and inline tables.
  std::optional<Diagnostic> punctuation(char c, bool& key, size_t& parts) {
    switch (c) {
      case '=':
        key = false;
        break;
      case '[':
      case '{':
        if (stack_.size() >= kMaxNesting)
          return at("arrays and inline tables are nested more than " + std::to_string(kMaxNesting) +
                    " deep here; nest at most " + std::to_string(kMaxNesting) + " levels");
        stack_.push_back(c);
        key = c == '{';
        parts = 1;
        break;
      case ']':
      case '}':
        if (!stack_.empty()) stack_.pop_back();
        key = false;
        break;
      case ',':
        key = !stack_.empty() && stack_.back() == '{';
        parts = 1;
        break;
      default:
        break;
    }
    return std::nullopt;
  }

  void advance() {
    if (s_[i_] == '\n') {
      ++line_;
      line_start_ = i_ + 1;
    }
    ++i_;
  }

  // A basic or literal string, one-line or multi-line. An unterminated one
  // ends at the end of its line (one-line) or of the text (multi-line).
  void skip_string() {
    const char q = s_[i_];
    const std::string closing(3, q);
    const bool multi = s_.compare(i_, 3, closing) == 0;
    for (int k = multi ? 3 : 1; k > 0; --k) advance();
    while (i_ < s_.size()) {
      const char c = s_[i_];
      if (q == '"' && c == '\\') {
        advance();
        if (i_ < s_.size()) advance();
        continue;
      }
      if (!multi && c == '\n') return;
      if (c == q && (!multi || s_.compare(i_, 3, closing) == 0)) {
        for (int k = multi ? 3 : 1; k > 0; --k) advance();
        // """a""""" ends with up to two quotes of content before the closing three.
        for (int k = 0; multi && k < 2 && i_ < s_.size() && s_[i_] == q; ++k) advance();
        return;
      }
      advance();
    }
  }

  Diagnostic at(std::string message) const {
    return Diagnostic{SourcePos{file_, line_, static_cast<int>(i_ - line_start_ + 1)}, std::move(message)};
  }

  std::string_view s_;
  const std::string& file_;
  size_t i_ = 0;
  int line_ = 1;
  size_t line_start_ = 0;
  std::vector<char> stack_;  // open '[' and '{' of values
};

}  // namespace

std::string with_commas(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

size_t json_nesting(std::string_view text) {
  size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

std::optional<Diagnostic> check_text(std::string_view text, const std::string& filename) {
  if (text.size() > kMaxFileBytes)
    return Diagnostic{SourcePos{filename, 1, 1}, "the file is " + with_commas(text.size()) + " bytes; a manifest "
                      "file may be at most " + with_commas(kMaxFileBytes) + " bytes (16 MiB), split it"};
  int line = 1;
  for (size_t start = 0; start <= text.size(); ++line) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    if (end - start > kMaxLineBytes)
      return Diagnostic{SourcePos{filename, line, static_cast<int>(kMaxLineBytes) + 1},
                        "line " + std::to_string(line) + " is " + with_commas(end - start) + " bytes long; a line "
                        "may be at most " + with_commas(kMaxLineBytes) + " bytes (1 MiB)"};
    start = end + 1;
  }
  return Scanner(text, filename).run();
}

}  // namespace cph::manifest::limits

// `cphform fmt`: a small layout-preserving reader of TOML (statements, keys,
// values and the comments between them) and a printer of the canonical layout
// described in format.h. The reader keeps scalars as their source text; the
// meaning is checked afterwards by parsing both texts with the manifest parser.
#include "manifest/format.h"

#include <algorithm>

#include "manifest/document.h"
#include "resources/schema.h"

namespace cph::manifest {
namespace {

struct KeyVal;
struct Elem;

struct Val {
  enum class Kind { scalar, array, table } kind = Kind::scalar;
  std::string raw;                        // scalar: its source text
  std::vector<KeyVal> entries;            // inline table
  std::vector<Elem> elems;                // array
  std::vector<std::string> end_comments;  // array: comment lines before ']'
  bool multiline = false;                 // array: written over several lines (or holds comments)
};

struct KeyVal {
  std::string key;
  Val value;
};

struct Elem {
  std::vector<std::string> comments_before;  // comment lines above the element
  Val value;
  std::string trailing;   // a comment after the element (and its comma) on the same line
  bool new_line = false;  // the element starts a line in the source
};

struct Stmt {
  enum class Kind { blank, comment, header, kv } kind = Kind::blank;
  std::string text;  // comment: its text; header: "[a.b]" or "[[a]]"; kv: the key
  Val value;
  std::string trailing;
};

bool is_bare_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// "1979-05-27": a date that may be followed by " 07:32:00" (a date-time).
bool is_date(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return false;
  for (size_t k : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!is_digit(t[k])) return false;
  return true;
}

class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") i_ = 3;  // a UTF-8 byte order mark
  }

  std::vector<Stmt> statements() {
    std::vector<Stmt> out;
    while (true) {
      skip_spaces();
      if (eof()) break;
      Stmt st;
      if (at_newline()) {
        eat_newline();
      } else if (peek() == '#') {
        st.kind = Stmt::Kind::comment;
        st.text = comment();
        if (!eof()) eat_newline();
      } else if (peek() == '[') {
        st.kind = Stmt::Kind::header;
        bool array_of_tables = peek(1) == '[';
        i_ += array_of_tables ? 2 : 1;
        skip_spaces();
        std::string k = key();
        skip_spaces();
        expect(']');
        if (array_of_tables) expect(']');
        st.text = array_of_tables ? "[[" + k + "]]" : "[" + k + "]";
        end_of_line(st.trailing);
      } else {
        st.kind = Stmt::Kind::kv;
        st.text = key();
        skip_spaces();
        expect('=');
        skip_spaces();
        st.value = value();
        end_of_line(st.trailing);
      }
      out.push_back(std::move(st));
    }
    return out;
  }

 private:
  std::string_view s_;
  size_t i_ = 0;

  char peek(size_t k = 0) const { return i_ + k < s_.size() ? s_[i_ + k] : '\0'; }
  bool eof() const { return i_ >= s_.size(); }
  bool at_newline() const { return peek() == '\n' || (peek() == '\r' && peek(1) == '\n'); }
  void eat_newline() { i_ += peek() == '\r' ? 2 : 1; }
  void skip_spaces() {
    while (peek() == ' ' || peek() == '\t') ++i_;
  }

  [[noreturn]] void fail(const std::string& message) const {
    int line = 1, column = 1;
    for (size_t k = 0; k < i_ && k < s_.size(); ++k) {
      if (s_[k] == '\n') {
        ++line;
        column = 1;
      } else if ((static_cast<unsigned char>(s_[k]) & 0xC0) != 0x80) {
        ++column;
      }
    }
    throw FormatError(line, column, message);
  }

  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++i_;
  }

  // At '#': the comment up to the end of the line, without trailing blanks.
  std::string comment() {
    size_t start = i_;
    while (!eof() && !at_newline()) ++i_;
    std::string text(s_.substr(start, i_ - start));
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.pop_back();
    return text;
  }

  void end_of_line(std::string& trailing) {
    skip_spaces();
    if (peek() == '#') trailing = comment();
    if (eof()) return;
    if (!at_newline()) fail("expected the end of the line");
    eat_newline();
  }

  // A quoted string (basic, literal, or either multi-line) as written.
  std::string quoted(bool allow_multiline) {
    const char q = peek();
    const bool basic = q == '"';
    size_t start = i_;
    if (peek(1) == q && peek(2) == q) {
      if (!allow_multiline) fail("a multi-line string cannot be a key");
      i_ += 3;
      while (true) {
        if (eof()) fail("unterminated multi-line string");
        if (basic && peek() == '\\') {
          i_ += 2;
        } else if (peek() == q && peek(1) == q && peek(2) == q) {
          size_t extra = 0;  // up to two quotes may end the content
          while (extra < 2 && peek(3 + extra) == q) ++extra;
          i_ += 3 + extra;
          break;
        } else {
          ++i_;
        }
      }
    } else {
      ++i_;
      while (true) {
        if (eof() || at_newline()) fail("unterminated string");
        if (basic && peek() == '\\') {
          i_ += 2;
        } else if (peek() == q) {
          ++i_;
          break;
        } else {
          ++i_;
        }
      }
    }
    return std::string(s_.substr(start, i_ - start));
  }

  // A dotted key, written without blanks around the dots.
  std::string key() {
    std::string out;
    while (true) {
      skip_spaces();
      if (peek() == '"' || peek() == '\'') {
        out += quoted(false);
      } else {
        size_t start = i_;
        while (is_bare_key_char(peek())) ++i_;
        if (i_ == start) fail("expected a key");
        out += s_.substr(start, i_ - start);
      }
      skip_spaces();
      if (peek() != '.') return out;
      ++i_;
      out += '.';
    }
  }

  Val value() {
    char c = peek();
    if (c == '[') return array();
    if (c == '{') return inline_table();
    Val v;
    if (c == '"' || c == '\'') {
      v.raw = quoted(true);
      return v;
    }
    size_t start = i_;
    while (true) {
      while (!eof() && std::string_view(" \t\r\n,]}#").find(peek()) == std::string_view::npos) ++i_;
      if (peek() == ' ' && is_digit(peek(1)) && is_date(s_.substr(start, i_ - start))) {
        ++i_;  // "1979-05-27 07:32:00"
        continue;
      }
      break;
    }
    if (i_ == start) fail("expected a value");
    v.raw = std::string(s_.substr(start, i_ - start));
    return v;
  }

  Val array() {
    Val v;
    v.kind = Val::Kind::array;
    ++i_;  // '['
    std::vector<std::string> pending;
    bool new_line = false;
    auto blanks_and_comments = [&] {
      while (true) {
        skip_spaces();
        if (at_newline()) {
          eat_newline();
          new_line = v.multiline = true;
        } else if (peek() == '#') {
          pending.push_back(comment());
          v.multiline = true;
        } else {
          return;
        }
      }
    };
    while (true) {
      blanks_and_comments();
      if (eof()) fail("unterminated array");
      if (peek() == ']') {
        ++i_;
        v.end_comments = std::move(pending);
        return v;
      }
      Elem e;
      e.comments_before = std::move(pending);
      pending.clear();
      e.new_line = new_line;
      new_line = false;
      e.value = value();
      skip_spaces();
      if (peek() == '#') {
        e.trailing = comment();
        v.multiline = true;
      }
      blanks_and_comments();
      if (peek() == ',') {
        ++i_;
        skip_spaces();
        if (peek() == '#' && e.trailing.empty() && !new_line && pending.empty()) {
          e.trailing = comment();
          v.multiline = true;
        }
      } else if (peek() != ']') {
        fail("expected ',' or ']' in an array");
      }
      v.elems.push_back(std::move(e));
    }
  }

  Val inline_table() {
    Val v;
    v.kind = Val::Kind::table;
    ++i_;  // '{'
    skip_spaces();
    if (peek() == '}') {
      ++i_;
      return v;
    }
    while (true) {
      KeyVal kv;
      kv.key = key();
      skip_spaces();
      expect('=');
      skip_spaces();
      kv.value = value();
      v.entries.push_back(std::move(kv));
      skip_spaces();
      if (peek() == '}') {
        ++i_;
        return v;
      }
      if (peek() != ',') fail("expected ',' or '}' in an inline table");
      ++i_;
      skip_spaces();
    }
  }
};

// `indent`: the indentation of the line on which the value starts.
std::string render(const Val& v, size_t indent) {
  switch (v.kind) {
    case Val::Kind::scalar:
      return v.raw;
    case Val::Kind::table: {
      if (v.entries.empty()) return "{}";
      std::string out = "{ ";
      for (size_t k = 0; k < v.entries.size(); ++k)
        out += (k ? ", " : "") + v.entries[k].key + " = " + render(v.entries[k].value, indent);
      return out + " }";
    }
    case Val::Kind::array:
      break;
  }
  if (v.elems.empty() && v.end_comments.empty()) return "[]";
  if (!v.multiline) {
    std::string out = "[";
    for (size_t k = 0; k < v.elems.size(); ++k) out += (k ? ", " : "") + render(v.elems[k].value, indent);
    return out + "]";
  }
  const std::string ind(indent + 2, ' ');
  std::string out = "[";
  bool start_line = true;
  for (const Elem& e : v.elems) {
    for (const std::string& c : e.comments_before) {
      out += "\n" + ind + c;
      start_line = true;
    }
    out += start_line || e.new_line ? "\n" + ind : std::string(" ");
    out += render(e.value, indent + 2) + ",";
    start_line = false;
    if (!e.trailing.empty()) {
      out += " " + e.trailing;
      start_line = true;
    }
  }
  for (const std::string& c : v.end_comments) out += "\n" + ind + c;
  return out + "\n" + std::string(indent, ' ') + "]";
}

// Blank lines: none at the start or end, never two in a row, and one before
// each header together with the comment lines directly above it.
std::vector<Stmt> arrange_blank_lines(std::vector<Stmt> in) {
  std::vector<Stmt> out;
  for (Stmt& st : in) {
    bool blank = st.kind == Stmt::Kind::blank;
    if (blank && (out.empty() || out.back().kind == Stmt::Kind::blank)) continue;
    if (st.kind == Stmt::Kind::header) {
      size_t j = out.size();
      while (j > 0 && out[j - 1].kind == Stmt::Kind::comment) --j;
      if (j > 0 && out[j - 1].kind != Stmt::Kind::blank)
        out.insert(out.begin() + static_cast<std::ptrdiff_t>(j), Stmt{});
    }
    out.push_back(std::move(st));
  }
  while (!out.empty() && out.back().kind == Stmt::Kind::blank) out.pop_back();
  return out;
}

std::string spaces(size_t n) { return std::string(n, ' '); }

bool same_value(const doc::Node& a, const doc::Node& b) {
  if (a.kind != b.kind || a.inline_table != b.inline_table || a.scalar.dump() != b.scalar.dump() ||
      a.entries.size() != b.entries.size() || a.items.size() != b.items.size())
    return false;
  for (size_t k = 0; k < a.entries.size(); ++k)
    if (a.entries[k].key != b.entries[k].key || !same_value(a.entries[k].value, b.entries[k].value)) return false;
  for (size_t k = 0; k < a.items.size(); ++k)
    if (!same_value(a.items[k], b.items[k])) return false;
  return true;
}

}  // namespace

std::string format_toml(std::string_view text) {
  std::vector<Stmt> stmts = arrange_blank_lines(Reader(text).statements());
  std::string out;
  for (size_t i = 0; i < stmts.size();) {
    const Stmt& st = stmts[i];
    if (st.kind != Stmt::Kind::kv) {
      if (st.kind == Stmt::Kind::comment || st.kind == Stmt::Kind::header) out += st.text;
      if (!st.trailing.empty()) out += " " + st.trailing;
      out += "\n";
      ++i;
      continue;
    }
    // A run of key/value lines, ended by anything else or by a multi-line value.
    std::vector<std::string> values;
    size_t end = i;
    while (end < stmts.size() && stmts[end].kind == Stmt::Kind::kv) {
      values.push_back(render(stmts[end].value, 0));
      ++end;
      if (values.back().find('\n') != std::string::npos) break;
    }
    size_t key_width = 0;
    for (size_t k = i; k < end; ++k) key_width = std::max(key_width, resources::utf8_length(stmts[k].text));
    std::vector<std::string> lines;
    size_t comment_column = 0;
    for (size_t k = i; k < end; ++k) {
      const std::string& key = stmts[k].text;
      lines.push_back(key + spaces(key_width - resources::utf8_length(key)) + " = " + values[k - i]);
      if (!stmts[k].trailing.empty() && lines.back().find('\n') == std::string::npos)
        comment_column = std::max(comment_column, resources::utf8_length(lines.back()) + 1);
    }
    for (size_t k = i; k < end; ++k) {
      std::string& line = lines[k - i];
      const std::string& trailing = stmts[k].trailing;
      if (!trailing.empty()) {
        bool single = line.find('\n') == std::string::npos;
        line += (single ? spaces(comment_column - resources::utf8_length(line)) : " ") + trailing;
      }
      out += line + "\n";
    }
    i = end;
  }
  return out;
}

FormatResult format_manifest(std::string_view text, const std::string& filename) {
  FormatResult result;
  std::optional<doc::Node> original = doc::parse_toml(text, filename, result.diagnostics);
  if (!original) return result;
  std::string formatted;
  try {
    formatted = format_toml(text);
  } catch (const FormatError& e) {
    result.diagnostics.push_back(Diagnostic{SourcePos{filename, e.line, e.column}, std::string("cannot format: ") + e.what()});
    return result;
  }
  std::vector<Diagnostic> reparse;
  std::optional<doc::Node> after = doc::parse_toml(formatted, filename, reparse);
  if (!after || !same_value(*original, *after)) {
    result.diagnostics.push_back(Diagnostic{SourcePos{filename, 1, 1},
                                            "formatting would change the meaning of this file (a bug in cphform fmt); "
                                            "it was left as it is"});
    return result;
  }
  result.text = std::move(formatted);
  return result;
}

}  // namespace cph::manifest

// CSV and JSON files of rows (rows_file.h). Both readers are small and
// strict on purpose: they track the line and column of every cell, which
// a general JSON library does not report, and accept only what a file of
// rows needs (no nesting in JSON).
#include "manifest/rows_file.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <optional>
#include <set>

namespace cph::manifest::rows_file {
namespace {

// A cursor over the text that knows its line and column (bytes, 1-based).
struct Cursor {
  std::string_view text;
  std::string file;
  size_t at = 0;
  int line = 1;
  int column = 1;

  bool done() const { return at >= text.size(); }
  char peek() const { return done() ? '\0' : text[at]; }
  SourcePos pos() const { return SourcePos{file, line, column}; }
  char take() {
    const char c = text[at++];
    if (c == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
    return c;
  }
};

struct SyntaxError {
  SourcePos pos;
  std::string message;
};

bool ends_with_json(const std::string& file) {
  if (file.size() < 5) return false;
  std::string tail = file.substr(file.size() - 5);
  for (char& c : tail) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return tail == ".json";
}

std::string trimmed(const std::string& s) {
  const size_t first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

// ---- CSV (RFC 4180) ----

struct Cell {
  std::string text;
  SourcePos pos;
};

// One record, the cursor left at the start of the next; nullopt at the end.
std::optional<std::vector<Cell>> csv_record(Cursor& c) {
  if (c.done()) return std::nullopt;
  std::vector<Cell> record;
  while (true) {
    Cell cell{"", c.pos()};
    if (c.peek() == '"') {
      const SourcePos open = c.pos();
      c.take();
      while (true) {
        if (c.done()) throw SyntaxError{open, "has a quoted field that is never closed; end it with \""};
        const char ch = c.take();
        if (ch != '"') {
          cell.text += ch;
        } else if (c.peek() == '"') {
          cell.text += c.take();
        } else {
          break;
        }
      }
      if (!c.done() && c.peek() != ',' && c.peek() != '\n' && c.peek() != '\r')
        throw SyntaxError{c.pos(), "has text after a closing quote; write \"\" for a quote inside a quoted field"};
    } else {
      while (!c.done() && c.peek() != ',' && c.peek() != '\n' && c.peek() != '\r') {
        if (c.peek() == '"')
          throw SyntaxError{c.pos(), "has a quote inside an unquoted field; quote the whole field and write \"\" "
                                     "for the quote"};
        cell.text += c.take();
      }
    }
    record.push_back(std::move(cell));
    if (c.done()) return record;
    const char sep = c.take();
    if (sep == ',') continue;
    if (sep == '\r' && c.peek() == '\n') c.take();
    return record;
  }
}

Rows parse_csv(Cursor& c) {
  Rows out;
  out.list.kind = doc::Kind::array;
  out.list.pos = c.pos();
  std::optional<std::vector<Cell>> header = csv_record(c);
  if (!header) throw SyntaxError{out.list.pos, "is empty; its first line names the columns, e.g. server,phone,name"};
  std::set<std::string> seen;
  for (Cell& h : *header) {
    std::string name = trimmed(h.text);
    if (name.empty()) throw SyntaxError{h.pos, "has an empty column name in its header"};
    if (!seen.insert(name).second) throw SyntaxError{h.pos, "names column \"" + name + "\" twice in its header"};
    out.columns.emplace_back(std::move(name), h.pos);
  }
  while (std::optional<std::vector<Cell>> record = csv_record(c)) {
    if (std::all_of(record->begin(), record->end(), [](const Cell& x) { return x.text.empty(); })) continue;
    if (record->size() != out.columns.size())
      throw SyntaxError{record->front().pos, "has " + std::to_string(record->size()) + " fields on this line and " +
                                                 std::to_string(out.columns.size()) + " columns in its header"};
    doc::Node row;
    row.kind = doc::Kind::table;
    row.inline_table = true;
    row.pos = record->front().pos;
    for (size_t i = 0; i < record->size(); ++i) {
      Cell& cell = (*record)[i];
      if (cell.text.empty()) continue;
      doc::Node value;
      value.kind = doc::Kind::string;
      value.pos = cell.pos;
      value.scalar = std::move(cell.text);
      row.entries.push_back({out.columns[i].first, cell.pos, std::move(value)});
    }
    out.list.items.push_back(std::move(row));
  }
  return out;
}

// ---- JSON: an array of objects of scalars ----

void skip_space(Cursor& c) {
  while (!c.done() && (c.peek() == ' ' || c.peek() == '\t' || c.peek() == '\n' || c.peek() == '\r')) c.take();
}

void expect(Cursor& c, char ch, const std::string& what) {
  skip_space(c);
  if (c.peek() != ch) throw SyntaxError{c.pos(), "must have " + what + " here"};
  c.take();
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

uint32_t hex4(Cursor& c, const SourcePos& at) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    const char h = c.done() ? '\0' : c.take();
    if (!std::isxdigit(static_cast<unsigned char>(h))) throw SyntaxError{at, "has a \\u escape without four hex digits"};
    v = v * 16 + static_cast<uint32_t>(std::isdigit(static_cast<unsigned char>(h)) ? h - '0' : std::tolower(h) - 'a' + 10);
  }
  return v;
}

std::string json_string(Cursor& c) {
  const SourcePos open = c.pos();
  c.take();  // "
  std::string out;
  while (true) {
    if (c.done()) throw SyntaxError{open, "has a string that is never closed"};
    const char ch = c.take();
    if (ch == '"') return out;
    if (static_cast<unsigned char>(ch) < 0x20) throw SyntaxError{open, "has a control character inside a string"};
    if (ch != '\\') {
      out += ch;
      continue;
    }
    const SourcePos esc = c.pos();
    const char e = c.done() ? '\0' : c.take();
    switch (e) {
      case '"': case '\\': case '/': out += e; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        uint32_t cp = hex4(c, esc);
        if (cp >= 0xD800 && cp < 0xDC00 && c.peek() == '\\') {
          c.take();
          if (c.take() != 'u') throw SyntaxError{esc, "has a lone UTF-16 surrogate in a \\u escape"};
          const uint32_t low = hex4(c, esc);
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        append_utf8(out, cp);
        break;
      }
      default: throw SyntaxError{esc, "has an unknown escape \\" + std::string(1, e) + " in a string"};
    }
  }
}

// A scalar value; nullopt for null (the field unset).
std::optional<doc::Node> json_scalar(Cursor& c) {
  skip_space(c);
  doc::Node v;
  v.pos = c.pos();
  const char ch = c.peek();
  if (ch == '"') {
    v.kind = doc::Kind::string;
    v.scalar = json_string(c);
    return v;
  }
  auto word = [&](std::string_view w) {
    if (c.text.substr(c.at, w.size()) != w) return false;
    for (size_t i = 0; i < w.size(); ++i) c.take();
    return true;
  };
  if (word("null")) return std::nullopt;
  for (const bool b : {true, false})
    if (word(b ? "true" : "false")) {
      v.kind = doc::Kind::boolean;
      v.scalar = b;
      return v;
    }
  if (ch == '-' || std::isdigit(static_cast<unsigned char>(ch))) {
    const size_t start = c.at;
    while (!c.done() && (std::isdigit(static_cast<unsigned char>(c.peek())) || std::string_view("+-.eE").find(c.peek()) != std::string_view::npos))
      c.take();
    const std::string_view number = c.text.substr(start, c.at - start);
    int64_t n = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), n);
    if (ec == std::errc() && end == number.data() + number.size()) {
      v.kind = doc::Kind::integer;
      v.scalar = n;
      return v;
    }
    v.kind = doc::Kind::floating;
    v.scalar = std::strtod(std::string(number).c_str(), nullptr);  // the attribute's type check reports it
    return v;
  }
  if (ch == '{' || ch == '[') throw SyntaxError{v.pos, "has a nested object or array; a row's values are strings or numbers"};
  throw SyntaxError{v.pos, "has something that is not a JSON value here"};
}

Rows parse_json(Cursor& c) {
  Rows out;
  out.list.kind = doc::Kind::array;
  skip_space(c);
  out.list.pos = c.pos();
  if (c.peek() != '[') throw SyntaxError{c.pos(), "must be a JSON array of objects, one a phone: [ { ... }, ... ]"};
  c.take();
  std::set<std::string> seen;
  skip_space(c);
  if (c.peek() == ']') {
    c.take();
  } else {
    while (true) {
      skip_space(c);
      if (c.peek() != '{') throw SyntaxError{c.pos(), "must have an object { ... } here: each element is one row"};
      doc::Node row;
      row.kind = doc::Kind::table;
      row.inline_table = true;
      row.pos = c.pos();
      c.take();
      std::set<std::string> keys;
      skip_space(c);
      if (c.peek() == '}') {
        c.take();
      } else {
        while (true) {
          skip_space(c);
          if (c.peek() != '"') throw SyntaxError{c.pos(), "must have a key in double quotes here"};
          const SourcePos key_pos = c.pos();
          std::string key = json_string(c);
          if (!keys.insert(key).second) throw SyntaxError{key_pos, "has key \"" + key + "\" twice in one object"};
          expect(c, ':', "a colon after the key");
          std::optional<doc::Node> value = json_scalar(c);
          if (seen.insert(key).second) out.columns.emplace_back(key, key_pos);
          if (value) row.entries.push_back({std::move(key), key_pos, std::move(*value)});
          skip_space(c);
          if (c.peek() == ',') {
            c.take();
            continue;
          }
          expect(c, '}', "a comma or the closing } of the object");
          break;
        }
      }
      out.list.items.push_back(std::move(row));
      skip_space(c);
      if (c.peek() == ',') {
        c.take();
        continue;
      }
      expect(c, ']', "a comma or the closing ] of the array");
      break;
    }
  }
  skip_space(c);
  if (!c.done()) throw SyntaxError{c.pos(), "has text after the closing ] of the array"};
  return out;
}

}  // namespace

std::optional<Rows> parse(std::string_view text, const std::string& file, const std::string& what,
                          std::vector<Diagnostic>& diags) {
  Cursor c{text, file};
  if (text.substr(0, 3) == "\xEF\xBB\xBF") c.at = 3;  // a byte order mark, as spreadsheets write
  try {
    return ends_with_json(file) ? parse_json(c) : parse_csv(c);
  } catch (const SyntaxError& e) {
    diags.push_back(Diagnostic{e.pos, what + " " + e.message});
    return std::nullopt;
  }
}

}  // namespace cph::manifest::rows_file

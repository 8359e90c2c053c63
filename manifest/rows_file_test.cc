// CSV and JSON files of rows (manifest/rows_file.h): cells, their
// positions in the file, RFC 4180 quoting, and the syntax errors located
// where they are.
#include <catch2/catch.hpp>

#include "manifest/rows_file.h"

using namespace cph::manifest;

namespace {

rows_file::Rows read(const std::string& text, const std::string& file) {
  std::vector<Diagnostic> diags;
  std::optional<rows_file::Rows> rows = rows_file::parse(text, file, "x", diags);
  INFO((diags.empty() ? std::string() : diags.front().str()));
  REQUIRE(rows);
  REQUIRE(diags.empty());
  return *rows;
}

std::string error_of(const std::string& text, const std::string& file) {
  std::vector<Diagnostic> diags;
  CHECK_FALSE(rows_file::parse(text, file, "x", diags));
  REQUIRE(diags.size() == 1);
  return diags.front().str();
}

const doc::Entry* cell(const doc::Node& row, const std::string& key) {
  for (const doc::Entry& e : row.entries)
    if (e.key == key) return &e;
  return nullptr;
}

}  // namespace

TEST_CASE("CSV rows: header names, cells at their line and column, empty cells left out", "[rows_file]") {
  const std::string text = "\xEF\xBB\xBFserver, phone ,name\r\nserver.game[0],0002,a\r\nserver.game[1],1,\r\n\r\n";
  rows_file::Rows r = read(text, "dir/phones.csv");
  REQUIRE(r.columns.size() == 3);
  CHECK(r.columns[1].first == "phone");
  CHECK(r.columns[1].second.str() == "dir/phones.csv:1:8");  // the BOM takes no column
  REQUIRE(r.list.items.size() == 2);  // the blank last line is no row
  const doc::Node& first = r.list.items[0];
  REQUIRE(cell(first, "phone"));
  CHECK(cell(first, "phone")->value.scalar == "0002");  // the loader makes integers of integer fields
  CHECK(cell(first, "phone")->value.pos.str() == "dir/phones.csv:2:16");
  CHECK(cell(first, "name")->value.pos.str() == "dir/phones.csv:2:21");
  const doc::Node& second = r.list.items[1];
  CHECK(cell(second, "name") == nullptr);  // empty: the block's value applies
  CHECK(second.pos.str() == "dir/phones.csv:3:1");
}

TEST_CASE("CSV rows: RFC 4180 quoting keeps commas, quotes and line breaks in a field", "[rows_file]") {
  rows_file::Rows r = read("a,b\n\"x,y\",\"say \"\"hi\"\"\"\n\"two\nlines\",z\n", "p.csv");
  REQUIRE(r.list.items.size() == 2);
  CHECK(cell(r.list.items[0], "a")->value.scalar == "x,y");
  CHECK(cell(r.list.items[0], "b")->value.scalar == "say \"hi\"");
  CHECK(cell(r.list.items[1], "a")->value.scalar == "two\nlines");
  CHECK(cell(r.list.items[1], "b")->value.pos.str() == "p.csv:4:8");  // after the quoted line break
}

TEST_CASE("CSV rows: syntax errors at their place", "[rows_file]") {
  CHECK(error_of("a,b\n1,2,3\n", "p.csv") == "p.csv:2:1: error: x has 3 fields on this line and 2 columns in its header");
  CHECK(error_of("a,b\n\"open,2\n", "p.csv").find("p.csv:2:1: error: x has a quoted field that is never closed") == 0);
  CHECK(error_of("a,b\n1,x\"y\n", "p.csv").find("p.csv:2:4: error: x has a quote inside an unquoted field") == 0);
  CHECK(error_of("a,a\n", "p.csv") == "p.csv:1:3: error: x names column \"a\" twice in its header");
  CHECK(error_of("", "p.csv").find("p.csv:1:1: error: x is empty") == 0);
}

TEST_CASE("JSON rows: an array of flat objects, each value at its line and column", "[rows_file]") {
  const std::string text = "[\n  {\"server\": \"server.solo\", \"phone\": 2, \"name\": \"caf\\u00e9\"},\n"
                           "  {\"server\": \"server.solo\", \"phone\": 3, \"name\": null, \"x\": true}\n]\n";
  rows_file::Rows r = read(text, "phones.JSON");
  REQUIRE(r.list.items.size() == 2);
  REQUIRE(r.columns.size() == 4);
  CHECK(r.columns[3].first == "x");
  const doc::Entry* phone = cell(r.list.items[0], "phone");
  REQUIRE(phone);
  CHECK(phone->value.kind == doc::Kind::integer);
  CHECK(phone->value.scalar == 2);
  CHECK(phone->key_pos.str() == "phones.JSON:2:29");
  CHECK(cell(r.list.items[0], "name")->value.scalar == "caf\xC3\xA9");
  CHECK(cell(r.list.items[1], "name") == nullptr);  // null: unset
  CHECK(cell(r.list.items[1], "x")->value.kind == doc::Kind::boolean);
  CHECK(r.list.items[1].pos.str() == "phones.JSON:3:3");
}

TEST_CASE("JSON rows: what is not an array of flat objects is refused where it starts", "[rows_file]") {
  CHECK(error_of("{\"a\": 1}", "p.json").find("p.json:1:1: error: x must be a JSON array of objects") == 0);
  CHECK(error_of("[\n {\"a\": [1]}]", "p.json").find("p.json:2:8: error: x has a nested object or array") == 0);
  CHECK(error_of("[{\"a\": 1, \"a\": 2}]", "p.json").find("p.json:1:11: error: x has key \"a\" twice") == 0);
  CHECK(error_of("[{\"a\": 1}\n{\"a\": 2}]", "p.json").find("p.json:2:1: error: x must have a comma or the closing ]") == 0);
  CHECK(error_of("[{\"a\": \"open}]", "p.json").find("p.json:1:8: error: x has a string that is never closed") == 0);
  CHECK(error_of("[] x", "p.json").find("p.json:1:4: error: x has text after the closing ]") == 0);
}

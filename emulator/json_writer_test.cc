// JsonWriter produces JSON that nlohmann parses back to the same values.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "emulator/json_writer.h"

using cph::emulator::JsonWriter;
using nlohmann::json;

TEST_CASE("JsonWriter writes nested values with commas and escapes", "[json]") {
  const std::string nasty = std::string("q\"b\\s/n\nt\tc") + '\x01' + "\xe4\xba\x91";
  JsonWriter w;
  w.begin_object()
      .field("s", nasty)
      .field("i", int64_t{-9007199254740993})
      .field("n", 0)
      .key("empty_array").begin_array().end_array()
      .key("empty_object").begin_object().end_object()
      .key("list").begin_array().value("a").value(1).null().begin_object().field("k", "v").end_object().end_array()
      .key("raw").raw(R"({"x":[1,2]})")
      .end_object();
  json parsed = json::parse(w.str());
  CHECK(parsed["s"] == nasty);
  CHECK(parsed["i"] == -9007199254740993LL);
  CHECK(parsed["n"] == 0);
  CHECK(parsed["empty_array"] == json::array());
  CHECK(parsed["empty_object"] == json::object());
  CHECK(parsed["list"] == json::parse(R"(["a",1,null,{"k":"v"}])"));
  CHECK(parsed["raw"]["x"][1] == 2);
  CHECK(w.str().find("\\u0001") != std::string::npos);
}

TEST_CASE("JsonWriter top-level array", "[json]") {
  JsonWriter w;
  w.begin_array().value(1).value(2).end_array();
  CHECK(w.take() == "[1,2]");
}

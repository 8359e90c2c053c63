// A minimal streaming JSON writer for the hot responses (server lists: 100
// servers x ~45 values per page). Building an nlohmann DOM for those costs
// more in allocations than everything else in a request; writing text
// directly keeps a 100-item page well under a millisecond.
//
// Strings are written as given (UTF-8) with '"', '\\' and control characters
// escaped; every string in the world came through nlohmann's parser, which
// rejects invalid UTF-8.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cph::emulator {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);  // inside an object, before its value
  JsonWriter& value(std::string_view v);
  JsonWriter& value(const char* v) { return value(std::string_view(v)); }
  JsonWriter& value(const std::string& v) { return value(std::string_view(v)); }
  JsonWriter& value(int64_t v);
  JsonWriter& value(int v) { return value(static_cast<int64_t>(v)); }
  JsonWriter& null();
  // Already-serialised JSON (for example an nlohmann dump) as one value.
  JsonWriter& raw(std::string_view json);

  // key(k).value(v) in one call.
  template <class T>
  JsonWriter& field(std::string_view k, const T& v) {
    return key(k).value(v);
  }

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void before_value();
  void write_string(std::string_view s);

  std::string out_;
  std::vector<bool> first_;  // per open container: nothing written yet
  bool after_key_ = false;
};

}  // namespace cph::emulator

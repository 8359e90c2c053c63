// The bare-metal password rules (cph-api.md 13.3), the reset scope of a
// device set, and the write-only digest the state keeps.
#include <catch2/catch.hpp>

#include "resources/tencent/bm_api.h"
#include "resources/tencent/bm_reset.h"
#include "resources/tencent/bm_schema.h"
#include "resources/write_only.h"

using cph::tencent::password_problem;
using Json = nlohmann::json;

TEST_CASE("13.3's password rules by OS, never quoting the password", "[tencent]") {
  CHECK_FALSE(password_problem("abcd1234", false));
  CHECK_FALSE(password_problem("abcdefg!", false));      // letters and a special
  CHECK(password_problem("abcdefgh", false));            // one class
  CHECK(password_problem("ab1!", false));                // too short
  CHECK(password_problem("abcdefgh12345678x", false));   // 17 characters
  CHECK_FALSE(password_problem("Abcdefgh1234", true));   // three classes, 12
  CHECK(password_problem("abcdefgh1234", true));         // two classes
  CHECK(password_problem("Abcdefg1234", true));          // 11 characters
  const auto admin = password_problem("xAdMiNiStRaToR1", true);
  REQUIRE(admin);
  CHECK(admin->find("Administrator") != std::string::npos);
  CHECK(admin->find("xAdMiNiStRaToR1") == std::string::npos);
  CHECK_FALSE(password_problem("Ab1`Ab1`Ab1`", true));   // the backtick counts as special
}

TEST_CASE("a reset reaches every device on a new secret, only the joined ones otherwise", "[tencent]") {
  const Json recorded = {{"instance_ids", {"cpm-00000001", "cpm-00000002", "cpm-00000003"}}};
  const Json wanted = {{"instance_ids", {"cpm-00000002", "cpm-00000003", "cpm-00000004"}}};
  const cph::resources::ResetScope same = cph::resources::reset_scope(recorded, wanted, true);
  CHECK(same.todo == std::vector<std::string>{"cpm-00000004"});
  CHECK(same.kept == std::vector<std::string>{"cpm-00000002", "cpm-00000003"});
  CHECK(same.left == std::vector<std::string>{"cpm-00000001"});
  CHECK(cph::resources::describe_scope(same) ==
        "1 device in 1 call of up to 20; cpm-00000001 leaves the set and keeps its password");
  const cph::resources::ResetScope changed = cph::resources::reset_scope(recorded, wanted, false);
  CHECK(changed.todo.size() == 3);
  CHECK(changed.kept.empty());
  CHECK(cph::resources::reset_scope(Json(), wanted, false).todo.size() == 3);

  std::vector<std::string> fifty;
  for (int i = 0; i < 50; ++i) fifty.push_back("cpm-" + std::to_string(10000000 + i));
  const auto batches = cph::resources::reset_batches(fifty);
  REQUIRE(batches.size() == 3);
  CHECK(batches[0].size() == 20);
  CHECK(batches[2].size() == 10);
  CHECK(batches[2].back() == fifty.back());
}

TEST_CASE("state keeps a keyed digest of a write-only value, never the value", "[tencent]") {
  const auto& schema = cph::resources::bm_root_password_schema();
  const std::string key = cph::resources::new_write_only_key();
  const Json row = cph::resources::with_write_only_digests(
      schema, {{"password", "Secret+123"}, {"os", "linux"}}, key);
  CHECK(row["os"] == "linux");
  CHECK(cph::resources::is_write_only_digest(row["password"]));
  CHECK(row["password"].get<std::string>().find("Secret") == std::string::npos);
  CHECK(cph::resources::write_only_matches(key, row["password"], "Secret+123"));
  CHECK_FALSE(cph::resources::write_only_matches(key, row["password"], "Secret+124"));
  // Another state's key gives another digest: a digest alone tells nothing.
  CHECK_FALSE(cph::resources::write_only_matches(cph::resources::new_write_only_key(), row["password"], "Secret+123"));
  CHECK_FALSE(cph::resources::write_only_matches("", row["password"], "Secret+123"));
  // Already a digest: kept as is (a row written twice).
  CHECK(cph::resources::with_write_only_digests(schema, row, key) == row);
}

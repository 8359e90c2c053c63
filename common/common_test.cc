// Unit tests of the generic utilities: crypto.h (against published answers),
// and timefmt.h (round trips and rejects).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>
#include <vector>

#include "common/crypto.h"
#include "common/timefmt.h"

TEST_CASE("sha256_hex: FIPS 180-2 answers", "[crypto]") {
  using cph::crypto::sha256_hex;
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // Embedded NUL bytes are data, not terminators.
  CHECK(sha256_hex(std::string_view("a\0b", 3)) != sha256_hex("a"));
}

TEST_CASE("hmac_sha256_hex: RFC 4231 answers", "[crypto]") {
  using cph::crypto::hmac_sha256_hex;
  // Test case 1
  CHECK(hmac_sha256_hex(std::string(20, '\x0b'), "Hi There") ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // Test case 2
  CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 6: key longer than the block size
  CHECK(hmac_sha256_hex(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First") ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST_CASE("hmac_sha1, hmac_sha256 (raw) and base64: RFC 2202 / 4231 / 4648 answers", "[crypto]") {
  using namespace cph::crypto;
  // RFC 4648 section 10.
  CHECK(base64("").empty());
  CHECK(base64("f") == "Zg==");
  CHECK(base64("fo") == "Zm8=");
  CHECK(base64("foo") == "Zm9v");
  CHECK(base64("foobar") == "Zm9vYmFy");
  // RFC 2202 test case 2 (HMAC-SHA1) and RFC 4231 test case 2 (HMAC-SHA256), as base64 of the raw MAC.
  CHECK(base64(hmac_sha1("Jefe", "what do ya want for nothing?")) == "7/zfauXrL6LSdBbV8YTfnCWafHk=");
  CHECK(hmac_sha1("Jefe", "what do ya want for nothing?").size() == 20);
  CHECK(hmac_sha256("Jefe", "what do ya want for nothing?").size() == 32);
  CHECK(base64(hmac_sha256("Jefe", "what do ya want for nothing?")) ==
        "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=");
}

TEST_CASE("random_hex and equal_constant_time", "[crypto]") {
  using namespace cph::crypto;
  const std::string a = random_hex(16), b = random_hex(16);
  CHECK(a.size() == 32);
  CHECK(a.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(a != b);
  CHECK(random_hex(0).empty());
  CHECK(equal_constant_time("abc", "abc"));
  CHECK_FALSE(equal_constant_time("abc", "abd"));
  CHECK_FALSE(equal_constant_time("abc", "abcd"));
  CHECK(equal_constant_time("", ""));
}

TEST_CASE("timefmt: formatting and round trips", "[timefmt]") {
  using namespace cph;
  CHECK(iso8601_utc(0) == "1970-01-01T00:00:00Z");
  CHECK(sdk_date(0) == "19700101T000000Z");
  // The signing vectors' X-Sdk-Date.
  CHECK(sdk_date(1710491397) == "20240315T082957Z");
  CHECK(iso8601_utc(1710491397) == "2024-03-15T08:29:57Z");
  CHECK(parse_sdk_date("20240315T082957Z") == 1710491397);
  CHECK(parse_iso8601_utc("2021-11-11T08:33:40Z") == 1636619620);
  CHECK(parse_iso8601_utc("2024-02-29T23:59:59Z") == 1709251199);  // leap day

  for (int64_t t : {int64_t{0}, int64_t{951782400}, int64_t{1710491397}, int64_t{4102444799}}) {
    CHECK(parse_iso8601_utc(iso8601_utc(t)) == t);
    CHECK(parse_sdk_date(sdk_date(t)) == t);
  }
  const int64_t now = now_epoch_seconds();
  CHECK(now > 1700000000);
  CHECK(parse_sdk_date(sdk_date(now)) == now);
}

TEST_CASE("timefmt: rejects", "[timefmt]") {
  using namespace cph;
  for (const char* bad :
       {"", "2024-03-15T08:29:57", "2024-03-15T08:29:57z", "2024-03-15 08:29:57Z", "2024/03/15T08:29:57Z",
        "2024-13-15T08:29:57Z", "2024-00-15T08:29:57Z", "2024-03-00T08:29:57Z", "2024-03-32T08:29:57Z",
        "2024-03-15T24:00:00Z", "2024-03-15T08:60:00Z", "2024-03-15T08:29:61Z", "2024-03-15T08:29:57.000Z",
        "2024-3-15T08:29:57Z", "20a4-03-15T08:29:57Z", "20240315T082957Z", "2024-02-31T00:00:00Z",
        "2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z"}) {
    INFO(bad);
    CHECK_FALSE(parse_iso8601_utc(bad).has_value());
  }
  for (const char* bad :
       {"", "20240315T082957", "20240315t082957Z", "20240315 082957Z", "2024031T082957Z", "20241315T082957Z",
        "20240315T250000Z", "2024-03-15T08:29:57Z", "2024031xT082957Z", "20240315T08295Z7"}) {
    INFO(bad);
    CHECK_FALSE(parse_sdk_date(bad).has_value());
  }
}

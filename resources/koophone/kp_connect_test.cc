// The KooPhone connection (connect.h): which authentication the environment
// chooses, and that each reaches the emulator.
#include <cstdlib>

#include "resources/koophone/connect.h"
#include "resources/koophone/kp_test_support.h"

using namespace cph;
using namespace cph::koophone;
using namespace cph::koophone::testing;

namespace {
// Sets variables for one test and clears every variable connect() reads at both ends.
struct KpEnv {
  explicit KpEnv(std::initializer_list<std::pair<const char*, const char*>> vars) {
    if (const char* h = std::getenv("HOME")) home = h;
    clear();
    for (const auto& [k, v] : vars) ::setenv(k, v, 1);
  }
  ~KpEnv() {
    clear();
    ::setenv("HOME", home.c_str(), 1);
  }
  static void clear() {
    for (const char* k : {"HW_USER_NAME", "HW_USER_PASSWORD", "HW_DOMAIN_NAME", "HW_AUTH_TOKEN", "OS_AUTH_TOKEN", "HW_ACCESS_KEY",
                          "HW_SECRET_KEY", "HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "HW_REGION_NAME"})
      ::unsetenv(k);
    // No profile file: the default one under a HOME that does not exist.
    ::unsetenv("HUAWEICLOUD_SDK_CREDENTIALS_FILE");
    ::setenv("HOME", "/nonexistent/koophone-test-home", 1);
  }
  std::string home;
};
}  // namespace

TEST_CASE("koophone connect: an IAM password from the environment, against the emulator", "[koophone]") {
  KpFixture f;
  KpEnv env{{"HW_USER_NAME", "kpuser"}, {"HW_USER_PASSWORD", "right-pw"}, {"HW_DOMAIN_NAME", "acme"}, {"HW_REGION_NAME", "cn-east-3"}};
  Connection c = connect(f.io.get_executor(), ConnectSettings{f.emu.url(), {}, "", std::nullopt, {}});
  CHECK(c.description.find("IAM token of user kpuser") != std::string::npos);
  CHECK(c.description.find("right-pw") == std::string::npos);
  CHECK(f.run(c.client->query_status(kp_range(1, 5))).size() == 5);
  CHECK(f.emulator_count("POST /v3/auth/tokens") == 1);
}

TEST_CASE("koophone connect: AK/SK from the environment; a given token; nothing", "[koophone]") {
  KpFixture f;
  {
    KpEnv env{{"HW_ACCESS_KEY", kKpCreds.access_key.c_str()}, {"HW_SECRET_KEY", kKpCreds.secret_key.c_str()}};
    Connection c = connect(f.io.get_executor(), ConnectSettings{f.emu.url(), {}, "", std::nullopt, {}});
    CHECK(c.description.find("AK/SK from environment") != std::string::npos);
    CHECK(f.run(c.client->query_status(kp_range(1, 5))).size() == 5);
  }
  {
    KpEnv env{{"OS_AUTH_TOKEN", "MIIEnot-a-real-token"}};
    Connection c = connect(f.io.get_executor(), ConnectSettings{f.emu.url(), {}, "", std::nullopt, {}});
    CHECK(c.description.find("IAM token from environment (OS_AUTH_TOKEN)") != std::string::npos);
    CHECK_THROWS_AS(f.run(c.client->query_status(kp_range(1, 5))), KpError);  // 401: not renewable
  }
  {
    KpEnv env{{"HW_USER_NAME", "kpuser"}, {"HW_USER_PASSWORD", "right-pw"}};
    CHECK_THROWS_WITH(connect(f.io.get_executor(), ConnectSettings{f.emu.url(), {}, "cn-east-3", std::nullopt, {}}),
                      Catch::Contains("HW_DOMAIN_NAME is not set"));
  }
  {
    KpEnv env{};
    CHECK_THROWS_WITH(connect(f.io.get_executor(), ConnectSettings{"", {}, "", std::nullopt, {}}),
                      Catch::Contains("no KooPhone credentials"));
  }
}

// Refresh of phones (issue 14, cph-api.md 5.1): every phone of the project in
// pages of 200 asked for together, read only when the scope involves
// [phones] blocks; against the in-process emulator over real HTTP.
#include <algorithm>

#include "resources/cph/cph_provider.h"
#include "resources/cph/emulator_fixture.h"

using namespace cph::cloud;
using namespace cph::cloud::testing;

namespace {

const char* const kPhoneList = "GET /v1/{project_id}/cloud-phone/phones";

cph::resources::RefreshScope scope_of(const std::vector<std::string>& types) {
  cph::resources::RefreshScope scope;
  for (const std::string& t : types) scope.note(t, nlohmann::json::object());
  return scope;
}

}  // namespace

TEST_CASE("list_all_phones reads every phone in pages of 200", "[cloud][phones]") {
  EmulatorFixture f;
  // rx1.cp.c105.d6.e5v5: 105 phones a server (the emulator's catalog, 5.3).
  std::vector<std::string> ids = f.buy_servers(3);
  std::vector<Phone> all = f.run(f.client().list_all_phones());
  CHECK(all.size() == 315);
  CHECK(f.served(kPhoneList) == 2);  // ceil(315 / 200)
  for (const Phone& p : all) {
    CHECK(std::find(ids.begin(), ids.end(), p.server_id) != ids.end());
    CHECK(p.status == 2);  // running once its server is normal (5.0)
    CHECK(p.phone_model_name == "rx1.cp.c105.d6.e5v5");
    CHECK_FALSE(p.phone_name.empty());
  }
}

TEST_CASE("refresh lists phones only when the scope involves phones blocks", "[cloud][phones]") {
  EmulatorFixture f;
  std::vector<std::string> ids = f.buy_servers(2);

  const cph::resources::RefreshScope no_phones = scope_of({"server", "keypair"});
  auto without = f.run(cph::resources::read_inventory(f.client(), no_phones));
  CHECK(f.served(kPhoneList) == 0);
  CHECK_FALSE(without->reads("phones"));
  CHECK(without->phones.empty());

  const cph::resources::RefreshScope phones = scope_of({"server", "phones"});
  auto with = f.run(cph::resources::read_inventory(f.client(), phones));
  CHECK(f.served(kPhoneList) == 2);  // 210 phones: ceil(210 / 200), never one call per phone
  CHECK(with->reads("phones"));
  REQUIRE(with->phones.size() == 2);
  for (const std::string& id : ids) {
    const std::vector<Phone>& list = with->phones.at(id);
    CHECK(list.size() == 105);
    // In phone id order: the order ${phone.index} numbers them in.
    CHECK(std::is_sorted(list.begin(), list.end(),
                         [](const Phone& a, const Phone& b) { return a.phone_id < b.phone_id; }));
  }
}

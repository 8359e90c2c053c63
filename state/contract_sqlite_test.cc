// Runs the backend contract (backend_contract_test.cc) against SQLite.
#include "state/contract_fixture.h"
#include "state/state_test_util.h"

namespace cph::state::testing {
namespace {

class SqliteBackend final : public BackendUnderTest {
 public:
  BackendConfig config(const std::string& workspace) override {
    BackendConfig c;
    c.type = "sqlite";
    c.sqlite_dir = tmp_.dir.string();
    c.workspace = workspace;
    return c;
  }

 private:
  TempDir tmp_;
};

}  // namespace

std::unique_ptr<BackendUnderTest> make_backend() { return std::make_unique<SqliteBackend>(); }

}  // namespace cph::state::testing

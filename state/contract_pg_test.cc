// Runs the backend contract (backend_contract_test.cc) against PostgreSQL.
#include "state/contract_fixture.h"
#include "state/pg_test_util.h"

namespace cph::state::testing {
namespace {

class PgBackend final : public BackendUnderTest {
 public:
  BackendConfig config(const std::string& workspace) override {
    BackendConfig c;
    c.type = "pg";
    c.pg_conn = schema_.conninfo();
    c.workspace = workspace;
    return c;
  }

 private:
  PgSchema schema_;
};

}  // namespace

std::unique_ptr<BackendUnderTest> make_backend() { return std::make_unique<PgBackend>(); }

}  // namespace cph::state::testing

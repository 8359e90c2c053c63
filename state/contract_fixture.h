// The backend under test for the contract suite (backend_contract_test.cc).
// Each test binary links one implementation: contract_sqlite_test.cc or
// contract_pg_test.cc.
#pragma once

#include <memory>
#include <string>

#include "state/state.h"

namespace cph::state::testing {

// A fresh, empty backend location (a temp directory, a PostgreSQL schema),
// removed when destroyed.
class BackendUnderTest {
 public:
  virtual ~BackendUnderTest() = default;
  virtual BackendConfig config(const std::string& workspace = kDefaultWorkspace) = 0;
  std::unique_ptr<StateStore> open(const std::string& workspace = kDefaultWorkspace) {
    return open_state_store(config(workspace));
  }
};

std::unique_ptr<BackendUnderTest> make_backend();

}  // namespace cph::state::testing

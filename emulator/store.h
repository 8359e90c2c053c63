// SQLite persistence of the emulated world (common/sqlite.h). The in-memory
// World is the source of truth while running; the store is loaded once at
// start and written through, one transaction per mutation, so that a restart
// on the same file continues with the same servers, bandwidths, orders and
// simulated clock.
//
// Each entity is one row: its id, its insertion sequence and a JSON document.
// Tables are prefixed "emu_" so the file can never be mistaken for (or mixed
// up with) another component's database. PRAGMA user_version holds the schema
// version.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/sqlite.h"
#include "emulator/model.h"

namespace cph::emulator {

class Store {
 public:
  static constexpr int kSchemaVersion = 3;  // 2: + emu_jobs, emu_keypairs; 3: + emu_phones

  // path "" = a private in-memory database. Throws sql::Error, or
  // std::runtime_error for a file written by a newer schema.
  explicit Store(const std::string& path);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  struct Snapshot {
    std::optional<int64_t> sim_time_us;  // nullopt: a new world
    int64_t next_seq = 1;
    std::vector<Server> servers;
    std::vector<Bandwidth> bandwidths;
    std::vector<Order> orders;
    std::vector<Job> jobs;
    std::vector<KeyPair> keypairs;
    std::vector<Phone> phones;  // overrides only (model.h Phone)
  };
  Snapshot load();

  // One write transaction (BEGIN IMMEDIATE ... COMMIT); rolled back when
  // destroyed without commit().
  class Writer {
   public:
    explicit Writer(Store& store);
    void put(const Server& s);
    void put(const Bandwidth& b);
    void put(const Order& o);
    void erase_server(std::string_view id);
    void erase_bandwidth(std::string_view id);
    void put(const Job& j);
    void put(const KeyPair& k);  // keyed by "project/name"
    void erase_keypair(std::string_view key);
    void put(const Phone& p);
    void erase_phone(std::string_view id);
    void put_clock(int64_t sim_time_us, int64_t next_seq);
    void commit();

   private:
    Store& store_;
    sql::Transaction tx_;
  };

 private:
  struct Statements;
  sql::Db db_;
  std::unique_ptr<Statements> st_;
};

}  // namespace cph::emulator

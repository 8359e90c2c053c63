// The provider interface (issue 13; docs/architecture.md "Adding a
// provider"): what the planner and the command line know of a cloud. A
// provider reads what a plan needs from its cloud into an Inventory, and
// checks planned changes against what its cloud offers. Terraform's
// providers.Interface and Ninja's CommandRunner are the models: the engine
// holds plans, graphs, journals, locks and state; a provider knows its cloud.
//
// The CPH provider (resources/cph/cph_provider.h) is the first. Its
// planning rules without a connection (batching, journal reconciliation)
// are its ProviderKind (resources/provider_kind.h); its write side is the
// StepRunner it makes (resources/runner.h).
#pragma once

#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "resources/operation.h"
#include "resources/runner.h"

namespace cph::resources {

using Json = nlohmann::json;

// What a refresh must read, so that a provider reads only what a plan
// involves (a CPH plan without key pairs lists no key pairs).
struct RefreshScope {
  // Every resource type the state records or the manifests declare, with the
  // attribute names its rows and blocks use.
  std::map<std::string, std::set<std::string>> attributes;
  bool has_records = false;  // the state records anything at all
  // Ids of objects that exist outside cphform and that no API lists (KooPhone
  // instances), by resource type: the values of Attribute::adopts attributes
  // of the rows and blocks. A provider reads exactly these.
  std::map<std::string, std::set<std::string>> adopted;
  // Also what describing unmanaged objects needs (drift -name-prefix/-tag).
  bool unmanaged = false;

  void note(const std::string& type, const Json& attributes);
  bool involves(const std::string& type) const { return attributes.count(type) > 0; }
  bool uses(const std::string& type, const std::string& attribute) const;
};

// Unmanaged objects to list in a drift report: a name prefix and/or tags
// (all must match). Neither: none are listed.
struct UnmanagedFilter {
  std::string name_prefix;
  std::vector<std::pair<std::string, std::string>> tags;
  bool active() const { return !name_prefix.empty() || !tags.empty(); }
};

// An object an interrupted create may have made, found by the names it was
// to get (the journal had no answer with its id).
struct FoundObject {
  std::string cloud_id;
  std::string order_id;  // the paid order that made it, when the cloud says
  Json attributes;       // the asked attributes overlaid with the live ones
};

// Which reads refreshed() overlays on a record.
enum class Overlay {
  all,          // everything the refresh read (a server's tags included)
  object_only,  // only the object's own listing: attributes a create made
};

// What one provider's cloud has now, as one refresh read it.
class Inventory {
 public:
  virtual ~Inventory() = default;

  // Whether the refresh read objects of `type` at all: a type it did not
  // read keeps its record as it is.
  virtual bool reads(const std::string& type) const = 0;
  // The recorded attributes of an object overlaid with what the cloud
  // reports now; nullopt when the cloud read it and it no longer exists.
  virtual std::optional<Json> refreshed(const std::string& type, const std::string& cloud_id, const Json& recorded,
                                        Overlay overlay = Overlay::all) const = 0;
  // The oldest object of `type` named one of `names` whose id is not in
  // `claimed`: what an interrupted create under those names made.
  virtual std::optional<FoundObject> find_created(const std::string& type, const std::set<std::string>& names,
                                                  const std::set<std::string>& claimed, const Json& asked) const = 0;
  // How much the refresh found, for people and the -json refresh summary:
  // the count of the provider's main objects and their noun ("servers").
  virtual size_t size() const = 0;
  virtual std::string noun() const = 0;
  // Objects the refresh saw whose ids are not in `managed`, matching the
  // filter, as report entries sorted by name ({"server_id", "server_name",
  // "status", "tags"} for CPH).
  virtual Json unmanaged(const std::set<std::string>& managed, const UnmanagedFilter& filter) const = 0;
  // What people should hear of what the refresh read before any plan
  // (adopted KooPhone instances that are not running), one warning each.
  virtual std::vector<std::string> notices() const { return {}; }
};

// A planned change as the provider's checks see it.
struct PlannedChange {
  std::string address;  // "server.web[0]"
  const Json* before = nullptr;
  const Json* after = nullptr;
  // The update's operations ("change_model", ...); empty for a create or a
  // removal (every planned action of the instance is asked about).
  const std::vector<std::string>* operations = nullptr;
  // The members a -replace or requested operation names (Action::members):
  // for a type with live_members, the provider refuses those naming nothing.
  const std::vector<std::string>* members = nullptr;
};

// An object of the cloud as import records it.
struct ImportedObject {
  std::string cloud_id;
  std::string name;
  Json attributes;             // what the state records: the values the cloud reports
  Json tags = Json::object();  // {key: value} (import -filter reads them)
};

// import: the objects imported into one block.
struct ImportedSet {
  std::string block;                       // "server.game"
  std::map<std::string, std::string> ids;  // instance address -> cloud id
  bool generated = false;                  // its block is being written (-generate-config-out)
};

// import: a declared block of another type that lists imported objects (a
// CPH [phones] block listing imported servers).
struct DependentBlock {
  std::string address;           // "phones.game"
  std::string type;
  Json attributes;               // as declared; lists of objects as sorted instance addresses
  std::optional<Json> recorded;  // its row's attributes, when the state has one
};

// What an import records of such blocks, and writes of generated ones.
struct DependentImport {
  struct Row {
    std::string address, type;
    Json attributes;
    std::string note;  // for people: what was read ("105 phones, ...")
  };
  std::vector<Row> rows;
  std::string blocks;  // manifest text for the generated sets' blocks
};

// drift: a recorded object, as the state holds it.
struct RecordedObject {
  std::string address, type, cloud_id;
  Json attributes;
};

// drift: what only one read per object can tell (CPH phone properties, read
// per phone), compared with what the state recorded as applied.
struct DetailDrift {
  struct Finding {
    std::string address;  // the row's ("phones.game")
    // {"attribute", "object" (which one of the row's objects, for people),
    //  "recorded", "live"}
    Json change;
  };
  std::vector<Finding> findings;
  // Without reading: what such reads would compare, for people ("" none).
  std::string not_compared;
};

class Provider {
 public:
  virtual ~Provider() = default;

  // The provider type ("cph") as manifests name it.
  virtual std::string type() const = 0;
  // Where it sends requests, for people; never a secret.
  virtual std::string description() const = 0;
  // At most `n` requests of one API in flight (-parallelism).
  virtual void set_parallelism(int n) = 0;

  // Reads what the scope involves, in pages (ARCHITECTURE decision 5).
  virtual boost::asio::awaitable<std::unique_ptr<Inventory>> refresh(const RefreshScope& scope) = 0;
  // List calls made so far (a refresh of N objects uses pages, not N reads).
  virtual int64_t list_calls() const = 0;

  // The problems the cloud would refuse a change for, found before anything
  // runs (a model the service does not sell): one line each, starting with
  // the instance address. Empty when there are none.
  virtual boost::asio::awaitable<std::vector<std::string>> check_changes(
      const std::vector<PlannedChange>& changes) = 0;

  // The runner that carries out this instance's steps of a plan and resumes
  // its unfinished operations: its mutating calls journaled through the
  // StepJournal each step gets, its reads of recorded rows through
  // `records`, its waits paced (and stopped, and orders paid) by `poll`.
  // Lives for one apply.
  virtual std::unique_ptr<StepRunner> runner(RunPlan plan, const Records& records, RunObserver& progress,
                                             PollPolicy poll) = 0;

  // import ADDRESS ID: the object as the state records it; throws when the
  // cloud has none.
  virtual boost::asio::awaitable<ImportedObject> read_object(const std::string& type, const std::string& cloud_id) = 0;
  // import -filter: every object of `type`, with its tags, in pages.
  virtual boost::asio::awaitable<std::vector<ImportedObject>> list_objects(const std::string& type) = 0;
  // import -generate-config-out: the manifest block ([type.label]) for
  // objects like `sample`, `count` of them when counted, written from what
  // the cloud reports (values it cannot report are marked TODO).
  virtual boost::asio::awaitable<std::string> generated_block(const std::string& type, const std::string& label,
                                                              const std::string& name, std::optional<int> count,
                                                              const ImportedObject& sample) = 0;
  // import: the rows that `declared` blocks record of the objects just
  // imported, as if they had been applied to them as they are now, and with
  // -generate-config-out the blocks of that kind for the generated sets.
  // Reads only; recorded with the imported rows or not at all. None unless
  // the provider has such blocks.
  virtual boost::asio::awaitable<DependentImport> import_dependents(const std::vector<ImportedSet>& imported,
                                                                    const std::vector<DependentBlock>& declared) {
    (void)imported;
    (void)declared;
    co_return DependentImport{};
  }
  // drift: the recorded values of `rows` that only one read per object
  // reports, compared with the cloud when `read` (costly: one call per
  // object); without, only what they would compare. None by default.
  virtual boost::asio::awaitable<DetailDrift> detail_drift(const std::vector<RecordedObject>& rows, bool read) {
    (void)rows;
    (void)read;
    co_return DetailDrift{};
  }
};

}  // namespace cph::resources

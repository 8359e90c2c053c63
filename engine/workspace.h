// A working directory: its manifests, its state under .cphform/, and the
// cloud it talks to (the embedded emulator by default, ARCHITECTURE
// decision 8). Opening is staged so that a bad manifest stops everything
// before any state file is touched or any request is sent.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "resources/provider.h"
#include "emulator/emulator.h"
#include "engine/executor.h"
#include "engine/step_runner.h"
#include "manifest/manifest.h"
#include "state/state.h"

namespace cph::engine {

struct Workspace {
  std::filesystem::path dir;       // where the manifests are
  std::filesystem::path data_dir;  // dir/.cphform
  manifest::Manifest manifest;
};

// Stage 1: reads and validates the manifests (throws manifest::ManifestError).
Workspace load_workspace(const std::filesystem::path& dir);

// The selected workspace: CPHFORM_WORKSPACE, else the name kept in
// .cphform/environment by `workspace select`, else "default".
std::string current_workspace(const Workspace& ws);
void remember_workspace(const Workspace& ws, const std::string& name);

// Where the state lives: [backend] of the manifests (SQLite under .cphform/
// by default), the PostgreSQL connection from [backend] conn, else
// CPHFORM_PG_CONN, else libpq's PG* variables; `type` overrides the
// manifest's backend type (for state migrate).
state::BackendConfig backend_config(const Workspace& ws, const std::string& type = "");

// Stage 2: the state of the current workspace (created on first use).
std::unique_ptr<state::StateStore> open_state(const Workspace& ws);

// Stage 3: the cloud (resources/cph/connect.h does the connecting). For
// endpoint = "emulator" this starts the embedded emulator (data in
// .cphform/emulator.db) with the built-in credentials, or with the
// environment's when they are set. Otherwise the services' endpoints come
// from the region (or [provider] endpoint / endpoints), the credentials from
// the chain (environment, profile file, ECS metadata service), the project
// from the manifest, the credentials, the state (`store`: the project IAM
// found on an earlier run for the same region) or IAM, which is then
// remembered in the state's settings.
//
// With several provider instances ([provider.east], [provider.south]) each
// gets its own connection: client, credentials, endpoints, settings keys and
// embedded emulator (.cphform/emulator-NAME.db). The session's connection is
// the default provider's (manifest::Manifest::provider); the others hang
// off it in `others`.
struct CloudConnection {
  std::string name;  // the provider instance ("cph", "east")
  std::unique_ptr<emulator::EmbeddedEmulator> emulator;  // when embedded
  // The provider instance (resources/provider.h), owning its client:
  // refresh, plan checks, import and the apply's step runner go through it.
  std::unique_ptr<resources::Provider> provider;
  std::string description;  // "embedded emulator at http://127.0.0.1:PORT" (no secrets)
  // Said before every run that uses this connection (e.g. insecure = true).
  std::vector<std::string> warnings;
  std::string pay_orders = "auto";  // [provider] pay_orders of this instance
  std::vector<CloudConnection> others;  // the other provider instances, by name

  // This one and the others, default first.
  std::vector<CloudConnection*> instances();
  // The instance named `name` ("" or unknown: this, the default).
  CloudConnection& instance(const std::string& name);

  // The runner that carries out a plan's steps: each step on the runner of
  // its provider instance (planner::Step::provider), reading recorded rows
  // through `records` (engine::StoreRecords), which outlives it.
  std::unique_ptr<StepRunner> step_runner(const resources::Records& records, const planner::Plan& plan,
                                          RunObserver& progress, const ExecOptions& options);
};
boost::asio::awaitable<CloudConnection> connect_cloud(const Workspace& ws, boost::asio::any_io_executor executor,
                                                      state::StateStore* store);

// Stage 3 for one provider instance only (`name`, a ProviderConfig::name of
// the manifests): for a command that talks to one instance (koophone exec),
// so that the others' credentials, emulators and IAM calls are not needed.
// `store` may be null (then a CPH instance remembers no discovered project).
boost::asio::awaitable<CloudConnection> connect_provider(const Workspace& ws, const std::string& name,
                                                         boost::asio::any_io_executor executor,
                                                         state::StateStore* store);

}  // namespace cph::engine

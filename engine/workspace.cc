#include "engine/workspace.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <stdexcept>

#include "cloud/proxy.h"
#include "engine/step_journal.h"
#include "resources/cph/connect.h"
#include "resources/cph/cph_provider.h"
#include "resources/koophone/kp_provider.h"
#include "resources/tencent/bm_provider.h"

namespace cph::engine {

namespace fs = std::filesystem;

Workspace load_workspace(const fs::path& dir) {
  Workspace ws;
  ws.dir = dir;
  ws.data_dir = dir / ".cphform";
  ws.manifest = manifest::load_manifest_dir(dir);
  return ws;
}

namespace {
// .cphform/ holds the state, emulator data and the workspace choice: 0700.
void make_data_dir(const fs::path& dir) {
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace);
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}
}  // namespace

std::string current_workspace(const Workspace& ws) {
  std::string name = env("CPHFORM_WORKSPACE");
  if (name.empty()) {
    std::ifstream in(ws.data_dir / "environment");
    std::getline(in, name);
  }
  if (name.empty()) return state::kDefaultWorkspace;
  state::validate_workspace_name(name);
  return name;
}

void remember_workspace(const Workspace& ws, const std::string& name) {
  state::validate_workspace_name(name);
  make_data_dir(ws.data_dir);
  std::ofstream out(ws.data_dir / "environment", std::ios::trunc);
  out << name << "\n";
  if (!out) throw std::runtime_error("cannot write " + (ws.data_dir / "environment").string());
}

state::BackendConfig backend_config(const Workspace& ws, const std::string& type) {
  state::BackendConfig c;
  c.type = type.empty() ? ws.manifest.backend.type : type;
  c.sqlite_dir = ws.data_dir.string();
  c.pg_conn = ws.manifest.backend.conn.value_or(env("CPHFORM_PG_CONN"));
  c.workspace = current_workspace(ws);
  if (c.type == "sqlite") make_data_dir(ws.data_dir);
  return c;
}

std::unique_ptr<state::StateStore> open_state(const Workspace& ws) { return state::open_state_store(backend_config(ws)); }

namespace {

double emulator_time_scale() {
  // Simulated seconds per wall second for the embedded emulator: a purchase
  // that takes 300 simulated seconds is done in 3 s of the quickstart.
  std::string v = env("CPHFORM_EMULATOR_TIME_SCALE");
  if (v.empty()) return 100.0;
  try {
    double scale = std::stod(v);
    if (scale > 0) return scale;
  } catch (const std::exception&) {
  }
  throw std::runtime_error("CPHFORM_EMULATOR_TIME_SCALE must be a positive number, got \"" + v + "\"");
}

// CPHFORM_EMULATOR_TENCENT_DEVICES / _KOOPHONE_INSTANCES: how many
// bare-metal devices / KooPhone instances the embedded emulator of a
// tencent_bm / koophone instance has (default 100).
int emulator_catalog_size(const char* variable) {
  const std::string v = env(variable);
  if (v.empty()) return 100;
  if (v.size() <= 6 && v.find_first_not_of("0123456789") == std::string::npos) return std::stoi(v);
  throw std::runtime_error(std::string(variable) + " must be a whole number below 1000000, got \"" + v + "\"");
}

// The state settings that remember the project IAM found for a region; a
// named provider instance keeps its own ("provider.east.region").
std::string settings_key(const manifest::ProviderConfig& p, const std::string& what) {
  return p.name == p.type ? "provider." + what : "provider." + p.name + "." + what;
}
}  // namespace

namespace {
// The embedded emulator, started with the credentials it will accept: those
// of the environment when set (a test's), else its built-in ones.
cloud::FoundCredentials start_emulator(const Workspace& ws, const manifest::ProviderConfig& p, CloudConnection& conn) {
  std::optional<cloud::FoundCredentials> found = cloud::credentials_from_env();
  if (!found) {
    const emulator::Credential builtin = emulator::builtin_credential();
    cloud::Credentials c;
    c.access_key = builtin.access_key;
    c.secret_key = builtin.secret_key;
    c.project_id = builtin.project_id;
    found = cloud::FoundCredentials{c, "the embedded emulator's built-in keys", "", false};
  }
  cloud::Credentials& c = found->credentials;
  // Keys a provider block gives (tencent_bm's secret_id and secret_key) are
  // the ones its emulator accepts.
  if (p.settings.count("secret_id") && p.settings.count("secret_key")) {
    c.access_key = p.settings.at("secret_id");
    c.secret_key = p.settings.at("secret_key");
  }
  if (p.project_id) c.project_id = *p.project_id;
  if (c.project_id.empty()) c.project_id = emulator::builtin_credential().project_id;
  make_data_dir(ws.data_dir);
  emulator::Options opts;
  opts.listen = "127.0.0.1:0";
  // One data file per embedded emulator: provider instances are separate clouds.
  opts.data_path = (ws.data_dir / (p.name == p.type ? "emulator.db" : "emulator-" + p.name + ".db")).string();
  opts.credentials = {{c.access_key, c.secret_key, c.project_id}};
  opts.time_scale = emulator_time_scale();
  opts.region = p.region.value_or(c.region.empty() ? "cn-east-3" : c.region);
  // A tencent_bm instance's emulator serves a catalog of bare-metal devices
  // (cpm-00000001 ...), which live in memory: each run starts from it again.
  if (p.type == "tencent_bm") opts.tencent_devices = emulator_catalog_size("CPHFORM_EMULATOR_TENCENT_DEVICES");
  // A koophone instance's serves KooPhone instances (kp000001 ...), in memory too.
  if (p.type == "koophone") opts.koophone_instances = emulator_catalog_size("CPHFORM_EMULATOR_KOOPHONE_INSTANCES");
  conn.emulator = std::make_unique<emulator::EmbeddedEmulator>(opts);
  conn.emulator->start();
  return *found;
}

// [provider] timeouts, ca_file and insecure as the client's HTTP options.
cloud::HttpOptions http_options(const Workspace& ws, const manifest::ProviderConfig& p) {
  cloud::HttpOptions http;  // unset timeouts keep cloud::HttpOptions' defaults
  const manifest::ProviderConfig::Timeouts& t = p.timeouts;
  http.connect_timeout = t.connect.value_or(http.connect_timeout);
  http.tls_timeout = t.tls.value_or(http.tls_timeout);
  http.read_timeout = t.read.value_or(http.read_timeout);
  http.request_timeout = t.request.value_or(http.request_timeout);
  // A relative ca_file is from the manifest directory, wherever cphform runs from.
  if (!p.ca_file.empty()) http.ca_file = std::filesystem::absolute(ws.dir / p.ca_file).string();
  http.verify_peer = !p.insecure;
  return http;
}
}  // namespace

namespace {

// One provider instance's connection: endpoints, credentials, project, client.
// Its description for people (the embedded emulator's URL, else the
// client's, which names where the credentials came from), and what a run
// says about a [provider] table's insecure = true.
void describe(const manifest::ProviderConfig& p, CloudConnection& conn, const std::string& client_description) {
  conn.description = conn.emulator ? "embedded emulator at " + conn.emulator->url() : client_description;
  const std::string table = p.name == p.type ? "[provider]" : "[provider." + p.name + "]";
  if (p.insecure)
    conn.warnings.push_back(table + " insecure = true: HTTPS certificates are not verified, so anyone on the "
                            "network path to " + conn.description + " can read and change the requests, "
                            "signatures included. Use ca_file to trust a private CA instead.");
}

// A tencent_bm instance (resources/tencent/bm_provider.h): the embedded
// emulator's keys, or Tencent's environment variables.
CloudConnection connect_tencent_bm(const Workspace& ws, const manifest::ProviderConfig& p,
                                   boost::asio::any_io_executor executor) {
  CloudConnection conn;
  conn.name = p.name;
  resources::TencentBmSettings settings;
  settings.region = p.region.value_or("");
  settings.http = http_options(ws, p);
  if (p.endpoint == "emulator") {
    const cloud::FoundCredentials keys = start_emulator(ws, p, conn);
    settings.endpoint = conn.emulator->url();
    settings.secret_id = keys.credentials.access_key;
    settings.secret_key = keys.credentials.secret_key;
    settings.key_source = "the embedded emulator's keys";
    if (settings.region.empty()) settings.region = "ap-guangzhou";
  } else {
    settings.endpoint = p.endpoint;
    settings.proxy = cloud::proxy_settings_from_env();
    if (p.settings.count("secret_id") != p.settings.count("secret_key"))
      throw std::runtime_error("[provider." + p.name + "] sets one of secret_id and secret_key: set both, or "
                               "neither (then TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY are read)");
    if (p.settings.count("secret_id")) {
      settings.secret_id = p.settings.at("secret_id");
      settings.secret_key = p.settings.at("secret_key");
    }
  }
  conn.provider = resources::connect_tencent_bm(executor, std::move(settings));
  describe(p, conn, conn.provider->description());
  return conn;
}

// What the Huawei-signed provider instances (CPH, KooPhone) set alike:
// region, per-service endpoints, HTTP options, and the embedded emulator
// with its keys or the endpoint written. Returns whether it is the emulator
// (which runs in this process, on loopback: no proxy).
template <typename Settings>
bool huawei_settings(const Workspace& ws, const manifest::ProviderConfig& p, CloudConnection& conn, Settings& settings) {
  settings.region = p.region.value_or("");
  settings.endpoints = p.endpoints;
  settings.http = http_options(ws, p);
  if (p.endpoint != "emulator") {
    settings.endpoint = p.endpoint;
    return false;
  }
  settings.credentials = start_emulator(ws, p, conn);
  settings.endpoint = conn.emulator->url();
  return true;
}

// A koophone instance (resources/koophone/kp_provider.h): the embedded
// emulator's keys, or the KooPhone authentication chain (an IAM token from
// HW_USER_NAME..., a given token, AK/SK).
CloudConnection connect_koophone(const Workspace& ws, const manifest::ProviderConfig& p,
                                 boost::asio::any_io_executor executor) {
  CloudConnection conn;
  conn.name = p.name;
  koophone::ConnectSettings settings;
  if (!huawei_settings(ws, p, conn, settings)) cloud::use_proxy_settings(cloud::proxy_settings_from_env());
  conn.provider = resources::connect_koophone(executor, std::move(settings));
  describe(p, conn, conn.provider->description());
  return conn;
}

boost::asio::awaitable<CloudConnection> connect_instance(const Workspace& ws, const manifest::ProviderConfig& p,
                                                         boost::asio::any_io_executor executor,
                                                         state::StateStore* store) {
  if (p.type == "tencent_bm") co_return connect_tencent_bm(ws, p, executor);
  if (p.type == "koophone") co_return connect_koophone(ws, p, executor);
  CloudConnection conn;
  conn.name = p.name;
  conn.pay_orders = p.pay_orders;
  cloud::ConnectSettings settings;
  settings.project_id = p.project_id.value_or("");
  // HTTPS_PROXY / HTTP_PROXY / NO_PROXY (cloud/proxy.h), except for the emulator.
  if (!huawei_settings(ws, p, conn, settings)) settings.proxy = cloud::proxy_settings_from_env();
  if (store) {
    settings.remembered_region = store->setting(settings_key(p, "region")).value_or("");
    settings.remembered_project_id = store->setting(settings_key(p, "project_id")).value_or("");
  }
  cloud::Connection c = co_await cloud::connect(executor, settings);
  // Remembered so that the next run makes no IAM call (issue 17).
  if (c.project_discovered && store) {
    store->put_setting(settings_key(p, "region"), c.region);
    store->put_setting(settings_key(p, "project_id"), c.project_id);
  }
  describe(p, conn, c.description);
  conn.provider = std::make_unique<resources::CphProvider>(std::move(c.client), conn.description);
  co_return conn;
}

}  // namespace

boost::asio::awaitable<CloudConnection> connect_cloud(const Workspace& ws, boost::asio::any_io_executor executor,
                                                      state::StateStore* store) {
  CloudConnection conn = co_await connect_instance(ws, ws.manifest.provider, executor, store);
  for (const manifest::ProviderConfig& p : ws.manifest.providers)
    if (p.name != conn.name) conn.others.push_back(co_await connect_instance(ws, p, executor, store));
  for (const CloudConnection& other : conn.others)
    conn.warnings.insert(conn.warnings.end(), other.warnings.begin(), other.warnings.end());
  co_return conn;
}

boost::asio::awaitable<CloudConnection> connect_provider(const Workspace& ws, const std::string& name,
                                                         boost::asio::any_io_executor executor,
                                                         state::StateStore* store) {
  const manifest::ProviderConfig* p = ws.manifest.find_provider(name);
  if (!p) throw std::logic_error("no provider instance \"" + name + "\" in the manifests");
  co_return co_await connect_instance(ws, *p, executor, store);
}

std::vector<CloudConnection*> CloudConnection::instances() {
  std::vector<CloudConnection*> out{this};
  for (CloudConnection& other : others) out.push_back(&other);
  return out;
}

CloudConnection& CloudConnection::instance(const std::string& wanted) {
  for (CloudConnection& other : others)
    if (other.name == wanted) return other;
  return *this;
}

std::unique_ptr<StepRunner> CloudConnection::step_runner(const resources::Records& records, const planner::Plan& plan,
                                                         RunObserver& progress, const ExecOptions& options) {
  std::map<std::string, std::unique_ptr<StepRunner>> runners;
  for (CloudConnection* c : instances()) {
    resources::PollPolicy poll = options.poll;
    poll.stop = options.stop;  // Ctrl-C ends every wait
    // Who pays the orders is each instance's setting.
    poll.payment = c->pay_orders == "bss"      ? resources::Payment::bss
                   : c->pay_orders == "manual" ? resources::Payment::manual
                                               : resources::Payment::automatic;
    runners[c->name] = c->provider->runner({plan.actions, plan.vanished}, records, progress, poll);
  }
  if (runners.size() == 1) return std::move(runners.begin()->second);
  return runner_per_provider(std::move(runners), name);
}

}  // namespace cph::engine

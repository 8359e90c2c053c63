#include "engine/workspace.h"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "cloud/proxy.h"
#include "engine/run_context.h"
#include "resources/cph/cph_provider.h"

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

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

std::string cph_endpoint(const manifest::ProviderConfig& p) {
  if (!p.endpoint.empty()) return p.endpoint;
  // No endpoint: Huawei Cloud's CPH endpoint of the region, never the
  // emulator, which is only ever asked for by name.
  std::string region = p.region.value_or(env("HW_REGION_NAME"));
  if (region.empty())
    throw std::runtime_error("no endpoint: set region in [provider] (or HW_REGION_NAME) to reach Huawei Cloud "
                             "(https://cph.REGION.myhuaweicloud.com), endpoint to a CPH URL, or "
                             "endpoint = \"emulator\" for the built-in emulator");
  return "https://cph." + region + ".myhuaweicloud.com";
}

CloudConnection connect_cloud(const Workspace& ws, boost::asio::any_io_executor executor) {
  const manifest::ProviderConfig& p = ws.manifest.provider;
  CloudConnection conn;
  std::optional<cloud::Credentials> from_env = cloud::credentials_from_env();
  cloud::Credentials creds;
  cloud::Endpoints endpoints;
  if (p.endpoint == "emulator") {
    emulator::Credential builtin = emulator::builtin_credential();
    creds.access_key = from_env ? from_env->access_key : builtin.access_key;
    creds.secret_key = from_env ? from_env->secret_key : builtin.secret_key;
    creds.project_id = p.project_id.value_or(from_env && !from_env->project_id.empty() ? from_env->project_id
                                                                                        : builtin.project_id);
    creds.region = p.region.value_or(from_env && !from_env->region.empty() ? from_env->region : "cn-east-3");
    make_data_dir(ws.data_dir);
    emulator::Options opts;
    opts.listen = "127.0.0.1:0";
    opts.data_path = (ws.data_dir / "emulator.db").string();
    opts.credentials = {{creds.access_key, creds.secret_key, creds.project_id}};
    opts.time_scale = emulator_time_scale();
    conn.emulator = std::make_unique<emulator::EmbeddedEmulator>(opts);
    conn.emulator->start();
    endpoints.cph = cloud::parse_url(conn.emulator->url());
    endpoints.bss = endpoints.cph;
    conn.description = "embedded emulator at " + conn.emulator->url();
  } else {
    const std::string endpoint = cph_endpoint(p);
    if (!from_env)
      throw std::runtime_error("provider endpoint " + endpoint +
                               " needs credentials: set HW_ACCESS_KEY and HW_SECRET_KEY");
    creds = *from_env;
    if (p.project_id) creds.project_id = *p.project_id;
    if (p.region) creds.region = *p.region;
    if (creds.project_id.empty())
      throw std::runtime_error("no project id: set project_id in [provider] or HW_PROJECT_ID");
    endpoints.cph = cloud::parse_url(endpoint);
    std::string bss = env("CPHFORM_BSS_ENDPOINT");
    if (bss.empty()) bss = ends_with(endpoints.cph.host, ".myhuaweicloud.com") ? "https://bss.myhuaweicloud.com" : endpoint;
    endpoints.bss = cloud::parse_url(bss);
    conn.description = endpoints.cph.to_string();
  }
  // [provider] timeouts: the deadlines of every exchange; unset ones keep cloud::HttpOptions' defaults.
  cloud::HttpOptions http;
  const manifest::ProviderConfig::Timeouts& t = p.timeouts;
  http.connect_timeout = t.connect.value_or(http.connect_timeout);
  http.tls_timeout = t.tls.value_or(http.tls_timeout);
  http.read_timeout = t.read.value_or(http.read_timeout);
  http.request_timeout = t.request.value_or(http.request_timeout);
  // [provider] ca_file / insecure: HTTPS trust. A relative ca_file is from
  // the manifest directory, wherever cphform runs from.
  if (!p.ca_file.empty()) http.ca_file = std::filesystem::absolute(ws.dir / p.ca_file).string();
  // HTTPS_PROXY / HTTP_PROXY / NO_PROXY (cloud/proxy.h); never for the
  // embedded emulator, which is this process on loopback.
  cloud::use_proxy_settings(p.endpoint == "emulator" ? cloud::ProxySettings{} : cloud::proxy_settings_from_env());
  if (p.insecure) {
    http.verify_peer = false;
    conn.warnings.push_back("[provider] insecure = true: HTTPS certificates are not verified, so anyone on the "
                            "network path to " + conn.description + " can read and change the requests, "
                            "signatures included. Use ca_file to trust a private CA instead.");
  }
  conn.client = std::make_unique<cloud::CphClient>(executor, endpoints, creds, http);
  conn.provider = std::make_unique<resources::CphProvider>(*conn.client, conn.description);
  return conn;
}

std::unique_ptr<StepRunner> CloudConnection::step_runner(state::StateStore& store, const planner::Plan& plan,
                                                         RunObserver& progress, const ExecOptions& options) const {
  return cph_step_runner(*client, store, plan, progress, options);
}

}  // namespace cph::engine

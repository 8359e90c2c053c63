// The public face of the emulator (emulator.h): the embedded emulator on its
// own thread, and `cphform emulator serve`.
#include "emulator/emulator.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "emulator/http_server.h"
#include "emulator/serve_tls.h"
#include "emulator/service.h"

namespace cph::emulator {

Credential parse_credential(const std::string& spec) {
  // AK and project id contain no ':'; the secret key is everything between.
  size_t first = spec.find(':');
  size_t last = spec.rfind(':');
  if (first == std::string::npos || first == last)
    throw std::invalid_argument("credentials must be AK:SK:PROJECT_ID");
  Credential c{spec.substr(0, first), spec.substr(first + 1, last - first - 1), spec.substr(last + 1)};
  if (c.access_key.empty() || c.secret_key.empty() || c.project_id.empty())
    throw std::invalid_argument("credentials must be AK:SK:PROJECT_ID with all three parts non-empty");
  return c;
}

IamUser parse_iam_user(const std::string& spec) {
  // NAME, DOMAIN and PROJECT_ID contain no ':'; the password is everything
  // between the first and the last two separators.
  size_t first = spec.find(':');
  size_t last = spec.rfind(':');
  size_t second_last = last == std::string::npos || last == 0 ? std::string::npos : spec.rfind(':', last - 1);
  if (first == std::string::npos || second_last == std::string::npos || second_last <= first)
    throw std::invalid_argument("IAM users must be NAME:PASSWORD:DOMAIN:PROJECT_ID");
  IamUser u{spec.substr(0, first), spec.substr(first + 1, second_last - first - 1),
            spec.substr(second_last + 1, last - second_last - 1), spec.substr(last + 1)};
  if (u.name.empty() || u.password.empty() || u.domain.empty() || u.project_id.empty())
    throw std::invalid_argument("IAM users must be NAME:PASSWORD:DOMAIN:PROJECT_ID with all parts non-empty");
  return u;
}

Credential builtin_credential() {
  return {"CPHFORMEMULATORLOCAL", "cphform-emulator-local-only-not-a-secret-0000",
          "c0ffee00c0ffee00c0ffee00c0ffee00"};
}

// ---------------------------------------------------------------- EmbeddedEmulator

struct EmbeddedEmulator::Impl {
  Options options;
  // Destroyed in reverse order: the server (and its thread) before the
  // service it calls; the service persists the clock as it goes.
  std::unique_ptr<Service> service;
  std::unique_ptr<HttpServer> server;
};

EmbeddedEmulator::EmbeddedEmulator(Options options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

EmbeddedEmulator::~EmbeddedEmulator() { stop(); }

void EmbeddedEmulator::start() {
  if (impl_->server) return;
  auto service = std::make_unique<Service>(impl_->options);
  Service* svc = service.get();
  auto server = std::make_unique<HttpServer>([svc](const HttpRequest& req) { return svc->handle(req); });
  server->listen(impl_->options.listen);
  server->start();
  impl_->service = std::move(service);
  impl_->server = std::move(server);
}

void EmbeddedEmulator::stop() {
  if (impl_->server) impl_->server->stop();
  impl_->server.reset();
  impl_->service.reset();
}

uint16_t EmbeddedEmulator::port() const { return impl_->server ? impl_->server->port() : 0; }

std::string EmbeddedEmulator::url() const {
  if (!impl_->server) return "";
  std::string host = impl_->server->host();
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(port());
}

// ---------------------------------------------------------------- serve_main

namespace {
constexpr const char* kUsage =
    "usage: cphform emulator serve [--listen HOST:PORT] [--data FILE] [--credentials-file FILE]... "
    "[--time-scale N] [--seed N] [--faults FILE|JSON] [--durations JSON] [--iam-user NAME:PASSWORD:DOMAIN:PROJECT_ID]... "
    "[--catalog FILE] [--region NAME] [--metadata-key-lifetime SECONDS] [--tencent-devices N] [--koophone-instances N] [--koophone-catalog FILE] [--iam-token-lifetime SECONDS] [--tls [--tls-ca-file FILE] [--tls-name NAME]... [--tls-expired]]\n"
    "  credentials (AK:SK:PROJECT_ID, one a line) come from --credentials-file FILE or from\n"
    "  CPHFORM_EMULATOR_CREDENTIALS=AK:SK:PROJECT_ID[,AK:SK:PROJECT_ID...]; never from the command line\n"
    "  --tls serves HTTPS with a certificate made at start for NAME (default localhost); its CA is written\n"
    "  to FILE (default ./cphform-emulator-ca.pem) for the client's [provider] ca_file\n";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// AK:SK:PROJECT_ID entries separated by any of `separators`; blank entries and
// lines starting with '#' are skipped. `origin` names the source in errors
// (which never quote the entry: it holds a secret key).
std::vector<Credential> parse_credential_list(const std::string& text, const char* separators,
                                              const std::string& origin) {
  std::vector<Credential> out;
  size_t start = 0, number = 0;
  while (start <= text.size()) {
    size_t end = text.find_first_of(separators, start);
    if (end == std::string::npos) end = text.size();
    std::string entry = text.substr(start, end - start);
    ++number;
    while (!entry.empty() && std::isspace(static_cast<unsigned char>(entry.back()))) entry.pop_back();
    while (!entry.empty() && std::isspace(static_cast<unsigned char>(entry.front()))) entry.erase(0, 1);
    if (!entry.empty() && entry.front() != '#') {
      try {
        out.push_back(parse_credential(entry));
      } catch (const std::invalid_argument& e) {
        throw UsageError(origin + " (entry " + std::to_string(number) + "): " + e.what());
      }
    }
    start = end + 1;
  }
  return out;
}

std::vector<Credential> read_credentials_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError("--credentials-file: cannot read '" + path + "'");
  std::ostringstream all;
  all << in.rdbuf();
  std::vector<Credential> out = parse_credential_list(all.str(), "\n", "--credentials-file " + path);
  if (out.empty()) throw UsageError("--credentials-file " + path + " holds no AK:SK:PROJECT_ID line");
  return out;
}

// --faults: inline JSON (starting with '{') or a file holding it.
FaultConfig parse_faults_flag(const std::string& value) {
  std::string text = value;
  if (value.empty() || value.front() != '{') {
    std::ifstream in(value);
    if (!in) throw UsageError("--faults: cannot read '" + value + "'");
    std::ostringstream all;
    all << in.rdbuf();
    text = all.str();
  }
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  try {
    return FaultConfig::parse(j);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--faults: ") + e.what());
  }
}

// --durations '{"server_creation_s": 30, "job_s": 1, "restart_server": 5, ...}':
// the Durations fields by name; any other key is a job operation.
void parse_durations_flag(const std::string& value, Durations& d) {
  nlohmann::json j = nlohmann::json::parse(value, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) throw UsageError("--durations needs a JSON object of seconds");
  for (const auto& [key, v] : j.items()) {
    if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < 0)
      throw UsageError("--durations: " + key + " must be a number of seconds >= 0");
    const double s = v.get<double>();
    if (key == "server_creation_s") d.server_creation_s = s;
    else if (key == "unsubscribe_release_s") d.unsubscribe_release_s = s;
    else if (key == "change_model_s") d.change_model_s = s;
    else if (key == "job_s") d.job_s = s;
    else if (key == "tencent_reset_password_s") d.tencent_reset_password_s = s;
    else if (key == "koophone_command_s") d.koophone_command_s = s;
    else if (key == "koophone_reset_s") d.koophone_reset_s = s;
    else d.job_operation_s[key] = s;
  }
}

// A flag's value read whole as a finite number, or as an integer >= 0;
// nullopt for anything else ("12x", "", "-1", "inf").
std::optional<double> number_flag(const std::string& value) {
  size_t used = 0;
  double n = 0;
  try {
    n = std::stod(value, &used);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (used != value.size() || !std::isfinite(n)) return std::nullopt;
  return n;
}

std::optional<unsigned long long> count_flag(const std::string& value) {
  size_t used = 0;
  unsigned long long n = 0;
  if (value.empty() || value[0] == '-') return std::nullopt;
  try {
    n = std::stoull(value, &used);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (used != value.size()) return std::nullopt;
  return n;
}

Options parse_flags(const std::vector<std::string>& args, TlsFlags& tls) {
  Options o;
  for (size_t i = 0; i < args.size(); ++i) {
    try {
      if (take_tls_flag(args, i, tls)) continue;
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
    std::string flag = args[i], value;
    bool inline_value = false;
    if (size_t eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
      inline_value = true;
    }
    if (flag == "--credentials")  // a secret key in argv is visible to every user through ps
      throw UsageError("--credentials is no longer accepted: it showed the secret key to every user through ps; "
                       "put AK:SK:PROJECT_ID in a file (mode 0600) and pass --credentials-file FILE, or set "
                       "CPHFORM_EMULATOR_CREDENTIALS=AK:SK:PROJECT_ID");
    static const std::set<std::string> kValued = {"--listen",   "--data",     "--credentials-file", "--time-scale",
                                                  "--seed",     "--faults",   "--durations",        "--iam-user",
                                                  "--catalog",  "--region",   "--metadata-key-lifetime",
                                                  "--tencent-devices", "--koophone-instances", "--koophone-catalog",
                                                  "--iam-token-lifetime"};
    if (!kValued.count(flag)) throw UsageError("unknown argument '" + args[i] + "'");
    if (!inline_value) {
      if (i + 1 >= args.size()) throw UsageError(flag + " needs a value");
      value = args[++i];
    }
    if (flag == "--listen") {
      o.listen = value;
    } else if (flag == "--data") {
      o.data_path = value;
    } else if (flag == "--region") {
      if (value.empty() || value.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos)
        throw UsageError("--region needs a region name such as cn-east-3, got '" + value + "'");
      o.region = value;
    } else if (flag == "--metadata-key-lifetime") {
      const std::optional<double> n = number_flag(value);
      if (!n || *n < 1) throw UsageError("--metadata-key-lifetime needs a number of seconds >= 1, got '" + value + "'");
      o.metadata_key_lifetime_s = *n;
    } else if (flag == "--tencent-devices") {  // tencent_bm.h
      const std::optional<unsigned long long> n = count_flag(value);
      if (!n || *n > 100000) throw UsageError("--tencent-devices needs a number of devices from 0 to 100000, got '" + value + "'");
      o.tencent_devices = static_cast<int>(*n);
    } else if (flag == "--koophone-instances") {  // koophone.h
      const std::optional<unsigned long long> n = count_flag(value);
      if (!n || *n > 100000)
        throw UsageError("--koophone-instances needs a number of instances from 0 to 100000, got '" + value + "'");
      o.koophone_instances = static_cast<int>(*n);
    } else if (flag == "--koophone-catalog") {  // koophone.h
      std::ifstream in(value, std::ios::binary);
      if (!in) throw UsageError("--koophone-catalog: cannot read '" + value + "'");
      std::ostringstream all;
      all << in.rdbuf();
      try {
        for (std::string& id : parse_koophone_catalog(all.str(), value)) o.koophone_catalog.push_back(std::move(id));
      } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("--koophone-catalog ") + e.what());
      }
    } else if (flag == "--iam-token-lifetime") {  // iam.h
      const std::optional<double> n = number_flag(value);
      if (!n || *n < 1) throw UsageError("--iam-token-lifetime needs a number of seconds >= 1, got '" + value + "'");
      o.iam_token_lifetime_s = *n;
    } else if (flag == "--catalog") {
      o.catalog_path = value;  // read by the Service: a bad file is exit 1, like a bad data file
    } else if (flag == "--credentials-file") {
      for (Credential& c : read_credentials_file(value)) o.credentials.push_back(std::move(c));
    } else if (flag == "--iam-user") {
      try {
        o.iam_users.push_back(parse_iam_user(value));
      } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("--iam-user: ") + e.what());
      }
    } else if (flag == "--seed") {
      const std::optional<unsigned long long> n = count_flag(value);
      if (!n) throw UsageError("--seed needs an integer >= 0, got '" + value + "'");
      o.seed = *n;
    } else if (flag == "--faults") {
      o.faults = parse_faults_flag(value);
    } else if (flag == "--durations") {
      parse_durations_flag(value, o.durations);
    } else {
      const std::optional<double> n = number_flag(value);
      if (!n || *n < 0) throw UsageError("--time-scale needs a number >= 0, got '" + value + "'");
      o.time_scale = *n;
    }
  }
  return o;
}
}  // namespace

int serve_main(const std::vector<std::string>& args) {
  for (const std::string& a : args)
    if (a == "--help" || a == "-help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    }
  Options options;
  TlsFlags tls;
  try {
    options = parse_flags(args, tls);
    if (const char* env = std::getenv("CPHFORM_EMULATOR_CREDENTIALS"))
      for (Credential& c : parse_credential_list(env, ",", "CPHFORM_EMULATOR_CREDENTIALS"))
        options.credentials.push_back(std::move(c));
  } catch (const UsageError& e) {
    std::cerr << "cphform emulator serve: " << e.what() << "\n" << kUsage;
    return 2;
  }
  try {
    Service service(options);
    HttpServer server([&service](const HttpRequest& req) { return service.handle(req); });
    if (tls.enabled) enable_tls(server, tls);
    server.listen(options.listen);
    std::string host = server.host();
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    // Over TLS the URL names the certificate's first name, which a client
    // verifies; the listen address must be where that name resolves.
    if (tls.enabled) host = tls.certificate_names().front();
    std::cout << "listening on " << (tls.enabled ? "https://" : "http://") << host << ":" << server.port()
              << std::endl;  // flushes
    if (tls.enabled)
      std::cout << "TLS certificate for " << host << (tls.expired ? " (expired)" : "") << "; its CA is in "
                << tls.ca_file << std::endl;
    server.run(/*stop_on_signals=*/true);
  } catch (const std::exception& e) {
    std::cerr << "cphform emulator serve: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace cph::emulator

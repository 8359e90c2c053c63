#include "emulator/serve_tls.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "common/tls_certificate.h"

namespace cph::emulator {

std::vector<std::string> TlsFlags::certificate_names() const {
  return names.empty() ? std::vector<std::string>{"localhost"} : names;
}

bool take_tls_flag(const std::vector<std::string>& args, size_t& i, TlsFlags& tls) {
  std::string flag = args[i], value;
  const size_t eq = flag.find('=');
  const bool inline_value = eq != std::string::npos;
  if (inline_value) {
    value = flag.substr(eq + 1);
    flag = flag.substr(0, eq);
  }
  if (flag == "--tls" || flag == "--tls-expired") {
    if (inline_value) throw std::invalid_argument(flag + " takes no value");
    tls.enabled = true;
    tls.expired = tls.expired || flag == "--tls-expired";
    return true;
  }
  if (flag != "--tls-ca-file" && flag != "--tls-name") return false;
  if (!inline_value) {
    if (i + 1 >= args.size()) throw std::invalid_argument(flag + " needs a value");
    value = args[++i];
  }
  if (value.empty()) throw std::invalid_argument(flag + " needs a non-empty value");
  if (flag == "--tls-ca-file") tls.ca_file = value;
  else tls.names.push_back(value);
  return true;
}

void enable_tls(HttpServer& server, const TlsFlags& tls) {
  tls::CertificateSpec spec;
  spec.names = tls.certificate_names();
  if (tls.expired) {  // valid for an hour, two days ago: for testing that clients refuse it
    spec.not_before = -std::chrono::hours(48);
    spec.not_after = -std::chrono::hours(47);
  }
  const tls::Certificate cert = tls::make_self_signed(spec);
  server.use_tls(cert.cert_pem, cert.key_pem);
  // Written whole then renamed: a client never reads half a certificate.
  const std::filesystem::path target(tls.ca_file);
  const std::filesystem::path partial = target.string() + ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out << cert.cert_pem;
    if (!out.flush()) throw std::runtime_error("--tls-ca-file: cannot write '" + partial.string() + "'");
  }
  std::error_code ec;
  std::filesystem::rename(partial, target, ec);
  if (ec) throw std::runtime_error("--tls-ca-file: cannot write '" + target.string() + "': " + ec.message());
}

}  // namespace cph::emulator

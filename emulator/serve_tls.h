// `cphform emulator serve --tls`: HTTPS with a certificate generated at start
// (common/tls_certificate.h), whose CA (the certificate itself, PEM) is
// written to a file for clients' `ca_file`. The private key stays in memory.
#pragma once

#include <string>
#include <vector>

#include "emulator/http_server.h"

namespace cph::emulator {

struct TlsFlags {
  bool enabled = false;                          // --tls
  std::string ca_file = "cphform-emulator-ca.pem";  // --tls-ca-file FILE
  std::vector<std::string> names;                // --tls-name NAME (repeatable; default "localhost")
  bool expired = false;                          // --tls-expired: a certificate that expired a day ago
  // The certificate's names, the default applied.
  std::vector<std::string> certificate_names() const;
};

// If args[i] is one of the flags above, consumes it (and its value, from
// args[i + 1] or "--flag=value") into `tls` and returns true; a missing value
// throws std::invalid_argument.
bool take_tls_flag(const std::vector<std::string>& args, size_t& i, TlsFlags& tls);

// Makes the certificate, writes its CA file (replacing it whole) and switches
// `server` to HTTPS. Throws std::runtime_error.
void enable_tls(HttpServer& server, const TlsFlags& tls);

}  // namespace cph::emulator

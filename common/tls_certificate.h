// Throw-away self-signed TLS certificates, made in-process with OpenSSL: the
// emulator's `serve --tls` and the tests that need an HTTPS peer. No key
// material lives in the repository or on disk unless a caller writes it.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace cph::tls {

struct CertificateSpec {
  // Subject alternative names: "localhost", "cph.example.test" (DNS) or
  // "127.0.0.1" (IP). The first is also the subject CN.
  std::vector<std::string> names{"localhost"};
  // Validity window relative to now; an expired certificate has both in the past.
  std::chrono::seconds not_before{-3600};
  std::chrono::seconds not_after{std::chrono::hours(24 * 30)};
};

// A P-256 key and a certificate signed by it, with CA:TRUE so that the
// certificate is its own trust anchor (the "CA file" a client loads).
struct Certificate {
  std::string cert_pem;
  std::string key_pem;  // a secret: never logged
};

// Throws std::runtime_error naming the OpenSSL step that failed.
Certificate make_self_signed(const CertificateSpec& spec = {});

}  // namespace cph::tls

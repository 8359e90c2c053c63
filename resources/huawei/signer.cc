// SDK-HMAC-SHA256 signing and verification. See signer.h for the algorithm;
// every choice below is pinned down by ../shared/signing-vectors.json (the
// official SDK's output) and is exercised by signer_test.cc.
#include "resources/huawei/signer.h"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include "common/crypto.h"
#include "common/strings.h"
#include "common/timefmt.h"

namespace cph::sign {
namespace {

std::string_view trim(std::string_view s) {
  const auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  return s;
}

// Value of a header for the canonical form. A header repeated on the wire is
// combined with ',' as HTTP does (RFC 9110 5.3); the SDK never sends repeats,
// so this only decides what a tampered request hashes to. Absent -> "".
std::string header_value(const std::vector<Header>& headers, std::string_view lower_name) {
  std::string out;
  bool first = true;
  for (const auto& [name, value] : headers) {
    if (!ascii_iequals(name, lower_name)) continue;
    if (!first) out += ',';
    out += trim(value);
    first = false;
  }
  return out;
}

const std::string* find_header(const std::vector<Header>& headers, std::string_view name) {
  for (const auto& h : headers)
    if (ascii_iequals(h.first, name)) return &h.second;
  return nullptr;
}

// Headers the SDK never signs (hop-by-hop or added later by the HTTP stack).
bool unsigned_by_sdk(std::string_view lower_name) {
  static constexpr std::string_view kSkip[] = {"authorization",   "user-agent", "accept",
                                               "accept-encoding", "connection", "content-length"};
  return std::find(std::begin(kSkip), std::end(kSkip), lower_name) != std::end(kSkip);
}

bool is_lower_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

std::string canonical_uri(std::string_view wire_path) {
  // Segment by segment so that an encoded '/' (%2F) inside a segment stays
  // encoded instead of becoming a separator.
  std::string out;
  size_t pos = 0;
  while (pos <= wire_path.size()) {
    const size_t slash = wire_path.find('/', pos);
    const size_t end = slash == std::string_view::npos ? wire_path.size() : slash;
    out += uri_encode(uri_decode(wire_path.substr(pos, end - pos)));
    if (slash == std::string_view::npos) break;
    out += '/';
    pos = slash + 1;
  }
  if (out.empty() || out.front() != '/') out.insert(out.begin(), '/');
  // Vectors 5a/5b: with or without a trailing slash the canonical URI ends in one.
  if (out.back() != '/') out += '/';
  return out;
}

std::string canonical_query(std::string_view wire_query) {
  // (decoded key, decoded value): sorting the decoded forms makes the order
  // independent of how the sender chose to escape (vector 1 sends `*!'()` raw).
  std::vector<std::pair<std::string, std::string>> params;
  size_t pos = 0;
  while (pos <= wire_query.size()) {
    const size_t amp = wire_query.find('&', pos);
    const size_t end = amp == std::string_view::npos ? wire_query.size() : amp;
    const std::string_view pair = wire_query.substr(pos, end - pos);
    if (!pair.empty()) {
      const size_t eq = pair.find('=');
      if (eq == std::string_view::npos)
        params.emplace_back(uri_decode(pair), std::string());
      else
        params.emplace_back(uri_decode(pair.substr(0, eq)), uri_decode(pair.substr(eq + 1)));
    }
    if (amp == std::string_view::npos) break;
    pos = amp + 1;
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [key, value] : params) {
    if (!out.empty()) out += '&';
    out += uri_encode(key);
    out += '=';  // kept even for an empty value ("type=" in vector 1)
    out += uri_encode(value);
  }
  return out;
}

std::string canonical_request(const SignableRequest& req, const std::vector<std::string>& signed_headers) {
  std::vector<std::string> names;
  names.reserve(signed_headers.size());
  for (const auto& n : signed_headers) names.push_back(ascii_lower(n));
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());

  std::string out;
  out += req.method;
  out += '\n';
  out += canonical_uri(req.path);
  out += '\n';
  out += canonical_query(req.query);
  out += '\n';
  for (const auto& n : names) {
    out += n;
    out += ':';
    out += header_value(req.headers, n);
    out += '\n';
  }
  out += '\n';
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out += ';';
    out += names[i];
  }
  out += '\n';
  // Vector 7: a request that declares its payload unsigned hashes to the literal.
  const std::string* content_sha = find_header(req.headers, "x-sdk-content-sha256");
  if (content_sha && trim(*content_sha) == kUnsignedPayload)
    out += kUnsignedPayload;
  else
    out += crypto::sha256_hex(req.body);
  return out;
}

std::string string_to_sign(std::string_view canonical_request, std::string_view sdk_date) {
  std::string out(kAlgorithm);
  out += '\n';
  out += sdk_date;
  out += '\n';
  out += crypto::sha256_hex(canonical_request);
  return out;
}

std::string signature(std::string_view sk, std::string_view string_to_sign) {
  return crypto::hmac_sha256_hex(sk, string_to_sign);
}

void sign_request(SignableRequest& req, std::string_view ak, std::string_view sk, std::string_view sdk_date) {
  if (!find_header(req.headers, "host"))
    throw std::invalid_argument("sign_request: the Host header must be set before signing");
  std::erase_if(req.headers,
                [](const Header& h) { return ascii_iequals(h.first, "x-sdk-date") || ascii_iequals(h.first, "authorization"); });
  req.headers.emplace_back("X-Sdk-Date", std::string(sdk_date));

  std::vector<std::string> names;
  for (const auto& h : req.headers) {
    std::string n = ascii_lower(h.first);
    if (!unsigned_by_sdk(n)) names.push_back(std::move(n));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());

  const std::string sig = signature(sk, string_to_sign(canonical_request(req, names), sdk_date));
  std::string auth(kAlgorithm);
  auth += " Access=";
  auth += ak;
  auth += ", SignedHeaders=";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) auth += ';';
    auth += names[i];
  }
  auth += ", Signature=";
  auth += sig;
  req.headers.emplace_back("Authorization", std::move(auth));
}

std::string sdk_date_now() { return cph::sdk_date(now_epoch_seconds()); }

std::optional<Authorization> parse_authorization(std::string_view header_value_in) {
  std::string_view v = trim(header_value_in);
  if (v.size() <= kAlgorithm.size() || v.substr(0, kAlgorithm.size()) != kAlgorithm) return std::nullopt;
  v.remove_prefix(kAlgorithm.size());
  if (v.front() != ' ') return std::nullopt;

  Authorization auth;
  bool have_access = false, have_headers = false, have_signature = false;
  size_t pos = 0;
  while (pos <= v.size()) {
    const size_t comma = v.find(',', pos);
    const size_t end = comma == std::string_view::npos ? v.size() : comma;
    const std::string_view item = trim(v.substr(pos, end - pos));
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    const std::string_view key = trim(item.substr(0, eq));
    const std::string_view value = trim(item.substr(eq + 1));
    if (value.empty()) return std::nullopt;
    if (key == "Access" && !have_access) {
      auth.access = std::string(value);
      have_access = true;
    } else if (key == "SignedHeaders" && !have_headers) {
      size_t p = 0;
      while (p <= value.size()) {
        const size_t semi = value.find(';', p);
        const size_t e = semi == std::string_view::npos ? value.size() : semi;
        const std::string_view name = trim(value.substr(p, e - p));
        if (name.empty()) return std::nullopt;
        auth.signed_headers.push_back(ascii_lower(name));
        if (semi == std::string_view::npos) break;
        p = semi + 1;
      }
      have_headers = true;
    } else if (key == "Signature" && !have_signature) {
      // The SDK emits 64 lowercase hex digits; anything else cannot match.
      if (value.size() != 64 || !is_lower_hex(value)) return std::nullopt;
      auth.signature = std::string(value);
      have_signature = true;
    } else {
      return std::nullopt;  // unknown or repeated field
    }
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  if (!have_access || !have_headers || !have_signature) return std::nullopt;
  return auth;
}

VerifyResult verify(const SignableRequest& req, const SecretLookup& lookup_sk, long long now_epoch,
                    long long max_skew_s) {
  const std::string* auth_header = find_header(req.headers, "authorization");
  if (!auth_header) return {Verdict::missing, {}};
  std::optional<Authorization> auth = parse_authorization(*auth_header);
  if (!auth) return {Verdict::malformed, {}};

  const std::string* date = find_header(req.headers, "x-sdk-date");
  if (!date) return {Verdict::malformed, auth->access};
  const std::string date_value(trim(*date));
  const std::optional<int64_t> signed_at = parse_sdk_date(date_value);
  if (!signed_at) return {Verdict::malformed, auth->access};

  const std::optional<std::string> sk = lookup_sk(auth->access);
  if (!sk) return {Verdict::unknown_key, auth->access};

  const std::string expected = signature(*sk, string_to_sign(canonical_request(req, auth->signed_headers), date_value));
  // Signature before freshness: a stale but forged request is reported as forged.
  if (!crypto::equal_constant_time(expected, auth->signature)) return {Verdict::bad_signature, auth->access};
  if (std::llabs(now_epoch - static_cast<long long>(*signed_at)) > max_skew_s) return {Verdict::expired, auth->access};
  return {Verdict::ok, auth->access};
}

}  // namespace cph::sign

#include "resources/tencent/signer.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "common/crypto.h"
#include "common/uri.h"

namespace cph::tencent {

std::string_view method_name(SignatureMethod m) {
  return m == SignatureMethod::hmac_sha256 ? "HmacSHA256" : "HmacSHA1";
}

std::optional<SignatureMethod> parse_method(std::string_view name) {
  if (name == "HmacSHA1") return SignatureMethod::hmac_sha1;
  if (name == "HmacSHA256") return SignatureMethod::hmac_sha256;
  return std::nullopt;
}

std::optional<SignatureMethod> method_of(const Params& params) {
  auto it = params.find("SignatureMethod");
  if (it == params.end()) return SignatureMethod::hmac_sha1;
  return parse_method(it->second);
}

std::string string_to_sign(std::string_view http_method, std::string_view host, std::string_view path,
                           const Params& params) {
  std::string out;
  for (char c : http_method) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  out.append(host).append(path).append("?");
  bool first = true;
  for (const auto& [key, value] : params) {
    if (key == "Signature") continue;
    if (!first) out += '&';
    first = false;
    out.append(key).append("=").append(value);
  }
  return out;
}

std::string signature(std::string_view secret_key, std::string_view string_to_sign, SignatureMethod method) {
  return crypto::base64(method == SignatureMethod::hmac_sha256 ? crypto::hmac_sha256(secret_key, string_to_sign)
                                                               : crypto::hmac_sha1(secret_key, string_to_sign));
}

void add_list(Params& params, std::string_view name, const std::vector<std::string>& values) {
  for (size_t i = 0; i < values.size(); ++i) params[std::string(name) + "." + std::to_string(i + 1)] = values[i];
}

Params with_common(const Common& common, Params action_params) {
  action_params["Action"] = common.action;
  action_params["SecretId"] = common.secret_id;
  action_params["Nonce"] = std::to_string(common.nonce);
  action_params["Timestamp"] = std::to_string(common.timestamp);
  action_params["Region"] = common.region;
  if (common.method) action_params["SignatureMethod"] = std::string(method_name(*common.method));
  return action_params;
}

std::string encode_query(const Params& params) {
  std::string out;
  for (const auto& [key, value] : params) {
    if (!out.empty()) out += '&';
    out.append(uri_encode(key)).append("=").append(uri_encode(value));
  }
  return out;
}

std::optional<Params> parse_query(std::string_view wire) {
  Params out;
  if (wire.empty()) return out;
  auto form_decode = [](std::string_view s) {
    std::string plus_as_space(s);
    std::replace(plus_as_space.begin(), plus_as_space.end(), '+', ' ');
    return uri_decode(plus_as_space);
  };
  size_t start = 0;
  while (start <= wire.size()) {
    size_t end = wire.find('&', start);
    if (end == std::string_view::npos) end = wire.size();
    const std::string_view pair = wire.substr(start, end - start);
    const size_t eq = pair.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    if (!out.emplace(form_decode(pair.substr(0, eq)), form_decode(pair.substr(eq + 1))).second) return std::nullopt;
    start = end + 1;
  }
  return out;
}

std::string signed_query(std::string_view http_method, std::string_view host, std::string_view path, Params params,
                         std::string_view secret_key) {
  params.erase("Signature");
  const std::optional<SignatureMethod> method = method_of(params);
  if (!method) throw std::invalid_argument("unknown SignatureMethod " + params.at("SignatureMethod"));
  params["Signature"] = signature(secret_key, string_to_sign(http_method, host, path, params), *method);
  return encode_query(params);
}

Check verify(std::string_view http_method, std::string_view host, std::string_view path, const Params& received,
             std::string_view secret_key) {
  auto sig = received.find("Signature");
  if (sig == received.end() || sig->second.empty()) return Check::missing_signature;
  const std::optional<SignatureMethod> method = method_of(received);
  if (!method) return Check::unknown_method;
  const std::string expected = signature(secret_key, string_to_sign(http_method, host, path, received), *method);
  return crypto::equal_constant_time(expected, sig->second) ? Check::ok : Check::bad_signature;
}

}  // namespace cph::tencent

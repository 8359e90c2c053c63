// RFC 3986 percent-encoding: the AK/SK signer's canonical forms and a proxy
// URL's user information both need it.
#pragma once

#include <string>
#include <string_view>

namespace cph {

// Percent-encoding keeping only unreserved characters (A-Z a-z 0-9 - _ . ~).
std::string uri_encode(std::string_view raw);
// Percent-decoding; '+' is left as '+' (the SDK encodes spaces as %20).
std::string uri_decode(std::string_view encoded);

}  // namespace cph

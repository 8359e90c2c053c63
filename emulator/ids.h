// Identifier formats observed in the reference (cph-api.md 11.4), generated
// from a CSPRNG (common/crypto.h) so restarts never reuse an id.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cph::emulator::ids {

std::string request_id();    // 32 lowercase hex
std::string server_id();     // 32 lowercase hex
std::string uuid();          // 8-4-4-4-12 lowercase hex (volumes, ...)
// "CS" + YYMMDDHHMM of the (simulated) creation time + 5 uppercase
// alphanumerics: 17 characters like the examples "CS1710111105S8IPB".
std::string order_id(int64_t epoch_seconds);
// Irregular dashed hex like the 4.1 example "70bb40-bef5-0e4a-14b116-a5a527fd7432"
// (6-4-4-6-12); bandwidth_name() is "BANDWIDTH_" + the same 32 hex digits.
std::string bandwidth_id();
std::string bandwidth_name(std::string_view bandwidth_id);
// "OFFI" + 18 digits, stable for the same product description (3.1 example
// "OFFI635412973496623104").
std::string product_id(std::string_view product_description);
// BSS customer id of a project: stable 32 lowercase hex.
std::string customer_id(std::string_view project_id);

}  // namespace cph::emulator::ids

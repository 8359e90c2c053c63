// What a person does by hand through the CPH API, for the e2e tests of
// phones: a console call with a client of the emulator's project, and the
// phones and their properties as the API lists them.
#pragma once

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/e2e/harness.h"

namespace cph::e2e {

// Runs one console call: `call` gets a CphClient and returns an awaitable T.
template <typename T, typename F>
T console(const EmulatorProcess& emu, F call) {
  return run_sync([&](boost::asio::any_io_executor ex) -> boost::asio::awaitable<T> {
    cloud::Endpoints ep{cloud::parse_url(emu.url()), cloud::parse_url(emu.url())};
    cloud::CphClient client(ex, ep, emu.credentials());
    T result = co_await call(client);
    co_return result;
  });
}

// The phones of server `id`, in phone id order (the order of ${phone.index}).
inline std::vector<cloud::Phone> phones_of(const EmulatorProcess& emu, const std::string& id) {
  auto list = console<std::vector<cloud::Phone>>(emu, [&](cloud::CphClient& c) { return c.list_server_phones(id); });
  std::sort(list.begin(), list.end(), [](const cloud::Phone& a, const cloud::Phone& b) { return a.phone_id < b.phone_id; });
  return list;
}

// The phones of the emulator's one server, in phone id order.
inline std::vector<cloud::Phone> phones(const EmulatorProcess& emu) {
  std::vector<cloud::Server> servers = emu.servers();
  if (servers.size() != 1)
    throw std::runtime_error("the emulator has " + std::to_string(servers.size()) + " servers, not one");
  return phones_of(emu, servers.front().server_id);
}

// A phone's properties as its detail reports them (5.2 `property`).
inline nlohmann::json property_of(const EmulatorProcess& emu, const std::string& phone_id) {
  const std::string text =
      console<std::string>(emu, [&](cloud::CphClient& c) { return c.show_phone_property(phone_id); });
  return text.empty() ? nlohmann::json::object() : nlohmann::json::parse(text);
}

}  // namespace cph::e2e

// The headers precompiled once for the whole build (CMake option
// CPHFORM_PCH, cmake/Precompiled.cmake): the standard library and the two
// heavy header-only libraries nearly every translation unit reaches through
// our headers, nlohmann_json and Boost.Asio's coroutine support. Parsing them
// was most of a 9-second compile of a typical file.
//
// No source includes this file: the build injects it. Every file still
// includes what it uses, so the tree builds with CPHFORM_PCH=OFF too. Beast
// and toml++ stay out: few files use them (cloud/http_client.cc,
// emulator/http_server.cc, manifest/loader.cc) and they would make every
// other file load a larger precompiled header.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

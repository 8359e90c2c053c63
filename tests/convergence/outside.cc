#include "tests/convergence/outside.h"

#include <chrono>
#include <functional>
#include <stdexcept>
#include <thread>

namespace cph::convergence {

namespace {
using namespace std::chrono_literals;
namespace asio = boost::asio;

// Runs one coroutine of calls on a client of the emulator's credentials.
template <typename T>
T with_client(const e2e::EmulatorProcess& emu, std::function<asio::awaitable<T>(cloud::CphClient&)> f) {
  return e2e::run_sync([&](asio::any_io_executor ex) -> asio::awaitable<T> {
    cloud::Endpoints ep{cloud::parse_url(emu.url()), cloud::parse_url(emu.url())};
    cloud::CphClient client(ex, ep, emu.credentials());
    co_return co_await f(client);
  });
}

void wait_for(const std::function<bool()>& done, const std::string& what) {
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("timed out waiting for " + what);
    std::this_thread::sleep_for(20ms);
  }
}

// The jobs of a job-producing call have ended (in either way).
void wait_jobs(const e2e::EmulatorProcess& emu, const std::vector<std::string>& job_ids) {
  wait_for(
      [&] {
        for (const std::string& id : job_ids) {
          cloud::Job j = with_client<cloud::Job>(
              emu, [&](cloud::CphClient& c) -> asio::awaitable<cloud::Job> { co_return co_await c.show_job(id); });
          if (!j.finished()) return false;
        }
        return true;
      },
      "jobs");
}

bool present(const e2e::EmulatorProcess& emu, const std::string& id, int status = -1) {
  for (const cloud::Server& s : emu.servers())
    if (s.server_id == id) return status < 0 || s.status == status;
  return false;
}
}  // namespace

Outside::Outside(const e2e::EmulatorProcess& emu) : emu_(emu) {
  with_client<int>(emu_, [](cloud::CphClient& c) -> asio::awaitable<int> {
    std::string name = kOutsideKeypair;
    co_await c.create_keypair(name, std::nullopt);
    co_return 0;
  });
}

std::string Outside::change(Rng& rng) {
  std::vector<cloud::Server> managed;
  for (cloud::Server& s : emu_.servers())
    if (!unmanaged_.count(s.server_id) && s.status == 5) managed.push_back(std::move(s));
  const int what = rng.between(0, 7);
  if (what == 7 || managed.empty()) {  // buy a server cphform must leave alone
    cloud::PurchaseServersRequest p;
    p.server_name = std::string(kOutsidePrefix) + std::to_string(++bought_);
    p.server_model_name = kServerModel;
    p.phone_model_name = kPhoneModel;
    p.image_id = kImage;
    p.tenant_vpc_id = kVpc;
    p.subnet_id = kSubnet;
    p.eip_type = "5_bgp";
    p.band_width_size = 5;
    auto r = with_client<cloud::PurchaseResult>(emu_, [&](cloud::CphClient& c) -> asio::awaitable<cloud::PurchaseResult> {
      co_return co_await c.purchase_servers(p);
    });
    for (const std::string& id : r.server_ids) {
      unmanaged_.insert(id);
      wait_for([&] { return present(emu_, id, 5); }, "the unmanaged server");
    }
    names_.push_back(p.server_name);
    return "outside: bought unmanaged " + p.server_name;
  }
  const cloud::Server& s = rng.pick(managed);
  const std::string at = "outside: " + s.server_name + " ";
  std::vector<cloud::Tag> tags;
  for (const cloud::TaggedResource& t : emu_.server_tags())
    if (t.resource_id == s.server_id) tags = t.tags;
  switch (what) {
    case 0: {
      const std::string name = s.server_name + "x";
      with_client<int>(emu_, [&](cloud::CphClient& c) -> asio::awaitable<int> {
        co_await c.rename_server(s.server_id, name);
        co_return 0;
      });
      return at + "renamed " + name;
    }
    case 1:
    case 2: {  // add a tag, or change one the server has
      cloud::Tag tag{what == 2 && !tags.empty() ? rng.pick(tags).key : std::string("outside"), "changed"};
      with_client<int>(emu_, [&](cloud::CphClient& c) -> asio::awaitable<int> {
        std::vector<cloud::Tag> old;
        for (const cloud::Tag& t : tags)
          if (t.key == tag.key) old.push_back(t);
        if (!old.empty()) co_await c.delete_server_tags(s.server_id, old);
        std::vector<cloud::Tag> added{tag};  // named: GCC 12 mishandles braced temporaries as coroutine arguments
        co_await c.create_server_tags(s.server_id, added);
        co_return 0;
      });
      return at + "tag " + tag.key + " = changed";
    }
    case 3:
      if (!tags.empty()) {
        cloud::Tag tag = rng.pick(tags);
        with_client<int>(emu_, [&](cloud::CphClient& c) -> asio::awaitable<int> {
          std::vector<cloud::Tag> deleted{tag};
          co_await c.delete_server_tags(s.server_id, deleted);
          co_return 0;
        });
        return at + "tag " + tag.key + " deleted";
      }
      [[fallthrough]];
    case 4: {
      auto r = with_client<cloud::JobsResult>(emu_, [&](cloud::CphClient& c) -> asio::awaitable<cloud::JobsResult> {
        std::vector<cloud::ServerKeypair> moved{cloud::ServerKeypair{s.server_id, kOutsideKeypair}};
        co_return co_await c.change_keypairs(moved);
      });
      wait_jobs(emu_, r.job_ids());
      return at + "keypair = " + kOutsideKeypair;
    }
    case 5: {
      for (const cloud::BandWidthInfo& b : emu_.bandwidths()) {
        if (b.band_width_share_type != 1) continue;
        const int size = b.band_width_size == 7 ? 8 : 7;
        with_client<int>(emu_, [&](cloud::CphClient& c) -> asio::awaitable<int> {
          co_await c.resize_bandwidth(b.band_width_id, size);
          co_return 0;
        });
        return "outside: shared bandwidth " + b.band_width_id + " resized to " + std::to_string(size);
      }
      [[fallthrough]];
    }
    default: {
      with_client<int>(emu_, [&](cloud::CphClient& c) -> asio::awaitable<int> {
        std::vector<std::string> released{s.server_id};
        co_await c.unsubscribe(released);
        co_return 0;
      });
      wait_for([&] { return !present(emu_, s.server_id); }, "the released server to go");
      return at + "released";
    }
  }
}

}  // namespace cph::convergence

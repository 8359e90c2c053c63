// Refreshing every provider instance of a configuration at once (issue 13):
// each instance's refresh is a coroutine on this io_context, so two clouds'
// list calls overlap instead of queueing behind each other.
#include "cli/refresh.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "cloud/http.h"

namespace cph::engine {

namespace asio = boost::asio;
using Inventories = std::map<std::string, std::unique_ptr<resources::Inventory>>;

namespace {

// One instance's refresh; a transport error names the endpoint: without
// `endpoint`, it is derived from the region.
asio::awaitable<std::unique_ptr<resources::Inventory>> refresh_one(resources::Provider& provider,
                                                                  const resources::RefreshScope& scope) {
  try {
    co_return co_await provider.refresh(scope);
  } catch (const cloud::TransportError& e) {
    throw cloud::TransportError(provider.description() + ": " + e.what(), e.maybe_sent);
  }
}

}  // namespace

asio::awaitable<Inventories> refresh_instances(CloudConnection& conn, const resources::RefreshScope& scope) {
  std::vector<CloudConnection*> instances = conn.instances();
  Inventories out;
  if (instances.size() == 1) {  // the common case: no group to set up
    out[conn.name] = co_await refresh_one(*conn.provider, scope);
    co_return out;
  }
  auto executor = co_await asio::this_coro::executor;
  using Op = decltype(asio::co_spawn(executor, refresh_one(*conn.provider, scope), asio::deferred));
  std::vector<Op> ops;
  for (CloudConnection* c : instances) ops.push_back(asio::co_spawn(executor, refresh_one(*c->provider, scope), asio::deferred));
  auto [order, errors, inventories] = co_await asio::experimental::make_parallel_group(std::move(ops))
                                          .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
  (void)order;  // results come back in launch order whatever order they finished in
  for (std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);
  for (size_t i = 0; i < instances.size(); ++i) out[instances[i]->name] = std::move(inventories[i]);
  co_return out;
}

std::string refresh_summary(CloudConnection& conn, const Inventories& inventories, size_t recorded) {
  std::string out = "Refreshed " + std::to_string(recorded) + " recorded resource" + (recorded == 1 ? "" : "s");
  auto lists = [](int64_t n) { return std::to_string(n) + " list call" + (n == 1 ? "" : "s"); };
  const resources::Inventory& main = *inventories.at(conn.name);
  if (conn.others.empty())
    return out + " against " + std::to_string(main.size()) + " " + main.noun() + " in the cloud (" +
           conn.provider->description() + ", " + lists(conn.provider->list_calls()) + ").\n\n";
  out += " against " + std::to_string(inventories.size()) + " providers:\n";
  for (CloudConnection* c : conn.instances()) {
    const resources::Inventory& live = *inventories.at(c->name);
    out += "  provider." + c->name + ": " + std::to_string(live.size()) + " " + live.noun() + " (" +
           c->provider->description() + ", " + lists(c->provider->list_calls()) + ")\n";
  }
  return out + "\n";
}

asio::awaitable<std::vector<std::string>> check_planned_changes(CloudConnection& conn, const planner::Plan& plan) {
  std::vector<std::string> problems;
  for (CloudConnection* c : conn.instances()) {
    std::vector<resources::PlannedChange> own;
    for (const planner::Action& a : plan.actions)
      if (conn.instance(a.provider).name == c->name)
        own.push_back({a.address, &a.before, &a.after, &a.operations, &a.members});
    if (own.empty() && c != &conn) continue;  // the default is asked as it always was
    std::vector<std::string> found = co_await c->provider->check_changes(own);
    problems.insert(problems.end(), found.begin(), found.end());
  }
  co_return problems;
}

}  // namespace cph::engine

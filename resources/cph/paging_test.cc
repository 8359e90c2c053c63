// Tests of the one paging loop (cloud/paging.h) through the client's lists:
// call counts, servers created while listing, and the bounds that stop a
// misbehaving service (issue 18 D5): repeated pages, endless pages, a huge
// reported count, oversized pages.
#include <sys/resource.h>

#include "common/sanitized.h"
#include "resources/cph/test_support.h"

using namespace cph::cloud::testing;

namespace {
// A fake CPH holding `n` servers, answering 3.1 pages by offset/limit.
std::function<HttpResponse(const HttpRequest&)> fleet(int n) {
  return [n](const HttpRequest& r) {
    int offset = -1, limit = -1;
    const std::string query = r.target.substr(r.target.find('?') + 1);
    std::sscanf(query.c_str(), "offset=%d&limit=%d", &offset, &limit);
    REQUIRE(offset >= 0);
    REQUIRE(limit == 100);
    json servers = json::array();
    for (int i = offset; i < std::min(n, offset + limit); ++i)
      servers.push_back(
          {{"server_id", "srv-" + std::to_string(i)}, {"server_name", "s" + std::to_string(i)}, {"status", 5}});
    return response(200, json{{"servers", servers}, {"count", n}, {"request_id", "r"}}.dump());
  };
}
}  // namespace

TEST_CASE("list_all_servers pages by 100", "[cloud][client][paging]") {
  const auto api = "GET /v1/{project_id}/cloud-phone/servers";
  for (auto [n, calls] :
       std::vector<std::pair<int, int>>{{0, 1}, {1, 1}, {99, 1}, {100, 1}, {200, 2}, {250, 3}, {1000, 10}}) {
    INFO(n << " servers");
    ClientFixture f;
    f.cph->respond = fleet(n);
    std::vector<Server> all = run(f.io, f.client.list_all_servers());
    REQUIRE(all.size() == static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) CHECK(all[static_cast<size_t>(i)].server_id == "srv-" + std::to_string(i));
    CHECK(f.client.call_counts().at(api) == calls);
    CHECK(f.cph->requests.size() == static_cast<size_t>(calls));
  }
}

TEST_CASE("list_all_servers: odd services", "[cloud][client][paging]") {
  SECTION("no count in the response: pages until a short page") {
    ClientFixture f;
    auto full = fleet(150);
    f.cph->respond = [full](const HttpRequest& r) {
      json j = json::parse(full(r).body);
      j.erase("count");
      return response(200, j.dump());
    };
    CHECK(run(f.io, f.client.list_all_servers()).size() == 150);
    CHECK(f.cph->requests.size() == 2);
  }
  SECTION("a service that ignores offset: the repeated page is an error, not a loop") {
    ClientFixture f;
    auto first_page = fleet(500);
    f.cph->respond = [first_page](const HttpRequest& r) {
      HttpRequest copy = r;
      copy.target = r.target.substr(0, r.target.find('?')) + "?offset=0&limit=100";
      return first_page(copy);
    };
    const auto e = run_expecting<std::runtime_error>(f.io, f.client.list_all_servers());
    CHECK(std::string(e.what()) ==
          "GET /v1/{project_id}/cloud-phone/servers: the page at offset 100 repeats items already listed (the "
          "service ignored offset?); the listing is not trusted");
    CHECK(f.cph->requests.size() == 5);  // the pages `count` announced, asked for together; no more
  }
  SECTION("a server created while listing: the full last page is followed by one more") {
    ClientFixture f;
    int calls = 0;
    auto before = fleet(200), after = fleet(201);
    f.cph->respond = [&calls, before, after](const HttpRequest& r) { return ++calls == 1 ? before(r) : after(r); };
    CHECK(run(f.io, f.client.list_all_servers()).size() == 201);
    CHECK(f.cph->requests.size() == 3);
  }
}

namespace {
// Peak resident memory of this process so far, in MB.
long peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

// A page of 100 servers never seen before, with `count` (absent when 0).
HttpResponse fresh_page(int64_t count, int& serial) {
  json servers = json::array();
  for (int i = 0; i < 100; ++i) servers.push_back({{"server_id", "srv-" + std::to_string(serial++)}, {"server_name", "s"}, {"status", 2}});
  json page{{"servers", servers}};
  if (count) page["count"] = count;
  return response(200, page.dump());
}
}  // namespace

TEST_CASE("paging bounds: a misbehaving list ends in an error", "[cloud][client][paging][bounds]") {
  ClientFixture f;
  int serial = 0;
  SECTION("count = 2147483647 on a full first page: refused before anything is sized by it") {
    f.cph->respond = [&serial](const HttpRequest&) { return fresh_page(2147483647, serial); };
    const auto e = run_expecting<std::runtime_error>(f.io, f.client.list_all_servers());
    CHECK(std::string(e.what()) ==
          "GET /v1/{project_id}/cloud-phone/servers: the service reports 2147483647 items, more than one listing "
          "reads (500 pages of 100)");
    CHECK(f.cph->requests.size() == 1);
    INFO("peak RSS " << peak_rss_mb() << " MB");
    CHECK((cph::kSanitized || peak_rss_mb() < 200));
  }
  SECTION("count = 2147483647 on a short page: the short page ends the listing") {
    f.cph->respond = [](const HttpRequest&) {
      return response(200, R"({"servers": [{"server_id": "a", "server_name": "a", "status": 5}], "count": 2147483647})");
    };
    CHECK(run(f.io, f.client.list_all_servers()).size() == 1);
    CHECK(f.cph->requests.size() == 1);
  }
  SECTION("pages that never end (no count): stopped at the documented page limit") {
    f.cph->respond = [&serial](const HttpRequest&) { return fresh_page(0, serial); };
    const auto e = run_expecting<std::runtime_error>(f.io, f.client.list_all_servers());
    CHECK(std::string(e.what()) ==
          "GET /v1/{project_id}/cloud-phone/servers: the listing goes on beyond 500 pages of 100 items; a list this "
          "long is not read (a service that pages forever?)");
    CHECK(f.cph->requests.size() == 500);
    INFO("peak RSS " << peak_rss_mb() << " MB");
    CHECK((cph::kSanitized || peak_rss_mb() < 200));
  }
  SECTION("pages that never end, each raising count: stopped at the limit as well") {
    int64_t count = 200;
    f.cph->respond = [&serial, &count](const HttpRequest&) { return fresh_page(count += 100, serial); };
    CHECK_THROWS_AS(run(f.io, f.client.list_all_servers()), std::runtime_error);
    CHECK(f.cph->requests.size() <= 500);
  }
  SECTION("a page with more items than asked for") {
    f.cph->respond = [&serial](const HttpRequest&) {
      HttpResponse r = fresh_page(0, serial);
      json j = json::parse(r.body);
      j["servers"].push_back({{"server_id", "one-too-many"}, {"server_name", "x"}, {"status", 5}});
      r.body = j.dump();
      return r;
    };
    const auto e = run_expecting<std::runtime_error>(f.io, f.client.list_all_servers());
    CHECK(std::string(e.what()).find("the page at offset 0 has 101 items, more than the limit of 100") !=
          std::string::npos);
  }
  SECTION("every other list goes through the same bounds") {
    f.cph->respond = [&serial](const HttpRequest& r) {
      json items = json::array();
      for (int i = 0; i < 1000; ++i, ++serial) {
        const std::string id = "id-" + std::to_string(serial);
        items.push_back({{"band_width_id", id}, {"job_id", id}, {"resource_id", id}, {"phone_model_name", id}, {"status", 2}, {"tags", json::array()}});
      }
      const bool tags = r.target.find("resource_instances") != std::string::npos;
      json page{{"band_widths", items}, {"jobs", items}, {"resources", items}, {"phone_models", items}};
      if (!tags)  // pages of 100 for the others
        for (auto& [key, list] : page.items()) list.erase(list.begin() + 100, list.end());
      return response(200, page.dump());
    };
    CHECK_THROWS_WITH(run(f.io, f.client.list_all_bandwidths()), Catch::Contains("beyond 100 pages of 100"));
    CHECK_THROWS_WITH(run(f.io, f.client.list_all_jobs({"r1"})), Catch::Contains("beyond 100 pages of 100"));
    CHECK_THROWS_WITH(run(f.io, f.client.list_all_server_tags()), Catch::Contains("beyond 50 pages of 1000"));
    CHECK_THROWS_WITH(run(f.io, f.client.list_phone_models()), Catch::Contains("beyond 10 pages of 100"));
    CHECK(f.cph->requests.size() == 100 + 100 + 50 + 10);
  }
}

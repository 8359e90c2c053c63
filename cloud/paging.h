// Reading every page of a list API, the one loop every
// "list all" of the client goes through (issue 18 D5). A service that
// misbehaves cannot make it loop or allocate without bound:
//  - a short (or empty) page is the last one;
//  - a reported total (`count`, `total_count`) ends the listing once reached;
//  - a page that holds more items than were asked for, or only items already
//    listed (a service ignoring offset), is an error;
//  - more pages than the list's documented `max_pages` is an error, and a
//    reported total beyond max_pages * page_size is one before anything
//    else is asked: nothing is ever sized from a number the server sent.
// Listings that report a total can ask for the pages after the first all at
// once (`ask_together`; the API's -parallelism bounds how many are on the
// wire), so that N/100 round trips do not run one after another.
#pragma once

#include <algorithm>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>


namespace cph::cloud::detail {

namespace asio = boost::asio;

// One page as the service answered it.
template <class T>
struct Page {
  std::vector<T> items;
  int64_t count = 0;  // the total the service reported; 0 when the API has none or it was missing
};

// A list API and its bounds.
struct PagedList {
  std::string api;          // "GET /{project_id}/things" (method and path template), for errors
  int page_size = 100;      // the limit sent with every page (the API's maximum)
  int max_pages = 100;      // documented bound on one listing (docs/architecture.md "Bounds")
  bool ask_together = false;  // after a full first page, ask for the pages `count` announces at once
};

// The errors of the rules above; each names the API and the offset.
[[noreturn]] void throw_oversized_page(const PagedList& list, int offset, size_t got);
[[noreturn]] void throw_repeated_page(const PagedList& list, int offset);
[[noreturn]] void throw_too_many(const PagedList& list, int64_t reported);

template <class T>
using PageFetch = std::function<asio::awaitable<Page<T>>(int offset)>;
// An item's identity, to drop items a shifted page repeats ("" = no identity, always kept).
template <class T>
using ItemKey = std::function<std::string(const T&)>;

// The pages at `offsets`, requested at once, in offset order.
template <class T>
asio::awaitable<std::vector<Page<T>>> fetch_together(const PageFetch<T>& fetch, const std::vector<int>& offsets) {
  struct Gather {
    Gather(asio::any_io_executor ex, size_t n) : pages(n), left(n), done(ex, asio::steady_timer::time_point::max()) {}
    std::vector<Page<T>> pages;
    std::exception_ptr error;
    size_t left;
    asio::steady_timer done;
  };
  auto ex = co_await asio::this_coro::executor;
  auto g = std::make_shared<Gather>(ex, offsets.size());
  for (size_t i = 0; i < offsets.size(); ++i)
    asio::co_spawn(ex, fetch(offsets[i]), [g, i](std::exception_ptr e, Page<T> page) {
      if (e && !g->error) g->error = e;
      if (!e) g->pages[i] = std::move(page);
      if (--g->left == 0) g->done.cancel();
    });
  // Every page is awaited, also after an error: `fetch` must outlive them.
  while (g->left > 0) co_await g->done.async_wait(asio::as_tuple(asio::use_awaitable));
  if (g->error) std::rethrow_exception(g->error);
  co_return std::move(g->pages);
}

template <class T>
asio::awaitable<std::vector<T>> read_all_pages(PagedList list, PageFetch<T> fetch, ItemKey<T> key) {
  std::vector<T> all;
  std::set<std::string> seen;  // an item created mid-listing shifts later pages by one
  const auto size = static_cast<size_t>(list.page_size);
  // Takes one page; true when it was full (the listing may go on).
  auto take = [&](Page<T>& page, int offset) {
    if (page.items.size() > size) throw_oversized_page(list, offset, page.items.size());
    size_t added = 0;
    for (T& item : page.items) {
      const std::string k = key(item);
      if (!k.empty() && !seen.insert(k).second) continue;
      all.push_back(std::move(item));
      ++added;
    }
    if (!page.items.empty() && added == 0) throw_repeated_page(list, offset);
    return page.items.size() == size;
  };
  const int64_t max_items = int64_t{list.max_pages} * list.page_size;
  auto check_count = [&](int64_t count) {
    if (count > max_items) throw_too_many(list, count);
  };

  Page<T> page = co_await fetch(0);
  int pages = 1, offset = 0;
  bool full = take(page, 0);
  int64_t count = page.count;  // the largest any page reports: items may be created while listing
  if (full) check_count(count);
  if (full && list.ask_together && count > list.page_size) {
    std::vector<int> offsets;  // at most max_pages - 1, by check_count
    for (int64_t o = list.page_size; o < count; o += list.page_size) offsets.push_back(static_cast<int>(o));
    std::vector<Page<T>> rest = co_await fetch_together(fetch, offsets);
    pages += static_cast<int>(rest.size());
    for (size_t i = 0; i < rest.size(); ++i) {
      full = take(rest[i], offsets[i]);
      count = std::max(count, rest[i].count);
    }
    check_count(count);
    offset = offsets.back();
  }
  // Then one page at a time while pages come back full, until `count`.
  while (full && (count <= 0 || offset + list.page_size < count)) {
    if (pages >= list.max_pages) throw_too_many(list, 0);
    offset += list.page_size;
    page = co_await fetch(offset);
    ++pages;
    full = take(page, offset);
    count = std::max(count, page.count);
    if (full) check_count(count);
  }
  co_return all;
}

}  // namespace cph::cloud::detail

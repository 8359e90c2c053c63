// The errors of read_all_pages (paging.h): each names the API, what the
// service did and the bound it broke.
#include "cloud/paging.h"

#include <stdexcept>

namespace cph::cloud::detail {

void throw_oversized_page(const PagedList& list, int offset, size_t got) {
  throw std::runtime_error(list.api + ": the page at offset " + std::to_string(offset) + " has " +
                           std::to_string(got) + " items, more than the limit of " + std::to_string(list.page_size) +
                           " asked for");
}

void throw_repeated_page(const PagedList& list, int offset) {
  throw std::runtime_error(list.api + ": the page at offset " + std::to_string(offset) +
                           " repeats items already listed (the service ignored offset?); the listing is not trusted");
}

void throw_too_many(const PagedList& list, int64_t reported) {
  const std::string bound = std::to_string(list.max_pages) + " pages of " + std::to_string(list.page_size);
  if (reported > 0)
    throw std::runtime_error(list.api + ": the service reports " + std::to_string(reported) +
                             " items, more than one listing reads (" + bound + ")");
  throw std::runtime_error(list.api + ": the listing goes on beyond " + bound +
                           " items; a list this long is not read (a service that pages forever?)");
}

}  // namespace cph::cloud::detail

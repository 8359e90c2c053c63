// The jobs list (cph-api.md 6.2) as a paged list: read by
// CphClient::list_all_jobs and by the JobPoller through cloud/paging.h.
#pragma once

#include <string>

#include "cloud/paging.h"
#include "resources/cph/cph_client.h"

namespace cph::cloud::detail {

// The jobs of 1..20 requests: no total count; 10,000 jobs at most.
inline constexpr int kJobPageSize = 100;  // maximum limit of 6.2
inline PagedList job_list() { return PagedList{"GET /v1/{project_id}/cloud-phone/jobs", kJobPageSize, 100, false}; }
inline std::string job_key(const Job& j) { return j.job_id; }

}  // namespace cph::cloud::detail

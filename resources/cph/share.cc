// Shared apps and files: the per-call bodies; run_server_jobs does the
// chunking, journaling and waiting.
#include "resources/cph/share.h"

namespace cph::resources {

namespace asio = boost::asio;

asio::awaitable<std::vector<ItemOutcome>> push_share_app(cloud::CphClient& cloud, cloud::JobPoller& poller,
                                                         OperationJournal& journal, std::string address, ShareApp app,
                                                         std::vector<ServerRef> servers) {
  Json fields = {{"package_name", app.package_name},
                 {"pre_install_app", app.pre_install ? 1 : 0},
                 {"bucket_name", app.bucket},
                 {"object_path", app.object}};
  cloud::PushShareAppRequest request{app.package_name, app.bucket, app.object, app.pre_install};
  SendServerJobs send = [&cloud, request](std::vector<std::string> ids) -> asio::awaitable<cloud::JobsResult> {
    co_return co_await cloud.push_share_apps(request, ids);
  };
  co_return co_await run_server_jobs(poller, journal, address, "push_share_app", fields, fields, std::move(servers),
                                     send);
}

asio::awaitable<std::vector<ItemOutcome>> delete_share_app(cloud::CphClient& cloud, cloud::JobPoller& poller,
                                                           OperationJournal& journal, std::string address,
                                                           std::string package_name, std::vector<ServerRef> servers) {
  Json fields = {{"package_name", package_name}};
  SendServerJobs send = [&cloud, package_name](std::vector<std::string> ids) -> asio::awaitable<cloud::JobsResult> {
    co_return co_await cloud.delete_share_apps(package_name, ids);
  };
  co_return co_await run_server_jobs(poller, journal, address, "delete_share_app", fields, fields, std::move(servers),
                                     send);
}

asio::awaitable<std::vector<ItemOutcome>> push_share_file(cloud::CphClient& cloud, cloud::JobPoller& poller,
                                                          OperationJournal& journal, std::string address,
                                                          std::string bucket, std::string object,
                                                          std::vector<ServerRef> servers) {
  Json fields = {{"bucket_name", bucket}, {"object_path", object}};
  SendServerJobs send = [&cloud, bucket, object](std::vector<std::string> ids) -> asio::awaitable<cloud::JobsResult> {
    co_return co_await cloud.push_share_files(bucket, object, ids);
  };
  co_return co_await run_server_jobs(poller, journal, address, "push_share_file", fields, fields, std::move(servers),
                                     send);
}

asio::awaitable<std::vector<ItemOutcome>> delete_share_file(cloud::CphClient& cloud, cloud::JobPoller& poller,
                                                            OperationJournal& journal, std::string address,
                                                            std::vector<std::string> file_paths,
                                                            std::vector<ServerRef> servers) {
  Json fields = {{"file_paths", file_paths}};
  SendServerJobs send = [&cloud, file_paths](std::vector<std::string> ids) -> asio::awaitable<cloud::JobsResult> {
    co_return co_await cloud.delete_share_files(file_paths, ids);
  };
  co_return co_await run_server_jobs(poller, journal, address, "delete_share_file", fields, fields,
                                     std::move(servers), send);
}

}  // namespace cph::resources

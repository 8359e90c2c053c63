// Shared storage and shared apps (cph-api.md 3.7-3.11): one job per server.
#include "resources/cph/cph_call.h"

namespace cph::cloud {

using namespace detail;

namespace {

ordered_json string_array(const std::vector<std::string>& values) {
  ordered_json a = ordered_json::array();
  for (const std::string& v : values) a.push_back(v);
  return a;
}

}  // namespace

asio::awaitable<JobsResult> CphClient::push_share_files(std::string bucket_name, std::string object_path,
                                                        std::vector<std::string> server_ids) {
  ordered_json body;
  body["bucket_name"] = bucket_name;
  body["object_path"] = object_path;
  body["server_ids"] = string_array(server_ids);
  Call c = impl_->cph_call("POST", "POST /v1/{project_id}/cloud-phone/phones/share-files",
                           impl_->project_path("v1", "/cloud-phone/phones/share-files"));
  c.body = to_body(body, c.api);
  const HttpResponse r = co_await impl_->call(c);
  co_return parse_jobs_result(Answer::of(r, c));
}

asio::awaitable<JobsResult> CphClient::delete_share_files(std::vector<std::string> file_paths,
                                                          std::vector<std::string> server_ids) {
  // the reference prints POST on the push path; the body (file_paths)
  // tells delete from push. POST is what a client following it sends.
  ordered_json body;
  body["file_paths"] = string_array(file_paths);
  body["server_ids"] = string_array(server_ids);
  Call c = impl_->cph_call("POST", "POST /v1/{project_id}/cloud-phone/phones/share-files",
                           impl_->project_path("v1", "/cloud-phone/phones/share-files"));
  c.body = to_body(body, c.api);
  const HttpResponse r = co_await impl_->call(c);
  co_return parse_jobs_result(Answer::of(r, c));
}

asio::awaitable<JobsResult> CphClient::query_share_files(std::string path, std::vector<std::string> server_ids) {
  Call c = impl_->cph_call("GET", "GET /v1/{project_id}/cloud-phone/servers/share-files",
                           impl_->project_path("v1", "/cloud-phone/servers/share-files"));
  std::string joined;
  for (const std::string& id : server_ids) joined += (joined.empty() ? "" : ",") + id;
  add_query(c.query, "path", path);
  add_query(c.query, "server_ids", joined);  // comma-separated (3.8)
  const HttpResponse r = co_await impl_->call(c);
  co_return parse_jobs_result(Answer::of(r, c));
}

asio::awaitable<JobsResult> CphClient::push_share_apps(PushShareAppRequest p, std::vector<std::string> server_ids) {
  ordered_json body;
  body["package_name"] = p.package_name;
  body["pre_install_app"] = p.pre_install ? 1 : 0;  // an integer (3.10)
  body["bucket_name"] = p.bucket_name;
  body["object_path"] = p.object_path;
  body["server_ids"] = string_array(server_ids);
  Call c = impl_->cph_call("POST", "POST /v1/{project_id}/cloud-phone/phones/share-apps",
                           impl_->project_path("v1", "/cloud-phone/phones/share-apps"));
  c.body = to_body(body, c.api);
  const HttpResponse r = co_await impl_->call(c);
  co_return parse_jobs_result(Answer::of(r, c));
}

asio::awaitable<JobsResult> CphClient::delete_share_apps(std::string package_name,
                                                         std::vector<std::string> server_ids) {
  // 3.11: DELETE with a JSON body (the transport sends Content-Length for it).
  ordered_json body;
  body["package_name"] = package_name;
  body["server_ids"] = string_array(server_ids);
  Call c = impl_->cph_call("DELETE", "DELETE /v1/{project_id}/cloud-phone/phones/share-apps",
                           impl_->project_path("v1", "/cloud-phone/phones/share-apps"));
  c.body = to_body(body, c.api);
  const HttpResponse r = co_await impl_->call(c);
  co_return parse_jobs_result(Answer::of(r, c));
}

}  // namespace cph::cloud

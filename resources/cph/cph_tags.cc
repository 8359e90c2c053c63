// Tags of cloud phone servers (cph-api.md 7.6-7.11), resource type
// cph-server, the only one 7.6 enumerates.
#include "resources/cph/cph_call.h"
#include "cloud/paging.h"

namespace cph::cloud {

using namespace detail;

namespace {

constexpr int kInstancePageSize = 1000;  // maximum limit of 7.9
constexpr int kMaxInstancePages = 50;    // 50,000 servers, as the server list (docs/architecture.md "Bounds")

// 7.8/7.9: `tags` is an array of {key, value}; a resource without tags has [].
std::vector<Tag> parse_tags(const Answer& j) {
  std::vector<Tag> tags;
  for (const Answer& t : j.objects("tags")) tags.push_back({t.id("key"), t.opt_text("value")});
  return tags;
}

ordered_json tags_json(const std::vector<Tag>& tags) {
  ordered_json a = ordered_json::array();
  for (const Tag& t : tags) {
    ordered_json o;
    o["key"] = t.key;
    o["value"] = t.value;
    a.push_back(std::move(o));
  }
  return a;
}

}  // namespace

asio::awaitable<std::vector<Tag>> CphClient::list_server_tags(std::string server_id) {
  Call c = impl_->cph_call("GET", "GET /v1/{project_id}/{resource_type}/{resource_id}/tags",
                           impl_->project_path("v1", "/cph-server/" + encode(server_id) + "/tags"));
  const HttpResponse r = co_await impl_->call(c);
  co_return parse_tags(Answer::of(r, c));
}

namespace {
// 7.10 and 7.11 share the path (A-6: /tags/action, as the URI section says).
Call tag_action_call(std::string path, const char* action, const std::vector<Tag>& tags) {
  Call c{Service::cph, "POST", "POST /v1/{project_id}/{resource_type}/{resource_id}/tags/action", std::move(path),
         {},           std::nullopt};
  ordered_json body;
  body["action"] = action;
  body["tags"] = tags_json(tags);
  c.body = to_body(body, c.api);
  c.idempotent = true;  // tags are set by key (7.10: an existing key is overwritten)
  return c;
}
}  // namespace

asio::awaitable<void> CphClient::create_server_tags(std::string server_id, std::vector<Tag> tags) {
  const Call c =
      tag_action_call(impl_->project_path("v1", "/cph-server/" + encode(server_id) + "/tags/action"), "create", tags);
  co_await impl_->call(c);
}

asio::awaitable<void> CphClient::delete_server_tags(std::string server_id, std::vector<Tag> tags) {
  const Call c =
      tag_action_call(impl_->project_path("v1", "/cph-server/" + encode(server_id) + "/tags/action"), "delete", tags);
  co_await impl_->call(c);
}

asio::awaitable<TaggedResourcePage> CphClient::list_tagged_servers(ResourceInstanceQuery query) {
  ordered_json body;
  // 7.9: offset and limit are strings in JSON.
  body["offset"] = std::to_string(query.offset);
  body["limit"] = std::to_string(query.limit);
  body["action"] = "filter";
  Call c = impl_->cph_call("POST", "POST /v1/{project_id}/{resource_type}/resource_instances/action",
                           impl_->project_path("v1", "/cph-server/resource_instances/action"));
  c.body = to_body(body, c.api);
  c.idempotent = true;  // a query sent as POST
  const HttpResponse r = co_await impl_->call(c);
  const Answer j = Answer::of(r, c);
  TaggedResourcePage page;
  page.total_count = j.opt_integer("total_count");
  for (const Answer& res : j.objects("resources")) {
    TaggedResource t;
    t.resource_id = res.id("resource_id");
    t.resource_name = res.opt_text("resource_name");
    t.tags = parse_tags(res);
    page.resources.push_back(std::move(t));
  }
  co_return page;
}

asio::awaitable<std::vector<TaggedResource>> CphClient::list_all_server_tags() {
  PagedList list{"POST /v1/{project_id}/{resource_type}/resource_instances/action", kInstancePageSize,
                 kMaxInstancePages, false};
  co_return co_await read_all_pages<TaggedResource>(
      list,
      [this](int offset) -> asio::awaitable<Page<TaggedResource>> {
        ResourceInstanceQuery q;
        q.offset = offset;
        q.limit = kInstancePageSize;
        TaggedResourcePage page = co_await list_tagged_servers(q);
        co_return Page<TaggedResource>{std::move(page.resources), page.total_count};
      },
      [](const TaggedResource& r) { return r.resource_id; });
}

}  // namespace cph::cloud

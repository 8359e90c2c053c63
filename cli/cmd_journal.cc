// journal list | show ID | discard ID: the unfinished entries of the
// write-ahead journal (ARCHITECTURE decision 3), and the explicit escape
// hatch for one that cphform cannot settle on its own. Entries hold the
// idempotency data and ids of cloud calls, never credentials.
#include <unistd.h>

#include <algorithm>
#include <iostream>

#include "common/timefmt.h"
#include "cli/command.h"
#include "cli/commands.h"

namespace cph::engine {

namespace {

using Json = nlohmann::json;

constexpr const char* kJournalUsage = "usage: cphform journal list [-json] | show ID [-json] | discard [-auto-approve] ID";

std::string age_of(const state::JournalEntry& e) {
  auto created = parse_iso8601_utc(e.created_at);
  if (!created) return "?";
  int64_t s = std::max<int64_t>(0, now_epoch_seconds() - *created);
  if (s < 120) return std::to_string(s) + "s";
  if (s < 7200) return std::to_string(s / 60) + "m";
  if (s < 172800) return std::to_string(s / 3600) + "h";
  return std::to_string(s / 86400) + "d";
}

// The cloud ids an entry knows of: what may exist because of it.
Json cloud_ids(const state::JournalEntry& e) {
  Json ids = Json::object();
  for (const char* key : {"order_id", "server_id", "job_id"})
    if (e.response.contains(key) && e.response[key].is_string() && !e.response[key].get<std::string>().empty())
      ids[key] = e.response[key];
  for (const char* key : {"order_ids", "server_ids", "job_ids"})
    if (e.response.contains(key) && e.response[key].is_array() && !e.response[key].empty()) ids[key] = e.response[key];
  if (!ids.contains("server_id") && e.intent.contains("server_id")) ids["server_id"] = e.intent["server_id"];
  if (!ids.contains("order_id") && e.intent.contains("order_id")) ids["order_id"] = e.intent["order_id"];
  return ids;
}

std::string ids_text(const Json& ids) {
  std::string out;
  for (auto it = ids.begin(); it != ids.end(); ++it) {
    std::string v;
    if (it.value().is_array())
      for (const Json& x : it.value()) v += (v.empty() ? "" : ",") + x.get<std::string>();
    else
      v = it.value().get<std::string>();
    out += (out.empty() ? "" : " ") + it.key() + "=" + v;
  }
  return out.empty() ? "-" : out;
}

Json entry_json(const state::JournalEntry& e, bool full) {
  Json j = {{"id", e.id},
            {"address", e.address},
            {"operation", e.operation},
            {"state", state::to_string(e.status)},
            {"created_at", e.created_at},
            {"age", age_of(e)},
            {"cloud_ids", cloud_ids(e)}};
  if (full) {
    j["run_id"] = e.run_id;
    j["updated_at"] = e.updated_at;
    j["request_digest"] = e.request_digest;
    j["intent"] = e.intent;
    j["response"] = e.response;
  }
  return j;
}

const state::JournalEntry& find_open(const std::vector<state::JournalEntry>& open, const std::string& id_text) {
  int64_t id = 0;
  try {
    size_t used = 0;
    id = std::stoll(id_text, &used);
    if (used != id_text.size()) throw std::invalid_argument(id_text);
  } catch (const std::exception&) {
    throw UsageError("journal entry id must be a number (see cphform journal list), got \"" + id_text + "\"");
  }
  for (const auto& e : open)
    if (e.id == id) return e;
  throw std::runtime_error("no unfinished journal entry " + id_text + " (cphform journal list shows the open ones)");
}

int list(Context& ctx, state::StateStore& store, bool json) {
  auto open = store.open_journal();
  if (json) {
    Json list = Json::array();
    for (const auto& e : open) list.push_back(entry_json(e, false));
    ctx.out << Json{{"format_version", "1.0"}, {"entries", list}}.dump() << "\n";
    return 0;
  }
  if (open.empty()) {
    ctx.out << "No unfinished journal entries.\n";
    return 0;
  }
  for (const auto& e : open)
    ctx.out << e.id << "  " << e.address << "  " << e.operation << "  " << state::to_string(e.status) << "  "
            << age_of(e) << "  " << ids_text(cloud_ids(e)) << "\n";
  return 0;
}

int show(Context& ctx, const state::JournalEntry& e, bool json) {
  Json j = entry_json(e, true);
  if (json) {
    ctx.out << j.dump() << "\n";
    return 0;
  }
  ctx.out << "Journal entry " << e.id << ": " << e.operation << " of " << e.address << "\n"
          << "  state:      " << state::to_string(e.status) << " (since " << e.updated_at << ")\n"
          << "  created:    " << e.created_at << " (" << age_of(e) << " ago), run " << e.run_id << "\n"
          << "  cloud ids:  " << ids_text(j["cloud_ids"]) << "\n"
          << "  intent:     " << e.intent.dump(2) << "\n"
          << "  response:   " << e.response.dump(2) << "\n";
  return 0;
}

bool confirmed(Context& ctx, const std::string& what) {
  if (&ctx.in == &std::cin && !isatty(STDIN_FILENO))
    throw std::runtime_error("discarding needs confirmation and there is no terminal to ask: run it with "
                             "-auto-approve; nothing was changed");
  ctx.out << "Do you really want to discard " << what << "?\n  Only 'yes' will be accepted to confirm.\n\n"
          << "  Enter a value: " << std::flush;
  std::string answer;
  return std::getline(ctx.in, answer) && answer == "yes";
}

int discard(Context& ctx, state::StateStore& store, const std::string& id_text, const Flags& flags) {
  auto lock = lock_as_asked(ctx, store, flags, "journal discard");
  auto open = store.open_journal();  // read again under the lock
  const state::JournalEntry& e = find_open(open, id_text);
  const std::string ids = ids_text(cloud_ids(e));
  const std::string what = "journal entry " + id_text + " (" + e.operation + " of " + e.address + ", " +
                           state::to_string(e.status) + ")";
  ctx.out << "Discarding " << what << " stops cphform from resuming or reconciling it.\n"
          << (ids == "-" ? "  It recorded no cloud id: if its request reached the service, what it made is not tracked.\n"
                         : "  These may exist in the cloud and stay there, unmanaged: " + ids + "\n")
          << "  (cphform import ADDRESS SERVER_ID brings a server under management again.)\n";
  if (!flags.has("auto-approve") && !input_allowed(flags))
    throw std::runtime_error("discarding asks for confirmation and -input=false forbids asking: pass -auto-approve; "
                             "nothing was changed");
  if (!flags.has("auto-approve") && !confirmed(ctx, what)) {
    ctx.err << "Error: discard cancelled; nothing was changed.\n";
    return 1;
  }
  store.journal_failed(e.id, "discarded by " + actor() + " with cphform journal discard; may remain in the cloud: " + ids);
  ctx.out << "Discarded " << what << ". The history records it.\n";
  return 0;
}

}  // namespace

int cmd_journal(Context& ctx, const std::vector<std::string>& args) {
  if (args.empty()) throw UsageError(kJournalUsage);
  const std::string sub = args[0];
  Flags flags = parse_command_flags("journal", {args.begin() + 1, args.end()});
  auto store = open_state(load_workspace(ctx));
  if (sub == "list" && flags.positional.empty()) return list(ctx, *store, flags.has("json"));
  if (sub == "show" && flags.positional.size() == 1) {
    auto open = store->open_journal();
    return show(ctx, find_open(open, flags.positional[0]), flags.has("json"));
  }
  if (sub == "discard" && flags.positional.size() == 1) return discard(ctx, *store, flags.positional[0], flags);
  throw UsageError(kJournalUsage);
}

}  // namespace cph::engine

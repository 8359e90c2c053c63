#include "cli/progress.h"

namespace cph::engine {

namespace {
// The -ing and the noun of each action, as Terraform words them.
const char* doing(planner::ActionKind k) {
  switch (k) {
    case planner::ActionKind::create: return "creating";
    case planner::ActionKind::update: return "modifying";
    case planner::ActionKind::switch_phones: return "switching";
    case planner::ActionKind::replace: return "replacing";
    case planner::ActionKind::remove: return "destroying";
  }
  return "working";
}

const char* done(planner::ActionKind k) {
  switch (k) {
    case planner::ActionKind::create: return "Creation";
    case planner::ActionKind::update: return "Modifications";
    case planner::ActionKind::switch_phones: return "Switch";
    case planner::ActionKind::replace: return "Replacement";
    case planner::ActionKind::remove: return "Destruction";
  }
  return "Work";
}

std::string capitalized(const char* s) {
  std::string out(s);
  if (!out.empty()) out[0] = static_cast<char>(out[0] - 'a' + 'A');
  return out;
}
}  // namespace

Progress::Progress(std::ostream& out, std::chrono::seconds every, std::function<Clock::time_point()> now,
                   JsonEvents* json)
    : out_(out), every_(every), now_(std::move(now)), json_(json), start_(now_()) {}

void Progress::clear_live() {
  if (!drawn_) return;
  out_ << "\r\033[K";  // carriage return, erase to the end of the line
  drawn_ = false;
}

void Progress::draw_live() {
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(now_() - start_).count();
  const size_t running = running_.size();
  const size_t accounted = done_.size() + failed_ + running;
  const size_t waiting = total_ > accounted ? total_ - accounted : 0;
  out_ << "\r\033[KApply: " << done_.size() << " done, " << running << " running, " << waiting << " waiting, " << failed_
       << " failed [" << secs << "s elapsed]" << std::flush;
  drawn_ = true;
}

void Progress::close() {
  std::lock_guard lock(mu_);
  if (!live_) return;
  draw_live();
  out_ << std::endl;
  drawn_ = false;
}

nlohmann::json Progress::hook(const std::string& address, const Running& r, Clock::time_point t) const {
  return {{"resource", JsonEvents::resource(address)},
          {"action", JsonEvents::ui_action(r.kind)},
          {"elapsed_seconds", std::chrono::duration_cast<std::chrono::seconds>(t - r.since).count()}};
}

void Progress::started(const std::string& address, planner::ActionKind kind, const std::string& cloud_id) {
  std::lock_guard lock(mu_);
  auto t = now_();
  Running& r = running_[address] = {kind, t, t + every_};
  if (json_) {
    nlohmann::json h = hook(address, r, t);
    if (!cloud_id.empty()) {  // as Terraform's "Destroying... [id=...]"
      h["id_key"] = "id";
      h["id_value"] = cloud_id;
    }
    return json_->emit("apply_start", "info", address + ": " + capitalized(doing(kind)) + "...", {{"hook", h}});
  }
  if (live_) {
    done_.erase(address);  // a later step of it runs
    return;
  }
  out_ << address << ": " << capitalized(doing(kind)) << "..." << std::endl;
}

void Progress::finished(const std::string& address, const std::string& cloud_id, bool called) {
  std::lock_guard lock(mu_);
  auto it = running_.find(address);
  if (it == running_.end()) return;
  auto t = now_();
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(t - it->second.since).count();
  const std::string what = called ? std::string(done(it->second.kind)) + " complete" : "Recorded in state only (no cloud call needed)";
  if (json_) {
    nlohmann::json h = hook(address, it->second, t);
    if (!cloud_id.empty()) {
      h["id_key"] = "id";
      h["id_value"] = cloud_id;
    }
    json_->emit("apply_complete", "info",
                address + ": " + what + " after " + std::to_string(secs) + "s",
                {{"hook", h}});
    running_.erase(it);
    return;
  }
  if (live_) {
    done_.insert(address);
    running_.erase(it);
    return;
  }
  out_ << address << ": " << what << " after " << secs << "s";
  if (!cloud_id.empty()) out_ << " [id=" << cloud_id << "]";
  out_ << std::endl;
  running_.erase(it);
}

void Progress::failed(const std::string& address, const std::string& error) {
  std::lock_guard lock(mu_);
  auto it = running_.find(address);
  if (it == running_.end()) return;
  ++failed_;
  clear_live();
  if (json_)
    json_->emit("apply_errored", "error", address + ": " + done(it->second.kind) + " failed: " + error,
                {{"hook", hook(address, it->second, now_())}});
  else
    out_ << address << ": " << done(it->second.kind) << " failed: " << error << std::endl;
  running_.erase(it);
}

void Progress::interrupted(const std::string& address) {
  std::lock_guard lock(mu_);
  auto it = running_.find(address);
  if (it == running_.end()) return;
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(now_() - it->second.since).count();
  const std::string line = address + ": " + done(it->second.kind) + " interrupted after " + std::to_string(secs) +
                           "s; the journal keeps it and the next apply resumes it";
  clear_live();
  if (json_)
    json_->emit("apply_errored", "error", line, {{"hook", hook(address, it->second, now_())}});
  else
    out_ << line << std::endl;
  running_.erase(it);
}

void Progress::tick() {
  std::lock_guard lock(mu_);
  if (live_) return draw_live();
  auto t = now_();
  for (auto& [address, r] : running_) {
    if (t < r.next_report) continue;
    auto secs = std::chrono::duration_cast<std::chrono::seconds>(t - r.since).count();
    if (json_)
      json_->emit("apply_progress", "info",
                  address + ": Still " + doing(r.kind) + "... [" + std::to_string(secs) + "s elapsed]",
                  {{"hook", hook(address, r, t)}});
    else
      out_ << address << ": Still " << doing(r.kind) << "... [" << secs << "s elapsed]" << std::endl;
    r.next_report += every_;
  }
}

void Progress::note(const std::string& line) {
  std::lock_guard lock(mu_);
  if (json_) return json_->emit("log", "info", line, nlohmann::json::object());
  clear_live();
  out_ << line << std::endl;
}

}  // namespace cph::engine

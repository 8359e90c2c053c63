#include "engine/progress.h"

namespace cph::engine {

namespace {
// The -ing and the noun of each action, as Terraform words them.
const char* doing(planner::ActionKind k) {
  switch (k) {
    case planner::ActionKind::create: return "creating";
    case planner::ActionKind::update: return "modifying";
    case planner::ActionKind::replace: return "replacing";
    case planner::ActionKind::remove: return "destroying";
  }
  return "working";
}

const char* done(planner::ActionKind k) {
  switch (k) {
    case planner::ActionKind::create: return "Creation";
    case planner::ActionKind::update: return "Modifications";
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

Progress::Progress(std::ostream& out, std::chrono::seconds every, std::function<Clock::time_point()> now)
    : out_(out), every_(every), now_(std::move(now)) {}

void Progress::started(const std::string& address, planner::ActionKind kind) {
  std::lock_guard lock(mu_);
  auto t = now_();
  running_[address] = {kind, t, t + every_};
  out_ << address << ": " << capitalized(doing(kind)) << "..." << std::endl;
}

void Progress::finished(const std::string& address, const std::string& cloud_id) {
  std::lock_guard lock(mu_);
  auto it = running_.find(address);
  if (it == running_.end()) return;
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(now_() - it->second.since).count();
  out_ << address << ": " << done(it->second.kind) << " complete after " << secs << "s";
  if (!cloud_id.empty()) out_ << " [id=" << cloud_id << "]";
  out_ << std::endl;
  running_.erase(it);
}

void Progress::failed(const std::string& address, const std::string& error) {
  std::lock_guard lock(mu_);
  auto it = running_.find(address);
  if (it == running_.end()) return;
  out_ << address << ": " << done(it->second.kind) << " failed: " << error << std::endl;
  running_.erase(it);
}

void Progress::tick() {
  std::lock_guard lock(mu_);
  auto t = now_();
  for (auto& [address, r] : running_) {
    if (t < r.next_report) continue;
    auto secs = std::chrono::duration_cast<std::chrono::seconds>(t - r.since).count();
    out_ << address << ": Still " << doing(r.kind) << "... [" << secs << "s elapsed]" << std::endl;
    r.next_report += every_;
  }
}

void Progress::note(const std::string& line) {
  std::lock_guard lock(mu_);
  out_ << line << std::endl;
}

}  // namespace cph::engine

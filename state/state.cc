// Backend-independent parts of the state contract: journal status names, the
// LockHeld error and the RAII lock holder.
#include "state/state.h"

namespace cph::state {

std::string to_string(JournalStatus s) {
  switch (s) {
    case JournalStatus::intent: return "intent";
    case JournalStatus::answered: return "answered";
    case JournalStatus::done: return "done";
    case JournalStatus::failed: return "failed";
  }
  throw std::invalid_argument("invalid JournalStatus value " + std::to_string(static_cast<int>(s)));
}

JournalStatus journal_status_from_string(const std::string& s) {
  if (s == "intent") return JournalStatus::intent;
  if (s == "answered") return JournalStatus::answered;
  if (s == "done") return JournalStatus::done;
  if (s == "failed") return JournalStatus::failed;
  throw std::invalid_argument("unknown journal status \"" + s +
                              "\" (expected intent, answered, done or failed)");
}

namespace {
std::string lock_held_message(const LockInfo& h) {
  return "state is locked by " + h.holder + " for \"" + h.operation + "\" since " + h.created_at +
         " (expires " + h.expires_at + ", lock id " + h.id +
         "); wait for it to finish, or run force-unlock with that id if the holder is gone";
}
}  // namespace

LockHeld::LockHeld(LockInfo h) : std::runtime_error(lock_held_message(h)), holder(std::move(h)) {}

ScopedLock::ScopedLock(StateStore& store, const std::string& holder, const std::string& operation,
                       std::chrono::seconds ttl, std::chrono::milliseconds wait)
    : store_(store), id_(store.lock(holder, operation, ttl, wait)) {}

void ScopedLock::release() {
  if (released_) return;
  store_.unlock(id_);
  released_ = true;
}

ScopedLock::~ScopedLock() {
  // A destructor must not throw; a lock we fail to release expires on its own.
  try {
    release();
  } catch (...) {
  }
}

}  // namespace cph::state

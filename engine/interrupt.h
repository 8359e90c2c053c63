// Ctrl-C (SIGINT) and SIGTERM while apply or destroy runs (issue 5
// "Signals"), as Terraform handles them:
//  - the first asks for a graceful stop: no new operation starts, calls in
//    flight get their answers, waits on orders and jobs end with their ids
//    in the journal, state is committed, and the run exits non-zero;
//  - the second aborts at once: everything known is already committed (the
//    journal writes each intent and answer before going on), so `on_abort`
//    (releasing the lock) runs and the process exits with 130.
// Outside apply/destroy the default action (terminate) stays: nothing is in
// flight that the journal does not already hold.
#pragma once

#include <functional>
#include <memory>
#include <ostream>

#include <boost/asio/any_io_executor.hpp>

#include "resources/polling.h"

namespace cph::engine {

class InterruptHandler {
 public:
  InterruptHandler(boost::asio::any_io_executor ex, std::ostream& err, resources::StopSignal& stop,
                   std::function<void()> on_abort);
  ~InterruptHandler();  // back to the default action
  InterruptHandler(const InterruptHandler&) = delete;
  InterruptHandler& operator=(const InterruptHandler&) = delete;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cph::engine

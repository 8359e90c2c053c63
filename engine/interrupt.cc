#include "engine/interrupt.h"

#include <signal.h>

#include <cstdlib>

#include <boost/asio/signal_set.hpp>

namespace cph::engine {

namespace asio = boost::asio;

struct InterruptHandler::Impl {
  Impl(asio::any_io_executor ex, std::ostream& e, resources::StopSignal& s, std::function<void()> a)
      : signals(ex, SIGINT, SIGTERM), err(e), stop(s), on_abort(std::move(a)) {}
  asio::signal_set signals;
  std::ostream& err;
  resources::StopSignal& stop;
  std::function<void()> on_abort;
  int received = 0;

  void arm() {
    // A wait cancelled by the destructor completes later with an error and
    // must not touch `this`: the error is checked first.
    signals.async_wait([this](const boost::system::error_code& ec, int) {
      if (!ec) on_signal();
    });
  }

  void on_signal() {
    if (++received == 1) {
      err << "\nInterrupt received.\nPlease wait for cphform to exit or data loss may occur.\n"
             "Gracefully shutting down: no new operation starts; orders and jobs in flight stay in the journal "
             "and the next apply resumes them. Interrupt again to exit at once.\n"
          << std::flush;
      stop.request();
      arm();
      return;
    }
    err << "\nTwo interrupts received. Exiting immediately: every intent and answer is already in the journal; "
           "the next apply reconciles what was in flight.\n"
        << std::flush;
    if (on_abort) on_abort();
    std::_Exit(130);
  }
};

InterruptHandler::InterruptHandler(asio::any_io_executor ex, std::ostream& err, resources::StopSignal& stop,
                                   std::function<void()> on_abort)
    : impl_(std::make_unique<Impl>(std::move(ex), err, stop, std::move(on_abort))) {
  impl_->arm();
}

InterruptHandler::~InterruptHandler() {
  boost::system::error_code ec;
  impl_->signals.cancel(ec);
  impl_->signals.clear(ec);  // SIGINT terminates again
}

}  // namespace cph::engine

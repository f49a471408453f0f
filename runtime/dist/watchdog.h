//===- watchdog.h - No rank waits forever -----------------------*- C++ -*-===//
//
// A collective blocks until every member joins it. When a rank dies, hangs
// or falls far behind, the others would wait forever; the watchdog turns
// that into an error on every rank. While a phase is armed ("step 3",
// "validation after step 100") a thread checks every 50 ms that it has not
// run past --comm-timeout seconds, and asks the poller (the cuda target:
// ncclCommGetAsyncError of every NCCL communicator) for asynchronous
// communication errors. Either ends the job through abortAll():
//   rank 1: error: step 3 did not finish within 600 s (--comm-timeout) ...
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_DIST_WATCHDOG_H
#define PTC_RUNTIME_DIST_WATCHDOG_H

#include "runtime/data/status.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace ptc::rt::dist {

/// Reports an asynchronous communication error, or ok.
using CommPoller = Status (*)();

/// Polls of the watchdog (the cuda target sets one after creating its NCCL
/// communicators); null: none.
void setCommPoller(CommPoller poller);

class Watchdog {
public:
  /// timeoutSeconds 0: no deadline, only the poller.
  explicit Watchdog(double timeoutSeconds);
  ~Watchdog();
  Watchdog(const Watchdog &) = delete;
  Watchdog &operator=(const Watchdog &) = delete;

  /// Starts the clock of phase `what` (it names the phase in the error).
  void arm(const std::string &what);
  void disarm();

private:
  void watch();

  using Clock = std::chrono::steady_clock;
  const double timeoutSeconds_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false, armed_ = false;
  std::string what_;
  Clock::time_point deadline_;
  std::thread thread_;
};

/// Arms `watchdog` (when not null) for the lifetime of the object.
class WatchdogPhase {
public:
  WatchdogPhase(Watchdog *watchdog, const std::string &what)
      : watchdog_(watchdog) {
    if (watchdog_)
      watchdog_->arm(what);
  }
  ~WatchdogPhase() {
    if (watchdog_)
      watchdog_->disarm();
  }
  WatchdogPhase(const WatchdogPhase &) = delete;
  WatchdogPhase &operator=(const WatchdogPhase &) = delete;

private:
  Watchdog *watchdog_;
};

} // namespace ptc::rt::dist

#endif // PTC_RUNTIME_DIST_WATCHDOG_H

//===- watchdog.cpp - No rank waits forever -------------------------------===//

#include "runtime/dist/watchdog.h"

#include "runtime/dist/world.h"

#include <atomic>
#include <sstream>

namespace ptc::rt::dist {

static std::atomic<CommPoller> gPoller{nullptr};

void setCommPoller(CommPoller poller) { gPoller = poller; }

Watchdog::Watchdog(double timeoutSeconds)
    : timeoutSeconds_(timeoutSeconds), thread_([this] { watch(); }) {}

Watchdog::~Watchdog() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Watchdog::arm(const std::string &what) {
  std::lock_guard<std::mutex> lock(mutex_);
  armed_ = true;
  what_ = what;
  deadline_ =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(timeoutSeconds_));
}

void Watchdog::disarm() {
  std::lock_guard<std::mutex> lock(mutex_);
  armed_ = false;
}

void Watchdog::watch() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_) {
    wake_.wait_for(lock, std::chrono::milliseconds(50));
    if (stop_)
      break;
    if (CommPoller poll = gPoller.load()) {
      lock.unlock();
      Status s = poll();
      lock.lock();
      if (!s)
        abortAll(s.message());
    }
    if (armed_ && timeoutSeconds_ > 0 && Clock::now() > deadline_) {
      std::ostringstream seconds;
      seconds << timeoutSeconds_;
      abortAll(what_ + " did not finish within " + seconds.str() +
               " s (--comm-timeout): another rank is stuck, died or is far "
               "slower; aborting every rank");
    }
  }
}

} // namespace ptc::rt::dist

//===- stop_signal.cpp - SIGTERM ends a run after its step ----------------===//

#include "runtime/train/stop_signal.h"

#include <csignal>

namespace ptc::rt::train {

namespace {

volatile std::sig_atomic_t gStop = 0;

extern "C" void onStopSignal(int) { gStop = 1; }

} // namespace

void catchStopSignal() {
  struct sigaction action = {};
  action.sa_handler = onStopSignal;
  sigemptyset(&action.sa_mask);
  // Restart interrupted reads and writes: the step goes on as if nothing
  // happened, and the loop looks at the flag after it.
  action.sa_flags = SA_RESTART;
  sigaction(SIGTERM, &action, nullptr);
}

bool stopSignalled() { return gStop != 0; }

} // namespace ptc::rt::train

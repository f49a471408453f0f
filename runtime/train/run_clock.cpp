//===- run_clock.cpp - Elapsed time and the ETA of a training run ---------===//

#include "runtime/train/run_clock.h"

#include <cmath>
#include <cstdio>

namespace ptc::rt::train {

void RunClock::stepDone(int64_t step, double seconds) {
  step_ = step;
  elapsed_ = seconds;
  if (step - firstStep_ + 1 == kWarmupSteps)
    warmupEnd_ = seconds;
}

double RunClock::etaSeconds() const {
  const int64_t left = lastStep_ - step_;
  const int64_t done = step_ - firstStep_ + 1;
  if (left <= 0 || done <= 0)
    return 0;
  const double mean = done > kWarmupSteps ? (elapsed_ - warmupEnd_) /
                                                double(done - kWarmupSteps)
                                          : elapsed_ / double(done);
  return mean * double(left);
}

std::string formatDuration(double seconds) {
  // 1e12 s (30,000 years) keeps llround in range; no run gets near it.
  if (!std::isfinite(seconds) || seconds < 0 || seconds >= 1e12)
    return "?";
  const long long s = std::llround(seconds);
  const long long days = s / 86400, h = s / 3600 % 24, m = s / 60 % 60;
  char buf[64];
  if (days > 0)
    std::snprintf(buf, sizeof(buf), "%lldd %02lld:%02lld:%02lld", days, h, m,
                  s % 60);
  else
    std::snprintf(buf, sizeof(buf), "%lld:%02lld:%02lld", h, m, s % 60);
  return buf;
}

} // namespace ptc::rt::train

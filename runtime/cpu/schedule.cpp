//===- schedule.cpp - Learning-rate schedule and initialisation -----------===//

#include "runtime/cpu/schedule.h"

#include "runtime/cpu/check.h"
#include "runtime/cpu/dropout.h"

#include <algorithm>
#include <cmath>

namespace ptc::rt::cpu {

double learning_rate(int64_t step, LRSchedule schedule, double lr, double minLr,
                     int64_t warmupSteps, int64_t decaySteps) {
  PTC_RT_CHECK(step >= 1, "learning_rate: step %lld (steps are 1-based)",
               (long long)step);
  if (warmupSteps > 0 && step <= warmupSteps)
    return lr * double(step) / double(warmupSteps);
  if (schedule == LRSchedule::Constant)
    return lr;
  double span = double(decaySteps - warmupSteps);
  double progress =
      span > 0 ? std::clamp(double(step - warmupSteps) / span, 0.0, 1.0) : 1.0;
  if (schedule == LRSchedule::Linear)
    return lr - (lr - minLr) * progress;
  return minLr + (lr - minLr) * 0.5 * (1.0 + std::cos(M_PI * progress));
}

template <typename T>
void init_normal(T *out, int64_t n, uint64_t seed, uint64_t stream,
                 double std) {
  // Box-Muller on two uniforms per element from the dropout generator, with
  // the stream folded into the seed.
  uint64_t key = mix64(seed ^ mix64(stream + 0x5851F42D4C957F2DULL));
  for (int64_t i = 0; i < n; ++i) {
    double u1 = dropout_uniform(key, 2 * uint64_t(i));
    double u2 = dropout_uniform(key, 2 * uint64_t(i) + 1);
    u1 = std::max(u1, 1.0 / 16777216.0);
    out[i] = T(std * std::sqrt(-2.0 * std::log(u1)) * std::cos(2 * M_PI * u2));
  }
}

template void init_normal<float>(float *, int64_t, uint64_t, uint64_t, double);
template void init_normal<double>(double *, int64_t, uint64_t, uint64_t,
                                  double);

} // namespace ptc::rt::cpu

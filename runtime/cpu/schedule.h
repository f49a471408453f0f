//===- schedule.h - Learning-rate schedule and initialisation -*- C++ -*-===//
//
// Pure functions of the step and the seed, shared by the CPU and CUDA
// targets so that both compute the same learning rate and the same initial
// weights bit for bit.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CPU_SCHEDULE_H
#define PTC_RUNTIME_CPU_SCHEDULE_H

#include <cstdint>

namespace ptc::rt::cpu {

enum class LRSchedule : int64_t { Cosine = 0, Linear = 1, Constant = 2 };

/// The learning rate at step (from 1): linear warm-up over warmupSteps, then
/// cosine or linear decay from lr to minLr at decaySteps (held after), or
/// constant. See graph.lr_schedule.
double learning_rate(int64_t step, LRSchedule schedule, double lr,
                     double minLr, int64_t warmupSteps, int64_t decaySteps);

/// out[i] ~ N(0, std²), from a counter-based generator: element i of stream
/// `stream` under `seed` is the same on every machine and target.
template <typename T>
void init_normal(T *out, int64_t n, uint64_t seed, uint64_t stream,
                 double std);

} // namespace ptc::rt::cpu

#endif // PTC_RUNTIME_CPU_SCHEDULE_H

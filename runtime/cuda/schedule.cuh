//===- schedule.cuh - Learning-rate schedule, initialisation (CUDA) -*- C++ -*-===//
//
// The CUDA twins of lr_schedule and init_normal in runtime/cpu/kernels.h
// (runtime/cpu/schedule.h): the same formulas in double, the same counter
// RNG and Box-Muller transform, so the learning rate and the initial weights
// equal the CPU's (up to the last bit of the device's double log/cos).
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CUDA_SCHEDULE_CUH
#define PTC_RUNTIME_CUDA_SCHEDULE_CUH

#include <cuda_bf16.h>

#include <cstdint>

namespace ptc::kernels {

/// schedule: 0 cosine, 1 linear, 2 constant (cpu::LRSchedule).
template <typename T>
void lr_schedule(T *out, const int64_t *step, int64_t schedule, double lr,
                 double minLr, int64_t warmupSteps, int64_t decaySteps);
template <typename T>
void init_normal(T *out, const int64_t *seed, int64_t n, int64_t stream,
                 double std);

} // namespace ptc::kernels

#endif // PTC_RUNTIME_CUDA_SCHEDULE_CUH

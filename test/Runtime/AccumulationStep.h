//===- AccumulationStep.h - The step function of a pp = 1 schedule -*- C++ -*-===//
//
// What ptc emits for a dist.schedule "accumulate" (compiler/EmitCpp.cpp):
// each of the step's micro-batches loaded and run through micro_step, its
// loss read, then optimizer_step; the mean loss. The hand-written test
// models use it as their step function.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_TEST_RUNTIME_ACCUMULATIONSTEP_H
#define PTC_TEST_RUNTIME_ACCUMULATIONSTEP_H

#include "runtime/train/model_abi.h"

namespace ptc::test {

template <int64_t (*microBatches)(), abi::EntryPoint micro,
          abi::EntryPoint optimizer>
bool accumulationStep(abi::StepHost *host, double *loss) {
  const int64_t n = microBatches();
  double sum = 0, microLoss = 0;
  for (int64_t m = 0; m < n; ++m) {
    if (!host->load(host, host->dpRank * n + m, m) || !host->run(host, micro) ||
        !host->readLoss(host, m, &microLoss))
      return false;
    sum += microLoss;
  }
  if (!host->run(host, optimizer))
    return false;
  *loss = sum / double(n);
  return true;
}

} // namespace ptc::test

#endif // PTC_TEST_RUNTIME_ACCUMULATIONSTEP_H

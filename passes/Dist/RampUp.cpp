//===- RampUp.cpp - The micro-batches of each step under a ramp-up --------===//

#include "passes/Dist/RampUp.h"

#include <algorithm>

namespace ptc::dist {

std::vector<RampPhase> rampPhases(int64_t start, int64_t increment,
                                  int64_t samples, int64_t globalBatch,
                                  int64_t replicaBatch, int64_t steps) {
  std::vector<RampPhase> phases;
  const int64_t increments = (globalBatch - start) / increment;
  // Megatron's arithmetic: the samples per increment as a real number.
  const double perIncrement = double(samples) / double(increments);
  int64_t consumed = 0;
  for (int64_t step = 1; step <= steps; ++step) {
    int64_t grown = int64_t(double(consumed) / perIncrement);
    int64_t batch = std::min(globalBatch, start + grown * increment);
    int64_t micro = batch / replicaBatch;
    if (phases.empty() || phases.back().microBatches != micro)
      phases.push_back({step, micro});
    if (batch == globalBatch)
      break;
    consumed += batch;
  }
  return phases;
}

} // namespace ptc::dist

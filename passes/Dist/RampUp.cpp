//===- RampUp.cpp - The micro-batches of each step under a ramp-up --------===//

#include "passes/Dist/RampUp.h"

#include <algorithm>
#include <cmath>

namespace ptc::dist {

std::vector<RampPhase> rampPhases(int64_t start, int64_t increment,
                                  int64_t samples, int64_t globalBatch,
                                  int64_t replicaBatch) {
  std::vector<RampPhase> phases;
  const int64_t increments = (globalBatch - start) / increment;
  // Megatron's arithmetic: the samples per increment as a real number; a
  // step trains on start + grown * increment samples, grown = the samples
  // consumed before it / perIncrement, truncated.
  const double perIncrement = double(samples) / double(increments);
  auto grownAfter = [&](int64_t consumed) {
    return int64_t(double(consumed) / perIncrement);
  };
  int64_t consumed = 0, step = 1;
  while (true) {
    const int64_t grown = grownAfter(consumed);
    const int64_t batch = std::min(globalBatch, start + grown * increment);
    phases.push_back({step, batch / replicaBatch});
    if (batch == globalBatch)
      return phases;
    // The steps at this batch: the fewest after which `grown` has moved on,
    // first estimated, then settled by the very expression each step uses,
    // so that a step-by-step walk gives the same phases (and a ramp over
    // millions of steps costs one iteration per phase).
    auto movedOn = [&](int64_t n) {
      return grownAfter(consumed + n * batch) > grown;
    };
    double estimate =
        (double(grown + 1) * perIncrement - double(consumed)) / double(batch);
    int64_t n = std::max<int64_t>(1, int64_t(std::ceil(estimate)));
    while (n > 1 && movedOn(n - 1))
      --n;
    while (!movedOn(n))
      ++n;
    consumed += n * batch;
    step += n;
  }
}

} // namespace ptc::dist

//===- RampUp.h - The micro-batches of each step under a ramp-up -*- C++ -*-===//
//
// Megatron-LM's batch-size ramp-up (--rampup-batch-size start increment
// samples), as the spec's training.batch_size_rampup gives it: the global
// batch starts at `start` and grows by `increment` each time another
// samples / ((global - start) / increment) samples have been trained on,
// until it is the global batch. dist-step-schedule and
// dist-pipeline-schedule decide from it, once, which steps run how many
// micro-batches; the program reads the table.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_PASSES_DIST_RAMPUP_H
#define PTC_PASSES_DIST_RAMPUP_H

#include <cstdint>
#include <vector>

namespace ptc::dist {

/// From `firstStep` (1-based) on, each data-parallel rank runs
/// `microBatches` micro-batches per step.
struct RampPhase {
  int64_t firstStep = 1;
  int64_t microBatches = 0;
};

/// The phases up to the full global batch, the last one's, whatever the
/// spec's step count (`--steps` may run past it). `replicaBatch` is
/// micro-batch size x dp, which divides start, increment and the global
/// batch.
std::vector<RampPhase> rampPhases(int64_t start, int64_t increment,
                                  int64_t samples, int64_t globalBatch,
                                  int64_t replicaBatch);

} // namespace ptc::dist

#endif // PTC_PASSES_DIST_RAMPUP_H

//===- Simulate.h - Time and memory of a schedule ---------------*- C++ -*-===//
//
// The cost model (docs/schedules.md): each action takes its Costs duration;
// a rank runs its list in order, each action as soon as its inputs exist
// (Check.h). From that run: the makespan, each rank's busy time (its
// forwards and backwards), the bubble fraction, and the peak number of
// micro-batches whose activations a rank holds.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_PASSES_DIST_SCHEDULE_SIMULATE_H
#define PTC_PASSES_DIST_SCHEDULE_SIMULATE_H

#include "passes/Dist/Schedule/Check.h"

namespace ptc::schedule {

struct Simulation {
  Timeline timeline;
  double makespan = 0;
  /// Time each rank spends in F, I, W and B.
  std::vector<double> busy;
  /// The idle share of all ranks' time: 1 - sum(busy) / (pp * makespan).
  double bubble = 0;
  /// Per rank, the most (chunk, micro-batch) activations held at once.
  std::vector<int> peakActivations;
};

/// Runs `schedule` (run() in Check.h) and fills `out`; the first problem
/// found otherwise.
std::optional<ScheduleError> simulate(const Schedule &schedule,
                                      const Costs &costs, Simulation &out);

/// The peak in-flight activations of each rank, from the list order: a
/// forward adds one (chunk, micro-batch); its fused backward B, or its
/// weight gradient W, frees it. An input gradient I frees nothing: W reads
/// the layer inputs that the forward saved, so with zero_bubble a
/// micro-batch stays in flight until its W.
std::vector<int> peakActivations(const Schedule &schedule);

} // namespace ptc::schedule

#endif // PTC_PASSES_DIST_SCHEDULE_SIMULATE_H

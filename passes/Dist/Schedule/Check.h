//===- Check.h - Proving a schedule runs, by simulating it ------*- C++ -*-===//
//
// The checker runs every rank's list together (docs/schedules.md):
// - each rank issues its actions in order; a compute action waits until its
//   inputs exist (a forward on stage s > 0 needs its completed receive, or
//   on pp = 1 the forward of stage s - 1; the first and last stages need
//   their LoadMicroBatch; a backward needs its forward and the gradient of
//   stage s + 1; a weight gradient its input gradient; a reduction all the
//   chunk's weight gradients; the optimizer step every reduction);
// - sends and receives are posted without blocking the rank. Ranks a and b
//   share one communicator: the k-th operations both post on it must be the
//   two ends of one message (kind, stage, micro-batch), and they complete in
//   order, once both are posted;
// - a deadlock is a state with no progress while some list is unfinished.
// Before that, each list is checked on its own: ranges, peers, every chunk
// and micro-batch forward and backward exactly once (a fused B, or I and
// W), each load, reduction and step once, the step last.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_PASSES_DIST_SCHEDULE_CHECK_H
#define PTC_PASSES_DIST_SCHEDULE_CHECK_H

#include "passes/Dist/Schedule/Action.h"

namespace ptc::schedule {

/// The duration of each kind of action, in any unit. A point-to-point
/// message and the tied-gradient sum take `comm` from the moment both ends
/// are posted (and the previous message on the pair is done); sends and
/// receives do not occupy the rank.
struct Costs {
  double forward = 1;
  double backwardInput = 1;
  double backwardWeight = 1;
  double backward = 2; ///< Fused input and weight gradient.
  double comm = 0;
  double load = 0;
  double reduce = 0;
  double optimizer = 0;
};

/// When each action of each rank starts and ends (ASAP, each rank in its
/// order). A send or receive starts when posted and ends when done.
struct Timeline {
  std::vector<std::vector<double>> start, end;
};

/// Simulates `schedule` with `costs`: the first problem found, or nullopt
/// and the times in `timeline`.
std::optional<ScheduleError> run(const Schedule &schedule, const Costs &costs,
                                 Timeline &timeline);

/// The checks of each rank's list on its own (run() starts with them):
/// ranges, peers, duplicates, what is missing, the step last.
std::optional<ScheduleError> checkLists(const Schedule &schedule);

/// Whether `schedule` runs to its end on every rank (run() with unit costs).
std::optional<ScheduleError> check(const Schedule &schedule);

} // namespace ptc::schedule

#endif // PTC_PASSES_DIST_SCHEDULE_CHECK_H

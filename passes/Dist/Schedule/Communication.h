//===- Communication.h - The shared step after every generator --*- C++ -*-===//
//
// insertCommunication turns compute lists (Generate.h, or a user file with
// compute actions only) into complete ones, the same way for every schedule
// (like torch.distributed.pipelining's _add_send_recv):
// - LoadMicroBatch(m) right before the forward of the first stage (tokens)
//   and of the last stage (targets) for m, once per rank;
// - a send right after the forward or input gradient that produced the data;
// - a receive right before the action that needs it, or earlier where the
//   pair's order needs it: ranks r and r+1 share one communicator, on which
//   both ranks' k-th operations must be the two ends of one message, so a
//   receive comes before the rank's own sends that the other rank posts
//   later than the matching send (docs/schedules.md);
// - ReduceGradients(c) right after chunk c's last weight gradient (and its
//   send), SyncTiedGradients on ranks 0 and pp-1 when asked (pp > 1), and
//   OptimizerStep last.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_PASSES_DIST_SCHEDULE_COMMUNICATION_H
#define PTC_PASSES_DIST_SCHEDULE_COMMUNICATION_H

#include "passes/Dist/Schedule/Action.h"

namespace ptc::schedule {

struct CommunicationOptions {
  /// The model ties its embedding and head: rank 0 and rank pp-1 sum that
  /// weight's gradient before the optimizer step.
  bool syncTiedGradients = false;
};

/// The complete lists of `compute`, whose lists hold F, B, I and W only.
/// It never fails: a compute order that cannot run gets its receives right
/// before their consumers, an action out of range no communication, and
/// check() names what is wrong.
Schedule insertCommunication(const Schedule &compute,
                             const CommunicationOptions &options = {});

/// Whether `schedule` holds compute actions only (then a user file goes
/// through insertCommunication; otherwise it is taken as complete).
bool isComputeOnly(const Schedule &schedule);

} // namespace ptc::schedule

#endif // PTC_PASSES_DIST_SCHEDULE_COMMUNICATION_H

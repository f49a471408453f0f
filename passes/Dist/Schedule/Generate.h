//===- Generate.h - The compute order of each schedule ----------*- C++ -*-===//
//
// Generators emit compute actions only (F, B, or I and W); insertCommunication
// (Communication.h) adds everything else. docs/schedules.md describes each.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_PASSES_DIST_SCHEDULE_GENERATE_H
#define PTC_PASSES_DIST_SCHEDULE_GENERATE_H

#include "passes/Dist/Schedule/Action.h"

namespace ptc::schedule {

/// The generators by name, for messages: "gpipe, 1f1b, interleaved_1f1b,
/// zero_bubble".
const char *generatorNames();

/// What to generate. Every generator but interleaved_1f1b takes
/// virtualStages = 1; interleaved_1f1b takes virtualStages >= 2, pp >= 2
/// and a multiple of pp micro-batches (Megatron-LM's rules). kind "file"
/// names a schedule read by parseSchedule (TextFormat.h).
struct ScheduleShape {
  std::string kind;
  int pp = 1;
  int virtualStages = 1;
  int microBatches = 1;
};

/// Checks `shape` against the rules of its generator: the error's message
/// names the rule, e.g. "interleaved_1f1b needs micro-batches (6) to be a
/// multiple of pp (4)".
std::optional<ScheduleError> validateShape(const ScheduleShape &shape);

/// The compute order of `shape.kind` for every rank, in `out`.
std::optional<ScheduleError> generate(const ScheduleShape &shape,
                                      Schedule &out);

} // namespace ptc::schedule

#endif // PTC_PASSES_DIST_SCHEDULE_GENERATE_H

//===- TextFormat.h - Schedules as text, one line per rank ------*- C++ -*-===//
//
//   # 1f1b, pp = 2, 2 micro-batches
//   rank 0: F0.0 F0.1 B0.0 B0.1
//   rank 1: F0.0 B0.0 F0.1 B0.1
//
// Each action is one token (Action.h, docs/schedules.md); `#` starts a
// comment. printSchedule writes this form, so `ptc schedule` output reads
// back as a user schedule.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_PASSES_DIST_SCHEDULE_TEXTFORMAT_H
#define PTC_PASSES_DIST_SCHEDULE_TEXTFORMAT_H

#include "passes/Dist/Schedule/Generate.h"

#include <ostream>

namespace ptc::schedule {

/// Writes one `rank R: ...` line per rank.
void printSchedule(const Schedule &schedule, std::ostream &os);

/// Parses `text` as a schedule of `shape.pp` ranks with
/// `shape.virtualStages` chunks and `shape.microBatches` micro-batches
/// (out.kind = "file"). Syntax and range errors carry the line number.
std::optional<ScheduleError>
parseSchedule(std::string_view text, const ScheduleShape &shape, Schedule &out);

/// Reads and parses the file `path`.
std::optional<ScheduleError> readScheduleFile(const std::string &path,
                                              const ScheduleShape &shape,
                                              Schedule &out);

} // namespace ptc::schedule

#endif // PTC_PASSES_DIST_SCHEDULE_TEXTFORMAT_H

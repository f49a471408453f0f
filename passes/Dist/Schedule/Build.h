//===- Build.h - A checked, complete schedule in one call -------*- C++ -*-===//
//
// What a pass or a tool does with a spec's or a command line's schedule:
// generate it (or read the user's file), complete compute-only lists with
// insertCommunication, and check the result.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_PASSES_DIST_SCHEDULE_BUILD_H
#define PTC_PASSES_DIST_SCHEDULE_BUILD_H

#include "passes/Dist/Schedule/Communication.h"
#include "passes/Dist/Schedule/Generate.h"

namespace ptc::schedule {

/// The complete, checked schedule of `shape` in `out`: generated, or read
/// from `file` when shape.kind is "file" (a file with any action other than
/// F, B, I and W is taken as complete). The first problem otherwise; its
/// format(source) is the one line to print, with source = the file's path
/// or the generator's name.
std::optional<ScheduleError> buildSchedule(const ScheduleShape &shape,
                                           const std::string &file,
                                           const CommunicationOptions &options,
                                           Schedule &out);

} // namespace ptc::schedule

#endif // PTC_PASSES_DIST_SCHEDULE_BUILD_H

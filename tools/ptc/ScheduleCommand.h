//===- ScheduleCommand.h - `ptc schedule`: pipeline schedules ---*- C++ -*-===//
//
//   ptc schedule --pp N --micro-batches M --schedule gpipe|1f1b|
//       interleaved_1f1b|zero_bubble [--virtual-stages V]
//       [--trace out.json] [--svg out.svg]
//   ptc schedule --pp N --micro-batches M --file F [--virtual-stages V] ...
//
// Prints each rank's list in the schedule file format (so that the output
// reads back with --file), the check's result, the bubble fraction and each
// rank's peak in-flight activations (docs/schedules.md).
//
//===----------------------------------------------------------------------===//
#ifndef PTC_TOOLS_PTC_SCHEDULECOMMAND_H
#define PTC_TOOLS_PTC_SCHEDULECOMMAND_H

namespace ptc {

/// Runs `ptc schedule`; argv[1] is "schedule". Returns the exit status.
int runScheduleCommand(int argc, char **argv);

} // namespace ptc

#endif // PTC_TOOLS_PTC_SCHEDULECOMMAND_H

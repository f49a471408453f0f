//===- ReportCommand.h - `ptc report`: runs as pictures ---------*- C++ -*-===//
//
//   ptc report LOG.jsonl... -o OUT.svg|OUT.html
//
// Draws the loss, validation loss, learning rate, grad norm and tokens/s
// of compiled programs' --log files against step, the runs overlaid, with
// their checkpoints and restarts marked (docs/report.md). OUT.svg is the
// picture; OUT.html is a self-contained page (the SVG inline, a table of
// each run's numbers, no scripts or external files).
//
//===----------------------------------------------------------------------===//
#ifndef PTC_TOOLS_PTC_REPORTCOMMAND_H
#define PTC_TOOLS_PTC_REPORTCOMMAND_H

namespace ptc {

/// Runs `ptc report`; argv[1] is "report". Returns the exit status.
int runReportCommand(int argc, char **argv);

} // namespace ptc

#endif // PTC_TOOLS_PTC_REPORTCOMMAND_H

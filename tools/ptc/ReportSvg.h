//===- ReportSvg.h - `ptc report`'s pictures of training runs ---*- C++ -*-===//
//
// One panel per metric (loss, validation loss, learning rate, grad norm,
// tokens/s) against step, every run overlaid in its colour, with a legend
// of the file names; a panel that no run has data for is left out. On each
// run's curves a white circle marks a checkpoint and a dashed vertical line
// with a triangle marks a restart. Elements carry classes ("run<i>",
// "checkpoint", "restart") and <title>s (hover text in a browser).
//
//===----------------------------------------------------------------------===//
#ifndef PTC_TOOLS_PTC_REPORTSVG_H
#define PTC_TOOLS_PTC_REPORTSVG_H

#include "tools/ptc/RunLog.h"

#include <ostream>
#include <string>
#include <vector>

namespace ptc::report {

/// The <svg> element (no XML declaration, so that HTML can inline it).
void writeReportSvg(const std::vector<RunLog> &runs, std::ostream &os);

/// `text` with &, <, > and " escaped for XML and HTML.
std::string xmlEscape(const std::string &text);

/// The colour of run `index` ("#4e79a7", ...).
const char *runColour(size_t index);

/// A value for an axis or a table: 4 significant digits, "k"/"M" from
/// 10,000 up ("12.35k").
std::string formatValue(double value);

} // namespace ptc::report

#endif // PTC_TOOLS_PTC_REPORTSVG_H

//===- Picture.h - A simulated schedule as a trace and an SVG ---*- C++ -*-===//
//
// Both pictures have one row per rank. The Chrome/Perfetto trace (open it
// in ui.perfetto.dev or chrome://tracing) has a slice per action: compute,
// loads, reductions and the step on the rank's "compute" track, sends and
// receives from posting to completion on its "send/recv" track. The SVG
// timeline draws the compute actions, a colour per kind, labelled
// chunk.micro-batch.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_PASSES_DIST_SCHEDULE_PICTURE_H
#define PTC_PASSES_DIST_SCHEDULE_PICTURE_H

#include "passes/Dist/Schedule/Simulate.h"

#include <ostream>

namespace ptc::schedule {

/// Writes the trace JSON; one cost unit becomes `microsPerUnit` µs.
void writeChromeTrace(const Schedule &schedule, const Simulation &simulation,
                      std::ostream &os, double microsPerUnit = 1000);

/// Writes the SVG timeline; one cost unit becomes `pixelsPerUnit` pixels.
void writeSvg(const Schedule &schedule, const Simulation &simulation,
              std::ostream &os, double pixelsPerUnit = 28);

} // namespace ptc::schedule

#endif // PTC_PASSES_DIST_SCHEDULE_PICTURE_H

//===- Svg.cpp - The SVG timeline of a simulated schedule -----------------===//
//
// A row per rank; each compute action is a box from its start to its end,
// coloured by kind and labelled chunk.micro-batch; loads, reductions, the
// tied-gradient sum and the step are thin marks (they take no time with
// the default costs). A legend and the bubble fraction sit below.
//
//===----------------------------------------------------------------------===//

#include "passes/Dist/Schedule/Picture.h"

#include <cmath>

using namespace ptc::schedule;

namespace {

const char *colour(ActionKind kind) {
  switch (kind) {
  case ActionKind::Forward:
    return "#4e79a7";
  case ActionKind::Backward:
    return "#59a14f";
  case ActionKind::BackwardInput:
    return "#8cd17d";
  case ActionKind::BackwardWeight:
    return "#f28e2b";
  case ActionKind::LoadMicroBatch:
    return "#9c9c9c";
  case ActionKind::ReduceGradients:
    return "#b07aa1";
  case ActionKind::SyncTiedGradients:
    return "#ff9da7";
  case ActionKind::OptimizerStep:
    return "#e15759";
  default:
    return "#000000";
  }
}

} // namespace

void ptc::schedule::writeSvg(const Schedule &schedule,
                             const Simulation &simulation, std::ostream &os,
                             double pixelsPerUnit) {
  const double left = 64, top = 34, row = 30, box = 24;
  double width = left + simulation.makespan * pixelsPerUnit + 16;
  double rowsEnd = top + schedule.pp * row;
  double height = rowsEnd + 56;
  os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width
     << "\" height=\"" << height << "\" font-family=\"sans-serif\" "
     << "font-size=\"10\">\n"
     << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
     << "<text x=\"8\" y=\"18\" font-size=\"13\">" << schedule.kind
     << ": pp = " << schedule.pp
     << ", virtual stages = " << schedule.virtualStages
     << ", micro-batches = " << schedule.microBatches << ", makespan "
     << simulation.makespan << ", bubble "
     << std::round(simulation.bubble * 1000) / 10 << "%</text>\n";
  // A light line per time unit.
  for (int t = 0; t <= int(simulation.makespan); ++t)
    os << "<line x1=\"" << left + t * pixelsPerUnit << "\" y1=\"" << top
       << "\" x2=\"" << left + t * pixelsPerUnit << "\" y2=\"" << rowsEnd
       << "\" stroke=\"#eeeeee\"/>\n";
  for (int r = 0; r < schedule.pp; ++r) {
    double y = top + r * row;
    os << "<text x=\"8\" y=\"" << y + box / 2 + 4 << "\">rank " << r
       << "</text>\n";
    for (size_t i = 0; i < schedule.ranks[r].size(); ++i) {
      const Action &a = schedule.ranks[r][i];
      if (isPointToPoint(a.kind))
        continue;
      double x = left + simulation.timeline.start[r][i] * pixelsPerUnit;
      double w =
          (simulation.timeline.end[r][i] - simulation.timeline.start[r][i]) *
          pixelsPerUnit;
      os << "<rect x=\"" << x << "\" y=\"" << y << "\" width=\""
         << std::max(w, 2.0) << "\" height=\"" << box << "\" fill=\""
         << colour(a.kind) << "\" stroke=\"white\"><title>" << toString(a)
         << " (" << kindName(a.kind) << ")</title></rect>\n";
      if (isCompute(a.kind) && w >= 14)
        os << "<text x=\"" << x + w / 2 << "\" y=\"" << y + box / 2 + 4
           << "\" text-anchor=\"middle\" fill=\"white\">" << a.chunk << "."
           << a.micro << "</text>\n";
    }
  }
  // The legend: the kinds that occur.
  double x = 8;
  for (ActionKind kind :
       {ActionKind::Forward, ActionKind::Backward, ActionKind::BackwardInput,
        ActionKind::BackwardWeight, ActionKind::LoadMicroBatch,
        ActionKind::ReduceGradients, ActionKind::SyncTiedGradients,
        ActionKind::OptimizerStep}) {
    bool used = false;
    for (const auto &list : schedule.ranks)
      for (const Action &a : list)
        used |= a.kind == kind;
    if (!used)
      continue;
    os << "<rect x=\"" << x << "\" y=\"" << rowsEnd + 16
       << "\" width=\"12\" height=\"12\" fill=\"" << colour(kind)
       << "\"/><text x=\"" << x + 16 << "\" y=\"" << rowsEnd + 26 << "\">"
       << kindName(kind) << "</text>\n";
    x += 30 + 7 * std::string(kindName(kind)).size();
  }
  os << "</svg>\n";
}

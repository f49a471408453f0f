//===- Simulate.cpp - Makespan, busy time, bubble, peak activations -------===//

#include "passes/Dist/Schedule/Simulate.h"

#include <algorithm>

using namespace ptc::schedule;

std::vector<int> ptc::schedule::peakActivations(const Schedule &schedule) {
  std::vector<int> peaks;
  for (const auto &list : schedule.ranks) {
    int live = 0, peak = 0;
    for (const Action &a : list) {
      if (a.kind == ActionKind::Forward)
        peak = std::max(peak, ++live);
      else if (a.kind == ActionKind::Backward ||
               a.kind == ActionKind::BackwardWeight)
        --live;
    }
    peaks.push_back(peak);
  }
  return peaks;
}

std::optional<ScheduleError> ptc::schedule::simulate(const Schedule &schedule,
                                                     const Costs &costs,
                                                     Simulation &out) {
  out = Simulation();
  if (auto error = run(schedule, costs, out.timeline))
    return error;
  double total = 0;
  for (int r = 0; r < schedule.pp; ++r) {
    double busy = 0;
    for (size_t i = 0; i < schedule.ranks[r].size(); ++i) {
      out.makespan = std::max(out.makespan, out.timeline.end[r][i]);
      if (isCompute(schedule.ranks[r][i].kind))
        busy += out.timeline.end[r][i] - out.timeline.start[r][i];
    }
    out.busy.push_back(busy);
    total += busy;
  }
  out.bubble = out.makespan > 0 ? 1 - total / (schedule.pp * out.makespan) : 0;
  out.peakActivations = peakActivations(schedule);
  return std::nullopt;
}

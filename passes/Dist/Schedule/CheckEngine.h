//===- CheckEngine.h - The checker's simulation (internal) ------*- C++ -*-===//
//
// The state of run() (Check.h): each rank's position, clock and finished
// facts, and the point-to-point operations posted on each pair of ranks.
// Check.cpp issues actions; CheckPairs.cpp matches sends with receives and
// explains deadlocks. Not part of the library's API.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_PASSES_DIST_SCHEDULE_CHECKENGINE_H
#define PTC_PASSES_DIST_SCHEDULE_CHECKENGINE_H

#include "passes/Dist/Schedule/Check.h"

#include <map>

namespace ptc::schedule::detail {

/// One simulation of a schedule whose lists passed checkLists.
class Engine {
public:
  Engine(const Schedule &s, const Costs &costs, Timeline &timeline)
      : s(s), costs(costs), tl(timeline), last(s.stages() - 1), ranks(s.pp) {
    int cm = s.virtualStages * s.microBatches;
    for (int r = 0; r < s.pp; ++r) {
      tl.start.emplace_back(s.ranks[r].size(), -1.0);
      tl.end.emplace_back(s.ranks[r].size(), -1.0);
      RankState &rs = ranks[r];
      rs.fwd.assign(cm, -1);
      rs.in.assign(cm, -1);
      rs.wgt.assign(cm, -1);
      rs.load.assign(s.microBatches, -1);
      rs.reduce.assign(s.virtualStages, -1);
    }
  }

  std::optional<ScheduleError> run();

private:
  enum class Result { Issued, Waiting };
  struct RankState {
    size_t pc = 0;
    double clock = 0;
    // When each fact became true on this rank, or -1.
    std::vector<double> fwd, in, wgt, load, reduce;
    std::map<int, int> recvs; // Message key -> index of its receive.
    int tied = -1;            // Index of the rank's TIED.
    int waitingFor = -1;      // Index of the action it waits for.
  };
  struct Posted {
    int rank, index, message;
    bool send;
    double time;
  };
  struct Pair {
    std::vector<Posted> side[2];
    size_t matched = 0;
    double done = 0;
  };

  /// The key of the message a send or receive carries.
  int message(int rank, const Action &a) const;
  /// Issues rank r's next action, or finds that it must wait.
  std::optional<ScheduleError> step(int r, Result &result);
  /// Posts a send or receive on its pair and completes what now matches.
  std::optional<ScheduleError> post(int r, const Posted &posted);
  /// Posts rank r's TIED; both ends posted complete it.
  void postTied(int r, double time);
  /// The error of a state where no rank can progress.
  ScheduleError deadlock() const;
  /// The rank whose operation the waiting `rank` needs.
  int awaitedRank(int rank) const;
  /// "rank 1 waits at action 4 (F0.1) for rank 0", or "rank 1 has finished
  /// its list".
  std::string state(int rank) const;

  const Schedule &s;
  const Costs &costs;
  Timeline &tl;
  int last;
  std::vector<RankState> ranks;
  std::map<std::pair<int, int>, Pair> pairs;
  double tiedPosted[2] = {-1, -1};
};

} // namespace ptc::schedule::detail

#endif // PTC_PASSES_DIST_SCHEDULE_CHECKENGINE_H

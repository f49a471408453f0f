//===- CheckLists.cpp - Each rank's list on its own -----------------------===//
//
// What can be decided without running the ranks together: every action in
// range and addressed to the rank that holds the neighbouring stage, every
// chunk and micro-batch computed once (forward, and a fused backward or an
// input and a weight gradient), each needed load, reduction and the step
// once, the step last. Order and waits are Check.cpp's.
//
//===----------------------------------------------------------------------===//

#include "passes/Dist/Schedule/Check.h"

#include <map>
#include <tuple>

using namespace ptc::schedule;

namespace {

std::string n(int value) { return std::to_string(value); }

ScheduleError rankError(int rank, std::string message) {
  ScheduleError error;
  error.rank = rank;
  error.message = std::move(message);
  return error;
}

/// The rank that the send or receive `a` on `rank` must name, or an error
/// message when the stage has no such neighbour.
std::optional<std::string> checkPeer(const Schedule &s, int rank,
                                     const Action &a) {
  if (s.pp == 1)
    return std::string("pp = 1 sends and receives nothing");
  int stage = s.stageOf(rank, a.chunk);
  bool towardsLast = a.kind == ActionKind::SendActivation ||
                     a.kind == ActionKind::RecvGradient;
  int other = towardsLast ? stage + 1 : stage - 1;
  if (other < 0)
    return "stage 0 (chunk " + n(a.chunk) + " of rank " + n(rank) +
           ") reads tokens: it has no previous stage";
  if (other >= s.stages())
    return "stage " + n(stage) + " is the last: it has no next stage";
  int expected = s.rankOfStage(other);
  if (a.peer == expected)
    return std::nullopt;
  return std::string(isSend(a.kind) ? "sends to" : "receives from") + " rank " +
         n(a.peer) + ", but stage " + n(other) + " is on rank " + n(expected);
}

} // namespace

std::optional<ScheduleError> ptc::schedule::checkLists(const Schedule &s) {
  int v = s.virtualStages, m = s.microBatches;
  if (s.pp < 1 || v < 1 || m < 1 || int(s.ranks.size()) != s.pp)
    return rankError(-1, "the schedule needs pp, virtual stages and "
                         "micro-batches >= 1 and one list per rank");
  for (int r = 0; r < s.pp; ++r) {
    const std::vector<Action> &list = s.ranks[r];
    // The first index of each fact on this rank, or -1.
    std::vector<int> fwd(v * m, -1), in(v * m, -1), wgt(v * m, -1);
    std::vector<int> load(m, -1), reduce(v, -1);
    int tied = -1, step = -1;
    std::map<std::tuple<int, int, int>, int> p2p;
    for (int i = 0; i < int(list.size()); ++i) {
      const Action &a = list[i];
      auto error = [&](std::string message) {
        return actionError(s, r, i, std::move(message));
      };
      // `what` names the action for an error; built only for one, as this
      // runs for every action.
      auto once = [&](int &first, auto what) -> std::optional<ScheduleError> {
        if (first >= 0)
          return error("a second " + what() + " (the first is action " +
                       n(first + 1) + ")");
        first = i;
        return std::nullopt;
      };
      if (step >= 0)
        return error("comes after the optimizer step (action " + n(step + 1) +
                     "), which must be last");
      if (hasChunk(a.kind) && (a.chunk < 0 || a.chunk >= v))
        return error("chunk " + n(a.chunk) +
                     " is out of range: each rank "
                     "holds chunks 0.." +
                     n(v - 1));
      if (hasMicro(a.kind) && (a.micro < 0 || a.micro >= m))
        return error("micro-batch " + n(a.micro) + " is out of range 0.." +
                     n(m - 1));
      int cm = a.chunk * m + a.micro;
      auto of = [&] {
        return " of chunk " + n(a.chunk) + " for micro-batch " + n(a.micro);
      };
      std::optional<ScheduleError> dup;
      switch (a.kind) {
      case ActionKind::Forward:
        dup = once(fwd[cm], [&] { return std::string("forward" + of()); });
        break;
      case ActionKind::Backward:
        dup = once(in[cm], [&] { return std::string("backward" + of()); });
        if (!dup)
          dup = once(wgt[cm],
                     [&] { return std::string("weight gradient" + of()); });
        break;
      case ActionKind::BackwardInput:
        dup =
            once(in[cm], [&] { return std::string("input gradient" + of()); });
        break;
      case ActionKind::BackwardWeight:
        dup = once(wgt[cm],
                   [&] { return std::string("weight gradient" + of()); });
        break;
      case ActionKind::LoadMicroBatch:
        if (r != 0 && r != s.pp - 1)
          return error("rank " + n(r) +
                       " holds neither the first nor the "
                       "last stage: it loads no data");
        dup = once(load[a.micro], [&] {
          return std::string("load of micro-batch " + n(a.micro));
        });
        break;
      case ActionKind::ReduceGradients:
        dup = once(reduce[a.chunk], [&] {
          return std::string("gradient reduction of chunk " + n(a.chunk));
        });
        break;
      case ActionKind::SyncTiedGradients:
        if (s.pp == 1 || (r != 0 && r != s.pp - 1))
          return error("only ranks 0 and pp - 1 (when pp > 1) hold the two "
                       "ends of a tied embedding");
        dup = once(tied, [&] { return std::string("tied-gradient sum"); });
        break;
      case ActionKind::OptimizerStep:
        step = i;
        break;
      default: { // Sends and receives.
        if (auto peer = checkPeer(s, r, a))
          return error(*peer);
        int &first =
            p2p.try_emplace({int(a.kind), a.chunk, a.micro}, -1).first->second;
        dup = once(first, [&] {
          return std::string(std::string(kindName(a.kind)) + of());
        });
      }
      }
      if (dup)
        return dup;
    }
    for (int c = 0; c < v; ++c) {
      for (int mb = 0; mb < m; ++mb) {
        int cm = c * m + mb;
        if (fwd[cm] >= 0 && in[cm] >= 0 && wgt[cm] >= 0)
          continue;
        std::string at = n(c) + "." + n(mb);
        std::string what = "chunk " + n(c) + " has no ";
        std::string of = " of micro-batch " + n(mb);
        if (fwd[cm] < 0)
          return rankError(r, what + "forward" + of + " (F" + at + ")");
        if (in[cm] < 0 && wgt[cm] < 0)
          return rankError(r, what + "backward" + of + " (B" + at + ", or I" +
                                  at + " and W" + at + ")");
        if (in[cm] < 0)
          return rankError(r, what + "input gradient" + of + " (I" + at + ")");
        return rankError(r, what + "weight gradient" + of + " (W" + at + ")");
      }
      if (reduce[c] < 0)
        return rankError(r, "chunk " + n(c) + " has no gradient reduction (DP" +
                                n(c) + ")");
    }
    if (r == 0 || r == s.pp - 1)
      for (int mb = 0; mb < m; ++mb)
        if (load[mb] < 0)
          return rankError(r, "no load of micro-batch " + n(mb) + " (L" +
                                  n(mb) + "): rank " + n(r) +
                                  " holds the first or last stage");
    if (step < 0)
      return rankError(r, "no optimizer step (OPT) at the end");
  }
  return std::nullopt;
}

//===- Check.cpp - Running every rank's list together ---------------------===//
//
// An event simulation with NCCL point-to-point semantics (Check.h): ranks
// take turns issuing their next actions until each finishes, waits, or is
// wrong. The times it computes are those of an ASAP run with each rank in
// its list's order, whatever the turn order, so simulate() reuses them.
//
//===----------------------------------------------------------------------===//

#include "passes/Dist/Schedule/CheckEngine.h"

#include <algorithm>

using namespace ptc::schedule;
using ptc::schedule::detail::Engine;

namespace {
std::string n(int value) { return std::to_string(value); }
} // namespace

std::optional<ScheduleError> Engine::step(int r, Result &result) {
  RankState &rs = ranks[r];
  int i = int(rs.pc);
  const Action &a = s.ranks[r][i];
  int stage = s.stageOf(r, a.chunk);
  int cm = a.chunk * s.microBatches + a.micro;
  // Messages are built only for an error: this runs for every action.
  auto at = [&] { return n(a.chunk) + "." + n(a.micro); };
  double ready = rs.clock;
  result = Result::Issued;
  std::optional<ScheduleError> error;
  // A fact of this rank that must hold before the action.
  auto local = [&](double time, auto why) {
    if (!error && time < 0)
      error = actionError(s, r, i, why());
    ready = std::max(ready, time);
  };
  // The data of the receive of `key`, which must be posted before.
  auto remote = [&](int key, ActionKind kind, int peerStage) {
    auto it = rs.recvs.find(key);
    if (it == rs.recvs.end()) {
      Action recv{kind, a.chunk, a.micro, s.rankOfStage(peerStage)};
      error = actionError(
          s, r, i,
          "needs " + toString(recv) + " before it: stage " + n(peerStage) +
              " on rank " + n(recv.peer) + " computes its " +
              (kind == ActionKind::RecvActivation ? "input"
                                                  : "output's gradient"));
      return;
    }
    double done = tl.end[r][it->second];
    if (done < 0) {
      rs.waitingFor = it->second;
      result = Result::Waiting;
    }
    ready = std::max(ready, done);
  };
  double duration = 0;
  switch (a.kind) {
  case ActionKind::Forward:
    if (stage == 0 || stage == last)
      local(rs.load[a.micro], [&]() -> std::string {
        return "needs L" + n(a.micro) + " before it: the " +
               (stage == 0 ? "first" : "last") + " stage reads the micro-batch";
      });
    if (stage > 0 && s.pp == 1)
      local(rs.fwd[cm - s.microBatches], [&]() -> std::string {
        return "needs F" + n(a.chunk - 1) + "." + n(a.micro) + " before it";
      });
    else if (stage > 0)
      remote(message(r, {ActionKind::RecvActivation, a.chunk, a.micro, 0}),
             ActionKind::RecvActivation, stage - 1);
    duration = costs.forward;
    break;
  case ActionKind::Backward:
  case ActionKind::BackwardInput:
    local(rs.fwd[cm], [&]() -> std::string {
      return "backward before its forward F" + at();
    });
    if (stage < last && s.pp == 1)
      local(rs.in[cm + s.microBatches], [&]() -> std::string {
        return "needs the input gradient of chunk " + n(a.chunk + 1) +
               " for micro-batch " + n(a.micro) + " before it";
      });
    else if (stage < last)
      remote(message(r, {ActionKind::RecvGradient, a.chunk, a.micro, 0}),
             ActionKind::RecvGradient, stage + 1);
    duration =
        a.kind == ActionKind::Backward ? costs.backward : costs.backwardInput;
    break;
  case ActionKind::BackwardWeight:
    local(rs.in[cm], [&]() -> std::string {
      return "weight gradient before its input gradient I" + at();
    });
    duration = costs.backwardWeight;
    break;
  case ActionKind::LoadMicroBatch:
    duration = costs.load;
    break;
  case ActionKind::ReduceGradients:
    for (int m = 0; m < s.microBatches && !error; ++m)
      local(rs.wgt[a.chunk * s.microBatches + m], [&]() -> std::string {
        return "reduces chunk " + n(a.chunk) +
               "'s gradients before its weight gradient of micro-batch " + n(m);
      });
    duration = costs.reduce;
    break;
  case ActionKind::SyncTiedGradients: {
    int chunk = r == 0 ? 0 : s.virtualStages - 1;
    for (int m = 0; m < s.microBatches && !error; ++m)
      local(rs.wgt[chunk * s.microBatches + m], [&]() -> std::string {
        return "sums the tied gradient before the weight gradient of chunk " +
               n(chunk) + " for micro-batch " + n(m);
      });
    break;
  }
  case ActionKind::OptimizerStep:
    for (int c = 0; c < s.virtualStages && !error; ++c)
      local(rs.reduce[c], [&]() -> std::string {
        return "the optimizer step before DP" + n(c);
      });
    if (!error && rs.tied >= 0) {
      double done = tl.end[r][rs.tied];
      if (done < 0) {
        rs.waitingFor = rs.tied;
        result = Result::Waiting;
      }
      ready = std::max(ready, done);
    }
    duration = costs.optimizer;
    break;
  case ActionKind::SendActivation:
    local(rs.fwd[cm], [&]() -> std::string {
      return "sends the output of F" + at() + " before computing it";
    });
    break;
  case ActionKind::SendGradient:
    local(rs.in[cm], [&]() -> std::string {
      return "sends the input gradient of chunk " + n(a.chunk) +
             " for micro-batch " + n(a.micro) + " before computing it";
    });
    break;
  case ActionKind::RecvActivation:
  case ActionKind::RecvGradient:
    rs.recvs[message(r, a)] = i;
    break;
  }
  if (error || result == Result::Waiting)
    return error;
  rs.waitingFor = -1;
  tl.start[r][i] = ready;
  if (isPointToPoint(a.kind))
    return post(r, {r, i, message(r, a), isSend(a.kind), ready});
  if (a.kind == ActionKind::SyncTiedGradients) {
    rs.tied = i;
    postTied(r, ready);
    return std::nullopt;
  }
  double end = ready + duration;
  tl.end[r][i] = end;
  rs.clock = end;
  switch (a.kind) {
  case ActionKind::Forward:
    rs.fwd[cm] = end;
    break;
  case ActionKind::Backward:
    rs.in[cm] = rs.wgt[cm] = end;
    break;
  case ActionKind::BackwardInput:
    rs.in[cm] = end;
    break;
  case ActionKind::BackwardWeight:
    rs.wgt[cm] = end;
    break;
  case ActionKind::LoadMicroBatch:
    rs.load[a.micro] = end;
    break;
  case ActionKind::ReduceGradients:
    rs.reduce[a.chunk] = end;
    break;
  default:
    break;
  }
  return std::nullopt;
}

std::optional<ScheduleError> Engine::run() {
  for (;;) {
    bool progress = false, finished = true;
    for (int r = 0; r < s.pp; ++r) {
      RankState &rs = ranks[r];
      while (rs.pc < s.ranks[r].size()) {
        Result result;
        if (auto error = step(r, result))
          return error;
        if (result == Result::Waiting)
          break;
        ++rs.pc;
        progress = true;
      }
      finished &= rs.pc == s.ranks[r].size();
    }
    if (finished)
      break;
    if (!progress)
      return deadlock();
  }
  for (const auto &[ranksOfPair, pair] : pairs)
    for (int side = 0; side < 2; ++side)
      if (pair.side[side].size() > pair.matched) {
        const Posted &p = pair.side[side][pair.matched];
        int other = side == 0 ? ranksOfPair.second : ranksOfPair.first;
        return actionError(s, p.rank, p.index,
                           "never matched: rank " + n(other) + " posts only " +
                               n(int(pair.matched)) +
                               " sends and receives with rank " + n(p.rank));
      }
  return std::nullopt;
}

std::optional<ScheduleError> ptc::schedule::run(const Schedule &schedule,
                                                const Costs &costs,
                                                Timeline &timeline) {
  if (auto error = checkLists(schedule))
    return error;
  timeline = Timeline();
  return Engine(schedule, costs, timeline).run();
}

std::optional<ScheduleError> ptc::schedule::check(const Schedule &schedule) {
  Timeline timeline;
  return run(schedule, Costs(), timeline);
}

//===- Communication.cpp - Loads, sends, receives, reductions, the step ---===//

#include "passes/Dist/Schedule/Communication.h"

#include "passes/Dist/Schedule/Check.h"

#include <algorithm>
#include <climits>
#include <tuple>

using namespace ptc::schedule;

namespace {

using Lists = std::vector<std::vector<Action>>;

/// Messages between stages: an activation from stage s to s + 1 or a
/// gradient from stage s to s - 1, for micro-batch m, as one flat index.
struct Messages {
  const Schedule &s;
  int key(bool gradient, int fromStage, int micro) const {
    return ((gradient ? s.stages() : 0) + fromStage) * s.microBatches + micro;
  }
  int count() const { return 2 * s.stages() * s.microBatches; }

  /// Whether `a` names a chunk and micro-batch that exist (check() reports
  /// the others).
  bool inRange(const Action &a) const {
    return a.chunk >= 0 && a.chunk < s.virtualStages && a.micro >= 0 &&
           a.micro < s.microBatches;
  }

  /// The message that `a` on `rank` waits for from another rank, or -1.
  int needed(int rank, const Action &a, int *from = nullptr) const {
    if (s.pp == 1 || !inRange(a))
      return -1;
    int stage = s.stageOf(rank, a.chunk);
    int source = -1;
    if (a.kind == ActionKind::Forward && stage > 0)
      source = stage - 1;
    if ((a.kind == ActionKind::Backward ||
         a.kind == ActionKind::BackwardInput) &&
        stage < s.stages() - 1)
      source = stage + 1;
    if (source < 0)
      return -1;
    if (from)
      *from = s.rankOfStage(source);
    return key(a.kind != ActionKind::Forward, source, a.micro);
  }

  /// The message that the send `a` on `rank` carries, or -1.
  int sent(int rank, const Action &a) const {
    if (!isSend(a.kind) || !inRange(a))
      return -1;
    return key(a.kind == ActionKind::SendGradient, s.stageOf(rank, a.chunk),
               a.micro);
  }
};

Action make(ActionKind kind, int chunk, int micro, int peer = -1) {
  Action a;
  a.kind = kind;
  a.chunk = chunk;
  a.micro = micro;
  a.peer = peer;
  return a;
}

/// Step 1: loads before the first and last stages' forwards, and a send
/// after each forward and input gradient whose data another rank needs.
Lists withLoadsAndSends(const Schedule &s) {
  Lists lists(s.pp);
  int last = s.stages() - 1;
  for (int r = 0; r < s.pp; ++r) {
    std::vector<bool> loaded(s.microBatches, false);
    for (const Action &a : s.ranks[r]) {
      int stage = s.stageOf(r, a.chunk);
      bool inRange = a.micro >= 0 && a.micro < s.microBatches;
      if (a.kind == ActionKind::Forward && (stage == 0 || stage == last) &&
          inRange && !loaded[a.micro]) {
        loaded[a.micro] = true;
        lists[r].push_back(make(ActionKind::LoadMicroBatch, 0, a.micro));
      }
      lists[r].push_back(a);
      if (s.pp == 1)
        continue;
      if (a.kind == ActionKind::Forward && stage < last)
        lists[r].push_back(make(ActionKind::SendActivation, a.chunk, a.micro,
                                s.rankOfStage(stage + 1)));
      if ((a.kind == ActionKind::Backward ||
           a.kind == ActionKind::BackwardInput) &&
          stage > 0)
        lists[r].push_back(make(ActionKind::SendGradient, a.chunk, a.micro,
                                s.rankOfStage(stage - 1)));
    }
  }
  return lists;
}

/// Step 2: a global order of the sends that every rank's list and the data
/// each action waits for allow: the order in which an ASAP run with unit
/// costs (Check.h) posts them, an action that needs a message waiting for
/// its send; the earliest-starting action goes first, the lower rank on a
/// tie. Sends that never post (a compute order that cannot run) keep
/// INT_MAX.
std::vector<int> sendOrder(const Schedule &s, const Lists &lists,
                           const Messages &messages) {
  Costs costs;
  std::vector<int> order(messages.count(), INT_MAX);
  std::vector<double> sentAt(messages.count(), 0);
  std::vector<size_t> pc(s.pp, 0);
  std::vector<double> clock(s.pp, 0);
  for (int next = 0;;) {
    int best = -1;
    double bestStart = 0;
    for (int r = 0; r < s.pp; ++r) {
      if (pc[r] == lists[r].size())
        continue;
      int need = messages.needed(r, lists[r][pc[r]]);
      if (need >= 0 && order[need] == INT_MAX)
        continue;
      double start = std::max(clock[r], need >= 0 ? sentAt[need] : 0.0);
      if (best < 0 || start < bestStart)
        best = r, bestStart = start;
    }
    if (best < 0)
      return order;
    const Action &a = lists[best][pc[best]++];
    double duration =
        a.kind == ActionKind::Forward          ? costs.forward
        : a.kind == ActionKind::Backward       ? costs.backward
        : a.kind == ActionKind::BackwardInput  ? costs.backwardInput
        : a.kind == ActionKind::BackwardWeight ? costs.backwardWeight
                                               : 0.0;
    clock[best] = bestStart + duration;
    int sent = messages.sent(best, a);
    if (sent >= 0 && order[sent] == INT_MAX) {
      order[sent] = next++;
      sentAt[sent] = bestStart + costs.comm;
    }
  }
}

/// Step 3: the receives of rank `r`: each right before its consumer, or
/// before the producer of the rank's first send to the same peer that the
/// global order puts after it, and in the global order among themselves.
std::vector<Action> withReceives(const Schedule &s, int r,
                                 const std::vector<Action> &list,
                                 const Messages &messages,
                                 const std::vector<int> &order) {
  struct Recv {
    int pos, order, peer;
    Action action;
  };
  std::vector<Recv> recvs;
  for (int i = 0; i < int(list.size()); ++i) {
    int from = -1;
    int need = messages.needed(r, list[i], &from);
    if (need < 0)
      continue;
    ActionKind kind = list[i].kind == ActionKind::Forward
                          ? ActionKind::RecvActivation
                          : ActionKind::RecvGradient;
    recvs.push_back(
        {i, order[need], from, make(kind, list[i].chunk, list[i].micro, from)});
  }
  // Latest in the global order first, so that each bound is known when used.
  std::sort(recvs.begin(), recvs.end(), [](const Recv &a, const Recv &b) {
    return std::tie(a.order, a.pos) > std::tie(b.order, b.pos);
  });
  // The rank's sends to each peer as (global order, index): the orders grow
  // along the list, as the rank posts them in its order.
  std::vector<std::vector<std::pair<int, int>>> sendsTo(s.pp);
  for (int i = 0; i < int(list.size()); ++i)
    if (int sent = messages.sent(r, list[i]); sent >= 0)
      sendsTo[list[i].peer].push_back({order[sent], i});
  std::vector<int> limit(s.pp, INT_MAX);
  for (Recv &recv : recvs) {
    const auto &sends = sendsTo[recv.peer];
    auto later =
        std::upper_bound(sends.begin(), sends.end(), recv.order,
                         [](int value, const std::pair<int, int> &send) {
                           return value < send.first;
                         });
    if (later != sends.end() && later->second < recv.pos) {
      int i = later->second;
      recv.pos = (i > 0 && isCompute(list[i - 1].kind)) ? i - 1 : i;
    }
    recv.pos = std::min(recv.pos, limit[recv.peer]);
    limit[recv.peer] = recv.pos;
  }
  std::sort(recvs.begin(), recvs.end(), [](const Recv &a, const Recv &b) {
    return std::tie(a.pos, a.order) < std::tie(b.pos, b.order);
  });
  std::vector<Action> out;
  size_t next = 0;
  for (int i = 0; i <= int(list.size()); ++i) {
    for (; next < recvs.size() && recvs[next].pos == i; ++next)
      out.push_back(recvs[next].action);
    if (i < int(list.size()))
      out.push_back(list[i]);
  }
  return out;
}

/// Step 4: each chunk's gradient reduction after its last weight gradient
/// (and the send that follows it), the tied-gradient sum, the step.
void addReductions(const Schedule &s, int r, std::vector<Action> &list,
                   const CommunicationOptions &options) {
  for (int c = 0; c < s.virtualStages; ++c) {
    int pos = int(list.size());
    for (int i = int(list.size()) - 1; i >= 0; --i) {
      if (list[i].chunk != c || (list[i].kind != ActionKind::Backward &&
                                 list[i].kind != ActionKind::BackwardWeight))
        continue;
      pos = i + 1;
      while (pos < int(list.size()) && isSend(list[pos].kind))
        ++pos;
      break;
    }
    list.insert(list.begin() + pos, make(ActionKind::ReduceGradients, c, 0));
  }
  if (options.syncTiedGradients && s.pp > 1 && (r == 0 || r == s.pp - 1))
    list.push_back(make(ActionKind::SyncTiedGradients, 0, 0));
  list.push_back(make(ActionKind::OptimizerStep, 0, 0));
}

} // namespace

bool ptc::schedule::isComputeOnly(const Schedule &schedule) {
  for (const auto &list : schedule.ranks)
    for (const Action &a : list)
      if (!isCompute(a.kind))
        return false;
  return true;
}

Schedule
ptc::schedule::insertCommunication(const Schedule &compute,
                                   const CommunicationOptions &options) {
  Schedule out = compute;
  Messages messages{compute};
  Lists lists = withLoadsAndSends(compute);
  std::vector<int> order = sendOrder(compute, lists, messages);
  for (int r = 0; r < compute.pp; ++r) {
    out.ranks[r] = withReceives(compute, r, lists[r], messages, order);
    addReductions(compute, r, out.ranks[r], options);
  }
  return out;
}

//===- CheckPairs.cpp - Sends meeting receives, and deadlocks -------------===//
//
// Ranks a and b share one communicator: the k-th operations both post on it
// must be the two ends of one message, and they complete in order once both
// are posted (NCCL's point-to-point semantics on one stream). A deadlock is
// explained from the first waiting rank: what it waits for and where the
// other end is.
//
//===----------------------------------------------------------------------===//

#include "passes/Dist/Schedule/CheckEngine.h"

#include <algorithm>

using namespace ptc::schedule;
using ptc::schedule::detail::Engine;

namespace {
std::string n(int value) { return std::to_string(value); }
} // namespace

/// The message a send or receive carries: an activation from stage s to
/// s + 1 or a gradient from s to s - 1, for one micro-batch, as one key.
int Engine::message(int rank, const Action &a) const {
  int stage = s.stageOf(rank, a.chunk);
  int from = stage + (a.kind == ActionKind::RecvActivation ? -1
                      : a.kind == ActionKind::RecvGradient ? 1
                                                           : 0);
  bool gradient =
      a.kind == ActionKind::SendGradient || a.kind == ActionKind::RecvGradient;
  return ((gradient ? s.stages() : 0) + from) * s.microBatches + a.micro;
}

std::optional<ScheduleError> Engine::post(int r, const Posted &posted) {
  int peer = s.ranks[r][posted.index].peer;
  Pair &pair = pairs[{std::min(r, peer), std::max(r, peer)}];
  pair.side[r < peer ? 0 : 1].push_back(posted);
  while (pair.matched < pair.side[0].size() &&
         pair.matched < pair.side[1].size()) {
    const Posted &a = pair.side[0][pair.matched];
    const Posted &b = pair.side[1][pair.matched];
    const Posted &other = &a == &pair.side[r < peer ? 0 : 1].back() ? b : a;
    if (a.send == b.send || a.message != b.message) {
      // The words of an error, built only for one.
      std::string where = "operation " + n(int(pair.matched) + 1) +
                          " between ranks " + n(a.rank) + " and " + n(b.rank);
      std::string theirs = "rank " + n(other.rank) + "'s is action " +
                           n(other.index + 1) + " (" +
                           toString(s.ranks[other.rank][other.index]) + ")";
      if (a.send == b.send)
        return actionError(
            s, r, posted.index,
            "deadlock: " + where + " is a " + (a.send ? "send" : "receive") +
                " on both ends (" + theirs +
                "): " + (a.send ? "nothing receives" : "nothing sends"));
      return actionError(s, r, posted.index,
                         where + " is another message on the other end (" +
                             theirs +
                             "): both ranks must post their sends "
                             "and receives in the same order");
    }
    pair.done = std::max({a.time, b.time, pair.done}) + costs.comm;
    tl.end[a.rank][a.index] = pair.done;
    tl.end[b.rank][b.index] = pair.done;
    ++pair.matched;
  }
  return std::nullopt;
}

void Engine::postTied(int r, double time) {
  tiedPosted[r == 0 ? 0 : 1] = time;
  if (tiedPosted[0] < 0 || tiedPosted[1] < 0)
    return;
  double done = std::max(tiedPosted[0], tiedPosted[1]) + costs.comm;
  tl.end[0][ranks[0].tied] = done;
  tl.end[s.pp - 1][ranks[s.pp - 1].tied] = done;
}

int Engine::awaitedRank(int rank) const {
  const Action &awaited = s.ranks[rank][ranks[rank].waitingFor];
  if (awaited.kind == ActionKind::SyncTiedGradients)
    return rank == 0 ? s.pp - 1 : 0;
  return awaited.peer;
}

std::string Engine::state(int rank) const {
  const RankState &rs = ranks[rank];
  if (rs.pc >= s.ranks[rank].size())
    return "rank " + n(rank) + " has finished its list";
  return "rank " + n(rank) + " waits at action " + n(int(rs.pc) + 1) + " (" +
         toString(s.ranks[rank][rs.pc]) + ") for rank " + n(awaitedRank(rank));
}

ScheduleError Engine::deadlock() const {
  int r = 0;
  while (ranks[r].pc >= s.ranks[r].size())
    ++r;
  const RankState &rs = ranks[r];
  int j = rs.waitingFor;
  const Action &awaited = s.ranks[r][j];
  int other = awaitedRank(r);
  std::string what = "deadlock: it waits for action " + n(j + 1) + " (" +
                     toString(awaited) + ")";
  if (awaited.kind == ActionKind::SyncTiedGradients) {
    what += ", which needs TIED on rank " + n(other) + ": ";
  } else {
    const Pair &pair = pairs.at({std::min(r, other), std::max(r, other)});
    const auto &mine = pair.side[r < other ? 0 : 1];
    size_t k = 0;
    while (mine[k].index != j)
      ++k;
    what += ", operation " + n(int(k) + 1) + " between ranks " + n(r) +
            " and " + n(other) + ", which rank " + n(other) +
            " has not posted: ";
  }
  // Follow the waits from rank to rank until one has finished or the
  // chain comes back: the cycle.
  std::vector<bool> seen(s.pp, false);
  seen[r] = true;
  for (int p = other;; p = awaitedRank(p)) {
    what += state(p);
    if (ranks[p].pc >= s.ranks[p].size())
      break;
    if (seen[awaitedRank(p)]) {
      what += ": a cycle of waits";
      break;
    }
    seen[p] = true;
    what += ", ";
  }
  return actionError(s, r, int(rs.pc), what);
}

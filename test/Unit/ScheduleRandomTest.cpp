//===- ScheduleRandomTest.cpp - Any runnable compute order gets valid comms
//===//
//
// insertCommunication must complete every compute order that can run, not
// only the generators' (a user file may hold any). A random run of the
// pipeline's dependency graph (forward stage by stage, backward in reverse,
// each W after its I), projected onto the ranks, is such an order: the
// checker must accept its completed lists. Dropping one backward from it
// must be caught.
//
//===----------------------------------------------------------------------===//

#include "passes/Dist/Schedule/Check.h"
#include "passes/Dist/Schedule/Communication.h"

#include <gtest/gtest.h>

#include <random>

using namespace ptc::schedule;

namespace {

/// A random compute order of pp ranks, V chunks, M micro-batches: the
/// actions of one random topological order of the whole pipeline, each
/// given to the rank that holds its stage.
Schedule randomOrder(std::mt19937 &rng, int pp, int v, int m, bool split) {
  Schedule s;
  s.pp = pp;
  s.virtualStages = v;
  s.microBatches = m;
  s.kind = "file";
  s.ranks.assign(pp, {});
  int stages = pp * v;
  // done[kind][stage * m + micro] for F, I (or B), W.
  std::vector<std::vector<bool>> done(3, std::vector<bool>(stages * m));
  int remaining = stages * m * (split ? 3 : 2);
  while (remaining > 0) {
    std::vector<std::pair<int, int>> ready; // (kind, stage * m + micro)
    for (int st = 0; st < stages; ++st)
      for (int mb = 0; mb < m; ++mb) {
        int k = st * m + mb;
        if (!done[0][k] && (st == 0 || done[0][k - m]))
          ready.push_back({0, k});
        if (done[0][k] && !done[1][k] && (st == stages - 1 || done[1][k + m]))
          ready.push_back({1, k});
        if (split && done[1][k] && !done[2][k])
          ready.push_back({2, k});
      }
    auto [kind, k] = ready[rng() % ready.size()];
    done[kind][k] = true;
    --remaining;
    int stage = k / m;
    Action a;
    a.kind = kind == 0   ? ActionKind::Forward
             : kind == 2 ? ActionKind::BackwardWeight
             : split     ? ActionKind::BackwardInput
                         : ActionKind::Backward;
    a.chunk = s.chunkOfStage(stage);
    a.micro = k % m;
    s.ranks[s.rankOfStage(stage)].push_back(a);
  }
  return s;
}

TEST(ScheduleRandom, EveryRunnableComputeOrderGetsValidCommunication) {
  std::mt19937 rng(20261207);
  for (int trial = 0; trial < 400; ++trial) {
    int pp = 1 + int(rng() % 4), v = 1 + int(rng() % 3), m = 1 + int(rng() % 5);
    bool split = rng() % 2, tied = rng() % 2;
    Schedule compute = randomOrder(rng, pp, v, m, split);
    auto error = check(insertCommunication(compute, {tied}));
    EXPECT_FALSE(error) << "trial " << trial << ", pp " << pp << ", v " << v
                        << ", m " << m << ": "
                        << (error ? error->format("") : "");
  }
}

TEST(ScheduleRandom, ADroppedBackwardIsCaught) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 100; ++trial) {
    int pp = 1 + int(rng() % 4), m = 1 + int(rng() % 4);
    Schedule compute = randomOrder(rng, pp, 1, m, false);
    auto &list = compute.ranks[rng() % pp];
    for (size_t i = 0; i < list.size(); ++i)
      if (list[i].kind == ActionKind::Backward && rng() % 2 == 0) {
        list.erase(list.begin() + i);
        break;
      }
    bool dropped = false;
    for (const auto &l : compute.ranks)
      dropped |= l.size() < size_t(2 * m);
    auto error = check(insertCommunication(compute));
    EXPECT_EQ(bool(error), dropped) << "trial " << trial;
  }
}

} // namespace

//===- ScheduleGenerateTest.cpp - The schedule generators -----------------===//
//
// Counts and order properties of gpipe, 1f1b, interleaved_1f1b and
// zero_bubble; their simulated bubble and peak activations against each
// other; and that every generated schedule, completed by
// insertCommunication, passes the checker over a sweep of shapes.
//
//===----------------------------------------------------------------------===//

#include "passes/Dist/Schedule/Communication.h"
#include "passes/Dist/Schedule/Generate.h"
#include "passes/Dist/Schedule/Simulate.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace ptc::schedule;

namespace {

Schedule generated(const std::string &kind, int pp, int micro, int v = 1) {
  Schedule s;
  auto error = generate({kind, pp, v, micro}, s);
  EXPECT_FALSE(error) << (error ? error->format(kind) : "");
  return s;
}

Simulation simulated(const std::string &kind, int pp, int micro, int v = 1) {
  Simulation sim;
  Schedule s = insertCommunication(generated(kind, pp, micro, v));
  auto error = simulate(s, Costs(), sim);
  EXPECT_FALSE(error) << (error ? error->format(kind) : "");
  return sim;
}

int count(const std::vector<Action> &list, ActionKind kind) {
  return int(std::count_if(list.begin(), list.end(),
                           [&](const Action &a) { return a.kind == kind; }));
}

int maxOf(const std::vector<int> &values) {
  return values.empty() ? -1 : *std::max_element(values.begin(), values.end());
}

TEST(ScheduleGenerate, EveryRankComputesEachMicroBatchOncePerChunk) {
  for (auto [kind, v] : {std::pair<std::string, int>{"gpipe", 1},
                         {"1f1b", 1},
                         {"interleaved_1f1b", 2},
                         {"zero_bubble", 1}}) {
    Schedule s = generated(kind, 4, 8, v);
    ASSERT_EQ(int(s.ranks.size()), 4);
    for (const auto &list : s.ranks) {
      EXPECT_EQ(count(list, ActionKind::Forward), 8 * v) << kind;
      bool split = kind == "zero_bubble";
      EXPECT_EQ(count(list, ActionKind::Backward), split ? 0 : 8 * v) << kind;
      EXPECT_EQ(count(list, ActionKind::BackwardInput), split ? 8 : 0);
      EXPECT_EQ(count(list, ActionKind::BackwardWeight), split ? 8 : 0);
      EXPECT_EQ(int(list.size()), (split ? 3 : 2) * 8 * v) << kind;
    }
  }
}

TEST(ScheduleGenerate, GPipeRunsAllForwardsFirst) {
  for (const auto &list : generated("gpipe", 4, 8).ranks)
    for (int i = 0; i < 16; ++i)
      EXPECT_EQ(list[i].kind,
                i < 8 ? ActionKind::Forward : ActionKind::Backward);
}

TEST(ScheduleGenerate, OneFOneBWarmsUpThenAlternates) {
  Schedule s = generated("1f1b", 4, 8);
  for (int r = 0; r < 4; ++r) {
    const auto &list = s.ranks[r];
    // pp - r forwards before the first backward, then F and B alternate.
    int first = int(std::find_if(list.begin(), list.end(),
                                 [](const Action &a) {
                                   return a.kind == ActionKind::Backward;
                                 }) -
                    list.begin());
    EXPECT_EQ(first, 4 - r) << "rank " << r;
    for (int i = first; i + 1 < 16 - (3 - r); i += 2)
      EXPECT_EQ(list[i + 1].kind, ActionKind::Forward) << "rank " << r;
  }
  EXPECT_EQ(peakActivations(s), (std::vector<int>{4, 3, 2, 1}));
}

TEST(ScheduleGenerate, InterleavedFollowsMegatron) {
  Schedule s = generated("interleaved_1f1b", 4, 8, 2);
  // Rank 0 warms up with (pp - 1) * 2 + (V - 1) * pp = 10 forwards: the
  // first group of pp micro-batches through chunk 0, then chunk 1, ...
  const auto &list = s.ranks[0];
  std::vector<std::string> expected = {"F0.0", "F0.1", "F0.2", "F0.3", "F1.0",
                                       "F1.1", "F1.2", "F1.3", "F0.4", "F0.5",
                                       "F0.6", "B1.0", "F0.7", "B1.1"};
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(toString(list[i]), expected[i]) << "action " << i + 1;
  // The last rank warms up with (V - 1) * pp = 4 forwards.
  EXPECT_EQ(toString(s.ranks[3][4]), "F1.0");
  EXPECT_EQ(toString(s.ranks[3][5]), "B1.0");
  // micro-batches == pp: all forwards first.
  Schedule flat = generated("interleaved_1f1b", 4, 4, 2);
  EXPECT_EQ(flat.ranks[3][7].kind, ActionKind::Forward);
  EXPECT_EQ(toString(flat.ranks[3][8]), "B1.0");
}

TEST(ScheduleGenerate, ShapeRules) {
  auto message = [](ScheduleShape shape) {
    auto error = validateShape(shape);
    return error ? error->message : std::string("ok");
  };
  EXPECT_EQ(message({"interleaved_1f1b", 4, 2, 6}),
            "interleaved_1f1b needs micro-batches (6) to be a multiple of pp "
            "(4), as Megatron-LM's schedule does");
  EXPECT_EQ(message({"interleaved_1f1b", 4, 1, 8}),
            "interleaved_1f1b needs virtual stages >= 2, got 1");
  EXPECT_EQ(message({"interleaved_1f1b", 1, 2, 4}),
            "interleaved_1f1b needs pp >= 2, got 1 (one rank runs its chunks "
            "in order: use 1f1b)");
  EXPECT_EQ(message({"1f1b", 4, 2, 8}),
            "1f1b takes virtual stages = 1, got 2 (interleaved_1f1b runs "
            "several chunks per rank)");
  EXPECT_EQ(message({"pipedream", 4, 1, 8}),
            "unknown schedule 'pipedream' (allowed: gpipe, 1f1b, "
            "interleaved_1f1b, zero_bubble)");
  EXPECT_EQ(message({"gpipe", 0, 1, 8}), "pp must be at least 1, got 0");
  EXPECT_EQ(message({"gpipe", 2, 1, 0}),
            "micro-batches must be at least 1, got 0");
}

TEST(ScheduleGenerate, ZeroBubbleSplitsAndDefersWeightGradients) {
  Schedule s = generated("zero_bubble", 4, 8);
  for (int r = 0; r < 4; ++r) {
    std::vector<int> input(8, -1);
    for (int i = 0; i < int(s.ranks[r].size()); ++i) {
      const Action &a = s.ranks[r][i];
      if (a.kind == ActionKind::BackwardInput) {
        input[a.micro] = i;
      } else if (a.kind == ActionKind::BackwardWeight) {
        EXPECT_GE(input[a.micro], 0) << "W before I on rank " << r;
      }
    }
  }
  // The last rank defers pp - 1 weight gradients to the drain.
  const auto &last = s.ranks[3];
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(last[last.size() - 1 - i].kind, ActionKind::BackwardWeight);
}

TEST(ScheduleGenerate, BubblesAndMemoryTradeOff) {
  Simulation gpipe = simulated("gpipe", 4, 8);
  Simulation oneF = simulated("1f1b", 4, 8);
  Simulation zb = simulated("zero_bubble", 4, 8);
  Simulation inter = simulated("interleaved_1f1b", 4, 8, 2);
  // Unit costs F 1, B 2: 1F1B and GPipe both take (M + pp - 1) * 3.
  EXPECT_DOUBLE_EQ(oneF.makespan, 33);
  EXPECT_DOUBLE_EQ(gpipe.makespan, 33);
  EXPECT_NEAR(oneF.bubble, 3.0 / 11, 1e-12);
  // 1F1B buys the same bubble with less memory on every rank.
  EXPECT_DOUBLE_EQ(oneF.bubble, gpipe.bubble);
  ASSERT_EQ(oneF.peakActivations.size(), 4u);
  ASSERT_EQ(gpipe.peakActivations.size(), 4u);
  for (int r = 0; r < 4; ++r)
    EXPECT_LT(oneF.peakActivations[r], gpipe.peakActivations[r]);
  // ZB-H1: bubble (pp - 1)(F + I - W) = 3 units, the peak of 1F1B.
  EXPECT_DOUBLE_EQ(zb.makespan, 3 * 8 + 3);
  EXPECT_LT(zb.bubble, oneF.bubble);
  EXPECT_EQ(maxOf(zb.peakActivations), maxOf(oneF.peakActivations));
  // Interleaving divides the bubble by about V: 3 / (16 + 3).
  EXPECT_LT(inter.bubble, oneF.bubble);
  EXPECT_NEAR(inter.bubble, 3.0 / 19, 1e-12);
}

TEST(ScheduleGenerate, EverySchedulePassesTheCheckerOverShapes) {
  for (int pp = 1; pp <= 5; ++pp)
    for (int m = 1; m <= 9; ++m)
      for (auto [kind, v] : {std::pair<std::string, int>{"gpipe", 1},
                             {"1f1b", 1},
                             {"zero_bubble", 1},
                             {"interleaved_1f1b", 2},
                             {"interleaved_1f1b", 3}}) {
        if (validateShape({kind, pp, v, m}))
          continue;
        for (bool tied : {false, true}) {
          Schedule s = insertCommunication(generated(kind, pp, m, v), {tied});
          auto error = check(s);
          EXPECT_FALSE(error) << kind << " pp " << pp << " m " << m << " v "
                              << v << ": " << (error ? error->format("") : "");
        }
      }
}

} // namespace

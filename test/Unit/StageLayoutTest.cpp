//===- StageLayoutTest.cpp - blocks per pipeline stage --------------------===//

#include "passes/Dist/Schedule/StageLayout.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

using namespace ptc::schedule;

namespace {

double maxCost(const StageLayout &layout, const std::vector<double> &costs,
               double embedding, double head) {
  double worst = 0;
  for (int64_t s = 0; s < layout.numStages(); ++s)
    worst = std::max(worst, layout.cost(s, costs, embedding, head));
  return worst;
}

/// The smallest largest-chunk cost over every split, by brute force.
double bestByEnumeration(const std::vector<double> &costs, int64_t stages,
                         double embedding, double head) {
  const int64_t n = int64_t(costs.size());
  double best = 1e300;
  std::vector<int64_t> cut(size_t(stages) + 1);
  auto recurse = [&](auto &self, int64_t s, int64_t from) -> void {
    cut[size_t(s)] = from;
    if (s + 1 == stages) {
      cut[size_t(stages)] = n;
      StageLayout layout{cut};
      best = std::min(best, maxCost(layout, costs, embedding, head));
      return;
    }
    for (int64_t to = from + 1; to <= n - (stages - s - 1); ++to) {
      cut[size_t(s) + 1] = to;
      self(self, s + 1, to);
    }
  };
  recurse(recurse, 0, 0);
  return best;
}

TEST(StageLayout, UniformBlocksSplitEvenly) {
  std::string error;
  std::vector<double> costs(105, 1.0);
  auto layout = balanceStages(costs, 35, 0, 0, error);
  ASSERT_TRUE(layout) << error;
  for (int64_t s = 0; s < 35; ++s)
    EXPECT_EQ(layout->blocks(s), 3) << s;
  EXPECT_EQ(layout->str(), "Et*3|(t*3|)*32t*3|t*3L");
}

TEST(StageLayout, HeavyHeadGetsFewerBlocks) {
  std::string error;
  std::vector<double> costs(12, 1.0);
  auto layout = balanceStages(costs, 4, 0.25, 2.0, error);
  ASSERT_TRUE(layout) << error;
  EXPECT_LT(layout->blocks(3), layout->blocks(1));
  EXPECT_DOUBLE_EQ(maxCost(*layout, costs, 0.25, 2.0), 4.0);
}

// gpt2-124m's shape: 12 equal blocks and a head that costs 4.5 blocks over
// 4 chunks. The largest chunk is the head's with one block; the others
// share the rest evenly instead of the first ones filling up to it.
TEST(StageLayout, ChunksShareWhatTheLargestLeaves) {
  std::string error;
  std::vector<double> costs(12, 1.0);
  auto layout = balanceStages(costs, 4, 0.0, 4.5, error);
  ASSERT_TRUE(layout) << error;
  EXPECT_EQ(layout->str(), "Et*4|t*4|t*3|tL");
}

TEST(StageLayout, OptimalOnRandomCosts) {
  uint64_t state = 12345;
  auto next = [&] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return double((state >> 33) % 1000 + 1);
  };
  for (int trial = 0; trial < 200; ++trial) {
    int64_t n = 1 + trial % 9, stages = 1 + trial % std::max<int64_t>(1, n);
    std::vector<double> costs;
    for (int64_t i = 0; i < n; ++i)
      costs.push_back(next());
    double embedding = next() / 4, head = next();
    std::string error;
    auto layout = balanceStages(costs, stages, embedding, head, error);
    ASSERT_TRUE(layout) << error;
    ASSERT_EQ(layout->numStages(), stages);
    for (int64_t s = 0; s < stages; ++s)
      EXPECT_GE(layout->blocks(s), 1);
    EXPECT_NEAR(maxCost(*layout, costs, embedding, head),
                bestByEnumeration(costs, stages, embedding, head), 1e-6)
        << "trial " << trial;
  }
}

TEST(StageLayout, TooFewBlocks) {
  std::string error;
  std::vector<double> costs(3, 1.0);
  EXPECT_FALSE(balanceStages(costs, 4, 0, 0, error));
  EXPECT_NE(error.find("4 pipeline chunks need at least as many"),
            std::string::npos)
      << error;
}

TEST(StageLayout, ParsesRepetitionsAndGroups) {
  std::string error;
  auto layout = parseStageLayout("Et*3|(t*3|)*33t*2L", 35, 104, error);
  ASSERT_TRUE(layout) << error;
  EXPECT_EQ(layout->blocks(0), 3);
  EXPECT_EQ(layout->blocks(33), 3);
  EXPECT_EQ(layout->blocks(34), 2);
  auto empty = parseStageLayout("E | t t t t | L", 3, 4, error);
  ASSERT_TRUE(empty) << error;
  EXPECT_EQ(empty->blocks(0), 0);
  EXPECT_EQ(empty->blocks(1), 4);
  EXPECT_EQ(empty->blocks(2), 0);
  // str() reads back as the same layout.
  auto again = parseStageLayout(layout->str(), 35, 104, error);
  ASSERT_TRUE(again) << error;
  EXPECT_EQ(again->begin, layout->begin);
}

TEST(StageLayout, RejectsIllFormedLayouts) {
  struct Case {
    const char *text;
    int64_t stages, blocks;
    const char *message;
  } cases[] = {
      {"Et*2|tL", 3, 3, "the layout has 2 chunks; pp x virtual_stages = 3"},
      {"Et*2|tL", 2, 4, "places 3 transformer blocks; the model has 4"},
      {"tE|tL", 2, 2, "'E' (the embedding) must open the first chunk"},
      {"Et|L|t", 3, 2, "'L' (the head and the loss) must end the last chunk"},
      {"Et*|tL", 2, 2, "at character 4: expected a count after '*'"},
      {"Et*0|tL", 2, 2, "the count after '*' must be in [1, 999999999]"},
      {"E(t|tL", 2, 2, "'(' without ')'"},
      {"Et)|tL", 2, 2, "at character 3: ')' without '('"},
      {"Ex|tL", 2, 2, "at character 2: 'x' is not one of E, t, L, |, (, ), *"},
      {"t|tL", 2, 2, "must open with 'E'"},
      {"E(t*999999999)*999999999|L", 2, 1, "expands past"},
  };
  for (const Case &c : cases) {
    std::string error;
    EXPECT_FALSE(parseStageLayout(c.text, c.stages, c.blocks, error)) << c.text;
    EXPECT_NE(error.find(c.message), std::string::npos)
        << c.text << ": " << error;
  }
}

} // namespace

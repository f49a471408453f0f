//===- EmbeddingTest.cpp - embedding_forward/backward ---------------------===//

#include "runtime/cpu/embedding.h"

#include "GradCheck.h"

using namespace ptc::rt::cpu;
using namespace ptc::rt::test;

namespace {

constexpr int64_t N = 10, V = 11, C = 7; // B=2 x T=5 rows

TEST(Embedding, ForwardGathersRows) {
  std::vector<double> table = randomVector(V * C, 1);
  std::vector<int32_t> ids = {3, 0, 10, 3, 7, 1, 1, 9, 2, 5};
  std::vector<double> out(N * C);
  embedding_forward(out.data(), ids.data(), table.data(), N, V, C);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      EXPECT_EQ(out[n * C + c], table[ids[n] * C + c]);
}

TEST(Embedding, GradCheckWithRepeatedIds) {
  std::vector<double> table = randomVector(V * C, 2), dtable;
  std::vector<double> r = randomVector(N * C, 3), out(N * C);
  std::vector<int32_t> ids = {3, 0, 10, 3, 7, 1, 1, 9, 3, 5};
  auto loss = [&] {
    embedding_forward(out.data(), ids.data(), table.data(), N, V, C);
    return dotProduct(out, r);
  };
  auto backward = [&] {
    embedding_backward(dtable.data(), ids.data(), r.data(), N, V, C);
  };
  expectGradientsMatch(loss, backward, {{"table", &table, &dtable}});
}

TEST(EmbeddingDeathTest, IdOutOfRange) {
  std::vector<double> table(V * C), out(2 * C);
  std::vector<int32_t> big = {0, 11}, negative = {-1, 0};
  EXPECT_DEATH(embedding_forward(out.data(), big.data(), table.data(), 2, V, C),
               "ids\\[1\\] = 11 is outside \\[0, 11\\)");
  EXPECT_DEATH(embedding_forward(out.data(), negative.data(), table.data(), 2,
                                 V, C),
               "ids\\[0\\] = -1");
  EXPECT_DEATH(embedding_backward(table.data(), big.data(), out.data(), 2, V, C),
               "embedding_backward: ids\\[1\\]");
}

} // namespace

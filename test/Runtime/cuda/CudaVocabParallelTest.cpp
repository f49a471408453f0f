//===- CudaVocabParallelTest.cpp - Vocabulary-parallel kernels vs the CPU -===//
//
// The CUDA twins of runtime/cpu/vocab_parallel.h on odd sizes: the shard
// embedding at several first rows, and the cross-entropy pieces of a rank
// that holds the first V of numClasses > V classes (targets beyond V belong
// to other ranks), with padding columns and ignored rows. In a test process
// (one rank) the mesh coordinate is 0. Skipped without a GPU (label cuda).
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/vocab_parallel.h"
#include "runtime/cuda/kernels.cuh"
#include "test/Runtime/cuda/CudaTestUtil.h"

#include <cmath>
#include <limits>

namespace {

using namespace ptc::test;
namespace cpu = ptc::rt::cpu;
namespace k = ptc::kernels;

class CudaVocabParallel : public testing::Test {
protected:
  void SetUp() override {
    if (!haveHopperGpu())
      GTEST_SKIP() << "no CUDA GPU of compute capability >= 9.0";
  }
  std::mt19937 rng{7};
};

template <typename T> void checkShardEmbedding(std::mt19937 &rng) {
  const int64_t N = 301, V = 53, C = 37, fullV = 4 * V;
  for (int64_t first : {int64_t(0), V, 3 * V}) {
    const std::vector<float> table = rounded<T>(randomVector(V * C, rng));
    const std::vector<float> dout = rounded<T>(randomVector(N * C, rng));
    std::uniform_int_distribution<int32_t> pick(0, int32_t(fullV - 1));
    std::vector<int32_t> ids(N);
    for (int32_t &id : ids)
      id = pick(rng);
    ids[0] = int32_t(first);
    ids[1] = int32_t(first + V - 1);
    std::vector<float> out(N * C);
    cpu::embedding_shard_forward(out.data(), ids.data(), table.data(), N, V, C,
                                 first);
    Dev<T> gtable(table), gout(N * C), gdout(dout);
    Raw<int32_t> gids(ids);
    k::embedding_rows_forward(gout.ptr(), gids.ptr(), gtable.ptr(), N, V, C,
                              first);
    EXPECT_EQ(gout.get(), out) << "embedding_rows_forward, first " << first;
    std::vector<float> dt = rounded<T>(randomVector(V * C, rng));
    Dev<T> gdt(dt), gdt2(dt);
    cpu::embedding_shard_backward(dt.data(), ids.data(), dout.data(), N, V, C,
                                  first);
    k::embedding_rows_backward(gdt.ptr(), gids.ptr(), gdout.ptr(), N, V, C,
                               first);
    expectClose(gdt.get(), dt, kTol<T>, "embedding_rows_backward");
    k::embedding_rows_backward(gdt2.ptr(), gids.ptr(), gdout.ptr(), N, V, C,
                               first);
    EXPECT_EQ(gdt.get(), gdt2.get()) << "deterministic";
  }
}
TEST_F(CudaVocabParallel, ShardEmbeddingF32) {
  checkShardEmbedding<float>(rng);
}
TEST_F(CudaVocabParallel, ShardEmbeddingBF16) {
  checkShardEmbedding<bf16>(rng);
}

template <typename T> void checkCrossEntropyPieces(std::mt19937 &rng) {
  // This rank: columns [0, V) of which `valid` are classes when numClasses
  // < V (padding); with numClasses > V other ranks hold the rest.
  for (auto [N, V, numClasses] :
       {std::tuple<int64_t, int64_t, int64_t>{67, 301, 1000}, {5, 129, 100}}) {
    const std::vector<float> logits =
        rounded<T>(randomVector(N * V, rng, -4.f, 4.f));
    std::uniform_int_distribution<int32_t> pick(0, int32_t(numClasses - 1));
    std::vector<int32_t> targets(N);
    for (int32_t &t : targets)
      t = pick(rng);
    targets[1] = -1; // ignored
    targets[2] = 0;
    Raw<int32_t> gtargets(targets);
    Dev<T> glogits(logits);

    std::vector<float> max(N);
    cpu::vocab_max(max.data(), logits.data(), N, V, numClasses, int64_t(0));
    Dev<float> gmax(N);
    k::vocab_max(gmax.ptr(), glogits.ptr(), N, V, numClasses, int64_t(0));
    EXPECT_EQ(gmax.get(), max) << "vocab_max";

    std::vector<float> partials(2 * N);
    cpu::vocab_partials(partials.data(), logits.data(), targets.data(),
                        max.data(), N, V, numClasses, int64_t(0));
    Dev<float> gpartials(2 * N);
    k::vocab_partials(gpartials.ptr(), glogits.ptr(), gtargets.ptr(),
                      gmax.ptr(), N, V, numClasses, int64_t(0));
    expectClose(gpartials.get(), partials, 1e-5, "vocab_partials");

    std::vector<float> loss(1);
    cpu::ce_from_partials(loss.data(), partials.data(), N);
    Dev<float> gloss(1);
    k::ce_from_partials(gloss.ptr(), gpartials.ptr(), N);
    expectClose(gloss.get(), loss, 1e-5, "ce_from_partials");

    const std::vector<float> dloss = {0.75f};
    std::vector<float> dpartials(2 * N);
    cpu::ce_from_partials_grad(dpartials.data(), partials.data(), dloss.data(),
                               N);
    Dev<float> gdloss(dloss), gdpartials(2 * N);
    k::ce_from_partials_grad(gdpartials.ptr(), gpartials.ptr(), gdloss.ptr(),
                             N);
    expectClose(gdpartials.get(), dpartials, 1e-5, "ce_from_partials_grad");

    std::vector<float> dlogits(N * V);
    cpu::vocab_partials_grad(dlogits.data(), logits.data(), targets.data(),
                             max.data(), dpartials.data(), N, V, numClasses,
                             int64_t(0));
    Dev<T> gdlogits(N * V);
    k::vocab_partials_grad(gdlogits.ptr(), glogits.ptr(), gtargets.ptr(),
                           gmax.ptr(), gdpartials.ptr(), N, V, numClasses,
                           int64_t(0));
    expectClose(gdlogits.get(), rounded<T>(dlogits), kTol<T>,
                "vocab_partials_grad");
  }
}
TEST_F(CudaVocabParallel, CrossEntropyPiecesF32) {
  checkCrossEntropyPieces<float>(rng);
}
TEST_F(CudaVocabParallel, CrossEntropyPiecesBF16) {
  checkCrossEntropyPieces<bf16>(rng);
}

// A row whose sum diverged counts in the loss and its gradient, like the
// cpu twin's (ce_row_counts): the loss must say NaN, not hide the row.
TEST_F(CudaVocabParallel, NaNRowReachesTheLoss) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  // Rows: counted, ignored (sum 0), diverged.
  const std::vector<float> partials = {2.0f, 0.0f, nan, -0.5f, 0.0f, -0.25f};
  Dev<float> gpartials(partials), gloss(1);
  k::ce_from_partials(gloss.ptr(), gpartials.ptr(), 3);
  EXPECT_TRUE(std::isnan(gloss.get()[0]));
  const std::vector<float> dloss = {1.0f};
  Dev<float> gdloss(dloss), gdpartials(6);
  k::ce_from_partials_grad(gdpartials.ptr(), gpartials.ptr(), gdloss.ptr(), 3);
  std::vector<float> expected(6);
  cpu::ce_from_partials_grad(expected.data(), partials.data(), dloss.data(), 3);
  const std::vector<float> got = gdpartials.get();
  for (int i = 0; i < 6; ++i)
    if (std::isnan(expected[i]))
      EXPECT_TRUE(std::isnan(got[i])) << i;
    else
      EXPECT_FLOAT_EQ(got[i], expected[i]) << i;
}

TEST_F(CudaVocabParallel, AddF64) {
  Raw<double> acc(std::vector<double>{1.25}), x(std::vector<double>{2.5});
  k::add_f64(acc.ptr(), x.ptr());
  EXPECT_EQ(acc.get()[0], 3.75);
}

} // namespace

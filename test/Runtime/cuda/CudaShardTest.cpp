//===- CudaShardTest.cpp - shard_slice/unslice on the GPU vs the CPU ------===//
//
// The CUDA index kernels against their CPU twins (runtime/cpu/shard.h) on
// odd shapes and segment lists, for every part; the collectives of a
// single-rank world (local copies on the stream). Skipped without a GPU of
// compute capability 9.0 (ctest label "cuda").
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/shard.h"
#include "runtime/cuda/kernels.cuh"
#include "runtime/dist/world.h"
#include "test/Runtime/cuda/CudaTestUtil.h"

#include <numeric>

namespace {

using namespace ptc::test;
namespace k = ptc::kernels;
namespace dist = ptc::rt::dist;

class CudaShard : public testing::Test {
protected:
  void SetUp() override {
    if (!haveHopperGpu())
      GTEST_SKIP() << "no CUDA GPU of compute capability >= 9.0";
  }
};

struct Case {
  int64_t outer, inner, parts, numSegments, s[4];
};
const Case kCases[] = {{1, 1, 1, 1, {7, 0, 0, 0}},
                       {3, 5, 2, 1, {6, 0, 0, 0}},
                       {2, 7, 2, 3, {4, 8, 2, 0}},
                       {5, 3, 4, 2, {12, 4, 0, 0}},
                       {1, 129, 3, 4, {3, 6, 9, 3}}};

template <typename T> void checkSliceAndUnslice() {
  for (const Case &c : kCases) {
    const dist::SegmentSplit split =
        dist::makeSplit(c.parts, c.numSegments, c.s[0], c.s[1], c.s[2], c.s[3]);
    const int64_t G = split.globalDim(), L = split.localDim();
    const size_t fullN = size_t(c.outer * G * c.inner),
                 pieceN = size_t(c.outer * L * c.inner);
    // Distinct values that bf16 holds exactly (integers below 256).
    std::vector<float> full(fullN);
    for (size_t i = 0; i < fullN; ++i)
      full[i] = float(i % 251);
    Dev<T> in(full), gathered(pieceN * size_t(c.parts)), back(fullN);
    std::vector<float> allPieces;
    for (int64_t part = 0; part < c.parts; ++part) {
      Dev<T> piece(pieceN);
      k::shard_slice_part(piece.ptr(), in.ptr(), c.outer, G, c.inner, part,
                          c.parts, c.numSegments, c.s[0], c.s[1], c.s[2],
                          c.s[3]);
      std::vector<float> want(pieceN);
      ptc::rt::cpu::shard_slice_part(want.data(), full.data(), c.outer, c.inner,
                                     split, part);
      EXPECT_EQ(piece.get(), want) << "parts " << c.parts << " part " << part;
      PTC_CUDA_CHECK(cudaMemcpy(gathered.ptr() + size_t(part) * pieceN,
                                piece.ptr(), pieceN * sizeof(T),
                                cudaMemcpyDeviceToDevice));
    }
    k::shard_unslice(back.ptr(), gathered.ptr(), c.outer, G, c.inner, c.parts,
                     c.numSegments, c.s[0], c.s[1], c.s[2], c.s[3]);
    EXPECT_EQ(back.get(), full) << "parts " << c.parts;
  }
}

TEST_F(CudaShard, SliceAndUnsliceF32) { checkSliceAndUnslice<float>(); }
TEST_F(CudaShard, SliceAndUnsliceBF16) { checkSliceAndUnslice<bf16>(); }

TEST_F(CudaShard, SliceUsesThisRanksMeshCoordinate) {
  dist::World w;
  w.size = 4;
  w.rank = 1;
  w.coords = {0, 0, 1};
  dist::setWorldForTesting(w);
  std::vector<float> full(12);
  std::iota(full.begin(), full.end(), 0.0f);
  Dev<float> in(full), piece(6);
  k::shard_slice(piece.ptr(), in.ptr(), 1, 12, 1, 2, 2, 2, 8, 4, 0, 0);
  EXPECT_EQ(piece.get(), (std::vector<float>{4, 5, 6, 7, 10, 11}));
  dist::setWorldForTesting(dist::World());
}

TEST_F(CudaShard, SingleRankCollectivesAreLocal) {
  const std::vector<float> x = {1, 2, 3, 4};
  Dev<float> a(x), b(4);
  k::all_reduce(a.ptr(), 4, 0, 0);
  EXPECT_EQ(a.get(), x);
  k::all_gather(b.ptr(), a.ptr(), 4, 0);
  EXPECT_EQ(b.get(), x);
  Dev<bf16> h(x), g(4);
  k::reduce_scatter(g.ptr(), h.ptr(), 4, 0, 3);
  EXPECT_EQ(g.get(), x);
  Raw<int32_t> i(std::vector<int32_t>{5, 6});
  k::broadcast(i.ptr(), 2, 0, 0);
  EXPECT_EQ(i.get(), (std::vector<int32_t>{5, 6}));
}

} // namespace

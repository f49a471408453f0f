//===- TensorOpsTest.cpp - permute, copy_rows, reduce_leading, axpy -------===//
//
// The layout kernels that transpose, split, concat and reduce_sum lower to,
// against naive references on random odd shapes.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/kernels.h"
#include "runtime/cpu/tensor_ops.h"

#include "GradCheck.h"

#include <algorithm>
#include <numeric>
#include <random>

using namespace ptc::rt::cpu;
using namespace ptc::rt::test;

namespace {

/// out[j] = in[perm-mapped j], one multi-index at a time.
template <typename T>
std::vector<T> naivePermute(const std::vector<T> &in,
                            const std::vector<int64_t> &shape,
                            const std::vector<int64_t> &perm) {
  const size_t rank = shape.size();
  std::vector<int64_t> outShape(rank), inStrides(rank), outStrides(rank);
  for (size_t d = 0; d < rank; ++d)
    outShape[d] = shape[perm[d]];
  int64_t n = 1;
  for (size_t d = rank; d-- > 0;) {
    inStrides[d] = n;
    n *= shape[d];
  }
  int64_t m = 1;
  for (size_t d = rank; d-- > 0;) {
    outStrides[d] = m;
    m *= outShape[d];
  }
  std::vector<T> out(in.size());
  for (int64_t o = 0; o < n; ++o) {
    // Decompose o into the output multi-index; out dim d is in dim perm[d].
    int64_t src = 0;
    for (size_t d = 0; d < rank; ++d) {
      int64_t index = (o / outStrides[d]) % outShape[d];
      src += index * inStrides[perm[d]];
    }
    out[o] = in[src];
  }
  return out;
}

template <typename T> std::vector<T> iota(int64_t n) {
  std::vector<T> v(n);
  for (int64_t i = 0; i < n; ++i)
    v[i] = T(i);
  return v;
}

TEST(Permute, MatchesNaiveOnRandomShapesAndPermutations) {
  std::mt19937_64 gen(7);
  for (int trial = 0; trial < 300; ++trial) {
    const int rank = 1 + int(gen() % kMaxPermuteRank);
    std::vector<int64_t> shape(rank);
    int64_t n = 1;
    for (int64_t &s : shape) {
      s = 1 + int64_t(gen() % 5); // 1..5: odd sizes and unit dimensions
      n *= s;
    }
    std::vector<int64_t> perm(rank);
    std::iota(perm.begin(), perm.end(), 0);
    std::shuffle(perm.begin(), perm.end(), gen);
    // Distinct values, so a wrong index cannot go unnoticed.
    std::vector<float> in = iota<float>(n), out(n, -1.0f);
    permute(out.data(), in.data(), rank, shape.data(), perm.data());
    ASSERT_EQ(out, naivePermute(in, shape, perm))
        << "trial " << trial << ", rank " << rank;
  }
}

TEST(Permute, DoubleAndTheLaunchWrapperPadTo6) {
  // The launch convention: rank, 6 sizes, 6 permutation entries, the unused
  // dimensions padded with size 1 and the identity (the lowering's padding).
  const std::vector<int64_t> shape = {3, 5, 2, 7};
  const std::vector<int64_t> perm = {2, 0, 3, 1};
  std::vector<double> in = randomVector(3 * 5 * 2 * 7, 11), out(in.size());
  ptc::kernels::permute(out.data(), in.data(), 4, 3, 5, 2, 7, 1, 1, 2, 0, 3, 1,
                        4, 5);
  EXPECT_EQ(out, naivePermute(in, shape, perm));
}

TEST(Permute, IdentityAndTransposeOfAMatrix) {
  std::vector<float> in = iota<float>(6), out(6);
  const int64_t shape[] = {2, 3}, id[] = {0, 1}, swap[] = {1, 0};
  permute(out.data(), in.data(), 2, shape, id);
  EXPECT_EQ(out, in);
  permute(out.data(), in.data(), 2, shape, swap);
  EXPECT_EQ(out, (std::vector<float>{0, 3, 1, 4, 2, 5}));
}

TEST(PermuteDeathTest, RejectsBadRankAndNonPermutations) {
  float x[8] = {}, y[8];
  const int64_t shape[7] = {1, 1, 1, 1, 1, 1, 1};
  const int64_t perm7[7] = {0, 1, 2, 3, 4, 5, 6};
  EXPECT_DEATH(permute(y, x, 0, shape, perm7), "permute: rank 0 outside");
  EXPECT_DEATH(permute(y, x, 7, shape, perm7), "permute: rank 7 outside");
  const int64_t twice[2] = {0, 0}, outside[2] = {0, 2};
  EXPECT_DEATH(permute(y, x, 2, shape, twice), "not a permutation");
  EXPECT_DEATH(permute(y, x, 2, shape, outside), "not a permutation");
}

// The split and concat of the lowering: a [rows, cols] view of the whole
// around the axis, each piece [rows, len] at a column offset.
TEST(CopyRows, SplitThenConcatRestoresTheWhole) {
  const int64_t rows = 7, lens[] = {3, 1, 5}, cols = 9;
  std::vector<double> whole = randomVector(rows * cols, 3);
  std::vector<std::vector<double>> pieces;
  int64_t offset = 0;
  for (int64_t len : lens) {
    std::vector<double> piece(rows * len, -1.0);
    // split: dst stride = len, offset 0; src stride = cols at the offset.
    copy_rows(piece.data(), whole.data(), rows, len, len, 0, cols, offset);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < len; ++j)
        ASSERT_EQ(piece[r * len + j], whole[r * cols + offset + j]);
    pieces.push_back(piece);
    offset += len;
  }
  std::vector<double> back(rows * cols, -1.0);
  offset = 0;
  for (size_t p = 0; p < pieces.size(); ++p) {
    // concat: dst stride = cols at the offset; src stride = len, offset 0.
    copy_rows(back.data(), pieces[p].data(), rows, lens[p], cols, offset,
              lens[p], 0);
    offset += lens[p];
  }
  EXPECT_EQ(back, whole);
}

TEST(CopyRows, LeavesOtherColumnsAlone) {
  // A concat piece writes its columns only: what the other pieces wrote stays.
  std::vector<float> dst(4 * 5, 9.0f), src = iota<float>(4 * 2);
  copy_rows(dst.data(), src.data(), 4, 2, 5, 1, 2, 0);
  for (int64_t r = 0; r < 4; ++r)
    for (int64_t c = 0; c < 5; ++c) {
      float want = c >= 1 && c < 3 ? src[r * 2 + c - 1] : 9.0f;
      ASSERT_EQ(dst[r * 5 + c], want) << r << ", " << c;
    }
  // No rows, no columns: nothing written.
  copy_rows(dst.data(), src.data(), 0, 2, 5, 0, 2, 0);
  copy_rows(dst.data(), src.data(), 4, 0, 5, 0, 2, 0);
  EXPECT_EQ(dst[0], 9.0f);
}

TEST(CopyRowsDeathTest, RejectsNegativeSizes) {
  float x[4] = {}, y[4];
  EXPECT_DEATH(copy_rows(y, x, -1, 1, 1, 0, 1, 0), "copy_rows: rows = -1");
  EXPECT_DEATH(copy_rows(y, x, 1, -2, 1, 0, 1, 0), "len = -2");
}

TEST(ReduceLeading, SumsOverTheLeadingDimensions) {
  const int64_t outer = 13, inner = 7;
  std::vector<double> in = randomVector(outer * inner, 5), out(inner);
  reduce_leading(out.data(), in.data(), outer, inner);
  for (int64_t j = 0; j < inner; ++j) {
    double sum = 0;
    for (int64_t i = 0; i < outer; ++i)
      sum += in[i * inner + j];
    EXPECT_NEAR(out[j], sum, 1e-14);
  }
  // Nothing to sum: zeros (the output is written, not accumulated).
  std::vector<double> zero(inner, 5.0);
  reduce_leading(zero.data(), in.data(), 0, inner);
  EXPECT_EQ(zero, std::vector<double>(inner, 0.0));
}

TEST(ReduceLeading, AccumulatesFloatsInDouble) {
  // 2^24 + 1 + 1: a float accumulator rounds each +1 away (to even), a
  // double one reaches 2^24 + 2, which a float holds exactly.
  const float in[] = {16777216.0f, 1.0f, 1.0f};
  float out = 0;
  reduce_leading(&out, in, 3, 1);
  EXPECT_EQ(out, 16777218.0f);
}

TEST(Axpy, AddsScaledX) {
  const int64_t n = 37;
  std::vector<double> x = randomVector(n, 8), y = randomVector(n, 9), y0 = y;
  axpy(y.data(), x.data(), -0.75, n);
  for (int64_t i = 0; i < n; ++i)
    EXPECT_NEAR(y[i], y0[i] - 0.75 * x[i], 1e-15);
  // alpha = 0 and n = 0 leave y alone.
  std::vector<double> y1 = y;
  axpy(y.data(), x.data(), 0.0, n);
  EXPECT_EQ(y, y1);
  axpy(y.data(), x.data(), 3.0, 0);
  EXPECT_EQ(y, y1);
}

TEST(Axpy, FloatComputesInDoubleAndRoundsOnce) {
  // y + alpha x is computed in double and rounded to float once.
  std::vector<float> y = {1.0f, -2.5f, 1e-3f},
                     x = {3.0f * 0x1p-24f, 4.0f, 7.0f};
  std::vector<float> want(3);
  for (int i = 0; i < 3; ++i)
    want[i] = float(double(y[i]) + 0.5 * double(x[i]));
  axpy(y.data(), x.data(), 0.5, 3);
  EXPECT_EQ(y, want);
}

TEST(Convert, BetweenElementTypes) {
  std::vector<double> d = {0.1, -2.5, 1e10};
  std::vector<float> f(3);
  convert(f.data(), d.data(), 3);
  EXPECT_EQ(f, (std::vector<float>{0.1f, -2.5f, 1e10f}));
  std::vector<double> back(3);
  ptc::kernels::convert(back.data(), f.data(), 3);
  EXPECT_EQ(back[1], -2.5);
  EXPECT_EQ(back[0], double(0.1f));
}

} // namespace

//===- AttentionStridedTest.cpp - strided attention = permute + contiguous ===//
//
// attention_{forward,backward}_strided on views into wider buffers (q, k, v
// as column blocks of a fused [B, T, (Hq + 2 Hkv) Dh + pad] projection,
// out and dout as [B, T, Hq Dh + pad], dq, dk, dv into the fused gradient)
// against the contiguous kernels on gathered copies: bit for bit, since the
// arithmetic is the same, with the elements outside every view untouched.
// Odd sizes, multi-head, grouped-query and multi-query, accumulate 0 and 1.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/attention.h"

#include "GradCheck.h"

#include <gtest/gtest.h>

using namespace ptc::rt::cpu;
using namespace ptc::rt::test;

namespace {

constexpr int64_t B = 3, T = 7, Dh = 5;

struct Shape {
  int64_t Hq, Hkv;
};

struct View {
  int64_t offset, batch, head, row;
  int64_t at(int64_t b, int64_t h, int64_t t, int64_t d) const {
    return offset + b * batch + h * head + t * row + d;
  }
};

/// Head-split view of columns [col, col + H Dh) of a [B, T, width] buffer
/// that starts `base` elements in.
View columns(int64_t base, int64_t width, int64_t col) {
  return {base + col, T * width, Dh, width};
}

/// The [B, H, T, Dh] tensor that view `v` of `buf` shows.
template <typename F>
std::vector<F> gather(const std::vector<F> &buf, View v, int64_t H) {
  std::vector<F> x(B * H * T * Dh);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t t = 0; t < T; ++t)
        for (int64_t d = 0; d < Dh; ++d)
          x[((b * H + h) * T + t) * Dh + d] = buf[v.at(b, h, t, d)];
  return x;
}

/// Marks the elements of `buf` that view `v` covers.
void mark(std::vector<bool> &covered, View v, int64_t H) {
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t t = 0; t < T; ++t)
        for (int64_t d = 0; d < Dh; ++d)
          covered[v.at(b, h, t, d)] = true;
}

template <typename F>
std::vector<F> randomOf(size_t n, uint64_t seed, double lo = -1,
                        double hi = 1) {
  std::vector<double> d = randomVector(n, seed, lo, hi);
  return std::vector<F>(d.begin(), d.end());
}

template <typename F> class AttentionStrided : public testing::Test {};
using Types = testing::Types<float, double>;
TYPED_TEST_SUITE(AttentionStrided, Types);

const Shape kShapes[] = {{3, 3}, {6, 2}, {4, 1}};

TYPED_TEST(AttentionStrided, ForwardReadsAndWritesViews) {
  using F = TypeParam;
  for (Shape s : kShapes) {
    SCOPED_TRACE("Hq " + std::to_string(s.Hq) + " Hkv " +
                 std::to_string(s.Hkv));
    // The fused projection: 11 elements in, 2 columns of padding on the
    // left and 3 on the right of each row.
    const int64_t qkvWidth = (s.Hq + 2 * s.Hkv) * Dh + 5, qkvBase = 11;
    std::vector<F> qkv = randomOf<F>(qkvBase + B * T * qkvWidth, 1, -2, 2);
    View qv = columns(qkvBase, qkvWidth, 2),
         kv = columns(qkvBase, qkvWidth, 2 + s.Hq * Dh),
         vv = columns(qkvBase, qkvWidth, 2 + (s.Hq + s.Hkv) * Dh);
    // out: [B, T, Hq Dh + 4] at column 1, 7 elements in.
    const int64_t outWidth = s.Hq * Dh + 4, outBase = 7;
    const F sentinel = F(-123.5);
    std::vector<F> out(outBase + B * T * outWidth, sentinel);
    View ov = columns(outBase, outWidth, 1);
    std::vector<F> lse(B * s.Hq * T);
    const double scale = 1 / std::sqrt(double(Dh));
    attention_forward_strided(
        out.data(), lse.data(), qkv.data(), qkv.data(), qkv.data(), B, s.Hq,
        s.Hkv, T, Dh, scale, qv.offset, qv.batch, qv.head, qv.row, kv.offset,
        kv.batch, kv.head, kv.row, vv.offset, vv.batch, vv.head, vv.row,
        ov.offset, ov.batch, ov.head, ov.row);

    std::vector<F> q = gather(qkv, qv, s.Hq), k = gather(qkv, kv, s.Hkv),
                   v = gather(qkv, vv, s.Hkv), refOut(q.size()),
                   refLse(lse.size());
    attention_forward(refOut.data(), refLse.data(), q.data(), k.data(),
                      v.data(), B, s.Hq, s.Hkv, T, Dh, scale);
    EXPECT_EQ(gather(out, ov, s.Hq), refOut);
    EXPECT_EQ(lse, refLse);
    std::vector<bool> covered(out.size());
    mark(covered, ov, s.Hq);
    for (size_t i = 0; i < out.size(); ++i) {
      if (!covered[i]) {
        ASSERT_EQ(out[i], sentinel) << "wrote outside the view at " << i;
      }
    }
  }
}

TYPED_TEST(AttentionStrided, BackwardAccumulatesOrOverwritesViews) {
  using F = TypeParam;
  for (Shape s : kShapes)
    for (int64_t accumulate : {0, 1}) {
      SCOPED_TRACE("Hq " + std::to_string(s.Hq) + " Hkv " +
                   std::to_string(s.Hkv) + " accumulate " +
                   std::to_string(accumulate));
      const double scale = 0.37;
      const int64_t qkvWidth = (s.Hq + 2 * s.Hkv) * Dh + 3, qkvBase = 4;
      std::vector<F> qkv = randomOf<F>(qkvBase + B * T * qkvWidth, 2, -2, 2);
      View qv = columns(qkvBase, qkvWidth, 0),
           kv = columns(qkvBase, qkvWidth, s.Hq * Dh + 1),
           vv = columns(qkvBase, qkvWidth, (s.Hq + s.Hkv) * Dh + 2);
      // out and dout: contiguous [B, T, Hq, Dh] rows, batches 9 apart.
      const int64_t rowsOf = T * s.Hq * Dh;
      View ov{5, rowsOf + 9, Dh, s.Hq * Dh}, dov{0, rowsOf + 9, Dh, s.Hq * Dh};
      std::vector<F> q = gather(qkv, qv, s.Hq), k = gather(qkv, kv, s.Hkv),
                     v = gather(qkv, vv, s.Hkv), outC(q.size()),
                     lse(B * s.Hq * T);
      attention_forward(outC.data(), lse.data(), q.data(), k.data(), v.data(),
                        B, s.Hq, s.Hkv, T, Dh, scale);
      std::vector<F> outBuf(5 + B * (rowsOf + 9)),
          dout = randomOf<F>(B * (rowsOf + 9), 3);
      for (int64_t b = 0; b < B; ++b)
        for (int64_t h = 0; h < s.Hq; ++h)
          for (int64_t t = 0; t < T; ++t)
            for (int64_t d = 0; d < Dh; ++d)
              outBuf[ov.at(b, h, t, d)] = outC[((b * s.Hq + h) * T + t) * Dh + d];

      // dq, dk, dv: column blocks of one gradient buffer with prior content
      // (what accumulate = 1 adds to and accumulate = 0 must ignore), in a
      // different order than q, k, v.
      const int64_t gWidth = (s.Hq + 2 * s.Hkv) * Dh + 2, gBase = 3;
      std::vector<F> grad = randomOf<F>(gBase + B * T * gWidth, 4);
      const std::vector<F> before = grad;
      View dvv = columns(gBase, gWidth, 1),
           dqv = columns(gBase, gWidth, 1 + s.Hkv * Dh),
           dkv = columns(gBase, gWidth, 2 + (s.Hq + s.Hkv) * Dh);
      attention_backward_strided(
          grad.data(), grad.data(), grad.data(), dout.data(), qkv.data(),
          qkv.data(), qkv.data(), outBuf.data(), lse.data(), B, s.Hq, s.Hkv,
          T, Dh, scale, accumulate, dqv.offset, dqv.batch, dqv.head, dqv.row,
          dkv.offset, dkv.batch, dkv.head, dkv.row, dvv.offset, dvv.batch,
          dvv.head, dvv.row, dov.offset, dov.batch, dov.head, dov.row,
          qv.offset, qv.batch, qv.head, qv.row, kv.offset, kv.batch, kv.head,
          kv.row, vv.offset, vv.batch, vv.head, vv.row, ov.offset, ov.batch,
          ov.head, ov.row);

      // The reference: zeroed (accumulate 0) or prior (1) contiguous
      // gradients, the adding kernel.
      std::vector<F> dq = gather(before, dqv, s.Hq),
                     dk = gather(before, dkv, s.Hkv),
                     dv = gather(before, dvv, s.Hkv);
      if (!accumulate) {
        std::fill(dq.begin(), dq.end(), F(0));
        std::fill(dk.begin(), dk.end(), F(0));
        std::fill(dv.begin(), dv.end(), F(0));
      }
      std::vector<F> doutC = gather(dout, dov, s.Hq);
      attention_backward(dq.data(), dk.data(), dv.data(), doutC.data(),
                         q.data(), k.data(), v.data(), outC.data(), lse.data(),
                         B, s.Hq, s.Hkv, T, Dh, scale);
      EXPECT_EQ(gather(grad, dqv, s.Hq), dq);
      EXPECT_EQ(gather(grad, dkv, s.Hkv), dk);
      EXPECT_EQ(gather(grad, dvv, s.Hkv), dv);
      std::vector<bool> covered(grad.size());
      mark(covered, dqv, s.Hq);
      mark(covered, dkv, s.Hkv);
      mark(covered, dvv, s.Hkv);
      for (size_t i = 0; i < grad.size(); ++i) {
        if (!covered[i]) {
          ASSERT_EQ(grad[i], before[i]) << "wrote outside the views at " << i;
        }
      }
    }
}

TEST(AttentionStridedDeathTest, RejectsNegativeStrides) {
  float buf[256] = {};
  EXPECT_DEATH(attention_forward_strided(buf, buf, buf, buf, buf, 1, 2, 2, 2,
                                         4, 0.5, 0, 16, 8, -4, 0, 16, 8, 4, 0,
                                         16, 8, 4, 0, 16, 8, 4),
               "q has a negative offset or stride");
  EXPECT_DEATH(
      attention_backward_strided(
          buf, buf, buf, buf, buf, buf, buf, buf, buf, 1, 2, 2, 2, 4, 0.5, 2,
          0, 16, 8, 4, 0, 16, 8, 4, 0, 16, 8, 4, 0, 16, 8, 4, 0, 16, 8, 4, 0,
          16, 8, 4, 0, 16, 8, 4, 0, 16, 8, 4),
      "accumulate must be 0 or 1");
}

} // namespace

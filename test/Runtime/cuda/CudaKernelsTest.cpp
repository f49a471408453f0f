//===- CudaKernelsTest.cpp - Every CUDA kernel against its CPU twin -------===//
//
// Each test runs a ptc::kernels function of runtime/cuda on random data of
// odd sizes and compares with the CPU reference of runtime/cpu (ptc::rt::cpu)
// on the same inputs (rounded to bf16 first for the bf16 variants): fp32
// within ~1e-4 relative, bf16 within 2e-2. Outputs start as NaN bytes, so an
// element a kernel forgets fails. Skipped without a GPU of compute
// capability 9.0 (ctest label "cuda").
//
// runtime/cpu/kernels.h is not included: it defines ptc::kernels for the CPU
// target, the names the CUDA library defines too.
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/kernels.cuh"

#include "runtime/cpu/adamw.h"
#include "runtime/cpu/attention.h"
#include "runtime/cpu/cross_entropy.h"
#include "runtime/cpu/dropout.h"
#include "runtime/cpu/elementwise.h"
#include "runtime/cpu/embedding.h"
#include "runtime/cpu/gelu.h"
#include "runtime/cpu/global_norm.h"
#include "runtime/cpu/layernorm.h"
#include "runtime/cpu/matmul.h"
#include "runtime/cpu/rmsnorm.h"
#include "runtime/cpu/rope.h"
#include "runtime/cpu/schedule.h"
#include "runtime/cpu/silu.h"
#include "runtime/cpu/tensor_ops.h"
#include "test/Runtime/cuda/CudaTestUtil.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <initializer_list>
#include <utility>

namespace ptc::kernels {
/// The CPU twin of permute_view (runtime/cpu/kernels.h cannot be included
/// here: it defines ptc::kernels for the CPU): gather the logical input,
/// permute it with cpu::permute, scatter the logical output.
inline void cpuPermuteView(float *out, const float *in,
                           std::array<int64_t, 4> shape,
                           std::array<int64_t, 4> perm, int64_t inLen,
                           int64_t inStride, int64_t inOff, int64_t outLen,
                           int64_t outStride, int64_t outOff) {
  int64_t n = 1;
  for (int64_t e : shape)
    n *= e;
  std::vector<float> x(n), y(n);
  for (int64_t l = 0; l < n; ++l)
    x[l] = in[l / inLen * inStride + inOff + l % inLen];
  ptc::rt::cpu::permute(y.data(), x.data(), 4, shape.data(), perm.data());
  for (int64_t m = 0; m < n; ++m)
    out[m / outLen * outStride + outOff + m % outLen] = y[m];
}
} // namespace ptc::kernels


namespace {

using namespace ptc::test;
namespace cpu = ptc::rt::cpu;
namespace k = ptc::kernels;

class CudaKernels : public testing::Test {
protected:
  void SetUp() override {
    if (!haveHopperGpu())
      GTEST_SKIP() << "no CUDA GPU of compute capability >= 9.0";
  }
  std::mt19937 rng{20240607};
};

// TEST_F(CudaKernels, <Name>F32 / <Name>BF16) calling check<Name><T>(rng).
#define PTC_BOTH_TYPES(Name)                                                   \
  TEST_F(CudaKernels, Name##F32) { check##Name<float>(rng); }                  \
  TEST_F(CudaKernels, Name##BF16) { check##Name<bf16>(rng); }

//===--- Data movement ---------------------------------------------------===//

TEST_F(CudaKernels, FillAllTypes) {
  Dev<float> f(37);
  k::fill(f.ptr(), 37, 1.5);
  EXPECT_EQ(f.get(), std::vector<float>(37, 1.5f));
  Dev<bf16> h(37);
  k::fill(h.ptr(), 37, -0.25);
  EXPECT_EQ(h.get(), std::vector<float>(37, -0.25f));
  Raw<double> d(std::vector<double>(5, 7.0));
  k::fill(d.ptr(), 5, 0.0);
  EXPECT_EQ(d.get(), std::vector<double>(5, 0.0));
  Raw<int32_t> i(std::vector<int32_t>(5, 7));
  k::fill(i.ptr(), 5, -3.0);
  EXPECT_EQ(i.get(), std::vector<int32_t>(5, -3));
  Raw<int64_t> l(std::vector<int64_t>(5, 7));
  k::fill(l.ptr(), 5, 42.0);
  EXPECT_EQ(l.get(), std::vector<int64_t>(5, 42));
}

TEST_F(CudaKernels, CopyAndConvert) {
  const std::vector<float> x = randomVector(101, rng, -3, 3);
  Dev<float> a(x), b(101);
  k::copy(b.ptr(), a.ptr(), 101);
  EXPECT_EQ(b.get(), x);
  Raw<int64_t> i(std::vector<int64_t>{1, 2, 3}), j(std::vector<int64_t>(3));
  k::copy(j.ptr(), i.ptr(), 3);
  EXPECT_EQ(j.get(), (std::vector<int64_t>{1, 2, 3}));
  // f32 -> bf16 rounds to nearest even, as the host conversion.
  Dev<bf16> h(101);
  k::convert(h.ptr(), a.ptr(), 101);
  EXPECT_EQ(h.get(), rounded<bf16>(x));
  Dev<float> back(101);
  k::convert(back.ptr(), h.ptr(), 101);
  EXPECT_EQ(back.get(), rounded<bf16>(x));
  Dev<float> same(101);
  k::convert(same.ptr(), a.ptr(), 101);
  EXPECT_EQ(same.get(), x);
  // Unaligned starts (the by-element paths) and a long vectorized run.
  Dev<bf16> h2(101);
  k::convert(h2.ptr() + 1, a.ptr() + 1, 100);
  const std::vector<float> h2Got = h2.get(), h2Want = rounded<bf16>(x);
  EXPECT_EQ(std::vector<float>(h2Got.begin() + 1, h2Got.end()),
            std::vector<float>(h2Want.begin() + 1, h2Want.end()));
  const std::vector<float> big = randomVector(100003, rng, -3, 3);
  Dev<float> bigF(big), bigF2(big.size());
  Dev<bf16> bigH(big.size());
  k::convert(bigH.ptr(), bigF.ptr(), int64_t(big.size()));
  EXPECT_EQ(bigH.get(), rounded<bf16>(big));
  k::convert(bigF2.ptr(), bigH.ptr(), int64_t(big.size()));
  EXPECT_EQ(bigF2.get(), rounded<bf16>(big));
  Dev<float> fillF(1003);
  k::fill(fillF.ptr() + 1, 1002, 2.5);
  const std::vector<float> filled = fillF.get();
  EXPECT_EQ(std::vector<float>(filled.begin() + 1, filled.end()),
            std::vector<float>(1002, 2.5f));
}

template <typename T> void checkPermute(std::mt19937 &rng) {
  struct Case {
    std::vector<int64_t> shape, perm;
  };
  const Case cases[] = {
      {{37}, {0}},
      {{7, 13}, {1, 0}},
      {{3, 5, 7}, {2, 0, 1}},
      {{2, 3, 5, 7}, {0, 2, 1, 3}},
      {{2, 3, 4, 5, 3}, {4, 2, 0, 3, 1}},
      {{2, 3, 2, 3, 2, 5}, {5, 4, 3, 2, 1, 0}},
      // The row path (perm keeps the trailing dims): gpt2-124m's attention
      // head transposes, then odd inner lengths (each unit width).
      {{16, 1024, 12, 64}, {0, 2, 1, 3}},
      {{16, 12, 1024, 64}, {0, 2, 1, 3}},
      {{3, 5, 7, 3}, {0, 2, 1, 3}},
      {{3, 5, 7, 2}, {0, 2, 1, 3}},
      {{3, 5, 7, 4}, {2, 0, 1, 3}},
      {{2, 3, 5, 8}, {1, 0, 2, 3}},
      {{4, 3, 2, 5, 16}, {3, 1, 2, 0, 4}},
      {{3, 4, 5}, {0, 1, 2}},
      {{3, 37, 21, 8}, {0, 2, 1, 3}},
      {{2, 3, 17, 33, 4}, {2, 0, 3, 1, 4}},
      {{5, 7, 4, 2}, {1, 0, 3, 2}},
  };
  for (const Case &c : cases) {
    const int rank = int(c.shape.size());
    int64_t n = 1;
    int64_t s[6] = {1, 1, 1, 1, 1, 1}, p[6] = {0, 1, 2, 3, 4, 5};
    for (int d = 0; d < rank; ++d) {
      n *= c.shape[d];
      s[d] = c.shape[d];
      p[d] = c.perm[d];
    }
    const std::vector<float> x = rounded<T>(randomVector(n, rng));
    std::vector<float> want(n);
    cpu::permute(want.data(), x.data(), rank, c.shape.data(), c.perm.data());
    Dev<T> in(x), out(n);
    k::permute(out.ptr(), in.ptr(), rank, s[0], s[1], s[2], s[3], s[4], s[5],
               p[0], p[1], p[2], p[3], p[4], p[5]);
    EXPECT_EQ(out.get(), want) << "rank " << rank;
  }
  // Unaligned pointers on the row path.
  const int64_t shape[] = {3, 5, 7, 8}, perm[] = {0, 2, 1, 3};
  const int64_t n = 3 * 5 * 7 * 8;
  const std::vector<float> x = rounded<T>(randomVector(n + 1, rng));
  std::vector<float> want(n);
  cpu::permute(want.data(), x.data() + 1, 4, shape, perm);
  Dev<T> in(x), out(n + 1);
  k::permute(out.ptr() + 1, in.ptr() + 1, 4, 3, 5, 7, 8, 1, 1, 0, 2, 1, 3, 4,
             5);
  const std::vector<float> got = out.get();
  EXPECT_EQ(std::vector<float>(got.begin() + 1, got.end()), want)
      << "unaligned";
}
PTC_BOTH_TYPES(Permute)

template <typename T> void checkCopyRows(std::mt19937 &rng) {
  struct Case {
    int64_t rows, len, srcStride, srcOffset, dstStride, dstOffset;
  };
  const Case cases[] = {
      {37, 13, 41, 5, 29, 11},
      // gpt2-124m's q/k/v split of [16384, 2304] (16-byte units).
      {16384, 768, 2304, 0, 768, 0},
      {16384, 768, 2304, 1536, 768, 0},
      // 8- and 4-byte units (bf16), and by element.
      {33, 12, 20, 4, 16, 4},
      {33, 6, 10, 2, 8, 2},
      {33, 7, 10, 1, 8, 1},
      {5, 16, 16, 0, 40, 16},
  };
  for (const Case &c : cases) {
    const std::vector<float> src =
        rounded<T>(randomVector(c.rows * c.srcStride, rng));
    std::vector<float> dst =
        rounded<T>(randomVector(c.rows * c.dstStride, rng));
    Dev<T> s(src), d(dst);
    cpu::copy_rows(dst.data(), src.data(), c.rows, c.len, c.dstStride,
                   c.dstOffset, c.srcStride, c.srcOffset);
    k::copy_rows(d.ptr(), s.ptr(), c.rows, c.len, c.dstStride, c.dstOffset,
                 c.srcStride, c.srcOffset);
    EXPECT_EQ(d.get(), dst) << "rows " << c.rows << " len " << c.len;
  }
}
PTC_BOTH_TYPES(CopyRows)

// permute_view against its CPU twin (gather, permute, scatter): a head split
// out of a fused QKV product, head gradients into their slice of the fused
// gradient, odd sizes (element units) and a 16-byte-unit case, plus a
// permutation that moves the innermost dim.
template <typename T> void checkPermuteView(std::mt19937 &rng) {
  struct Case {
    std::array<int64_t, 4> shape, perm;
    int64_t inLen, inStride, inOff, outLen, outStride, outOff;
  };
  const Case cases[] = {
      // split: [B,T,H,D] = [3,5,2,7] from rows of 3*14 at offset 14
      {{3, 5, 2, 7}, {0, 2, 1, 3}, 14, 42, 14, 210, 210, 0},
      // merge: [B,H,T,D] = [3,2,5,7] into rows of 42 at offset 28
      {{3, 2, 5, 7}, {0, 2, 1, 3}, 210, 210, 0, 14, 42, 28},
      // aligned split, D = 64 (16-byte units for bf16 and f32)
      {{2, 33, 3, 64}, {0, 2, 1, 3}, 192, 576, 384, 12672, 12672, 0},
      // the innermost dim moves: element units, both sides strided
      {{2, 3, 4, 5}, {0, 1, 3, 2}, 20, 23, 1, 4, 9, 2},
  };
  for (const Case &c : cases) {
    int64_t n = 1;
    for (int64_t e : c.shape)
      n *= e;
    const int64_t rowsIn = n / c.inLen, rowsOut = n / c.outLen;
    const int64_t inSize = (rowsIn - 1) * c.inStride + c.inOff + c.inLen;
    const int64_t outSize = (rowsOut - 1) * c.outStride + c.outOff + c.outLen;
    const std::vector<float> in = rounded<T>(randomVector(inSize, rng));
    std::vector<float> want = rounded<T>(randomVector(outSize, rng));
    Dev<T> din(in), dout(want);
    ptc::kernels::cpuPermuteView(want.data(), in.data(), c.shape, c.perm,
                                 c.inLen, c.inStride, c.inOff, c.outLen,
                                 c.outStride, c.outOff);
    k::permute_view(dout.ptr(), din.ptr(), 4, c.shape[0], c.shape[1],
                    c.shape[2], c.shape[3], 1, 1, c.perm[0], c.perm[1],
                    c.perm[2], c.perm[3], 4, 5, c.inLen, c.inStride, c.inOff,
                    c.outLen, c.outStride, c.outOff);
    // Exact: a permutation moves values; what it does not write stays.
    expectClose(dout.get(), want, 0, "permute_view");
  }
}
PTC_BOTH_TYPES(PermuteView)

template <typename T> void checkReduceLeading(std::mt19937 &rng) {
  // A small case and one long enough for several row chunks.
  // gpt2-124m's bias gradients ([B*T, C | 3C | 4C]), aligned odd sizes.
  for (auto [outer, inner] : {std::pair<int64_t, int64_t>{111, 99},
                              {40000, 3},
                              {5, 1},
                              {16384, 768},
                              {16384, 2304},
                              {16384, 3072},
                              {1000, 24},
                              {33, 8},
                              {3, 16},
                              {70000, 8}}) {
    const std::vector<float> x = rounded<T>(randomVector(outer * inner, rng));
    std::vector<float> want(inner);
    cpu::reduce_leading(want.data(), x.data(), outer, inner);
    Dev<T> in(x), out(inner);
    k::reduce_leading(out.ptr(), in.ptr(), outer, inner);
    // Deterministic: the same bits again.
    const std::vector<float> first = out.get();
    k::reduce_leading(out.ptr(), in.ptr(), outer, inner);
    EXPECT_EQ(out.get(), first) << "reduce_leading rerun " << outer;
    expectClose(out.get(), rounded<T>(want), kTol<T>,
                "reduce_leading " + std::to_string(outer));
  }
}
PTC_BOTH_TYPES(ReduceLeading)

template <typename T> void checkAxpy(std::mt19937 &rng) {
  const int64_t n = 1001;
  std::vector<float> y = rounded<T>(randomVector(n, rng));
  const std::vector<float> x = rounded<T>(randomVector(n, rng));
  Dev<T> dy(y), dx(x);
  cpu::axpy(y.data(), x.data(), -0.37, n);
  k::axpy(dy.ptr(), dx.ptr(), -0.37, n);
  expectClose(dy.get(), y, kTol<T>, "axpy");
}
PTC_BOTH_TYPES(Axpy)

//===--- Elementwise -----------------------------------------------------===//

template <typename T> void checkAddMulScale(std::mt19937 &rng) {
  const int64_t n = 37 * 99;
  for (int64_t nb : {n, int64_t(99), int64_t(1)}) {
    const std::vector<float> a = rounded<T>(randomVector(n, rng));
    const std::vector<float> b = rounded<T>(randomVector(nb, rng));
    const std::vector<float> dout = rounded<T>(randomVector(n, rng));
    const std::string tag = " nb=" + std::to_string(nb);
    Dev<T> da_(a), db_(b), ddout(dout);
    for (bool mul : {false, true}) {
      std::vector<float> want(n);
      Dev<T> out(n);
      if (mul) {
        cpu::mul_forward(want.data(), a.data(), b.data(), n, nb);
        k::mul_forward(out.ptr(), da_.ptr(), db_.ptr(), n, nb);
      } else {
        cpu::add_forward(want.data(), a.data(), b.data(), n, nb);
        k::add_forward(out.ptr(), da_.ptr(), db_.ptr(), n, nb);
      }
      expectClose(out.get(), rounded<T>(want), kTol<T>,
                  (mul ? "mul_forward" : "add_forward") + tag);

      std::vector<float> ga = rounded<T>(randomVector(n, rng));
      std::vector<float> gb = rounded<T>(randomVector(nb, rng));
      Dev<T> dga(ga), dgb(gb);
      if (mul) {
        cpu::mul_backward(ga.data(), gb.data(), dout.data(), a.data(), b.data(),
                          n, nb);
        k::mul_backward(dga.ptr(), dgb.ptr(), ddout.ptr(), da_.ptr(), db_.ptr(),
                        n, nb);
      } else {
        cpu::add_backward(ga.data(), gb.data(), dout.data(), n, nb);
        k::add_backward(dga.ptr(), dgb.ptr(), ddout.ptr(), n, nb);
      }
      expectClose(dga.get(), ga, kTol<T>,
                  (mul ? "mul_backward da" : "add_backward da") + tag);
      expectClose(dgb.get(), gb, kTol<T>,
                  (mul ? "mul_backward db" : "add_backward db") + tag);
    }
  }
  // Null gradients are skipped.
  Dev<T> dout(std::vector<float>(10, 1.f)), gb(std::vector<float>(5, 0.f));
  k::add_backward((T *)nullptr, gb.ptr(), dout.ptr(), 10, 5);
  EXPECT_EQ(gb.get(), std::vector<float>(5, 2.f));

  const std::vector<float> x = rounded<T>(randomVector(n, rng));
  std::vector<float> want(n), dx = rounded<T>(randomVector(n, rng));
  Dev<T> dxIn(x), out(n), ddx(dx);
  cpu::scale_forward(want.data(), x.data(), 0.125 * 3, n);
  k::scale_forward(out.ptr(), dxIn.ptr(), 0.125 * 3, n);
  expectClose(out.get(), rounded<T>(want), kTol<T>, "scale_forward");
  cpu::scale_backward(dx.data(), x.data(), -1.7, n);
  k::scale_backward(ddx.ptr(), dxIn.ptr(), -1.7, n);
  expectClose(ddx.get(), dx, kTol<T>, "scale_backward");
}
PTC_BOTH_TYPES(AddMulScale)

//===--- Activations -----------------------------------------------------===//

template <typename T> void checkGeluSize(std::mt19937 &rng, int64_t n);
template <typename T> void checkGelu(std::mt19937 &rng) {
  // Odd (the scalar path) and a multiple of the 16-byte width (vectorized).
  for (int64_t n : {int64_t(3 * 1001), int64_t(3 * 4096)})
    checkGeluSize<T>(rng, n);
}
PTC_BOTH_TYPES(Gelu)

template <typename T> void checkGeluSize(std::mt19937 &rng, int64_t n) {
  const std::vector<float> x = rounded<T>(randomVector(n, rng, -5, 5));
  const std::vector<float> dout = rounded<T>(randomVector(n, rng));
  for (int64_t approx : {0, 1}) {
    const auto mode = approx ? cpu::GeluApprox::Tanh : cpu::GeluApprox::None;
    std::vector<float> want(n), dx = rounded<T>(randomVector(n, rng));
    Dev<T> dxIn(x), ddout(dout), out(n), ddx(dx);
    cpu::gelu_forward(want.data(), x.data(), n, mode);
    k::gelu_forward(out.ptr(), dxIn.ptr(), n, approx);
    expectClose(out.get(), rounded<T>(want), kTol<T>, "gelu_forward");
    cpu::gelu_backward(dx.data(), x.data(), dout.data(), n, mode);
    k::gelu_backward(ddx.ptr(), dxIn.ptr(), ddout.ptr(), n, approx);
    expectClose(ddx.get(), dx, kTol<T>, "gelu_backward");
  }
}

// In place (dx == dout, what exec-fuse makes of a zeroed dx): the gradient
// replaces dout instead of adding to it; the CPU twin does the same.
template <typename T>
void checkGeluInPlaceSize(std::mt19937 &rng, int64_t n);
template <typename T> void checkGeluInPlace(std::mt19937 &rng) {
  for (int64_t n : {int64_t(3 * 1001 + 7), int64_t(4096)})
    checkGeluInPlaceSize<T>(rng, n);
}
PTC_BOTH_TYPES(GeluInPlace)

template <typename T>
void checkGeluInPlaceSize(std::mt19937 &rng, int64_t n) {
  const std::vector<float> x = rounded<T>(randomVector(n, rng, -5, 5));
  std::vector<float> d = rounded<T>(randomVector(n, rng));
  std::vector<float> want(n, 0.f);
  cpu::gelu_backward(want.data(), x.data(), d.data(), n, cpu::GeluApprox::Tanh);
  cpu::gelu_backward(d.data(), x.data(), d.data(), n, cpu::GeluApprox::Tanh);
  expectClose(d, want, 0, "cpu gelu_backward in place");
  Dev<T> gx(x), gd(rounded<T>(randomVector(n, rng)));
  std::vector<float> dout = gd.get(), want2(n, 0.f);
  cpu::gelu_backward(want2.data(), x.data(), dout.data(), n,
                     cpu::GeluApprox::Tanh);
  k::gelu_backward(gd.ptr(), gx.ptr(), gd.ptr(), n, 1);
  expectClose(gd.get(), want2, kTol<T>, "gelu_backward in place");
}

template <typename T> void checkSiluSwiglu(std::mt19937 &rng) {
  const int64_t n = 3 * 1001;
  const std::vector<float> x = rounded<T>(randomVector(n, rng, -6, 6));
  const std::vector<float> up = rounded<T>(randomVector(n, rng));
  const std::vector<float> dout = rounded<T>(randomVector(n, rng));
  Dev<T> dxIn(x), dup_(up), ddout(dout);
  std::vector<float> want(n);
  Dev<T> out(n);
  cpu::silu_forward(want.data(), x.data(), n);
  k::silu_forward(out.ptr(), dxIn.ptr(), n);
  expectClose(out.get(), rounded<T>(want), kTol<T>, "silu_forward");
  std::vector<float> dx = rounded<T>(randomVector(n, rng));
  Dev<T> ddx(dx);
  cpu::silu_backward(dx.data(), x.data(), dout.data(), n);
  k::silu_backward(ddx.ptr(), dxIn.ptr(), ddout.ptr(), n);
  expectClose(ddx.get(), dx, kTol<T>, "silu_backward");

  cpu::swiglu_forward(want.data(), x.data(), up.data(), n);
  k::swiglu_forward(out.ptr(), dxIn.ptr(), dup_.ptr(), n);
  expectClose(out.get(), rounded<T>(want), kTol<T>, "swiglu_forward");
  std::vector<float> dg = rounded<T>(randomVector(n, rng));
  std::vector<float> du = rounded<T>(randomVector(n, rng));
  Dev<T> ddg(dg), ddu(du);
  cpu::swiglu_backward(dg.data(), du.data(), x.data(), up.data(), dout.data(),
                       n);
  k::swiglu_backward(ddg.ptr(), ddu.ptr(), dxIn.ptr(), dup_.ptr(), ddout.ptr(),
                     n);
  expectClose(ddg.get(), dg, kTol<T>, "swiglu_backward dgate");
  expectClose(ddu.get(), du, kTol<T>, "swiglu_backward dup");
}
PTC_BOTH_TYPES(SiluSwiglu)

//===--- Norms -----------------------------------------------------------===//

template <typename T> void checkLayernorm(std::mt19937 &rng) {
  // Unaligned C (the unfused path), gpt2-124m's [16384, 768], C past the
  // register cache (f32: 1032 / 4 > 256 vectors), C past shared memory.
  for (auto [N, C] : {std::pair<int64_t, int64_t>{37, 99},
                      {301, 770},
                      {16384, 768},
                      {5, 8},
                      {70, 1032},
                      {3, 4000}}) {
    const std::vector<float> x = rounded<T>(randomVector(N * C, rng, -2, 3));
    const std::vector<float> gamma = rounded<T>(randomVector(C, rng, 0.5, 1.5));
    const std::vector<float> beta = rounded<T>(randomVector(C, rng));
    const std::vector<float> dout = rounded<T>(randomVector(N * C, rng));
    Dev<T> dx_(x), dgam(gamma), dbet(beta), ddout(dout);
    for (bool bias : {true, false}) {
      const std::string tag = bias ? " (bias)" : " (no bias)";
      std::vector<float> out(N * C), mean(N), rstd(N);
      cpu::layernorm_forward(out.data(), mean.data(), rstd.data(), x.data(),
                             gamma.data(), bias ? beta.data() : nullptr, N, C,
                             1e-5);
      Dev<T> gOut(N * C), gMean(N), gRstd(N);
      if (bias)
        k::layernorm_forward(gOut.ptr(), gMean.ptr(), gRstd.ptr(), dx_.ptr(),
                             dgam.ptr(), dbet.ptr(), N, C, 1e-5);
      else
        k::layernorm_forward_nobias(gOut.ptr(), gMean.ptr(), gRstd.ptr(),
                                    dx_.ptr(), dgam.ptr(), N, C, 1e-5);
      expectClose(gOut.get(), rounded<T>(out), kTol<T>, "layernorm out" + tag);
      expectClose(gMean.get(), rounded<T>(mean), kTol<T>, "layernorm mean");
      expectClose(gRstd.get(), rounded<T>(rstd), kTol<T>, "layernorm rstd");

      // The backward from the same saved statistics on both sides.
      const std::vector<float> m = gMean.get(), r = gRstd.get();
      std::vector<float> dx = rounded<T>(randomVector(N * C, rng));
      std::vector<float> dg = rounded<T>(randomVector(C, rng));
      std::vector<float> db = rounded<T>(randomVector(C, rng));
      Dev<T> gdx(dx), gdg(dg), gdb(db);
      cpu::layernorm_backward(dx.data(), dg.data(), bias ? db.data() : nullptr,
                              dout.data(), x.data(), gamma.data(), m.data(),
                              r.data(), N, C);
      if (bias)
        k::layernorm_backward(gdx.ptr(), gdg.ptr(), gdb.ptr(), ddout.ptr(),
                              dx_.ptr(), dgam.ptr(), gMean.ptr(), gRstd.ptr(),
                              N, C);
      else
        k::layernorm_backward_nobias(gdx.ptr(), gdg.ptr(), ddout.ptr(),
                                     dx_.ptr(), dgam.ptr(), gMean.ptr(),
                                     gRstd.ptr(), N, C);
      expectClose(gdx.get(), dx, kTol<T>, "layernorm dx" + tag);
      expectClose(gdg.get(), dg, kTol<T>, "layernorm dgamma" + tag);
      expectClose(gdb.get(), db, kTol<T>, "layernorm dbeta" + tag);
    }
  }
}
PTC_BOTH_TYPES(Layernorm)

// Mixed precision: a bf16 output gradient, the rest f32 (the convert +
// layernorm_backward pair exec-fuse merges); fused (aligned) and unfused
// (odd C) paths, against the CPU on the same bf16-valued gradient.
TEST_F(CudaKernels, LayernormBackwardBF16Dout) {
  for (auto [N, C] : {std::pair<int64_t, int64_t>{37, 99}, {301, 768},
                      {64, 1032}}) {
    const std::vector<float> x = randomVector(N * C, rng, -2, 3);
    const std::vector<float> gamma = randomVector(C, rng, 0.5, 1.5);
    const std::vector<float> beta = randomVector(C, rng);
    const std::vector<float> dout = rounded<bf16>(randomVector(N * C, rng));
    std::vector<float> out(N * C), mean(N), rstd(N);
    cpu::layernorm_forward(out.data(), mean.data(), rstd.data(), x.data(),
                           gamma.data(), beta.data(), N, C, 1e-5);
    std::vector<float> dx = randomVector(N * C, rng);
    std::vector<float> dg = randomVector(C, rng), db = randomVector(C, rng);
    Dev<float> gx(x), gg(gamma), gm(mean), gr(rstd), gdx(dx), gdg(dg), gdb(db);
    Dev<bf16> gdout(dout);
    cpu::layernorm_backward(dx.data(), dg.data(), db.data(), dout.data(),
                            x.data(), gamma.data(), mean.data(), rstd.data(), N,
                            C);
    k::layernorm_backward(gdx.ptr(), gdg.ptr(), gdb.ptr(), gdout.ptr(),
                          gx.ptr(), gg.ptr(), gm.ptr(), gr.ptr(), N, C);
    expectClose(gdx.get(), dx, 1e-4, "layernorm bf16 dout: dx");
    expectClose(gdg.get(), dg, 1e-4, "layernorm bf16 dout: dgamma");
    expectClose(gdb.get(), db, 1e-4, "layernorm bf16 dout: dbeta");

    // The same again with the bf16 copy of the updated dx.
    Dev<bf16> gcopy(N * C);
    cpu::layernorm_backward(dx.data(), dg.data(), db.data(), dout.data(),
                            x.data(), gamma.data(), mean.data(), rstd.data(), N,
                            C);
    k::layernorm_backward_copy(gdx.ptr(), gcopy.ptr(), gdg.ptr(), gdb.ptr(),
                               gdout.ptr(), gx.ptr(), gg.ptr(), gm.ptr(),
                               gr.ptr(), N, C);
    expectClose(gdx.get(), dx, 1e-4, "layernorm_backward_copy: dx");
    expectClose(gcopy.get(), rounded<bf16>(gdx.get()), 0,
                "layernorm_backward_copy: the copy is bf16(dx)");
    expectClose(gdg.get(), dg, 1e-4, "layernorm_backward_copy: dgamma");
  }
}

// Mixed precision: f32 input and statistics, the output rounded to bf16 (the
// layernorm + convert pair exec-fuse merges), on odd and model sizes.
TEST_F(CudaKernels, LayernormF32InBF16Out) {
  for (auto [N, C] : {std::pair<int64_t, int64_t>{37, 99}, {16384, 768}}) {
    const std::vector<float> x = randomVector(N * C, rng, -2, 3);
    const std::vector<float> gamma = randomVector(C, rng, 0.5, 1.5);
    const std::vector<float> beta = randomVector(C, rng);
    std::vector<float> out(N * C), mean(N), rstd(N);
    cpu::layernorm_forward(out.data(), mean.data(), rstd.data(), x.data(),
                           gamma.data(), beta.data(), N, C, 1e-5);
    Dev<float> gx(x), gg(gamma), gb(beta), gMean(N), gRstd(N);
    Dev<bf16> gOut(N * C);
    k::layernorm_forward(gOut.ptr(), gMean.ptr(), gRstd.ptr(), gx.ptr(),
                         gg.ptr(), gb.ptr(), N, C, 1e-5);
    expectClose(gOut.get(), rounded<bf16>(out), kTol<bf16>,
                "layernorm f32 -> bf16 out");
    expectClose(gMean.get(), mean, kTol<float>, "layernorm f32 mean");
    expectClose(gRstd.get(), rstd, kTol<float>, "layernorm f32 rstd");
  }
}

template <typename T>
void checkRmsnormSize(std::mt19937 &rng, int64_t N, int64_t C) {
  const std::vector<float> x = rounded<T>(randomVector(N * C, rng, -2, 3));
  const std::vector<float> gamma = rounded<T>(randomVector(C, rng, 0.5, 1.5));
  const std::vector<float> dout = rounded<T>(randomVector(N * C, rng));
  Dev<T> dx_(x), dgam(gamma), ddout(dout), gOut(N * C), gRstd(N);
  std::vector<float> out(N * C), rstd(N);
  cpu::rmsnorm_forward(out.data(), rstd.data(), x.data(), gamma.data(), N, C,
                       1e-6);
  k::rmsnorm_forward(gOut.ptr(), gRstd.ptr(), dx_.ptr(), dgam.ptr(), N, C,
                     1e-6);
  expectClose(gOut.get(), rounded<T>(out), kTol<T>, "rmsnorm out");
  expectClose(gRstd.get(), rounded<T>(rstd), kTol<T>, "rmsnorm rstd");
  const std::vector<float> r = gRstd.get();
  std::vector<float> dx = rounded<T>(randomVector(N * C, rng));
  std::vector<float> dg = rounded<T>(randomVector(C, rng));
  Dev<T> gdx(dx), gdg(dg);
  cpu::rmsnorm_backward(dx.data(), dg.data(), dout.data(), x.data(),
                        gamma.data(), r.data(), N, C);
  k::rmsnorm_backward(gdx.ptr(), gdg.ptr(), ddout.ptr(), dx_.ptr(), dgam.ptr(),
                      gRstd.ptr(), N, C);
  expectClose(gdx.get(), dx, kTol<T>, "rmsnorm dx");
  expectClose(gdg.get(), dg, kTol<T>, "rmsnorm dgamma");
}
template <typename T> void checkRmsnorm(std::mt19937 &rng) {
  for (auto [N, C] :
       {std::pair<int64_t, int64_t>{37, 99}, {16384, 768}, {70, 1032}})
    checkRmsnormSize<T>(rng, N, C);
}
PTC_BOTH_TYPES(Rmsnorm)

//===--- GEMM ------------------------------------------------------------===//

template <typename T>
void runGemmCases(std::mt19937 &rng, const std::string &path) {
  const int64_t M = 37, N = 99, K = 67;
  for (int64_t batch : {1, 3})
    for (int ta = 0; ta < 2; ++ta)
      for (int tb = 0; tb < 2; ++tb)
        for (int acc = 0; acc < 2; ++acc)
          for (int withBias = 0; withBias < 2; ++withBias)
            for (int broadcastB = 0; broadcastB < (batch > 1 ? 2 : 1);
                 ++broadcastB) {
              // Strides with padding between batch matrices.
              const int64_t sA = M * K + 3, sB = broadcastB ? 0 : K * N + 5,
                            sO = M * N + 7;
              const std::vector<float> a =
                  rounded<T>(randomVector(batch * sA, rng));
              const std::vector<float> b = rounded<T>(
                  randomVector(broadcastB ? K * N : batch * sB, rng));
              const std::vector<float> bias = rounded<T>(randomVector(N, rng));
              std::vector<float> out =
                  rounded<T>(randomVector(batch * sO, rng));
              Dev<T> da(a), db(b), dbias(bias), dout(out);
              cpu::matmul_batched(out.data(), a.data(), b.data(), batch, M, N,
                                  K, ta, tb, acc, sA, sB, sO,
                                  withBias ? bias.data() : nullptr);
              k::gemm(dout.ptr(), da.ptr(), db.ptr(),
                      withBias ? dbias.ptr() : nullptr, batch, M, N, K, ta, tb,
                      acc, sA, sB, sO);
              // The padding between batch matrices must stay untouched
              // (it is compared too: the CPU leaves it alone).
              expectClose(dout.get(), rounded<T>(out), kTol<T>,
                          path + " gemm batch=" + std::to_string(batch) +
                              " transA=" + std::to_string(ta) +
                              " transB=" + std::to_string(tb) +
                              " acc=" + std::to_string(acc) +
                              " bias=" + std::to_string(withBias) +
                              " broadcastB=" + std::to_string(broadcastB));
            }
  // K = 0: the bias, or zeros.
  const std::vector<float> bias = rounded<T>(randomVector(N, rng));
  std::vector<float> out(M * N);
  Dev<T> dbias(bias), dout(M * N), dummy(1);
  cpu::matmul(out.data(), (const float *)nullptr, (const float *)nullptr, M, N,
              0, false, false, false, bias.data());
  k::gemm(dout.ptr(), dummy.ptr(), dummy.ptr(), dbias.ptr(), 1, M, N, 0, false,
          false, false, M * 0, 0, M * N);
  expectClose(dout.get(), rounded<T>(out), kTol<T>, path + " gemm K=0");
}

template <typename T> void checkGemm(std::mt19937 &rng) {
  runGemmCases<T>(rng, "cublaslt");
  ptc::cuda::setGemmAutotune(true);
  runGemmCases<T>(rng, "cublaslt autotuned");
  ptc::cuda::setGemmAutotune(false);
  ptc::cuda::setGemmFallbackOnly(true);
  runGemmCases<T>(rng, "fallback");
  ptc::cuda::setGemmFallbackOnly(false);
}
PTC_BOTH_TYPES(Gemm)

// Mixed precision: bf16 operands into an f32 output (a weight gradient
// accumulated in place), odd sizes, every transpose, with and without
// accumulation, cuBLASLt and the fallback; the CPU computes in f32 on the
// same bf16-valued operands.
TEST_F(CudaKernels, GemmBF16InF32Out) {
  const int64_t M = 37, N = 99, K = 67;
  for (bool fallback : {false, true}) {
    ptc::cuda::setGemmFallbackOnly(fallback);
    for (int ta = 0; ta < 2; ++ta)
      for (int tb = 0; tb < 2; ++tb)
        for (int acc = 0; acc < 2; ++acc) {
          const std::vector<float> a = rounded<bf16>(randomVector(M * K, rng));
          const std::vector<float> b = rounded<bf16>(randomVector(K * N, rng));
          std::vector<float> out = randomVector(M * N, rng);
          Dev<bf16> da(a), db(b);
          Dev<float> dout(out);
          cpu::matmul(out.data(), a.data(), b.data(), M, N, K, ta, tb, acc);
          k::gemm(dout.ptr(), da.ptr(), db.ptr(), nullptr, 1, M, N, K, ta, tb,
                  acc, M * K, K * N, M * N);
          expectClose(dout.get(), out, 1e-4,
                      std::string(fallback ? "fallback" : "cublaslt") +
                          " mixed gemm transA=" + std::to_string(ta) +
                          " transB=" + std::to_string(tb) +
                          " acc=" + std::to_string(acc));
        }
  }
  ptc::cuda::setGemmFallbackOnly(false);
}

// A residual connection in the epilogue: out = op(a) op(b) + bias + c in f32
// (bf16 operands), with and without a bias, cuBLASLt and the fallback.
TEST_F(CudaKernels, GemmBiasAddBF16InF32Out) {
  const int64_t M = 37, N = 99, K = 67;
  for (bool fallback : {false, true}) {
    ptc::cuda::setGemmFallbackOnly(fallback);
    for (int ta = 0; ta < 2; ++ta)
      for (int tb = 0; tb < 2; ++tb)
        for (bool withBias : {false, true}) {
          const std::vector<float> a = rounded<bf16>(randomVector(M * K, rng));
          const std::vector<float> b = rounded<bf16>(randomVector(K * N, rng));
          const std::vector<float> bias = randomVector(N, rng);
          const std::vector<float> c = randomVector(M * N, rng);
          std::vector<float> want = c;
          cpu::matmul(want.data(), a.data(), b.data(), M, N, K, ta, tb,
                      /*accumulate=*/true, withBias ? bias.data() : nullptr);
          Dev<bf16> da(a), db(b);
          Dev<float> dbias(bias), dc(c), dout(M * N);
          if (withBias)
            k::gemm_bias_add(dout.ptr(), da.ptr(), db.ptr(), dbias.ptr(),
                             dc.ptr(), M, N, K, ta, tb);
          else
            k::gemm_add(dout.ptr(), da.ptr(), db.ptr(), dc.ptr(), M, N, K, ta,
                        tb);
          expectClose(dout.get(), want, 1e-4,
                      std::string(fallback ? "fallback" : "cublaslt") +
                          " gemm_add transA=" + std::to_string(ta) +
                          " transB=" + std::to_string(tb) +
                          " bias=" + std::to_string(withBias));
          expectClose(dc.get(), c, 0, "gemm_add leaves c alone");
        }
  }
  ptc::cuda::setGemmFallbackOnly(false);
}

// GELU (tanh) in the epilogue against the unfused kernels on the device:
// gemm then gelu_forward (aux = the product plus bias, out = its GELU), and
// gemm, the in-place gelu_backward, reduce_leading (out = the product times
// gelu'(aux), biasGrad = out's column sums). Each way forced in turn: 1 the
// fused epilogues, 2 the gradient's DGELU with reduce_leading. M and K odd,
// N a multiple of 8 (cuBLASLt's aux leading dimension): the epilogues run,
// which the fallback counter checks; cuBLASLt applies GELU to the f32
// product where the unfused kernels read it rounded to T, and its GELU may
// use a faster tanh, hence the f32 tolerance. N = 99: cuBLASLt cannot, and
// the fallback runs the unfused kernels themselves (the same values, bit
// for bit). Then the timed choice (way -1), which may pick any of them.
template <typename T>
void gemmGeluCase(std::mt19937 &rng, int64_t M, int64_t N, int64_t K, int ta,
                  int tb, int way, bool expectFused, const std::string &path) {
  const double tol = std::is_same_v<T, bf16> ? 2e-2 : 2e-3;
  const std::string tag =
      path + " way=" + std::to_string(way) + " M=" + std::to_string(M) +
      " N=" + std::to_string(N) + " K=" + std::to_string(K) +
      " transA=" + std::to_string(ta) + " transB=" + std::to_string(tb);
  const std::vector<float> a = rounded<T>(randomVector(M * K, rng));
  const std::vector<float> b = rounded<T>(randomVector(K * N, rng));
  const std::vector<float> bias = rounded<T>(randomVector(N, rng));
  Dev<T> da(a), db(b), dbias(bias);
  ptc::cuda::setGemmEpilogueWay(way);
  const int64_t before = ptc::cuda::gemmEpilogueFallbacks();

  // Forward.
  Dev<T> hRef(M * N), gRef(M * N), out(M * N), aux(M * N), outNoAux(M * N);
  k::gemm<T>(hRef, da, db, dbias, 1, M, N, K, ta, tb, false, M * K, K * N,
             M * N);
  k::gelu_forward<T>(gRef, hRef, M * N, 1);
  k::gemm_bias_gelu_aux<T>(out, aux, da, db, dbias, M, N, K, ta, tb);
  k::gemm_bias_gelu<T>(outNoAux, da, db, dbias, M, N, K, ta, tb);
  // Exact where the unfused kernels ran: the forward under way 2 too.
  const bool fwdFused = expectFused && way != 2;
  expectClose(aux.get(), hRef.get(), fwdFused ? kTol<T> : 0, "aux" + tag);
  expectClose(out.get(), gRef.get(), fwdFused ? tol : 0, "gelu out" + tag);
  expectClose(outNoAux.get(), gRef.get(), fwdFused ? tol : 0,
              "gelu out, no aux" + tag);

  // Backward, from the forward's aux on both sides.
  const std::vector<float> h = hRef.get();
  Dev<T> dh(h);
  Dev<T> dhRef(M * N), dbRef(N), dout(M * N), dbias2(N);
  k::gemm<T>(dhRef, da, db, nullptr, 1, M, N, K, ta, tb, false, M * K, K * N,
             M * N);
  k::gelu_backward<T>(dhRef, dh, dhRef, M * N, 1);
  k::reduce_leading<T>(dbRef, dhRef, M, N);
  k::gemm_dgelu_bgrad<T>(dout, dbias2, da, db, dh, M, N, K, ta, tb);
  expectClose(dout.get(), dhRef.get(), expectFused ? tol : 0,
              "dgelu out" + tag);
  expectClose(dbias2.get(), dbRef.get(), expectFused ? tol : 0,
              "bias gradient" + tag);
  ptc::cuda::setGemmEpilogueWay(-1);

  const int64_t fallbacks = ptc::cuda::gemmEpilogueFallbacks() - before;
  if (way < 0)
    return;
  if (expectFused)
    EXPECT_EQ(fallbacks, way == 2 ? 2 : 0)
        << "cuBLASLt had no algorithm:" << tag;
  else
    EXPECT_EQ(fallbacks, 3) << tag;
}

template <typename T> void checkGemmGelu(std::mt19937 &rng) {
  for (int way : {1, 2})
    for (int ta = 0; ta < 2; ++ta)
      for (int tb = 0; tb < 2; ++tb) {
        gemmGeluCase<T>(rng, 77, 200, 67, ta, tb, way, true, "cublaslt");
        gemmGeluCase<T>(rng, 45, 136, 33, ta, tb, way, true, "cublaslt");
        gemmGeluCase<T>(rng, 37, 99, 67, ta, tb, way, false, "N % 8 != 0");
      }
  // The MLP's shapes at a few rows: forward transB, backward plain; then
  // the timed choice.
  for (int way : {1, 2, -1}) {
    gemmGeluCase<T>(rng, 1000, 3072, 768, 0, 1, way, true, "mlp");
    gemmGeluCase<T>(rng, 1000, 3072, 768, 0, 0, way, true, "mlp");
  }
  ptc::cuda::setGemmFallbackOnly(true);
  gemmGeluCase<T>(rng, 77, 200, 67, 0, 1, 1, false, "fallback only");
  ptc::cuda::setGemmFallbackOnly(false);
}
PTC_BOTH_TYPES(GemmGelu)

//===--- Attention -------------------------------------------------------===//

template <typename T>
void attentionCase(std::mt19937 &rng, int64_t B, int64_t Hq, int64_t Hkv,
                   int64_t Tn, int64_t Dh) {
  const std::string tag =
      " B=" + std::to_string(B) + " Hq=" + std::to_string(Hq) +
      " Hkv=" + std::to_string(Hkv) + " T=" + std::to_string(Tn) +
      " Dh=" + std::to_string(Dh);
  const double scale = 1.0 / std::sqrt(double(Dh));
  const int64_t nq = B * Hq * Tn * Dh, nkv = B * Hkv * Tn * Dh;
  const std::vector<float> q = rounded<T>(randomVector(nq, rng, -2, 2));
  const std::vector<float> kk = rounded<T>(randomVector(nkv, rng, -2, 2));
  const std::vector<float> v = rounded<T>(randomVector(nkv, rng));
  const std::vector<float> dout = rounded<T>(randomVector(nq, rng));
  std::vector<float> out(nq), lse(B * Hq * Tn);
  cpu::attention_forward(out.data(), lse.data(), q.data(), kk.data(), v.data(),
                         B, Hq, Hkv, Tn, Dh, scale);
  Dev<T> gq(q), gk(kk), gv(v), gdout(dout), gout(nq);
  Dev<float> glse(B * Hq * Tn); // fp32 for bf16 too
  k::attention_forward(gout.ptr(), glse.ptr(), gq.ptr(), gk.ptr(), gv.ptr(), B,
                       Hq, Hkv, Tn, Dh, scale);
  expectClose(gout.get(), rounded<T>(out), kTol<T>, "attention out" + tag);
  // The same inputs and fp32 arithmetic on both sides: fp32's tolerance.
  expectClose(glse.get(), lse, kTol<float>, "attention lse" + tag);

  // Backward from the GPU's out and lse on both sides.
  const std::vector<float> o = gout.get(), l = glse.get();
  std::vector<float> dq = rounded<T>(randomVector(nq, rng));
  std::vector<float> dk = rounded<T>(randomVector(nkv, rng));
  std::vector<float> dv = rounded<T>(randomVector(nkv, rng));
  Dev<T> gdq(dq), gdk(dk), gdv(dv);
  cpu::attention_backward(dq.data(), dk.data(), dv.data(), dout.data(),
                          q.data(), kk.data(), v.data(), o.data(), l.data(), B,
                          Hq, Hkv, Tn, Dh, scale);
  k::attention_backward(gdq.ptr(), gdk.ptr(), gdv.ptr(), gdout.ptr(), gq.ptr(),
                        gk.ptr(), gv.ptr(), gout.ptr(), glse.ptr(), B, Hq, Hkv,
                        Tn, Dh, scale);
  expectClose(gdq.get(), dq, kTol<T>, "attention dq" + tag);
  expectClose(gdk.get(), dk, kTol<T>, "attention dk" + tag);
  expectClose(gdv.get(), dv, kTol<T>, "attention dv" + tag);
}

template <typename T> void checkAttention(std::mt19937 &rng) {
  attentionCase<T>(rng, 2, 6, 2, 67, 64);  // GQA 6/2
  attentionCase<T>(rng, 1, 6, 2, 67, 40);  // Dh not a multiple of 8
  attentionCase<T>(rng, 1, 3, 3, 130, 80); // MHA, three query tiles
  attentionCase<T>(rng, 1, 4, 1, 67, 128); // MQA, the largest head
  attentionCase<T>(rng, 2, 2, 2, 1, 64);   // one position
  // bf16 with Dh 64 or 128 runs on the tensor cores (runtime/cuda/
  // attention_tc.cu): full tiles, GQA, tails of every size.
  attentionCase<T>(rng, 1, 2, 1, 1024, 64); // gpt2's T and Dh, 16 tiles
  attentionCase<T>(rng, 2, 4, 2, 200, 128); // GQA, Dh 128, tail of 8
  attentionCase<T>(rng, 1, 2, 2, 129, 64);  // tail of one row
  attentionCase<T>(rng, 1, 3, 1, 16, 128);  // T below one tile
  attentionCase<T>(rng, 1, 2, 2, 95, 64);   // odd T, 2 tiles
}
PTC_BOTH_TYPES(Attention)

// A [B, H, T, Dh] operand inside a larger buffer, as the strided entry points
// take it: element (b, h, t, d) at buf[off + b*batch + h*head + t*row + d].
struct AttnLayout {
  int64_t off, batch, head, row;
};
void scatterAttn(std::vector<float> &buf, const std::vector<float> &x,
                 int64_t B, int64_t H, int64_t Tn, int64_t Dh, AttnLayout l) {
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t t = 0; t < Tn; ++t)
        for (int64_t d = 0; d < Dh; ++d)
          buf[l.off + b * l.batch + h * l.head + t * l.row + d] =
              x[((b * H + h) * Tn + t) * Dh + d];
}
std::vector<float> gatherAttn(const std::vector<float> &buf, int64_t B,
                              int64_t H, int64_t Tn, int64_t Dh, AttnLayout l) {
  std::vector<float> x(B * H * Tn * Dh);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t t = 0; t < Tn; ++t)
        for (int64_t d = 0; d < Dh; ++d)
          x[((b * H + h) * Tn + t) * Dh + d] =
              buf[l.off + b * l.batch + h * l.head + t * l.row + d];
  return x;
}
// The elements of buf that none of the layouts covers (padding columns).
std::vector<float>
uncovered(std::vector<float> buf, int64_t B, int64_t Tn, int64_t Dh,
          std::initializer_list<std::pair<int64_t, AttnLayout>> operands) {
  for (const auto &[H, l] : operands)
    scatterAttn(buf, std::vector<float>(B * H * Tn * Dh, 12345.f), B, H, Tn, Dh,
                l);
  std::vector<float> rest;
  for (float x : buf)
    if (x != 12345.f)
      rest.push_back(x);
  return rest;
}

// The strided entry points against the contiguous ones (whose CPU checks are
// above) on the target layouts: q, k, v read out of a fused [B, T, (Hq +
// 2 Hkv) Dh + pad] projection, out and dout in [B, T, Hq Dh + pad], dq, dk,
// dv written into a fused gradient buffer shaped like the projection. Padding
// columns hold random values that must survive. With accumulate 0 the
// gradient regions start as NaN (the kernels must not read them). `same` says
// whether both calls take the same kernels (then the results are equal);
// with pad % 8 != 0, bf16 Dh 64/128 falls back to the CUDA-core path.
template <typename T>
void stridedAttentionCase(std::mt19937 &rng, int64_t B, int64_t Hq, int64_t Hkv,
                          int64_t Tn, int64_t Dh, int64_t pad, bool same) {
  const std::string tag =
      " B=" + std::to_string(B) + " Hq=" + std::to_string(Hq) +
      " Hkv=" + std::to_string(Hkv) + " T=" + std::to_string(Tn) +
      " Dh=" + std::to_string(Dh) + " pad=" + std::to_string(pad);
  const double tol = same ? 1e-6 : kTol<T>;
  const double scale = 1.0 / std::sqrt(double(Dh));
  const int64_t nq = B * Hq * Tn * Dh, nkv = B * Hkv * Tn * Dh;
  const std::vector<float> q = rounded<T>(randomVector(nq, rng, -2, 2));
  const std::vector<float> kk = rounded<T>(randomVector(nkv, rng, -2, 2));
  const std::vector<float> v = rounded<T>(randomVector(nkv, rng));
  const std::vector<float> dout = rounded<T>(randomVector(nq, rng));

  // The contiguous results.
  Dev<T> gq(q), gk(kk), gv(v), gdout(dout), gout(nq);
  Dev<float> glse(B * Hq * Tn);
  k::attention_forward(gout.ptr(), glse.ptr(), gq.ptr(), gk.ptr(), gv.ptr(), B,
                       Hq, Hkv, Tn, Dh, scale);
  const std::vector<float> out = gout.get(), lse = glse.get();

  // Fused projection [B, T, W] and [B, T, Wo] layouts.
  const int64_t W = (Hq + 2 * Hkv) * Dh + pad, Wo = Hq * Dh + pad;
  const AttnLayout qL{0, Tn * W, Dh, W}, kL{Hq * Dh, Tn * W, Dh, W},
      vL{(Hq + Hkv) * Dh, Tn * W, Dh, W}, oL{0, Tn * Wo, Dh, Wo};
  std::vector<float> qkv = rounded<T>(randomVector(B * Tn * W, rng));
  scatterAttn(qkv, q, B, Hq, Tn, Dh, qL);
  scatterAttn(qkv, kk, B, Hkv, Tn, Dh, kL);
  scatterAttn(qkv, v, B, Hkv, Tn, Dh, vL);
  const std::vector<float> oInit = rounded<T>(randomVector(B * Tn * Wo, rng));
  std::vector<float> doBuf = rounded<T>(randomVector(B * Tn * Wo, rng));
  scatterAttn(doBuf, dout, B, Hq, Tn, Dh, oL);
  Dev<T> sqkv(qkv), sout(oInit), sdout(doBuf);
  Dev<float> slse(B * Hq * Tn);
  k::attention_forward_strided(sout.ptr(), slse.ptr(), sqkv.ptr(), sqkv.ptr(),
                               sqkv.ptr(), B, Hq, Hkv, Tn, Dh, scale, qL.off,
                               qL.batch, qL.head, qL.row, kL.off, kL.batch,
                               kL.head, kL.row, vL.off, vL.batch, vL.head,
                               vL.row, oL.off, oL.batch, oL.head, oL.row);
  const std::vector<float> sOut = sout.get();
  expectClose(gatherAttn(sOut, B, Hq, Tn, Dh, oL), out, tol,
              "strided attention out" + tag);
  expectClose(slse.get(), lse, same ? 1e-6 : kTol<float>,
              "strided attention lse" + tag);
  expectClose(uncovered(sOut, B, Tn, Dh, {{Hq, oL}}),
              uncovered(oInit, B, Tn, Dh, {{Hq, oL}}), 0,
              "strided attention out padding" + tag);

  for (int64_t accumulate : {0, 1}) {
    const std::string atag = tag + " accumulate=" + std::to_string(accumulate);
    const auto init = [&](int64_t n) {
      return accumulate ? rounded<T>(randomVector(n, rng))
                        : std::vector<float>(n, 0.f);
    };
    const std::vector<float> dq0 = init(nq), dk0 = init(nkv), dv0 = init(nkv);
    Dev<T> gdq(dq0), gdk(dk0), gdv(dv0);
    k::attention_backward(gdq.ptr(), gdk.ptr(), gdv.ptr(), gdout.ptr(),
                          gq.ptr(), gk.ptr(), gv.ptr(), gout.ptr(), glse.ptr(),
                          B, Hq, Hkv, Tn, Dh, scale);
    std::vector<float> grad = rounded<T>(randomVector(B * Tn * W, rng));
    const std::vector<float> nan(std::max(nq, nkv), NAN);
    scatterAttn(grad, accumulate ? dq0 : nan, B, Hq, Tn, Dh, qL);
    scatterAttn(grad, accumulate ? dk0 : nan, B, Hkv, Tn, Dh, kL);
    scatterAttn(grad, accumulate ? dv0 : nan, B, Hkv, Tn, Dh, vL);
    Dev<T> sgrad(grad);
    k::attention_backward_strided(
        sgrad.ptr(), sgrad.ptr(), sgrad.ptr(), sdout.ptr(), sqkv.ptr(),
        sqkv.ptr(), sqkv.ptr(), sout.ptr(), slse.ptr(), B, Hq, Hkv, Tn, Dh,
        scale, accumulate, qL.off, qL.batch, qL.head, qL.row, kL.off, kL.batch,
        kL.head, kL.row, vL.off, vL.batch, vL.head, vL.row, oL.off, oL.batch,
        oL.head, oL.row, qL.off, qL.batch, qL.head, qL.row, kL.off, kL.batch,
        kL.head, kL.row, vL.off, vL.batch, vL.head, vL.row, oL.off, oL.batch,
        oL.head, oL.row);
    const std::vector<float> sGrad = sgrad.get();
    expectClose(gatherAttn(sGrad, B, Hq, Tn, Dh, qL), gdq.get(), tol,
                "strided attention dq" + atag);
    expectClose(gatherAttn(sGrad, B, Hkv, Tn, Dh, kL), gdk.get(), tol,
                "strided attention dk" + atag);
    expectClose(gatherAttn(sGrad, B, Hkv, Tn, Dh, vL), gdv.get(), tol,
                "strided attention dv" + atag);
    expectClose(uncovered(sGrad, B, Tn, Dh, {{Hq, qL}, {Hkv, kL}, {Hkv, vL}}),
                uncovered(grad, B, Tn, Dh, {{Hq, qL}, {Hkv, kL}, {Hkv, vL}}), 0,
                "strided attention gradient padding" + atag);
  }
}

template <typename T> void checkAttentionStrided(std::mt19937 &rng) {
  constexpr bool bf = std::is_same_v<T, bf16>;
  stridedAttentionCase<T>(rng, 2, 6, 2, 67, 64, 0, true);   // GQA, tc for bf16
  stridedAttentionCase<T>(rng, 2, 4, 4, 130, 128, 8, true); // Dh 128, padded
  stridedAttentionCase<T>(rng, 1, 2, 1, 200, 64, 16, true); // MQA, tail of 8
  stridedAttentionCase<T>(rng, 2, 3, 1, 95, 33, 0, true); // odd Dh, CUDA cores
  stridedAttentionCase<T>(rng, 1, 2, 2, 70, 40, 5, true); // Dh 40, odd rows
  // Rows not 16-byte aligned: bf16 leaves the tensor cores.
  stridedAttentionCase<T>(rng, 1, 4, 2, 70, 64, 3, !bf);
}
PTC_BOTH_TYPES(AttentionStrided)

// The backward is deterministic: the fused bf16 kernel (Dh 64; Dh 128 with
// PTC_ATTENTION_BWD=fused) sums the dQ parts of the key tiles in a fixed
// order whatever the timing, so repeated runs give the same bits (many key
// tiles, GQA, a tail, both tensor-core head sizes).
TEST_F(CudaKernels, AttentionBackwardDeterministic) {
  for (int64_t Dh : {64, 128}) {
    const int64_t B = 2, Hq = 8, Hkv = 2, Tn = 1000;
    const int64_t nq = B * Hq * Tn * Dh, nkv = B * Hkv * Tn * Dh;
    const double scale = 1.0 / std::sqrt(double(Dh));
    Dev<bf16> q(randomVector(nq, rng, -2, 2)),
        kk(randomVector(nkv, rng, -2, 2));
    Dev<bf16> v(randomVector(nkv, rng)), dout(randomVector(nq, rng));
    Dev<bf16> out(nq);
    Dev<float> lse(B * Hq * Tn);
    k::attention_forward(out.ptr(), lse.ptr(), q.ptr(), kk.ptr(), v.ptr(), B,
                         Hq, Hkv, Tn, Dh, scale);
    std::vector<float> first[3];
    for (int run = 0; run < 4; ++run) {
      Dev<bf16> dq(std::vector<float>(nq, 0.f)),
          dk(std::vector<float>(nkv, 0.f));
      Dev<bf16> dv(std::vector<float>(nkv, 0.f));
      k::attention_backward(dq.ptr(), dk.ptr(), dv.ptr(), dout.ptr(), q.ptr(),
                            kk.ptr(), v.ptr(), out.ptr(), lse.ptr(), B, Hq, Hkv,
                            Tn, Dh, scale);
      const std::vector<float> got[3] = {dq.get(), dk.get(), dv.get()};
      for (int i = 0; i < 3; ++i) {
        if (run == 0)
          first[i] = got[i];
        else
          EXPECT_EQ(got[i], first[i]) << "attention backward run " << run
                                      << " gradient " << i << " Dh=" << Dh;
      }
    }
  }
}

//===--- Loss ------------------------------------------------------------===//

template <typename T> void checkCrossEntropy(std::mt19937 &rng) {
  const int64_t N = 37, V = 101, Vp = 128;
  std::vector<float> logits = rounded<T>(randomVector(N * Vp, rng, -4, 4));
  // Padding columns hold garbage that must not count.
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = V; c < Vp; ++c)
      logits[n * Vp + c] = 50.f;
  std::uniform_int_distribution<int32_t> cls(0, int32_t(V - 1));
  std::vector<int32_t> targets(N);
  for (int64_t n = 0; n < N; ++n)
    targets[n] = n % 5 == 3 ? -1 : cls(rng);
  targets[0] = int32_t(V - 1);
  for (bool allIgnored : {false, true}) {
    if (allIgnored)
      std::fill(targets.begin(), targets.end(), -1);
    const std::string tag = allIgnored ? " (all ignored)" : "";
    std::vector<float> loss(1), lse(N);
    cpu::cross_entropy_forward(loss.data(), lse.data(), logits.data(),
                               targets.data(), N, V, Vp);
    Dev<T> gl(logits), gloss(1), glse(N);
    Raw<int32_t> gt(targets);
    k::cross_entropy_forward(gloss.ptr(), glse.ptr(), gl.ptr(), gt.ptr(), N, V,
                             Vp);
    expectClose(gloss.get(), rounded<T>(loss), kTol<T>,
                "cross_entropy loss" + tag);
    expectClose(glse.get(), rounded<T>(lse), kTol<T>, "cross_entropy lse");

    const std::vector<float> l = glse.get();
    std::vector<float> dl = rounded<T>(randomVector(N * Vp, rng));
    const float dloss = toHost(fromHost<T>(1.75f));
    Dev<T> gdl(dl), gdloss(std::vector<float>{dloss});
    cpu::cross_entropy_backward(dl.data(), logits.data(), l.data(),
                                targets.data(), dloss, N, V, Vp);
    k::cross_entropy_backward(gdl.ptr(), gl.ptr(), glse.ptr(), gt.ptr(),
                              gdloss.ptr(), N, V, Vp);
    expectClose(gdl.get(), dl, kTol<T>, "cross_entropy dlogits" + tag);
    // A null lse is recomputed.
    std::vector<float> dl2 = rounded<T>(randomVector(N * Vp, rng));
    Dev<T> gdl2(dl2);
    cpu::cross_entropy_backward(dl2.data(), logits.data(),
                                (const float *)nullptr, targets.data(), dloss,
                                N, V, Vp);
    k::cross_entropy_backward(gdl2.ptr(), gl.ptr(), (const T *)nullptr,
                              gt.ptr(), gdloss.ptr(), N, V, Vp);
    expectClose(gdl2.get(), dl2, kTol<T>, "cross_entropy dlogits, no lse");
  }
}
PTC_BOTH_TYPES(CrossEntropy)

// In place (dlogits == logits, what exec-fuse makes of a zeroed dlogits):
// the gradient replaces the logits, ignored rows and padding columns become
// 0, also when no row counts; the CPU twin does the same.
template <typename T> void checkCrossEntropyInPlace(std::mt19937 &rng) {
  const int64_t N = 37, V = 101, Vp = 128;
  std::uniform_int_distribution<int32_t> cls(0, int32_t(V - 1));
  std::vector<int32_t> targets(N);
  for (int64_t n = 0; n < N; ++n)
    targets[n] = n % 5 == 3 ? -1 : cls(rng);
  for (bool allIgnored : {false, true}) {
    if (allIgnored)
      std::fill(targets.begin(), targets.end(), -1);
    const std::vector<float> logits =
        rounded<T>(randomVector(N * Vp, rng, -4, 4));
    std::vector<float> lse(N), loss(1), want(N * Vp, 0.f);
    cpu::cross_entropy_forward(loss.data(), lse.data(), logits.data(),
                               targets.data(), N, V, Vp);
    cpu::cross_entropy_backward(want.data(), logits.data(), lse.data(),
                                targets.data(), 0.75, N, V, Vp);
    std::vector<float> self = logits;
    cpu::cross_entropy_backward(self.data(), self.data(), lse.data(),
                                targets.data(), 0.75, N, V, Vp);
    expectClose(self, want, 1e-6, "cpu cross_entropy in place");
    Dev<T> gl(logits), glse(lse), gdloss(std::vector<float>{0.75f});
    Raw<int32_t> gt(targets);
    k::cross_entropy_backward(gl.ptr(), gl.ptr(), glse.ptr(), gt.ptr(),
                              gdloss.ptr(), N, V, Vp);
    expectClose(gl.get(), want, kTol<T>,
                std::string("cross_entropy in place") +
                    (allIgnored ? " (all ignored)" : ""));
  }
}
PTC_BOTH_TYPES(CrossEntropyInPlace)

// Mixed precision: bf16 logits with the loss, lse and dloss in f32, the
// types graph-mixed-precision gives the loss; the statistics keep f32
// precision (against the CPU in f32 on the same bf16-valued logits).
TEST_F(CudaKernels, CrossEntropyBF16LogitsF32Loss) {
  const int64_t N = 37, V = 101, Vp = 128;
  std::vector<float> logits = rounded<bf16>(randomVector(N * Vp, rng, -4, 4));
  std::uniform_int_distribution<int32_t> cls(0, int32_t(V - 1));
  std::vector<int32_t> targets(N);
  for (int64_t n = 0; n < N; ++n)
    targets[n] = n % 7 == 2 ? -1 : cls(rng);
  std::vector<float> loss(1), lse(N);
  cpu::cross_entropy_forward(loss.data(), lse.data(), logits.data(),
                             targets.data(), N, V, Vp);
  Dev<bf16> gl(logits);
  Dev<float> gloss(1), glse(N);
  Raw<int32_t> gt(targets);
  k::cross_entropy_forward(gloss.ptr(), glse.ptr(), gl.ptr(), gt.ptr(), N, V,
                           Vp);
  expectClose(gloss.get(), loss, 1e-5, "mixed cross_entropy loss");
  expectClose(glse.get(), lse, 1e-5, "mixed cross_entropy lse");
  std::vector<float> dl = rounded<bf16>(randomVector(N * Vp, rng));
  Dev<bf16> gdl(dl);
  Dev<float> gdloss(std::vector<float>{0.5f});
  cpu::cross_entropy_backward(dl.data(), logits.data(), lse.data(),
                              targets.data(), 0.5, N, V, Vp);
  k::cross_entropy_backward(gdl.ptr(), gl.ptr(), glse.ptr(), gt.ptr(),
                            gdloss.ptr(), N, V, Vp);
  expectClose(gdl.get(), dl, kTol<bf16>, "mixed cross_entropy dlogits");
}

//===--- Embedding, rope, dropout ----------------------------------------===//

template <typename T> void checkEmbedding(std::mt19937 &rng) {
  for (auto [N, V, C] :
       {std::tuple<int64_t, int64_t, int64_t>{37, 101, 99},
        {3001, 5000, 67},
        // Runs of hundreds of equal ids (a byte-level text), model width.
        {20001, 71, 768}}) {
    const std::vector<float> table = rounded<T>(randomVector(V * C, rng));
    const std::vector<float> dout = rounded<T>(randomVector(N * C, rng));
    // Repeated ids (a small pool) and the first and last row.
    std::uniform_int_distribution<int32_t> pick(0, int32_t(V / 7));
    std::vector<int32_t> ids(N);
    for (int64_t n = 0; n < N; ++n)
      ids[n] = pick(rng) * 7 % int32_t(V);
    ids[0] = 0;
    ids[N - 1] = int32_t(V - 1);
    std::vector<float> out(N * C);
    cpu::embedding_forward(out.data(), ids.data(), table.data(), N, V, C);
    Dev<T> gtable(table), gout(N * C), gdout(dout);
    Raw<int32_t> gids(ids);
    k::embedding_forward(gout.ptr(), gids.ptr(), gtable.ptr(), N, V, C);
    EXPECT_EQ(gout.get(), out) << "embedding_forward";

    std::vector<float> dt = rounded<T>(randomVector(V * C, rng));
    Dev<T> gdt(dt), gdt2(dt);
    cpu::embedding_backward(dt.data(), ids.data(), dout.data(), N, V, C);
    k::embedding_backward(gdt.ptr(), gids.ptr(), gdout.ptr(), N, V, C);
    expectClose(gdt.get(), dt, kTol<T>, "embedding_backward");
    // Deterministic: the same bits on a second run.
    k::embedding_backward(gdt2.ptr(), gids.ptr(), gdout.ptr(), N, V, C);
    EXPECT_EQ(gdt.get(), gdt2.get()) << "embedding_backward is deterministic";
  }
}
PTC_BOTH_TYPES(Embedding)

template <typename T> void checkRope(std::mt19937 &rng) {
  const int64_t B = 2, H = 3, Tn = 67, Dh = 40, offset = 5;
  const int64_t n = B * H * Tn * Dh;
  const std::vector<float> x = rounded<T>(randomVector(n, rng));
  std::vector<float> out(n), dx = rounded<T>(randomVector(n, rng));
  Dev<T> gx(x), gout(n), gdx(dx);
  cpu::rope_forward(out.data(), x.data(), B, H, Tn, Dh, 10000.0, offset);
  k::rope_forward(gout.ptr(), gx.ptr(), B, H, Tn, Dh, 10000.0, offset);
  expectClose(gout.get(), rounded<T>(out), kTol<T>, "rope_forward");
  cpu::rope_backward(dx.data(), x.data(), B, H, Tn, Dh, 10000.0, offset);
  k::rope_backward(gdx.ptr(), gx.ptr(), B, H, Tn, Dh, 10000.0, offset);
  expectClose(gdx.get(), dx, kTol<T>, "rope_backward");
  // In place, and the default offset.
  cpu::rope_forward(out.data(), x.data(), B, H, Tn, Dh, 500000.0);
  k::rope_forward(gx.ptr(), gx.ptr(), B, H, Tn, Dh, 500000.0);
  expectClose(gx.get(), rounded<T>(out), kTol<T>, "rope_forward in place");
}
PTC_BOTH_TYPES(Rope)

// kernels.h's dropout_seed.
uint64_t dropoutSeed(int64_t seed, int64_t step, int64_t micro) {
  return cpu::mix64(uint64_t(seed) ^
                    cpu::mix64(uint64_t(step) * 1000003ULL + uint64_t(micro)));
}

template <typename T> void checkDropout(std::mt19937 &rng) {
  const int64_t n = 10007, site = 3;
  const double p = 0.1;
  const std::vector<float> x = rounded<T>(randomVector(n, rng, 0.5, 2));
  Raw<int64_t> seed(std::vector<int64_t>{1234}), step(std::vector<int64_t>{7}),
      micro(std::vector<int64_t>{2});
  std::vector<float> out(n);
  const uint64_t s = dropoutSeed(1234, 7, 2), offset = uint64_t(site) << 40;
  cpu::dropout_forward(out.data(), x.data(), n, p, s, offset);
  Dev<T> gx(x), gout(n);
  k::dropout_forward(gout.ptr(), gx.ptr(), seed.ptr(), step.ptr(), micro.ptr(),
                     n, p, site);
  const std::vector<float> got = gout.get();
  int64_t dropped = 0;
  for (int64_t i = 0; i < n; ++i) {
    ASSERT_EQ(got[i] == 0.f, out[i] == 0.f) << "mask differs at " << i;
    dropped += out[i] == 0.f;
  }
  EXPECT_GT(dropped, n / 20);
  EXPECT_LT(dropped, n / 5);
  if (std::is_same_v<T, float>)
    EXPECT_EQ(got, out) << "fp32 dropout equals the CPU bit for bit";
  else
    expectClose(got, rounded<T>(out), kTol<T>, "dropout_forward");

  std::vector<float> dx = rounded<T>(randomVector(n, rng));
  Dev<T> gdx(dx);
  cpu::dropout_backward(dx.data(), x.data(), n, p, s, offset);
  k::dropout_backward(gdx.ptr(), gx.ptr(), seed.ptr(), step.ptr(), micro.ptr(),
                      n, p, site);
  expectClose(gdx.get(), dx, kTol<T>, "dropout_backward");
}
PTC_BOTH_TYPES(Dropout)

//===--- Optimizer step --------------------------------------------------===//

template <typename T> void checkGlobalNorm(std::mt19937 &rng) {
  const std::vector<float> a = rounded<T>(randomVector(100003, rng));
  const std::vector<float> b = rounded<T>(randomVector(37, rng, -3, 3));
  Dev<T> ga(a), gb(b);
  Raw<double> acc(std::vector<double>{0.5});
  k::sum_squares_add(acc.ptr(), ga.ptr(), int64_t(a.size()));
  k::sum_squares_add(acc.ptr(), gb.ptr(), int64_t(b.size()));
  const double want = 0.5 + cpu::sum_of_squares(a.data(), int64_t(a.size())) +
                      cpu::sum_of_squares(b.data(), int64_t(b.size()));
  const double got = acc.get()[0];
  EXPECT_NEAR(got, want, 1e-9 * want);
  Dev<T> norm(1);
  k::sqrt_to(norm.ptr(), acc.ptr());
  expectClose(norm.get(), rounded<T>({float(std::sqrt(want))}), kTol<T>,
              "sqrt_to");
  const float nrm = norm.get()[0];
  for (double maxNorm : {0.0, -1.0, 1.0, 1e9}) {
    Dev<T> f(1);
    k::clip_factor(f.ptr(), norm.ptr(), maxNorm);
    const double ref = maxNorm > 0 ? cpu::clip_factor(nrm, maxNorm) : 1.0;
    expectClose(f.get(), rounded<T>({float(ref)}), kTol<T>,
                "clip_factor " + std::to_string(maxNorm));
  }
}
PTC_BOTH_TYPES(GlobalNorm)

template <typename T> void checkLrSchedule(std::mt19937 &) {
  for (int64_t schedule : {0, 1, 2})
    for (int64_t step : {1, 5, 10, 11, 50, 99, 100, 101, 1000}) {
      Raw<int64_t> gstep(std::vector<int64_t>{step});
      Dev<T> out(1);
      k::lr_schedule(out.ptr(), gstep.ptr(), schedule, 6e-4, 6e-5, 10, 100);
      const double want = cpu::learning_rate(step, cpu::LRSchedule(schedule),
                                             6e-4, 6e-5, 10, 100);
      expectClose(out.get(), rounded<T>({float(want)}),
                  std::is_same_v<T, float> ? 1e-6 : kTol<T>,
                  "lr_schedule " + std::to_string(schedule) + " step " +
                      std::to_string(step));
    }
}
PTC_BOTH_TYPES(LrSchedule)

TEST_F(CudaKernels, AdamW) {
  const int64_t n = 10007;
  std::vector<float> p = randomVector(n, rng),
                     m = randomVector(n, rng, -.1f, .1f),
                     v = randomVector(n, rng, 0, .01f);
  const std::vector<float> g = randomVector(n, rng);
  Dev<float> gp(p), gm(m), gv(v), gg(g), lr(std::vector<float>{3e-4f}),
      scale(std::vector<float>{0.5f});
  Raw<int64_t> step(std::vector<int64_t>{3});
  cpu::adamw_step(p.data(), g.data(), m.data(), v.data(), n, double(3e-4f), 0.9,
                  0.95, 1e-8, 0.1, 3, 0.5);
  k::adamw_update(gp.ptr(), gm.ptr(), gv.ptr(), gg.ptr(), lr.ptr(), scale.ptr(),
                  step.ptr(), n, 0.9, 0.95, 1e-8, 0.1);
  expectClose(gp.get(), p, 1e-6, "adamw param");
  expectClose(gm.get(), m, 1e-6, "adamw m");
  expectClose(gv.get(), v, 1e-6, "adamw v");
  // Double scalars.
  Raw<double> lrD(std::vector<double>{1e-3}), scaleD(std::vector<double>{1.0});
  cpu::adamw_step(p.data(), g.data(), m.data(), v.data(), n, 1e-3, 0.9, 0.95,
                  1e-8, 0.0, 3, 1.0);
  k::adamw_update(gp.ptr(), gm.ptr(), gv.ptr(), gg.ptr(), lrD.ptr(),
                  scaleD.ptr(), step.ptr(), n, 0.9, 0.95, 1e-8, 0.0);
  expectClose(gp.get(), p, 1e-6, "adamw param (double scalars)");
}

TEST_F(CudaKernels, AdamWSegments) {
  // 70 rows (two launches of at most 64) of odd sizes with their own weight
  // decay against the CPU's per-tensor steps.
  std::vector<ptc::kernels::AdamWSegment> rows;
  int64_t n = 0;
  for (int i = 0; i < 70; ++i) {
    rows.push_back({int64_t(1 + (i * 37) % 211), (i % 3) * 0.05});
    n += rows.back().count;
  }
  std::vector<float> p = randomVector(n, rng),
                     m = randomVector(n, rng, -.1f, .1f),
                     v = randomVector(n, rng, 0, .01f);
  const std::vector<float> g = randomVector(n, rng);
  Dev<float> gp(p), gm(m), gv(v), gg(g), lr(std::vector<float>{3e-4f}),
      scale(std::vector<float>{0.5f});
  Raw<int64_t> step(std::vector<int64_t>{2});
  int64_t offset = 0;
  for (const auto &row : rows) {
    cpu::adamw_step(p.data() + offset, g.data() + offset, m.data() + offset,
                    v.data() + offset, row.count, double(3e-4f), 0.9, 0.95,
                    1e-8, row.weightDecay, 2, 0.5);
    offset += row.count;
  }
  k::adamw_update_segments(
      gp.ptr(), gm.ptr(), gv.ptr(), gg.ptr(), lr.ptr(), scale.ptr(),
      step.ptr(), n, 0.9, 0.95, 1e-8, rows.data(), int64_t(rows.size()));
  expectClose(gp.get(), p, 1e-6, "adamw_update_segments param");
  expectClose(gm.get(), m, 1e-6, "adamw_update_segments m");
  expectClose(gv.get(), v, 1e-6, "adamw_update_segments v");
}

template <typename T> void checkInitNormal(std::mt19937 &) {
  const int64_t n = 100003;
  std::vector<float> want(n);
  cpu::init_normal(want.data(), n, 42, 17, 0.02);
  Raw<int64_t> seed(std::vector<int64_t>{42});
  Dev<T> out(n);
  k::init_normal(out.ptr(), seed.ptr(), n, 17, 0.02);
  const std::vector<float> got = out.get(), ref = rounded<T>(want);
  int64_t same = 0;
  for (int64_t i = 0; i < n; ++i)
    same += got[i] == ref[i];
  // The device's double log/cos may differ from glibc's in the last bit,
  // which can flip a float rounding now and then.
  EXPECT_GE(same, n - n / 1000) << "init_normal equals the CPU almost always";
  expectClose(got, ref, std::is_same_v<T, float> ? 1e-6 : kTol<T>,
              "init_normal");
}
PTC_BOTH_TYPES(InitNormal)

//===--- Streams ---------------------------------------------------------===//

TEST_F(CudaKernels, RunsOnTheSetStream) {
  cudaStream_t s;
  PTC_CUDA_CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
  k::set_stream(s);
  EXPECT_EQ(k::stream(), s);
  Dev<float> x(1 << 20), y(1 << 20);
  k::fill(x.ptr(), 1 << 20, 2.0);
  k::scale_forward(y.ptr(), x.ptr(), 3.0, 1 << 20);
  PTC_CUDA_CHECK(cudaStreamSynchronize(s));
  EXPECT_EQ(y.get(), std::vector<float>(1 << 20, 6.f));
  k::set_stream(nullptr);
  PTC_CUDA_CHECK(cudaStreamDestroy(s));
}

} // namespace

//===- kernels.h - The kernel library as emitted programs call it -*- C++ -*-===//
//
// Every `exec.launch "name"` of the exec dialect is a call of
// `ptc::kernels::name(buffers..., static args...)`: buffers first, in the
// launch's operand order, then the launch's static arguments. Runtime values
// that the compiler cannot know (the learning rate, the step, the seed) are
// read through pointers to one element. This header is the CPU target's
// implementation; the CUDA target provides the same names.
//
// Kernels whose name ends in `_backward` accumulate (+=) into their outputs,
// like the reference kernels they forward to; the lowering zeroes first.
// attention_backward_strided says so in its `accumulate` argument (0 when
// exec-attention-layout replaced the zero fills by overwriting).
//
// Parallel plans: the collectives (all_reduce, all_gather, ..., over MPI)
// come from runtime/cpu/collectives.h; shard_slice / shard_unslice below
// move a rank's piece of a split tensor (runtime/dist/shard_index.h).
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CPU_KERNELS_H
#define PTC_RUNTIME_CPU_KERNELS_H

#include "runtime/cpu/adamw.h"
#include "runtime/cpu/adamw_segment.h"
#include "runtime/cpu/attention.h"
#include "runtime/cpu/check.h"
#include "runtime/cpu/collectives.h"
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
#include "runtime/cpu/shard.h"
#include "runtime/dist/mesh_coordinate.h"
#include "runtime/dist/shard_index.h"
#include "runtime/cpu/silu.h"
#include "runtime/cpu/tensor_ops.h"
#include "runtime/cpu/vocab_parallel_launch.h"
#include "runtime/cpu/zero_launch.h"

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <vector>
#include <type_traits>

namespace ptc::kernels {

namespace cpu = ptc::rt::cpu;

// Reference kernels whose signature is already the launch convention.
using cpu::add_forward;
using cpu::attention_backward;
using cpu::attention_backward_strided;
using cpu::attention_forward;
using cpu::attention_forward_strided;
using cpu::axpy;
using cpu::copy_rows;
using cpu::embedding_backward;
using cpu::embedding_forward;
using cpu::mul_forward;
using cpu::reduce_leading;
using cpu::rmsnorm_backward;
using cpu::rmsnorm_forward;
using cpu::rope_backward;
using cpu::rope_forward;
using cpu::scale_forward;
using cpu::silu_backward;
using cpu::silu_forward;
using cpu::swiglu_backward;
using cpu::swiglu_forward;

//===--- Data movement ---------------------------------------------------===//

template <typename T> void fill(T *buffer, int64_t n, double value) {
  for (int64_t i = 0; i < n; ++i)
    buffer[i] = T(value);
}

template <typename T> void copy(T *dst, const T *src, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    dst[i] = src[i];
}

template <typename To, typename From>
void convert(To *dst, const From *src, int64_t n) {
  cpu::convert(dst, src, n);
}

/// Up to rank 6: the shape and the permutation padded with unused entries.
template <typename T>
void permute(T *out, const T *in, int64_t rank, int64_t s0, int64_t s1,
             int64_t s2, int64_t s3, int64_t s4, int64_t s5, int64_t p0,
             int64_t p1, int64_t p2, int64_t p3, int64_t p4, int64_t p5) {
  const int64_t shape[] = {s0, s1, s2, s3, s4, s5};
  const int64_t perm[] = {p0, p1, p2, p3, p4, p5};
  cpu::permute(out, in, int(rank), shape, perm);
}

/// This rank's piece (its coordinate on mesh axis `meshAxis`) of in.
template <typename T>
void shard_slice(T *out, const T *in, int64_t outer, int64_t globalDim,
                 int64_t inner, int64_t meshAxis, int64_t parts,
                 int64_t numSegments, int64_t s0, int64_t s1, int64_t s2,
                 int64_t s3) {
  const ptc::rt::dist::SegmentSplit split =
      ptc::rt::dist::makeSplit(parts, numSegments, s0, s1, s2, s3);
  PTC_RT_CHECK(ptc::rt::dist::isValidSplit(split) &&
                   split.globalDim() == globalDim,
               "shard_slice: segments do not tile globalDim %lld in %lld parts",
               (long long)globalDim, (long long)parts);
  cpu::shard_slice_part(out, in, outer, inner, split,
                        mesh_coordinate(meshAxis));
}

/// The full tensor from an all_gather of the pieces (rank-major).
template <typename T>
void shard_unslice(T *out, const T *gathered, int64_t outer, int64_t globalDim,
                   int64_t inner, int64_t parts, int64_t numSegments,
                   int64_t s0, int64_t s1, int64_t s2, int64_t s3) {
  const ptc::rt::dist::SegmentSplit split =
      ptc::rt::dist::makeSplit(parts, numSegments, s0, s1, s2, s3);
  PTC_RT_CHECK(ptc::rt::dist::isValidSplit(split) &&
                   split.globalDim() == globalDim,
               "shard_unslice: segments do not tile globalDim %lld in %lld "
               "parts",
               (long long)globalDim, (long long)parts);
  cpu::shard_unslice(out, gathered, outer, inner, split);
}

/// permute between strided views (runtime/cuda/tensor_ops.cuh): gather the
/// logical input, permute it, scatter the logical output.
template <typename T>
void permute_view(T *out, const T *in, int64_t rank, int64_t s0, int64_t s1,
                  int64_t s2, int64_t s3, int64_t s4, int64_t s5, int64_t p0,
                  int64_t p1, int64_t p2, int64_t p3, int64_t p4, int64_t p5,
                  int64_t inRowLen, int64_t inRowStride, int64_t inOffset,
                  int64_t outRowLen, int64_t outRowStride, int64_t outOffset) {
  const int64_t shape[] = {s0, s1, s2, s3, s4, s5};
  const int64_t perm[] = {p0, p1, p2, p3, p4, p5};
  int64_t n = 1;
  for (int d = 0; d < rank; ++d)
    n *= shape[d];
  std::vector<T> x(static_cast<size_t>(n)), y(static_cast<size_t>(n));
  for (int64_t l = 0; l < n; ++l)
    x[size_t(l)] = in[l / inRowLen * inRowStride + inOffset + l % inRowLen];
  cpu::permute(y.data(), x.data(), int(rank), shape, perm);
  for (int64_t m = 0; m < n; ++m)
    out[m / outRowLen * outRowStride + outOffset + m % outRowLen] =
        y[size_t(m)];
}

//===--- Norms, GEMM, activations ----------------------------------------===//

template <typename T>
void layernorm_forward(T *out, T *mean, T *rstd, const T *x, const T *gamma,
                       const T *beta, int64_t N, int64_t C, double eps) {
  cpu::layernorm_forward(out, mean, rstd, x, gamma, beta, N, C, eps);
}
template <typename T>
void layernorm_forward_nobias(T *out, T *mean, T *rstd, const T *x,
                              const T *gamma, int64_t N, int64_t C,
                              double eps) {
  cpu::layernorm_forward(out, mean, rstd, x, gamma, (const T *)nullptr, N, C,
                         eps);
}
template <typename T>
void layernorm_backward(T *dx, T *dgamma, T *dbeta, const T *dout, const T *x,
                        const T *gamma, const T *mean, const T *rstd,
                        int64_t N, int64_t C) {
  cpu::layernorm_backward(dx, dgamma, dbeta, dout, x, gamma, mean, rstd, N, C);
}
template <typename T>
void layernorm_backward_nobias(T *dx, T *dgamma, const T *dout, const T *x,
                               const T *gamma, const T *mean, const T *rstd,
                               int64_t N, int64_t C) {
  cpu::layernorm_backward(dx, dgamma, (T *)nullptr, dout, x, gamma, mean, rstd,
                          N, C);
}

/// T from the other arguments only, so that a null bias can be passed.
template <typename T> struct NonDeduced {
  using type = T;
};

/// out[b] = op(a[b]) op(b[b]) (+ bias) (+ out[b] when accumulate), row-major,
/// batch strides in elements. `bias` may be null.
template <typename T>
void gemm(T *out, const T *a, const T *b,
          const typename NonDeduced<T>::type *bias, int64_t batch,
          int64_t M, int64_t N, int64_t K, bool transA, bool transB,
          bool accumulate, int64_t strideA, int64_t strideB,
          int64_t strideOut) {
  cpu::matmul_batched(out, a, b, batch, M, N, K, transA, transB, accumulate,
                      strideA, strideB, strideOut, bias);
}

template <typename T>
void gelu_forward(T *out, const T *x, int64_t n, int64_t tanhApprox) {
  cpu::gelu_forward(out, x, n,
                    tanhApprox ? cpu::GeluApprox::Tanh : cpu::GeluApprox::None);
}
template <typename T>
void gelu_backward(T *dx, const T *x, const T *dout, int64_t n,
                   int64_t tanhApprox) {
  cpu::gelu_backward(dx, x, dout, n,
                     tanhApprox ? cpu::GeluApprox::Tanh : cpu::GeluApprox::None);
}

/// GELU (tanh) in a GEMM's epilogue, as exec-gemm-gelu fuses it: the same
/// kernels in the same order as the unfused ops, so the results are the
/// same bit for bit. One batch, op(A) [M, K], op(B) [K, N], out and aux
/// [M, N], bias [N] (runtime/cuda/gemm.cuh has the cuBLASLt versions):
///   gemm_bias_gelu_aux: aux = op(a) op(b) + bias, out = gelu(aux);
///   gemm_bias_gelu:     out = gelu(op(a) op(b) + bias);
///   gemm_dgelu_bgrad:   out = op(a) op(b) * gelu'(aux), biasGrad = the
///                       column sums of out.
template <typename T>
void gemm_bias_gelu_aux(T *out, T *aux, const T *a, const T *b, const T *bias,
                        int64_t M, int64_t N, int64_t K, int64_t transA,
                        int64_t transB) {
  PTC_RT_CHECK(out != aux && bias, "gemm_bias_gelu_aux: out == aux or no bias");
  cpu::matmul_batched(aux, a, b, 1, M, N, K, transA != 0, transB != 0, false,
                      M * K, K * N, M * N, bias);
  cpu::gelu_forward(out, aux, M * N, cpu::GeluApprox::Tanh);
}
template <typename T>
void gemm_bias_gelu(T *out, const T *a, const T *b, const T *bias, int64_t M,
                    int64_t N, int64_t K, int64_t transA, int64_t transB) {
  PTC_RT_CHECK(bias, "gemm_bias_gelu: no bias");
  cpu::matmul_batched(out, a, b, 1, M, N, K, transA != 0, transB != 0, false,
                      M * K, K * N, M * N, bias);
  cpu::gelu_forward(out, out, M * N, cpu::GeluApprox::Tanh);
}
template <typename T>
void gemm_dgelu_bgrad(T *out, T *biasGrad, const T *a, const T *b, const T *aux,
                      int64_t M, int64_t N, int64_t K, int64_t transA,
                      int64_t transB) {
  PTC_RT_CHECK(out != aux && biasGrad,
               "gemm_dgelu_bgrad: out == aux or no bias gradient");
  cpu::matmul_batched(out, a, b, 1, M, N, K, transA != 0, transB != 0, false,
                      M * K, K * N, M * N);
  cpu::gelu_backward(out, aux, out, M * N, cpu::GeluApprox::Tanh);
  cpu::reduce_leading(biasGrad, out, M, N);
}

/// The mask of dropout site `site` depends on (seed, step, micro-batch).
inline uint64_t dropout_seed(const int64_t *seed, const int64_t *step,
                             const int64_t *micro) {
  return cpu::mix64(uint64_t(*seed) ^
                    cpu::mix64(uint64_t(*step) * 1000003ULL + uint64_t(*micro)));
}
template <typename T>
void dropout_forward(T *out, const T *x, const int64_t *seed,
                     const int64_t *step, const int64_t *micro, int64_t n,
                     double p, int64_t site) {
  cpu::dropout_forward(out, x, n, p, dropout_seed(seed, step, micro),
                       uint64_t(site) << 40);
}
template <typename T>
void dropout_backward(T *dx, const T *dout, const int64_t *seed,
                      const int64_t *step, const int64_t *micro, int64_t n,
                      double p, int64_t site) {
  cpu::dropout_backward(dx, dout, n, p, dropout_seed(seed, step, micro),
                        uint64_t(site) << 40);
}

//===--- Loss ------------------------------------------------------------===//

/// S, the type of the loss and its statistics, may differ from the logits'
/// T on the cuda target (bf16 logits, f32 loss); the cpu target computes
/// both in one type.
template <typename T, typename S>
void cross_entropy_forward(S *loss, S *lse, const T *logits,
                           const int32_t *targets, int64_t N, int64_t V,
                           int64_t Vp) {
  static_assert(std::is_same_v<T, S>, "the cpu target keeps the loss in the "
                                      "logits' type");
  cpu::cross_entropy_forward(loss, lse, logits, targets, N, V, Vp);
}
template <typename T, typename S>
void cross_entropy_backward(T *dlogits, const T *logits, const S *lse,
                            const int32_t *targets, const S *dloss, int64_t N,
                            int64_t V, int64_t Vp) {
  static_assert(std::is_same_v<T, S>, "the cpu target keeps the loss in the "
                                      "logits' type");
  cpu::cross_entropy_backward(dlogits, logits, lse, targets, double(*dloss), N,
                              V, Vp);
}

//===--- Optimizer step --------------------------------------------------===//

template <typename T>
void sum_squares_add(double *acc, const T *x, int64_t n) {
  *acc += cpu::sum_of_squares(x, n);
}
template <typename T> void sqrt_to(T *out, const double *sumSquares) {
  *out = T(std::sqrt(*sumSquares));
}
template <typename T>
void clip_factor(T *out, const T *norm, double maxNorm) {
  *out = maxNorm > 0 ? T(cpu::clip_factor(double(*norm), maxNorm)) : T(1);
}
template <typename T>
void lr_schedule(T *out, const int64_t *step, int64_t schedule, double lr,
                 double minLr, int64_t warmupSteps, int64_t decaySteps) {
  *out = T(cpu::learning_rate(*step, cpu::LRSchedule(schedule), lr, minLr,
                              warmupSteps, decaySteps));
}
template <typename T, typename S>
void adamw_update(T *param, T *m, T *v, const T *grad, const S *lr,
                  const S *gradScale, const int64_t *step, int64_t n,
                  double beta1, double beta2, double eps, double weightDecay) {
  cpu::adamw_step(param, grad, m, v, n, double(*lr), beta1, beta2, eps,
                  weightDecay, *step, double(*gradScale));
}
/// adamw_update over consecutive tensors with their own weight decay: the
/// rows' counts add up to n (exec-coalesce).
template <typename T, typename S>
void adamw_update_segments(T *param, T *m, T *v, const T *grad, const S *lr,
                           const S *gradScale, const int64_t *step, int64_t n,
                           double beta1, double beta2, double eps,
                           std::initializer_list<AdamWSegment> segments) {
  int64_t offset = 0;
  for (const AdamWSegment &s : segments) {
    PTC_RT_CHECK(s.count >= 0 && offset + s.count <= n,
                 "adamw_update_segments: the rows overrun %lld elements",
                 (long long)n);
    adamw_update(param + offset, m + offset, v + offset, grad + offset, lr,
                 gradScale, step, s.count, beta1, beta2, eps, s.weightDecay);
    offset += s.count;
  }
  PTC_RT_CHECK(offset == n,
               "adamw_update_segments: the rows cover %lld of %lld elements",
               (long long)offset, (long long)n);
}
template <typename T>
void init_normal(T *out, const int64_t *seed, int64_t n, int64_t stream,
                 double std) {
  cpu::init_normal(out, n, uint64_t(*seed), uint64_t(stream), std);
}

} // namespace ptc::kernels

#endif // PTC_RUNTIME_CPU_KERNELS_H

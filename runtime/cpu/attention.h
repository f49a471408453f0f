//===- attention.h - Causal multi-head attention (CPU reference) -*- C++ -*-=//
//
// Layouts (row-major): q, out, dq, dout [B, Hq, T, Dh]; k, v, dk, dv
// [B, Hkv, T, Dh]; lse [B, Hq, T]. Grouped-query attention: Hkv divides Hq
// and query head h reads key/value head h / (Hq / Hkv) (Hkv = Hq is plain
// multi-head attention, Hkv = 1 multi-query).
//
// For query position t (causal: keys j <= t only):
//   s_j   = scale * q_t · k_j
//   lse_t = log sum_{j<=t} exp(s_j)
//   out_t = sum_{j<=t} exp(s_j - lse_t) v_j
// scale is the caller's (usually 1/sqrt(Dh)). The forward saves only lse
// (flash-attention style); the backward recomputes the scores, so no T×T
// matrix is stored. All dot products and sums accumulate in double.
// No attention-probability dropout.
// lse is kept in at least fp32 (AttentionLse): the backward's exp(s - lse)
// is only as good as lse, and bf16 would round an lse near 7 by up to 0.02
// (FlashAttention keeps it in fp32 too).
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CPU_ATTENTION_H
#define PTC_RUNTIME_CPU_ATTENTION_H

#include <cstdint>
#include <type_traits>

namespace ptc::rt::cpu {

/// The element type of the saved log-sum-exp for inputs of type T: float for
/// types narrower than float, else T. A non-deduced parameter type: calls
/// deduce T from the other pointers.
template <typename T>
using AttentionLse = std::conditional_t<(sizeof(T) < sizeof(float)), float, T>;

/// Writes out [B, Hq, T, Dh] and lse [B, Hq, T] (lse may be null when no
/// backward follows). out must not alias q, k or v.
template <typename T>
void attention_forward(T *out, AttentionLse<T> *lse, const T *q, const T *k,
                       const T *v, int64_t B, int64_t Hq, int64_t Hkv,
                       int64_t T_, int64_t Dh, double scale);

/// ACCUMULATES (+=) into dq [B, Hq, T, Dh], dk and dv [B, Hkv, T, Dh], given
/// the forward's q, k, v, out and lse. With p_j = exp(s_j - lse_t) and
/// D_t = dout_t · out_t:
///   ds_j = p_j (dout_t · v_j - D_t)
///   dq_t += scale sum_j ds_j k_j,  dk_j += scale ds_j q_t,  dv_j += p_j dout_t
/// (dk, dv summed over the query heads of a group).
template <typename T>
void attention_backward(T *dq, T *dk, T *dv, const T *dout, const T *q,
                        const T *k, const T *v, const T *out,
                        const AttentionLse<T> *lse, int64_t B, int64_t Hq,
                        int64_t Hkv, int64_t T_, int64_t Dh, double scale);

/// The strided forms; the two above are these with contiguous strides. Each
/// [B, H, T, Dh] operand X is given by four element counts: X's element
/// (b, h, t, d) is X[xOffset + b*xBatch + h*xHead + t*xRow + d] (Dh is
/// contiguous), so attention can read q, k and v straight out of a fused
/// [B, T, 3*H*Dh] projection and write its output as [B, T, H*Dh]
/// (passes/Exec/AttentionLayout.cpp). lse stays contiguous [B, Hq, T].
/// The output must not overlap q, k or v.
template <typename T>
void attention_forward_strided(
    T *out, AttentionLse<T> *lse, const T *q, const T *k, const T *v, int64_t B,
    int64_t Hq, int64_t Hkv, int64_t T_, int64_t Dh, double scale, //
    int64_t qOffset, int64_t qBatch, int64_t qHead, int64_t qRow,
    int64_t kOffset, int64_t kBatch, int64_t kHead, int64_t kRow,
    int64_t vOffset, int64_t vBatch, int64_t vHead, int64_t vRow,
    int64_t outOffset, int64_t outBatch, int64_t outHead, int64_t outRow);

/// accumulate = 1 adds into dq, dk, dv (as attention_backward does);
/// accumulate = 0 overwrites every element of them (what a zero fill and
/// the adding form compute). dq, dk and dv may be disjoint views of one
/// buffer; none may overlap an input.
template <typename T>
void attention_backward_strided(
    T *dq, T *dk, T *dv, const T *dout, const T *q, const T *k, const T *v,
    const T *out, const AttentionLse<T> *lse, int64_t B, int64_t Hq,
    int64_t Hkv, int64_t T_, int64_t Dh, double scale, int64_t accumulate, //
    int64_t dqOffset, int64_t dqBatch, int64_t dqHead, int64_t dqRow,
    int64_t dkOffset, int64_t dkBatch, int64_t dkHead, int64_t dkRow,
    int64_t dvOffset, int64_t dvBatch, int64_t dvHead, int64_t dvRow,
    int64_t doutOffset, int64_t doutBatch, int64_t doutHead, int64_t doutRow,
    int64_t qOffset, int64_t qBatch, int64_t qHead, int64_t qRow,
    int64_t kOffset, int64_t kBatch, int64_t kHead, int64_t kRow,
    int64_t vOffset, int64_t vBatch, int64_t vHead, int64_t vRow,
    int64_t outOffset, int64_t outBatch, int64_t outHead, int64_t outRow);

} // namespace ptc::rt::cpu

#endif // PTC_RUNTIME_CPU_ATTENTION_H

//===- attention.cuh - Causal flash attention (CUDA) -----------*- C++ -*-===//
//
// The CUDA twins of runtime/cpu/attention.h: q, out, dq, dout [B, Hq, T, Dh];
// k, v, dk, dv [B, Hkv, T, Dh] (grouped-query: query head h reads key/value
// head h / (Hq / Hkv)); lse [B, Hq, T], fp32 for float and bf16 alike (as in
// FlashAttention: the backward's P = exp(s - lse) inherits lse's rounding,
// and a bf16 lse near 7 is off by up to 0.02, P by up to 2%); causal;
// Dh <= 128.
//
// No T×T matrix ever reaches global memory (flash-attention style):
//   forward: one CTA (128 threads) per (query tile of 64 rows, head, batch);
//     Q, K, V tiles in shared memory (fp32), S = QKᵀ tile by tile with an
//     online softmax (running max and sum per row), O accumulated in
//     registers, lse = max + log(sum) saved. Causal tiles past the diagonal
//     are skipped; the longest query tiles are scheduled first.
//   backward (deterministic, no atomics), three launches:
//     1. D = rowsum(dout ∘ out) per query row (scratch, fp32);
//     2. one CTA per (key tile, key/value head, batch) recomputes P and dS
//        tile by tile over the query heads of its group and the query tiles
//        at or after the diagonal, accumulating dK and dV in registers;
//     3. one CTA per (query tile, head, batch) recomputes P and dS over the
//        key tiles up to the diagonal, accumulating dQ in registers.
//   Each dq, dk, dv element is owned by one thread: read, += once, written.
// That path does all arithmetic in fp32 on the CUDA cores (bf16 inputs are
// widened when a tile is loaded); it serves fp32 and any Dh.
// bf16 with Dh 64 or 128 and 16-byte aligned rows (aligned bases; offsets
// and strides multiples of 8 elements) takes the tensor-core path instead
// (attention_tc.cu): mma.sync m16n8k16 (bf16 operands, fp32 accumulation and
// softmax), P and dS kept in registers, any T (tails zero-filled and
// masked), still deterministic; its Dh 64 backward is one launch after the
// prep (dQ parts of the key tiles summed in fp32 scratch in a fixed order).
// PTC_ATTENTION_NO_TC=1 in the environment forces the CUDA-core path,
// PTC_ATTENTION_BWD=fused / =3pass the tensor cores' fused or two-pass
// backward (for A/B timing).
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CUDA_ATTENTION_CUH
#define PTC_RUNTIME_CUDA_ATTENTION_CUH

#include <cuda_bf16.h>

#include <cstdint>

namespace ptc::kernels {

template <typename T>
void attention_forward(T *out, float *lse, const T *q, const T *k, const T *v,
                       int64_t B, int64_t Hq, int64_t Hkv, int64_t T_,
                       int64_t Dh, double scale);
template <typename T>
void attention_backward(T *dq, T *dk, T *dv, const T *dout, const T *q,
                        const T *k, const T *v, const T *out, const float *lse,
                        int64_t B, int64_t Hq, int64_t Hkv, int64_t T_,
                        int64_t Dh, double scale);

/// The strided forms (the contiguous ones above are these with contiguous
/// strides). Each [B, H, T, Dh] operand X is given by four element counts:
/// X's element (b, h, t, d) is at X[xOffset + b*xBatch + h*xHead + t*xRow + d]
/// (Dh is contiguous), so attention can read q, k and v straight out of the
/// fused [B, T, 3*H*Dh] projection and write [B, T, H*Dh] without permutes.
/// lse stays contiguous [B, Hq, T]. The backward's accumulate: 1 adds into
/// dq, dk, dv (as attention_backward does), 0 overwrites them.
template <typename T>
void attention_forward_strided(T *out, float *lse, const T *q, const T *k,
                               const T *v, int64_t B, int64_t Hq, int64_t Hkv,
                               int64_t T_, int64_t Dh, double scale, //
                               int64_t qOffset, int64_t qBatch, int64_t qHead,
                               int64_t qRow, int64_t kOffset, int64_t kBatch,
                               int64_t kHead, int64_t kRow, int64_t vOffset,
                               int64_t vBatch, int64_t vHead, int64_t vRow,
                               int64_t outOffset, int64_t outBatch,
                               int64_t outHead, int64_t outRow);
template <typename T>
void attention_backward_strided(
    T *dq, T *dk, T *dv, const T *dout, const T *q, const T *k, const T *v,
    const T *out, const float *lse, int64_t B, int64_t Hq, int64_t Hkv,
    int64_t T_, int64_t Dh, double scale, int64_t accumulate, //
    int64_t dqOffset, int64_t dqBatch, int64_t dqHead, int64_t dqRow,
    int64_t dkOffset, int64_t dkBatch, int64_t dkHead, int64_t dkRow,
    int64_t dvOffset, int64_t dvBatch, int64_t dvHead, int64_t dvRow,
    int64_t doutOffset, int64_t doutBatch, int64_t doutHead, int64_t doutRow,
    int64_t qOffset, int64_t qBatch, int64_t qHead, int64_t qRow,
    int64_t kOffset, int64_t kBatch, int64_t kHead, int64_t kRow,
    int64_t vOffset, int64_t vBatch, int64_t vHead, int64_t vRow,
    int64_t outOffset, int64_t outBatch, int64_t outHead, int64_t outRow);

} // namespace ptc::kernels

#endif // PTC_RUNTIME_CUDA_ATTENTION_CUH

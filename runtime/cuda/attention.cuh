//===- attention.cuh - Causal flash attention (CUDA) -----------*- C++ -*-===//
//
// The CUDA twins of runtime/cpu/attention.h: q, out, dq, dout [B, Hq, T, Dh];
// k, v, dk, dv [B, Hkv, T, Dh] (grouped-query: query head h reads key/value
// head h / (Hq / Hkv)); lse [B, Hq, T]; causal; Dh <= 128.
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
// bf16 with Dh 64 or 128 (16-byte aligned tensors) takes the tensor-core path
// instead (attention.cu, namespace tc): the same three-launch scheme on
// mma.sync m16n8k16 (bf16 operands, fp32 accumulation and softmax), P and dS
// kept in registers, any T (tails zero-filled and masked), still
// deterministic. PTC_ATTENTION_NO_TC=1 in the environment forces the
// CUDA-core path (for A/B timing).
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CUDA_ATTENTION_CUH
#define PTC_RUNTIME_CUDA_ATTENTION_CUH

#include <cuda_bf16.h>

#include <cstdint>

namespace ptc::kernels {

template <typename T>
void attention_forward(T *out, T *lse, const T *q, const T *k, const T *v,
                       int64_t B, int64_t Hq, int64_t Hkv, int64_t T_,
                       int64_t Dh, double scale);
template <typename T>
void attention_backward(T *dq, T *dk, T *dv, const T *dout, const T *q,
                        const T *k, const T *v, const T *out, const T *lse,
                        int64_t B, int64_t Hq, int64_t Hkv, int64_t T_,
                        int64_t Dh, double scale);

} // namespace ptc::kernels

#endif // PTC_RUNTIME_CUDA_ATTENTION_CUH

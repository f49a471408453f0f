//===- embedding.cuh - Embedding lookup (CUDA) -----------------*- C++ -*-===//
//
// The CUDA twins of runtime/cpu/embedding.h: ids [N] int32, table and dtable
// [V, C], out and dout [N, C].
//
// The backward is deterministic and rounds once per row: a stable radix
// sort (cub) of the (id, n) pairs by id, then one block per run of equal ids
// sums the run's dout rows in fp32, in increasing n, and adds the sum into
// dtable[id] (thread c % 256 handling column c). No float atomics: the same
// bits on every run. Work is O(N);
// a run of one id (all positions one token) is summed by one block. An id
// outside [0, V) traps (the next CUDA call fails), as the CPU aborts. The
// backward ACCUMULATES.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CUDA_EMBEDDING_CUH
#define PTC_RUNTIME_CUDA_EMBEDDING_CUH

#include <cuda_bf16.h>

#include <cstdint>

namespace ptc::kernels {

template <typename T>
void embedding_forward(T *out, const int32_t *ids, const T *table, int64_t N,
                       int64_t V, int64_t C);
template <typename T>
void embedding_backward(T *dtable, const int32_t *ids, const T *dout, int64_t N,
                        int64_t V, int64_t C);

/// A vocabulary shard: the table holds rows [first, first + V); the forward
/// gives zeros for other ids, the backward skips them (runtime/cpu/
/// vocab_parallel.h's embedding_shard_* with first = coordinate * V).
template <typename T>
void embedding_rows_forward(T *out, const int32_t *ids, const T *table,
                            int64_t N, int64_t V, int64_t C, int64_t first);
template <typename T>
void embedding_rows_backward(T *dtable, const int32_t *ids, const T *dout,
                             int64_t N, int64_t V, int64_t C, int64_t first);

} // namespace ptc::kernels

#endif // PTC_RUNTIME_CUDA_EMBEDDING_CUH

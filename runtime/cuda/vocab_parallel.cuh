//===- vocab_parallel.cuh - Vocabulary-parallel kernels (CUDA) -*- C++ -*-===//
//
// The CUDA twins of runtime/cpu/vocab_parallel.h (same launch conventions,
// same semantics, the ignore index -1 included). The row kernels run one
// block per row and reduce in a fixed order: deterministic. The rank's
// coordinate is read on the host (mesh_coordinate) and passed by value, so
// a CUDA graph replay sees the same constant.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CUDA_VOCAB_PARALLEL_CUH
#define PTC_RUNTIME_CUDA_VOCAB_PARALLEL_CUH

#include <cuda_bf16.h>

#include <cstdint>

namespace ptc::kernels {

template <typename T>
void embedding_shard_forward(T *out, const int32_t *ids, const T *table,
                             int64_t N, int64_t V, int64_t C, int64_t meshAxis);
/// Accumulates, deterministically (the sorted-runs scheme of
/// embedding_backward).
template <typename T>
void embedding_shard_backward(T *dtable, const int32_t *ids, const T *dout,
                              int64_t N, int64_t V, int64_t C,
                              int64_t meshAxis);

template <typename S, typename T>
void vocab_max(S *out, const T *logits, int64_t N, int64_t V,
               int64_t numClasses, int64_t meshAxis);
template <typename S, typename T>
void vocab_partials(S *out, const T *logits, const int32_t *targets,
                    const S *max, int64_t N, int64_t V, int64_t numClasses,
                    int64_t meshAxis);
template <typename T, typename S>
void vocab_partials_grad(T *dlogits, const T *logits, const int32_t *targets,
                         const S *max, const S *dpartials, int64_t N, int64_t V,
                         int64_t numClasses, int64_t meshAxis);
template <typename S>
void ce_from_partials(S *loss, const S *partials, int64_t N);
template <typename S>
void ce_from_partials_grad(S *dpartials, const S *partials, const S *dloss,
                           int64_t N);
void add_f64(double *acc, const double *x);

} // namespace ptc::kernels

#endif // PTC_RUNTIME_CUDA_VOCAB_PARALLEL_CUH

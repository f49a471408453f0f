//===- vocab_parallel_launch.h - Launch wrappers of vocab_parallel.h -*- C++
//-*-===//
//
// `exec.launch "vocab_*"` and `"embedding_shard_*"` as emitted programs call
// them (kernels.h conventions): the last argument is the mesh axis that
// splits the vocabulary, and the rank's first row/column is its coordinate
// on that axis times the local vocabulary size.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CPU_VOCAB_PARALLEL_LAUNCH_H
#define PTC_RUNTIME_CPU_VOCAB_PARALLEL_LAUNCH_H

#include "runtime/cpu/vocab_parallel.h"
#include "runtime/dist/mesh_coordinate.h"

namespace ptc::kernels {

// Launch wrappers: the rank's first row/column from its mesh coordinate.

template <typename T>
void embedding_shard_forward(T *out, const int32_t *ids, const T *table,
                             int64_t N, int64_t V, int64_t C,
                             int64_t meshAxis) {
  rt::cpu::embedding_shard_forward(out, ids, table, N, V, C,
                                   mesh_coordinate(meshAxis) * V);
}
template <typename T>
void embedding_shard_backward(T *dtable, const int32_t *ids, const T *dout,
                              int64_t N, int64_t V, int64_t C,
                              int64_t meshAxis) {
  rt::cpu::embedding_shard_backward(dtable, ids, dout, N, V, C,
                                    mesh_coordinate(meshAxis) * V);
}
template <typename S, typename T>
void vocab_max(S *out, const T *logits, int64_t N, int64_t V,
               int64_t numClasses, int64_t meshAxis) {
  rt::cpu::vocab_max(out, logits, N, V, numClasses,
                     mesh_coordinate(meshAxis) * V);
}
template <typename S, typename T>
void vocab_partials(S *out, const T *logits, const int32_t *targets,
                    const S *max, int64_t N, int64_t V, int64_t numClasses,
                    int64_t meshAxis) {
  rt::cpu::vocab_partials(out, logits, targets, max, N, V, numClasses,
                          mesh_coordinate(meshAxis) * V);
}
template <typename T, typename S>
void vocab_partials_grad(T *dlogits, const T *logits, const int32_t *targets,
                         const S *max, const S *dpartials, int64_t N, int64_t V,
                         int64_t numClasses, int64_t meshAxis) {
  rt::cpu::vocab_partials_grad(dlogits, logits, targets, max, dpartials, N, V,
                               numClasses, mesh_coordinate(meshAxis) * V);
}
using rt::cpu::ce_from_partials;
using rt::cpu::ce_from_partials_grad;

/// *acc += *x: partial sums of squares from other ranks into a global norm.
inline void add_f64(double *acc, const double *x) { *acc += *x; }

} // namespace ptc::kernels

#endif // PTC_RUNTIME_CPU_VOCAB_PARALLEL_LAUNCH_H

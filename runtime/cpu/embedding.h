//===- embedding.h - Embedding lookup (CPU reference) ----------*- C++ -*-===//
//
// Layouts: ids [N] int32, table [V, C], out [N, C], all row-major.
// Used for token embeddings (ids = token ids) and for learned position
// embeddings (ids = positions), or any other row gather.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CPU_EMBEDDING_H
#define PTC_RUNTIME_CPU_EMBEDDING_H

#include <cstdint>

namespace ptc::rt::cpu {

/// out[n, c] = table[ids[n], c]. Aborts with a message when an id is outside
/// [0, V). out must not alias table.
template <typename T>
void embedding_forward(T *out, const int32_t *ids, const T *table, int64_t N,
                       int64_t V, int64_t C);

/// dtable[ids[n], c] += dout[n, c] for every n (scatter-add; repeated ids add
/// up). ACCUMULATES into dtable [V, C]. Aborts on an id outside [0, V).
template <typename T>
void embedding_backward(T *dtable, const int32_t *ids, const T *dout,
                        int64_t N, int64_t V, int64_t C);

} // namespace ptc::rt::cpu

#endif // PTC_RUNTIME_CPU_EMBEDDING_H

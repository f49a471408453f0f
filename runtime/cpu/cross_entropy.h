//===- cross_entropy.h - Fused softmax + cross-entropy (CPU ref) -*- C++ -*-=//
//
// Layouts: logits, dlogits [N, Vp] row-major; targets [N] int32; lse [N].
// Only the first V columns of a row are classes; columns V..Vp-1 are
// vocabulary padding (Vp >= V, e.g. V rounded up to a multiple of 128): they
// are excluded from the softmax and get zero gradient, whatever they hold.
//
// A row whose target equals ignore_index (default -1, the llm.c convention
// for masked positions) is not counted. For the other rows the target must
// lie in [0, V) — anything else aborts with a message.
//   lse_n  = log sum_{c<V} exp(logits[n, c])
//   loss   = (1 / count) sum_{counted n} (lse_n - logits[n, target_n])
// with count the number of counted rows; loss = 0 when count = 0 (PyTorch
// returns NaN there; a fully masked micro-batch contributes nothing here).
// Sums accumulate in double.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CPU_CROSS_ENTROPY_H
#define PTC_RUNTIME_CPU_CROSS_ENTROPY_H

#include <cstdint>

namespace ptc::rt::cpu {

constexpr int32_t kIgnoreIndex = -1;

/// Writes the mean loss to *loss and lse [N] (for the backward; may be null;
/// written for ignored rows too). Returns count, the number of counted rows.
template <typename T>
int64_t cross_entropy_forward(T *loss, T *lse, const T *logits,
                              const int32_t *targets, int64_t N, int64_t V,
                              int64_t Vp, int32_t ignore_index = kIgnoreIndex);

/// ACCUMULATES the gradient of dloss * loss into dlogits [N, Vp]:
///   dlogits[n, c] += dloss / count * (softmax_n[c] - [c == target_n])
/// for counted rows and c < V; padding columns and ignored rows are left
/// unchanged (zero gradient). lse is the forward's, or null to recompute it.
template <typename T>
void cross_entropy_backward(T *dlogits, const T *logits, const T *lse,
                            const int32_t *targets, double dloss, int64_t N,
                            int64_t V, int64_t Vp,
                            int32_t ignore_index = kIgnoreIndex);

} // namespace ptc::rt::cpu

#endif // PTC_RUNTIME_CPU_CROSS_ENTROPY_H

//===- vocab_parallel.h - Vocabulary-parallel kernels (cpu) -----*- C++ -*-===//
//
// The local halves of Megatron-LM's vocabulary-parallel embedding and
// cross-entropy (the collectives between them are separate launches). A
// rank with coordinate c on the vocabulary's mesh axis holds rows/columns
// [first, first + V) = [c*V, (c+1)*V) of the full table or logits. The
// launch wrappers (vocab_parallel_launch.h) compute `first` from the rank's
// coordinate. The statistics
// (max, partials, loss) have the loss's type S (f32, f64 in the fp64 mode).
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CPU_VOCAB_PARALLEL_H
#define PTC_RUNTIME_CPU_VOCAB_PARALLEL_H

#include "runtime/cpu/check.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace ptc::rt::cpu {

// The reference kernels take `first`, the full-vocabulary index of this
// rank's first row or column (coordinate * V); the launch wrappers below
// compute it from the rank's mesh coordinate.

/// out[n, :] = table[ids[n] - first, :] for the ids this rank owns, else 0.
template <typename T>
void embedding_shard_forward(T *out, const int32_t *ids, const T *table,
                             int64_t N, int64_t V, int64_t C, int64_t first) {
  for (int64_t n = 0; n < N; ++n) {
    int64_t row = int64_t(ids[n]) - first;
    if (row >= 0 && row < V)
      std::copy(table + row * C, table + (row + 1) * C, out + n * C);
    else
      std::fill(out + n * C, out + (n + 1) * C, T(0));
  }
}

/// dtable[ids[n] - first, :] += dout[n, :] for the ids this rank owns.
template <typename T>
void embedding_shard_backward(T *dtable, const int32_t *ids, const T *dout,
                              int64_t N, int64_t V, int64_t C, int64_t first) {
  for (int64_t n = 0; n < N; ++n) {
    int64_t row = int64_t(ids[n]) - first;
    if (row < 0 || row >= V)
      continue;
    for (int64_t c = 0; c < C; ++c)
      dtable[row * C + c] += dout[n * C + c];
  }
}

/// The number of this rank's columns that are classes (global index below
/// numClasses): the rest is vocabulary padding.
inline int64_t vocab_valid_columns(int64_t V, int64_t numClasses,
                                   int64_t first) {
  return std::clamp<int64_t>(numClasses - first, 0, V);
}

/// out[n] = max over this rank's class columns of logits[n, :].
template <typename S, typename T>
void vocab_max(S *out, const T *logits, int64_t N, int64_t V,
               int64_t numClasses, int64_t first) {
  const int64_t valid = vocab_valid_columns(V, numClasses, first);
  for (int64_t n = 0; n < N; ++n) {
    S m = std::numeric_limits<S>::lowest();
    for (int64_t j = 0; j < valid; ++j)
      m = std::max(m, S(logits[n * V + j]));
    out[n] = m;
  }
}

/// out[0][n] = sum_j exp(logits[n, j] - max[n]) over class columns;
/// out[1][n] = logits[n, t] - max[n] if this rank holds t = targets[n].
/// A row with the ignore index (target -1) gets 0 and 0: after the sum over
/// the ranks its out[0] is 0, which no counted row has (the row maximum
/// contributes exp(0) = 1 on the rank that holds it).
template <typename S, typename T>
void vocab_partials(S *out, const T *logits, const int32_t *targets,
                    const S *max, int64_t N, int64_t V, int64_t numClasses,
                    int64_t first) {
  const int64_t valid = vocab_valid_columns(V, numClasses, first);
  for (int64_t n = 0; n < N; ++n) {
    if (targets[n] < 0) {
      out[n] = out[N + n] = S(0);
      continue;
    }
    PTC_RT_CHECK(targets[n] < numClasses,
                 "vocab_partials: targets[%lld] = %d is outside [0, %lld)",
                 (long long)n, targets[n], (long long)numClasses);
    double sum = 0;
    for (int64_t j = 0; j < valid; ++j)
      sum += std::exp(double(logits[n * V + j]) - double(max[n]));
    out[n] = S(sum);
    int64_t t = int64_t(targets[n]) - first;
    out[N + n] = t >= 0 && t < valid
                     ? S(double(logits[n * V + t]) - double(max[n]))
                     : S(0);
  }
}

/// dlogits[n, j] = dp[0][n] * exp(logits[n, j] - max[n]) + dp[1][n] * [j is
/// the target]; 0 on padding columns. Writes (does not accumulate).
template <typename T, typename S>
void vocab_partials_grad(T *dlogits, const T *logits, const int32_t *targets,
                         const S *max, const S *dpartials, int64_t N, int64_t V,
                         int64_t numClasses, int64_t first) {
  const int64_t valid = vocab_valid_columns(V, numClasses, first);
  for (int64_t n = 0; n < N; ++n) {
    const double dsum = double(dpartials[n]),
                 dtarget = double(dpartials[N + n]);
    for (int64_t j = 0; j < V; ++j)
      dlogits[n * V + j] =
          j < valid
              ? T(dsum * std::exp(double(logits[n * V + j]) - double(max[n])))
              : T(0);
    int64_t t = int64_t(targets[n]) - first;
    if (t >= 0 && t < valid)
      dlogits[n * V + t] = T(double(dlogits[n * V + t]) + dtarget);
  }
}

/// Whether row n of the summed partials counts in the loss: every row but
/// those with the ignore index, whose sum is exactly 0. A row whose logits
/// diverged (NaN or inf sum) counts, so that the loss says so: testing
/// `> 0` instead would drop NaN rows and make a diverged run look healthy.
template <typename S> bool ce_row_counts(S partialSum) {
  return !(partialSum == S(0));
}

/// *loss = mean over the counted rows (ce_row_counts; the others have the
/// ignore index) of log(partials[0][n]) - partials[1][n]; 0 when no row
/// counts, like cross_entropy_forward.
template <typename S>
void ce_from_partials(S *loss, const S *partials, int64_t N) {
  double total = 0;
  int64_t counted = 0;
  for (int64_t n = 0; n < N; ++n)
    if (ce_row_counts(partials[n])) {
      total += std::log(double(partials[n])) - double(partials[N + n]);
      ++counted;
    }
  *loss = S(counted ? total / double(counted) : 0.0);
}

/// For the counted rows: dpartials[0][n] = dloss / (count * partials[0][n]),
/// dpartials[1][n] = -dloss / count; 0 for ignored rows.
template <typename S>
void ce_from_partials_grad(S *dpartials, const S *partials, const S *dloss,
                           int64_t N) {
  int64_t counted = 0;
  for (int64_t n = 0; n < N; ++n)
    counted += ce_row_counts(partials[n]);
  const double g = counted ? double(*dloss) / double(counted) : 0.0;
  for (int64_t n = 0; n < N; ++n) {
    const bool counts = ce_row_counts(partials[n]);
    dpartials[n] = counts ? S(g / double(partials[n])) : S(0);
    dpartials[N + n] = counts ? S(-g) : S(0);
  }
}

} // namespace ptc::rt::cpu

#endif // PTC_RUNTIME_CPU_VOCAB_PARALLEL_H

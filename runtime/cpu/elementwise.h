//===- elementwise.h - Add, mul, scale (CPU reference) ---------*- C++ -*-===//
//
// a, out, dout, da have n elements; b, db have nb elements where nb divides n
// and b is broadcast over the leading dimensions: b is shaped like a trailing
// suffix of a's shape (e.g. b [T, C] against a [B, T, C], nb = T*C), so
//   b_i = b[i % nb].
// nb = n is the plain elementwise case. Backward reductions over the broadcast
// dimensions accumulate in double.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CPU_ELEMENTWISE_H
#define PTC_RUNTIME_CPU_ELEMENTWISE_H

#include <cstdint>

namespace ptc::rt::cpu {

/// out[i] = a[i] + b[i % nb]. out may alias a (and b when nb = n).
template <typename T>
void add_forward(T *out, const T *a, const T *b, int64_t n, int64_t nb);

/// da[i] += dout[i];  db[j] += sum_{i % nb = j} dout[i]. ACCUMULATES; da or
/// db may be null.
template <typename T>
void add_backward(T *da, T *db, const T *dout, int64_t n, int64_t nb);

/// out[i] = a[i] * b[i % nb]. out may alias a (and b when nb = n).
template <typename T>
void mul_forward(T *out, const T *a, const T *b, int64_t n, int64_t nb);

/// da[i] += dout[i] * b[i % nb];  db[j] += sum_{i % nb = j} dout[i] * a[i].
/// ACCUMULATES; da or db may be null.
template <typename T>
void mul_backward(T *da, T *db, const T *dout, const T *a, const T *b,
                  int64_t n, int64_t nb);

/// out[i] = alpha * x[i]. out may alias x.
template <typename T>
void scale_forward(T *out, const T *x, double alpha, int64_t n);

/// dx[i] += alpha * dout[i]. ACCUMULATES.
template <typename T>
void scale_backward(T *dx, const T *dout, double alpha, int64_t n);

} // namespace ptc::rt::cpu

#endif // PTC_RUNTIME_CPU_ELEMENTWISE_H

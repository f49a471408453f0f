//===- elementwise.cuh - Add, mul, scale (CUDA) ----------------*- C++ -*-===//
//
// The CUDA twins of runtime/cpu/elementwise.h: a, out, dout, da [n]; b, db
// [nb] with nb dividing n, broadcast as a trailing suffix (b_i = b[i % nb]).
// The backward's db is a deterministic column sum (reduce.cuh) over the
// n / nb leading rows; backward kernels ACCUMULATE.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CUDA_ELEMENTWISE_CUH
#define PTC_RUNTIME_CUDA_ELEMENTWISE_CUH

#include <cuda_bf16.h>

#include <cstdint>

namespace ptc::kernels {

template <typename T>
void add_forward(T *out, const T *a, const T *b, int64_t n, int64_t nb);
template <typename T>
void add_backward(T *da, T *db, const T *dout, int64_t n, int64_t nb);
template <typename T>
void mul_forward(T *out, const T *a, const T *b, int64_t n, int64_t nb);
template <typename T>
void mul_backward(T *da, T *db, const T *dout, const T *a, const T *b,
                  int64_t n, int64_t nb);
template <typename T>
void scale_forward(T *out, const T *x, double alpha, int64_t n);
template <typename T>
void scale_backward(T *dx, const T *dout, double alpha, int64_t n);

} // namespace ptc::kernels

#endif // PTC_RUNTIME_CUDA_ELEMENTWISE_CUH

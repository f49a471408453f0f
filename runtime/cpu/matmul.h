//===- matmul.h - General matrix multiply (CPU reference) ------*- C++ -*-===//
//
// C = op(A) · op(B) (+ bias), row-major, with op(X) = X or Xᵀ:
//   op(A) is [M, K]: A is stored [M, K], or [K, M] when transA;
//   op(B) is [K, N]: B is stored [K, N], or [N, K] when transB;
//   out is [M, N]; bias (optional) is [N], added to every row.
// Dot products accumulate in double; the result is rounded to T once.
//
// A linear layer y = x Wᵀ + b with x [R, in], W [out, in] (torch.nn.Linear
// layout), b [out], y [R, out] is, forward and backward:
//   y   = x Wᵀ + b : matmul(y,  x,  W, R,   out, in,  false, true,  false, b)
//   dx += dy W     : matmul(dx, dy, W, R,   in,  out, false, false, true)
//   dW += dyᵀ x    : matmul(dW, dy, x, out, in,  R,   true,  false, true)
//   db += sum_r dy : matmul_bias_backward(db, dy, R, out)
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CPU_MATMUL_H
#define PTC_RUNTIME_CPU_MATMUL_H

#include <cstdint>

namespace ptc::rt::cpu {

/// out [M, N] = op(a) · op(b) + bias, or out += op(a) · op(b) + bias when
/// `accumulate`. bias [N] may be null. out must not alias a or b. M, N, K >= 0
/// (K = 0 gives the bias, or zeros).
template <typename T>
void matmul(T *out, const T *a, const T *b, int64_t M, int64_t N, int64_t K,
            bool transA, bool transB, bool accumulate,
            const T *bias = nullptr);

/// `batch` independent matmuls: matrix i reads a + i*strideA, b + i*strideB
/// and writes out + i*strideOut (element strides; a stride of 0 broadcasts
/// one matrix to every batch). Each matrix has the layout described above;
/// bias [N] (optional) is shared by all batches.
template <typename T>
void matmul_batched(T *out, const T *a, const T *b, int64_t batch, int64_t M,
                    int64_t N, int64_t K, bool transA, bool transB,
                    bool accumulate, int64_t strideA, int64_t strideB,
                    int64_t strideOut, const T *bias = nullptr);

/// dbias [N] += sum over the M rows of dout [M, N] (the bias gradient of a
/// linear layer). ACCUMULATES; the sum is taken in double.
template <typename T>
void matmul_bias_backward(T *dbias, const T *dout, int64_t M, int64_t N);

} // namespace ptc::rt::cpu

#endif // PTC_RUNTIME_CPU_MATMUL_H

//===- tensor_ops.cuh - Data movement and reductions (CUDA) ----*- C++ -*-===//
//
// The CUDA twins of runtime/cpu/tensor_ops.h and of fill/copy/convert/permute
// in runtime/cpu/kernels.h, with the same names, arguments and semantics.
// Instantiated for float and bf16, and (fill, copy, permute, copy_rows) also
// for double, int32_t and int64_t. convert covers f32 <-> bf16 (and the
// identities). All launch on ptc::kernels::stream().
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CUDA_TENSOR_OPS_CUH
#define PTC_RUNTIME_CUDA_TENSOR_OPS_CUH

#include <cuda_bf16.h>

#include <cstdint>

namespace ptc::kernels {

/// buffer[i] = T(value), i < n.
template <typename T> void fill(T *buffer, int64_t n, double value);
/// dst[i] = src[i] (a device-to-device copy on the stream).
template <typename T> void copy(T *dst, const T *src, int64_t n);
/// dst[i] = To(src[i]), round to nearest even into bf16.
template <typename To, typename From>
void convert(To *dst, const From *src, int64_t n);
/// out = transpose(in, perm), rank <= 6: shape s (in's), perm p, padded.
template <typename T>
void permute(T *out, const T *in, int64_t rank, int64_t s0, int64_t s1,
             int64_t s2, int64_t s3, int64_t s4, int64_t s5, int64_t p0,
             int64_t p1, int64_t p2, int64_t p3, int64_t p4, int64_t p5);
/// dst[r*dstStride + dstOffset + j] = src[r*srcStride + srcOffset + j].
template <typename T>
void copy_rows(T *dst, const T *src, int64_t rows, int64_t len,
               int64_t dstStride, int64_t dstOffset, int64_t srcStride,
               int64_t srcOffset);
/// permute between strided views: the logical input (shape s, row-major)
/// holds its element L at in[(L / inRowLen) * inRowStride + inOffset +
/// L % inRowLen], and element M of the logical output transpose(input, perm)
/// goes to out[(M / outRowLen) * outRowStride + outOffset + M % outRowLen];
/// each row length must be a product of trailing dims of its side. This is
/// copy_rows + permute (a head split out of a fused QKV product) or permute
/// + copy_rows (head gradients into their slice of the fused gradient) in
/// one pass.
template <typename T>
void permute_view(T *out, const T *in, int64_t rank, int64_t s0, int64_t s1,
                  int64_t s2, int64_t s3, int64_t s4, int64_t s5, int64_t p0,
                  int64_t p1, int64_t p2, int64_t p3, int64_t p4, int64_t p5,
                  int64_t inRowLen, int64_t inRowStride, int64_t inOffset,
                  int64_t outRowLen, int64_t outRowStride, int64_t outOffset);
/// out[j] = sum_i in[i*inner + j] (deterministic two-pass column sum).
template <typename T>
void reduce_leading(T *out, const T *in, int64_t outer, int64_t inner);
/// y += alpha * x.
template <typename T> void axpy(T *y, const T *x, double alpha, int64_t n);

} // namespace ptc::kernels

#endif // PTC_RUNTIME_CUDA_TENSOR_OPS_CUH

//===- gemm.cuh - General matrix multiply through cuBLASLt -----*- C++ -*-===//
//
// The CUDA twin of gemm in runtime/cpu/kernels.h (runtime/cpu/matmul.h):
//   out[b] = op(a[b]) op(b[b]) (+ bias) (+ out[b] when accumulate)
// row-major, op(A) [M, K], op(B) [K, N], out [M, N], bias [N] or null,
// element strides per batch (0 broadcasts one matrix).
//
// cuBLASLt is column-major: a row-major X [r, c] is the column-major Xᵀ
// [c, r] with the same memory, so out = op(A) op(B) is computed as
// outᵀ = op(B)ᵀ op(A)ᵀ: cuBLASLt's A is our b, its B our a, m = N, n = M.
// fp32 and bf16 operands, fp32 accumulation (CUBLAS_COMPUTE_32F, no TF32),
// the bias through CUBLASLT_EPILOGUE_BIAS, accumulate through beta = 1. One
// cached cuBLASLt handle and a 32 MiB workspace; descriptors and the chosen
// algorithm are cached per shape, type and operand alignment (with
// PTC_GEMM_AUTOTUNE=1, the fastest of cuBLASLt's first 8 candidates, timed
// once when the plan is made). K = 0 and shapes no cuBLASLt algorithm takes
// go to a plain tiled kernel.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CUDA_GEMM_CUH
#define PTC_RUNTIME_CUDA_GEMM_CUH

#include <cuda_bf16.h>

#include <cstdint>

namespace ptc::kernels {

/// T from the other arguments only, so that a null bias can be passed.
template <typename T> struct NonDeduced {
  using type = T;
};

template <typename T>
void gemm(T *out, const T *a, const T *b,
          const typename NonDeduced<T>::type *bias, int64_t batch, int64_t M,
          int64_t N, int64_t K, bool transA, bool transB, bool accumulate,
          int64_t strideA, int64_t strideB, int64_t strideOut);

/// Mixed precision: bf16 operands, an f32 output (and bias), so that a
/// product accumulates into an f32 buffer (a weight's gradient) without a
/// bf16 rounding and a conversion pass.
void gemm(float *out, const __nv_bfloat16 *a, const __nv_bfloat16 *b,
          const float *bias, int64_t batch, int64_t M, int64_t N, int64_t K,
          bool transA, bool transB, bool accumulate, int64_t strideA,
          int64_t strideB, int64_t strideOut);

/// out = op(a) op(b) + bias + c (f32 out, bias and c; bf16 operands; c is
/// not out): a residual connection added in the GEMM's epilogue (beta = 1
/// with C = c), as exec-fuse makes of gemm + convert + add_forward.
void gemm_bias_add(float *out, const __nv_bfloat16 *a, const __nv_bfloat16 *b,
                   const float *bias, const float *c, int64_t M, int64_t N,
                   int64_t K, int64_t transA, int64_t transB);
/// The same without a bias.
void gemm_add(float *out, const __nv_bfloat16 *a, const __nv_bfloat16 *b,
              const float *c, int64_t M, int64_t N, int64_t K, int64_t transA,
              int64_t transB);

/// GELU (the tanh approximation) in the epilogue, as exec-gemm-gelu makes of
/// a GEMM and the gelu kernels around it; one batch of packed row-major
/// matrices, op(A) [M, K], op(B) [K, N], out and aux [M, N], bias [N]:
///   gemm_bias_gelu_aux: aux = op(a) op(b) + bias, out = gelu(aux)
///                       (CUBLASLT_EPILOGUE_GELU_AUX_BIAS);
///   gemm_bias_gelu:     the same without keeping aux (GELU_BIAS);
///   gemm_dgelu_bgrad:   out = (op(a) op(b)) * gelu'(aux) and biasGrad =
///                       out's column sums (DGELU_BGRAD): the gradient of
///                       GELU's input and of the bias before it.
/// out is not aux. cuBLASLt rounds aux to T but applies GELU to the f32 value
/// (the unfused kernels read the rounded one). Where cuBLASLt has no
/// algorithm (N not a multiple of 8, unaligned pointers, K = 0) each runs the
/// unfused kernels: gemm, gelu_forward / gelu_backward, reduce_leading. A
/// fused epilogue is not always the faster: the first call of a shape times
/// the ways there are (unfused; the epilogue; for the gradient also DGELU
/// with reduce_leading's column sums) and keeps the fastest
/// (PTC_GEMM_VERBOSE=1 prints the timings).
template <typename T>
void gemm_bias_gelu_aux(T *out, T *aux, const T *a, const T *b, const T *bias,
                        int64_t M, int64_t N, int64_t K, int64_t transA,
                        int64_t transB);
template <typename T>
void gemm_bias_gelu(T *out, const T *a, const T *b, const T *bias, int64_t M,
                    int64_t N, int64_t K, int64_t transA, int64_t transB);
template <typename T>
void gemm_dgelu_bgrad(T *out, T *biasGrad, const T *a, const T *b, const T *aux,
                      int64_t M, int64_t N, int64_t K, int64_t transA,
                      int64_t transB);

} // namespace ptc::kernels

struct cublasLtContext;

namespace ptc::cuda {
/// The library's cuBLASLt handle (created on first use).
cublasLtContext *cublasLtHandle();
/// Forces the plain tiled kernel instead of cuBLASLt (tests only).
void setGemmFallbackOnly(bool on);
/// Times cuBLASLt's candidates when a plan is made (tests only; the
/// environment's PTC_GEMM_AUTOTUNE otherwise).
void setGemmAutotune(bool on);
/// How many times a GELU-epilogue entry point ran the unfused kernels where
/// an epilogue was asked for: a forced way cuBLASLt had no algorithm for, or
/// a shape whose timing chose the unfused kernels (tests only).
int64_t gemmEpilogueFallbacks();
/// Forces way `way` of the GELU-epilogue entry points instead of timing
/// them: 0 the unfused kernels, 1 the fused epilogue, 2 (gemm_dgelu_bgrad)
/// DGELU with reduce_leading; -1 times them again (tests only).
void setGemmEpilogueWay(int way);
} // namespace ptc::cuda

#endif // PTC_RUNTIME_CUDA_GEMM_CUH

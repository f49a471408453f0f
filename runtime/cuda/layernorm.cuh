//===- layernorm.cuh - LayerNorm and RMSNorm (CUDA) ------------*- C++ -*-===//
//
// The CUDA twins of layernorm_* in runtime/cpu/kernels.h and of
// runtime/cpu/rmsnorm.h. Layouts: x, out, dout, dx [N, C]; gamma, beta,
// dgamma, dbeta [C]; mean, rstd [N] (saved by the forward, may be null).
//
// Forward: one warp per row, float sums (mean first, then the centred
// variance: no cancellation). Backward: dx with one warp per row; dgamma and
// dbeta as deterministic two-pass column sums (reduce.cuh: per-chunk partial
// sums, then one ordered sum per column; no float atomics). Backward kernels
// ACCUMULATE.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CUDA_LAYERNORM_CUH
#define PTC_RUNTIME_CUDA_LAYERNORM_CUH

#include <cuda_bf16.h>

#include <cstdint>

namespace ptc::kernels {

template <typename T>
void layernorm_forward(T *out, T *mean, T *rstd, const T *x, const T *gamma,
                       const T *beta, int64_t N, int64_t C, double eps);
/// Mixed precision: f32 input and statistics, the output rounded to bf16
/// (the layernorm + cast pair that exec-fuse merges).
void layernorm_forward(__nv_bfloat16 *out, float *mean, float *rstd,
                       const float *x, const float *gamma, const float *beta,
                       int64_t N, int64_t C, double eps);
/// Mixed precision: a bf16 output gradient (a GEMM's), everything else f32
/// (the convert + layernorm_backward pair that exec-fuse merges).
void layernorm_backward(float *dx, float *dgamma, float *dbeta,
                        const __nv_bfloat16 *dout, const float *x,
                        const float *gamma, const float *mean,
                        const float *rstd, int64_t N, int64_t C);
/// The same, also writing dxCopy = bf16(dx) after the update (the
/// gradient's bf16 copy that the next GEMMs read; exec-fuse moves a
/// following convert here).
void layernorm_backward_copy(float *dx, __nv_bfloat16 *dxCopy, float *dgamma,
                             float *dbeta, const __nv_bfloat16 *dout,
                             const float *x, const float *gamma,
                             const float *mean, const float *rstd, int64_t N,
                             int64_t C);
template <typename T>
void layernorm_forward_nobias(T *out, T *mean, T *rstd, const T *x,
                              const T *gamma, int64_t N, int64_t C,
                              double eps);
template <typename T>
void layernorm_backward(T *dx, T *dgamma, T *dbeta, const T *dout, const T *x,
                        const T *gamma, const T *mean, const T *rstd,
                        int64_t N, int64_t C);
template <typename T>
void layernorm_backward_nobias(T *dx, T *dgamma, const T *dout, const T *x,
                               const T *gamma, const T *mean, const T *rstd,
                               int64_t N, int64_t C);

template <typename T>
void rmsnorm_forward(T *out, T *rstd, const T *x, const T *gamma, int64_t N,
                     int64_t C, double eps);
template <typename T>
void rmsnorm_backward(T *dx, T *dgamma, const T *dout, const T *x,
                      const T *gamma, const T *rstd, int64_t N, int64_t C);

} // namespace ptc::kernels

#endif // PTC_RUNTIME_CUDA_LAYERNORM_CUH

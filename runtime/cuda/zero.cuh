//===- zero.cuh - ZeRO-1 chunk kernels (CUDA) ------------------*- C++ -*-===//
//
// The CUDA twins of runtime/cpu/zero_launch.h: AdamW on this rank's chunk of
// a flattened, zero-padded parameter, and the chunk's copy for the
// all-gather. The coordinate is read on the host.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CUDA_ZERO_CUH
#define PTC_RUNTIME_CUDA_ZERO_CUH

#include <cstdint>

namespace ptc::kernels {

template <typename T, typename S>
void adamw_update_chunk(T *param, T *m, T *v, const T *grad, const S *lr,
                        const S *gradScale, const int64_t *step, int64_t n,
                        int64_t chunk, int64_t meshAxis, double beta1,
                        double beta2, double eps, double weightDecay);
template <typename T>
void copy_chunk(T *out, const T *param, int64_t n, int64_t chunk,
                int64_t meshAxis);

} // namespace ptc::kernels

#endif // PTC_RUNTIME_CUDA_ZERO_CUH

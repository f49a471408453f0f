//===- device_utils.cuh - Helpers shared by the kernels (nvcc only) -*- C++ -*-===//
//
// Loads and stores between storage types (float, bf16) and float
// registers, warp and block reductions, the splitmix64 counter RNG of the
// CPU reference (runtime/cpu/dropout.h), the instantiation type lists, and
// the trap that device-side range checks use.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CUDA_DEVICE_UTILS_CUH
#define PTC_RUNTIME_CUDA_DEVICE_UTILS_CUH

#include "runtime/cuda/check.h"
#include "runtime/cuda/context.h"

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstdint>

namespace ptc::cuda {

//===--- Storage types <-> float -----------------------------------------===//

__device__ __forceinline__ float toFloat(float x) { return x; }
__device__ __forceinline__ float toFloat(double x) { return float(x); }
__device__ __forceinline__ float toFloat(__nv_bfloat16 x) {
  return __bfloat162float(x);
}
__device__ __forceinline__ double toDouble(float x) { return x; }
__device__ __forceinline__ double toDouble(double x) { return x; }
__device__ __forceinline__ double toDouble(__nv_bfloat16 x) {
  return __bfloat162float(x);
}

template <typename T> struct Cast;
template <> struct Cast<float> {
  __device__ __forceinline__ static float from(float x) { return x; }
  __device__ __forceinline__ static float fromDouble(double x) {
    return float(x);
  }
};
template <> struct Cast<double> {
  __device__ __forceinline__ static double from(float x) { return x; }
  __device__ __forceinline__ static double fromDouble(double x) { return x; }
};
template <> struct Cast<__nv_bfloat16> {
  __device__ __forceinline__ static __nv_bfloat16 from(float x) {
    return __float2bfloat16(x);
  }
  __device__ __forceinline__ static __nv_bfloat16 fromDouble(double x) {
    return __double2bfloat16(x);
  }
};
/// float -> T, rounding to nearest even.
template <typename T> __device__ __forceinline__ T fromFloat(float x) {
  return Cast<T>::from(x);
}
/// double -> T in one rounding (as the CPU's T(double)).
template <typename T> __device__ __forceinline__ T fromDouble(double x) {
  return Cast<T>::fromDouble(x);
}

//===--- 16-byte vector loads and stores ---------------------------------===//

/// kWidth elements of T in 16 bytes (4 floats, 8 bf16).
template <typename T> struct Vec16 {
  static constexpr int kWidth = 16 / sizeof(T);
  __device__ __forceinline__ static void load(const T *p, float (&out)[kWidth]) {
    const uint4 raw = *reinterpret_cast<const uint4 *>(p);
    const T *v = reinterpret_cast<const T *>(&raw);
#pragma unroll
    for (int i = 0; i < kWidth; ++i)
      out[i] = toFloat(v[i]);
  }
  __device__ __forceinline__ static void store(T *p, const float (&in)[kWidth]) {
    uint4 raw;
    T *v = reinterpret_cast<T *>(&raw);
#pragma unroll
    for (int i = 0; i < kWidth; ++i)
      v[i] = Cast<T>::from(in[i]);
    *reinterpret_cast<uint4 *>(p) = raw;
  }
};

/// True when rows of `rowElems` elements starting at p are 16-byte aligned.
template <typename T>
inline bool rowsAligned16(const T *p, int64_t rowElems) {
  return reinterpret_cast<uintptr_t>(p) % 16 == 0 &&
         (rowElems * int64_t(sizeof(T))) % 16 == 0;
}

//===--- Reductions -------------------------------------------------------===//

template <typename A> __device__ __forceinline__ A warpSum(A v) {
#pragma unroll
  for (int offset = 16; offset > 0; offset >>= 1)
    v += __shfl_xor_sync(0xffffffffu, v, offset);
  return v;
}
__device__ __forceinline__ float warpMax(float v) {
#pragma unroll
  for (int offset = 16; offset > 0; offset >>= 1)
    v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, offset));
  return v;
}

/// The sum over the block (blockDim.x a multiple of 32, at most 1024),
/// returned to every thread. Fixed order: deterministic. `shared` holds 32
/// values; the call ends with a barrier, so it can be reused at once.
template <typename A> __device__ A blockSum(A v, A *shared) {
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  const int warps = blockDim.x / 32;
  v = warpSum(v);
  __syncthreads();
  if (lane == 0)
    shared[warp] = v;
  __syncthreads();
  v = lane < warps ? shared[lane] : A(0);
  v = warpSum(v);
  __syncthreads();
  return v;
}

//===--- The counter RNG of runtime/cpu/dropout.h ------------------------===//

__device__ __forceinline__ uint64_t mix64(uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
/// u(seed, counter) in [0, 1), a multiple of 2^-24 (exact in float too).
__device__ __forceinline__ double uniform24(uint64_t seed, uint64_t counter) {
  return double(mix64(seed ^ mix64(counter)) >> 40) * 0x1p-24;
}

//===--- Device-side range checks ----------------------------------------===//

/// Token ids and targets are data: an out-of-range one cannot be caught at
/// launch. The kernel prints it and traps; the next CUDA call then fails with
/// cudaErrorLaunchFailure and PTC_CUDA_CHECK aborts (as the CPU kernels do).
#define PTC_DEVICE_REQUIRE(cond, ...)                                          \
  do {                                                                         \
    if (!(cond)) {                                                             \
      printf("ptc cuda: %s:%d: device check `%s` failed: ", __FILE__,          \
             __LINE__, #cond);                                                 \
      printf(__VA_ARGS__);                                                     \
      printf("\n");                                                            \
      __trap();                                                                \
    }                                                                          \
  } while (0)

} // namespace ptc::cuda

//===--- Instantiation lists ---------------------------------------------===//

/// The floating-point storage types of the compute kernels.
#define PTC_CUDA_FOR_FLOAT_TYPES(X) X(float) X(__nv_bfloat16)
/// Data movement also handles f64 (the global-norm accumulator) and integers.
#define PTC_CUDA_FOR_ALL_TYPES(X)                                              \
  X(float) X(__nv_bfloat16) X(double) X(int32_t) X(int64_t)

#endif // PTC_RUNTIME_CUDA_DEVICE_UTILS_CUH

//===- shard.cuh - A rank's piece of a split tensor (CUDA) ------*- C++ -*-===//
//
// The CUDA twins of runtime/cpu/shard.h (ptc::kernels::shard_slice and
// shard_unslice), with the same arguments and the index math of
// runtime/dist/shard_index.h, compiled for the device. Pure data movement:
// one thread per output element, on ptc::kernels::stream(). Instantiated
// for float, bf16, double, int32_t and int64_t.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CUDA_SHARD_CUH
#define PTC_RUNTIME_CUDA_SHARD_CUH

#include "runtime/dist/mesh_coordinate.h"

#include <cuda_bf16.h>

#include <cstdint>

namespace ptc::kernels {

/// out [outer, G/parts, inner] = this rank's piece (its coordinate on mesh
/// axis `meshAxis`) of every segment of in [outer, G, inner].
template <typename T>
void shard_slice(T *out, const T *in, int64_t outer, int64_t globalDim,
                 int64_t inner, int64_t meshAxis, int64_t parts,
                 int64_t numSegments, int64_t s0, int64_t s1, int64_t s2,
                 int64_t s3);

/// shard_slice with the part given (tests, and checkpoint tools).
template <typename T>
void shard_slice_part(T *out, const T *in, int64_t outer, int64_t globalDim,
                      int64_t inner, int64_t part, int64_t parts,
                      int64_t numSegments, int64_t s0, int64_t s1, int64_t s2,
                      int64_t s3);

/// out [outer, G, inner] from gathered [parts, outer, G/parts, inner].
template <typename T>
void shard_unslice(T *out, const T *gathered, int64_t outer, int64_t globalDim,
                   int64_t inner, int64_t parts, int64_t numSegments,
                   int64_t s0, int64_t s1, int64_t s2, int64_t s3);

} // namespace ptc::kernels

#endif // PTC_RUNTIME_CUDA_SHARD_CUH

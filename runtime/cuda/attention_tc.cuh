//===- attention_tc.cuh - Attention's internal interfaces -------*- C++ -*-===//
//
// Shared by attention.cu (the entry points and the CUDA-core kernels) and
// attention_tc.cu (the bf16 tensor-core kernels); not part of the kernel
// library's interface (attention.cuh).
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CUDA_ATTENTION_TC_CUH
#define PTC_RUNTIME_CUDA_ATTENTION_TC_CUH

#include <cuda_bf16.h>

#include <cstdint>

namespace ptc::kernels::attention_detail {

// Where a [B, H, T, Dh] operand's element (b, h, t, d) lives:
// base[off + b * batch + h * head + t * row + d] (attention.cuh's strided
// entry points; Dh is contiguous).
struct Layout {
  int64_t off, batch, head, row;
  template <typename P>
  __host__ __device__ __forceinline__ P *at(P *base, int64_t b,
                                            int64_t h) const {
    return base + off + b * batch + h * head;
  }
};

namespace tc {

using bf16 = __nv_bfloat16;

/// PTC_ATTENTION_NO_TC=1 in the environment: the CUDA-core path for all.
bool disabled();

/// The tensor-core path (Dh = D, 64 or 128; every row 16-byte aligned):
/// forward and backward with attention.cuh's strided semantics.
template <int D>
void forward(bf16 *out, float *lse, const bf16 *q, const bf16 *k, const bf16 *v,
             const Layout &oL, const Layout &qL, const Layout &kL,
             const Layout &vL, int64_t B, int64_t Hq, int64_t Hkv, int64_t Tn,
             float scale);
template <int D>
void backward(bf16 *dq, bf16 *dk, bf16 *dv, const bf16 *dout, const bf16 *q,
              const bf16 *k, const bf16 *v, const bf16 *out, const float *lse,
              const Layout &dqL, const Layout &dkL, const Layout &dvL,
              const Layout &doL, const Layout &qL, const Layout &kL,
              const Layout &vL, const Layout &oL, bool accumulate, int64_t B,
              int64_t Hq, int64_t Hkv, int64_t Tn, float scale);

} // namespace tc
} // namespace ptc::kernels::attention_detail

#endif // PTC_RUNTIME_CUDA_ATTENTION_TC_CUH

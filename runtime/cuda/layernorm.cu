//===- layernorm.cu - LayerNorm and RMSNorm (CUDA) ------------------------===//

#include "runtime/cuda/layernorm.cuh"

#include "runtime/cuda/device_utils.cuh"
#include "runtime/cuda/reduce.cuh"

namespace ptc::kernels {

using namespace ptc::cuda;

namespace {

constexpr int kThreads = 256, kRowsPerBlock = kThreads / 32;

unsigned rowBlocks(int64_t N) {
  return unsigned((N + kRowsPerBlock - 1) / kRowsPerBlock);
}

// RMS: no mean, no beta.
template <bool RMS, typename T, typename O>
__global__ void normForwardKernel(O *out, T *mean, T *rstd, const T *x,
                                  const T *gamma, const T *beta, int64_t N,
                                  int C, float eps) {
  const int64_t row = blockIdx.x * int64_t(kRowsPerBlock) + threadIdx.x / 32;
  const int lane = threadIdx.x % 32;
  if (row >= N)
    return;
  const T *xr = x + row * C;
  float m = 0;
  if (!RMS) {
    float s = 0;
    for (int c = lane; c < C; c += 32)
      s += toFloat(xr[c]);
    m = warpSum(s) / C;
  }
  float ss = 0;
  for (int c = lane; c < C; c += 32) {
    const float d = toFloat(xr[c]) - m;
    ss += d * d;
  }
  const float r = rsqrtf(warpSum(ss) / C + eps);
  O *o = out + row * C;
  for (int c = lane; c < C; c += 32) {
    float y = (toFloat(xr[c]) - m) * r * toFloat(gamma[c]);
    if (!RMS && beta)
      y += toFloat(beta[c]);
    o[c] = fromFloat<O>(y);
  }
  if (lane == 0) {
    if (!RMS && mean)
      mean[row] = fromFloat<T>(m);
    if (rstd)
      rstd[row] = fromFloat<T>(r);
  }
}

// dx += rstd * (g - mean_c(g) - xhat * mean_c(g * xhat)), g = dout * gamma
// (RMS: no mean, no mean_c(g) term).
template <bool RMS, typename T, typename TD>
__global__ void normBackwardKernel(T *dx, __nv_bfloat16 *dxCopy,
                                   const TD *dout, const T *x,
                                   const T *gamma, const T *mean, const T *rstd,
                                   int64_t N, int C) {
  const int64_t row = blockIdx.x * int64_t(kRowsPerBlock) + threadIdx.x / 32;
  const int lane = threadIdx.x % 32;
  if (row >= N)
    return;
  const T *xr = x + row * C;
  const TD *dr = dout + row * C;
  const float m = RMS ? 0.f : toFloat(mean[row]), r = toFloat(rstd[row]);
  float gSum = 0, gxSum = 0;
  for (int c = lane; c < C; c += 32) {
    const float g = toFloat(dr[c]) * toFloat(gamma[c]);
    gSum += g;
    gxSum += g * (toFloat(xr[c]) - m) * r;
  }
  const float gMean = RMS ? 0.f : warpSum(gSum) / C;
  const float gxMean = warpSum(gxSum) / C;
  T *dxr = dx + row * C;
  for (int c = lane; c < C; c += 32) {
    const float g = toFloat(dr[c]) * toFloat(gamma[c]);
    const float xhat = (toFloat(xr[c]) - m) * r;
    const float v = toFloat(dxr[c]) + r * (g - gMean - xhat * gxMean);
    dxr[c] = fromFloat<T>(v);
    if (dxCopy)
      dxCopy[row * C + c] = __float2bfloat16(v);
  }
}

// Column c of row n: (dout * xhat, dout).
template <bool RMS, typename T, typename TD> struct NormParamGrads {
  const TD *dout;
  const T *x, *mean, *rstd;
  int64_t C;
  __device__ void operator()(int64_t n, int64_t c, float (&acc)[2]) const {
    const float d = toFloat(dout[n * C + c]);
    const float m = RMS ? 0.f : toFloat(mean[n]);
    acc[0] += d * (toFloat(x[n * C + c]) - m) * toFloat(rstd[n]);
    acc[1] += d;
  }
};

// Fused backward: dx as normBackwardKernel, plus this block's partial sums of
// (dout * xhat, dout) over its chunk of rows. Block = kRowsPerBlock warps;
// warp w takes rows r0 + w, r0 + w + kRowsPerBlock, ... of the chunk; lane
// owns the 16-byte vectors lane, lane + 32, ... of each row and accumulates
// them into its warp's slice of shared memory (no two threads touch the
// same word); the warps' slices are then added in order w = 0, 1, ...
// (fixed order) into partial[k][chunk][col]. CACHE > 0: a row's dout and x
// stay in registers between the two passes (C <= 32 * CACHE * kWidth).
/// W elements of TD (16 bytes when TD is T, 8 when TD is bf16 and T f32).
template <typename TD, int W>
__device__ __forceinline__ void loadPack(const TD *p, float (&out)[W]) {
  struct alignas(sizeof(TD) * W) Pack {
    TD v[W];
  };
  const Pack pk = *reinterpret_cast<const Pack *>(p);
#pragma unroll
  for (int i = 0; i < W; ++i)
    out[i] = toFloat(pk.v[i]);
}

/// W floats rounded to bf16 in one store (8 or 16 bytes).
template <int W>
__device__ __forceinline__ void storePack(__nv_bfloat16 *p,
                                          const float (&in)[W]) {
  struct alignas(2 * W) Pack {
    __nv_bfloat16 v[W];
  };
  Pack pk;
#pragma unroll
  for (int i = 0; i < W; ++i)
    pk.v[i] = __float2bfloat16(in[i]);
  *reinterpret_cast<Pack *>(p) = pk;
}

template <bool RMS, typename T, int CACHE, typename TD>
__global__ void __launch_bounds__(kThreads)
    normBackwardFusedKernel(T *dx, __nv_bfloat16 *dxCopy, float *partial,
                            const TD *dout, const T *x,
                            const T *gamma, const T *mean, const T *rstd,
                            int64_t N, int C, int64_t rowsPerChunk,
                            int64_t chunks) {
  using V = Vec16<T>;
  constexpr int W = V::kWidth;
  extern __shared__ float4 smem4[];
  float *smem = reinterpret_cast<float *>(smem4);
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int nvec = C / W;
  for (int i = threadIdx.x; i < kRowsPerBlock * 2 * C; i += blockDim.x)
    smem[i] = 0.f;
  __syncthreads();
  float *accG = smem + warp * 2 * C, *accB = accG + C;
  const int64_t r0 = blockIdx.x * rowsPerChunk;
  const int64_t r1 = min(N, r0 + rowsPerChunk);
  for (int64_t row = r0 + warp; row < r1; row += kRowsPerBlock) {
    const T *xr = x + row * C;
    const TD *dr = dout + row * C;
    const float m = RMS ? 0.f : toFloat(mean[row]), r = toFloat(rstd[row]);
    float gSum = 0, gxSum = 0;
    constexpr int K = CACHE > 0 ? CACHE : 1;
    float cd[K][W], cx[K][W];
    auto pass1 = [&](int v, const float(&d)[W], const float(&xv)[W]) {
      float gv[W];
      V::load(gamma + v * W, gv);
#pragma unroll
      for (int h = 0; h < W / 4; ++h) {
        float4 ag = reinterpret_cast<float4 *>(accG)[v * (W / 4) + h];
        float4 ab = reinterpret_cast<float4 *>(accB)[v * (W / 4) + h];
        float *pg = &ag.x, *pb = &ab.x;
#pragma unroll
        for (int e = 0; e < 4; ++e) {
          const int i = h * 4 + e;
          const float xhat = (xv[i] - m) * r, g = d[i] * gv[i];
          gSum += g;
          gxSum += g * xhat;
          pg[e] += d[i] * xhat;
          pb[e] += d[i];
        }
        reinterpret_cast<float4 *>(accG)[v * (W / 4) + h] = ag;
        reinterpret_cast<float4 *>(accB)[v * (W / 4) + h] = ab;
      }
    };
    if constexpr (CACHE > 0) {
#pragma unroll
      for (int k = 0; k < CACHE; ++k) {
        const int v = lane + 32 * k;
        if (v < nvec) {
          loadPack<TD, W>(dr + v * W, cd[k]);
          V::load(xr + v * W, cx[k]);
        }
      }
#pragma unroll
      for (int k = 0; k < CACHE; ++k) {
        const int v = lane + 32 * k;
        if (v < nvec)
          pass1(v, cd[k], cx[k]);
      }
    } else {
      for (int v = lane; v < nvec; v += 32) {
        loadPack<TD, W>(dr + v * W, cd[0]);
        V::load(xr + v * W, cx[0]);
        pass1(v, cd[0], cx[0]);
      }
    }
    const float gMean = RMS ? 0.f : warpSum(gSum) / C;
    const float gxMean = warpSum(gxSum) / C;
    T *dxr = dx + row * C;
    auto pass2 = [&](int v, const float(&d)[W], const float(&xv)[W]) {
      float gv[W], o[W];
      V::load(gamma + v * W, gv);
      V::load(dxr + v * W, o);
#pragma unroll
      for (int i = 0; i < W; ++i) {
        const float g = d[i] * gv[i], xhat = (xv[i] - m) * r;
        o[i] += r * (g - gMean - xhat * gxMean);
      }
      V::store(dxr + v * W, o);
      if (dxCopy)
        storePack<W>(dxCopy + row * C + v * W, o);
    };
    if constexpr (CACHE > 0) {
#pragma unroll
      for (int k = 0; k < CACHE; ++k) {
        const int v = lane + 32 * k;
        if (v < nvec)
          pass2(v, cd[k], cx[k]);
      }
    } else {
      for (int v = lane; v < nvec; v += 32) {
        loadPack<TD, W>(dr + v * W, cd[0]);
        V::load(xr + v * W, cx[0]);
        pass2(v, cd[0], cx[0]);
      }
    }
  }
  __syncthreads();
  if (!partial)
    return;
  for (int c = threadIdx.x; c < C; c += blockDim.x) {
    float g = 0.f, b = 0.f;
#pragma unroll
    for (int w = 0; w < kRowsPerBlock; ++w) {
      g += smem[w * 2 * C + c];
      b += smem[w * 2 * C + C + c];
    }
    partial[blockIdx.x * int64_t(C) + c] = g;
    partial[(chunks + blockIdx.x) * int64_t(C) + c] = b;
  }
}

template <bool RMS, typename T, int CACHE, typename TD>
void launchFused(T *dx, __nv_bfloat16 *dxCopy, float *partial, const TD *dout,
                 const T *x,
                 const T *gamma, const T *mean, const T *rstd,
                 const ColumnPlan &plan, size_t smemBytes) {
  auto kernel = normBackwardFusedKernel<RMS, T, CACHE, TD>;
  if (smemBytes > 48 * 1024)
    PTC_CUDA_CHECK(cudaFuncSetAttribute(
        kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(smemBytes)));
  kernel<<<unsigned(plan.chunks), kThreads, smemBytes, stream()>>>(
      dx, dxCopy, partial, dout, x, gamma, mean, rstd, plan.rows,
      int(plan.cols),
      plan.rowsPerChunk, plan.chunks);
  PTC_CUDA_CHECK_LAUNCH();
}

/// The fused path, when the rows are 16-byte aligned and the per-warp
/// partial sums fit in shared memory; false otherwise.
template <bool RMS, typename T, typename TD>
bool backwardFused(T *dx, __nv_bfloat16 *dxCopy, T *dgamma, T *dbeta,
                   const TD *dout, const T *x,
                   const T *gamma, const T *mean, const T *rstd, int64_t N,
                   int64_t C) {
  constexpr int W = Vec16<T>::kWidth;
  const size_t smemBytes = size_t(kRowsPerBlock) * 2 * size_t(C) * 4;
  if (!rowsAligned16(dx, C) || !rowsAligned16(dout, C) ||
      (dxCopy && !rowsAligned16(dxCopy, C)) ||
      !rowsAligned16(x, C) || !rowsAligned16(gamma, C) ||
      smemBytes > 200 * 1024)
    return false;
  // About 4 blocks an SM on 132 SMs, chunks of >= 16 rows; sizes only.
  ColumnPlan plan{N, C, 16, 1};
  const int64_t perChunk = (N + 511) / 512;
  if (perChunk > plan.rowsPerChunk)
    plan.rowsPerChunk = perChunk;
  plan.chunks = (N + plan.rowsPerChunk - 1) / plan.rowsPerChunk;
  float *partial =
      (dgamma || dbeta)
          ? static_cast<float *>(scratch(plan.partialFloats(2) * 4))
          : nullptr;
  const int64_t nvec = C / W;
  if (nvec <= 32 * 2)
    launchFused<RMS, T, 2, TD>(dx, dxCopy, partial, dout, x, gamma, mean, rstd, plan,
                           smemBytes);
  else if (nvec <= 32 * 4)
    launchFused<RMS, T, 4, TD>(dx, dxCopy, partial, dout, x, gamma, mean, rstd, plan,
                           smemBytes);
  else if (nvec <= 32 * 8)
    launchFused<RMS, T, 8, TD>(dx, dxCopy, partial, dout, x, gamma, mean, rstd, plan,
                           smemBytes);
  else
    launchFused<RMS, T, 0, TD>(dx, dxCopy, partial, dout, x, gamma, mean, rstd, plan,
                           smemBytes);
  if (partial) {
    columnFinalize(dgamma, partial, plan, /*accumulate=*/true, stream());
    columnFinalize(dbeta, partial + size_t(plan.chunks) * size_t(C), plan,
                   /*accumulate=*/true, stream());
  }
  return true;
}

void checkSizes(const char *fn, int64_t N, int64_t C) {
  PTC_CUDA_REQUIRE(N >= 0 && C > 0 && C <= (int64_t(1) << 30),
                   "%s: bad sizes N=%lld C=%lld", fn, (long long)N,
                   (long long)C);
}

template <bool RMS, typename T, typename O>
void forward(const char *fn, O *out, T *mean, T *rstd, const T *x,
             const T *gamma, const T *beta, int64_t N, int64_t C, double eps) {
  checkSizes(fn, N, C);
  PTC_CUDA_REQUIRE(eps >= 0, "%s: eps = %g < 0", fn, eps);
  if (N == 0)
    return;
  normForwardKernel<RMS><<<rowBlocks(N), kThreads, 0, stream()>>>(
      out, mean, rstd, x, gamma, beta, N, int(C), float(eps));
  PTC_CUDA_CHECK_LAUNCH();
}

template <bool RMS, typename T, typename TD>
void backward(const char *fn, T *dx, T *dgamma, T *dbeta, const TD *dout,
              const T *x, const T *gamma, const T *mean, const T *rstd,
              int64_t N, int64_t C, __nv_bfloat16 *dxCopy = nullptr) {
  checkSizes(fn, N, C);
  if (N == 0)
    return;
  if (backwardFused<RMS>(dx, dxCopy, dgamma, dbeta, dout, x, gamma, mean, rstd,
                         N, C))
    return;
  normBackwardKernel<RMS><<<rowBlocks(N), kThreads, 0, stream()>>>(
      dx, dxCopy, dout, x, gamma, mean, rstd, N, int(C));
  PTC_CUDA_CHECK_LAUNCH();
  if (dgamma || dbeta) {
    T *const outs[2] = {dgamma, dbeta};
    columnSums<2>(outs, N, C, /*accumulate=*/true,
                  NormParamGrads<RMS, T, TD>{dout, x, mean, rstd, C});
  }
}

} // namespace

template <typename T>
void layernorm_forward(T *out, T *mean, T *rstd, const T *x, const T *gamma,
                       const T *beta, int64_t N, int64_t C, double eps) {
  forward<false>("layernorm_forward", out, mean, rstd, x, gamma, beta, N, C,
                 eps);
}
template <typename T>
void layernorm_forward_nobias(T *out, T *mean, T *rstd, const T *x,
                              const T *gamma, int64_t N, int64_t C,
                              double eps) {
  forward<false>("layernorm_forward_nobias", out, mean, rstd, x, gamma,
                 (const T *)nullptr, N, C, eps);
}
template <typename T>
void layernorm_backward(T *dx, T *dgamma, T *dbeta, const T *dout, const T *x,
                        const T *gamma, const T *mean, const T *rstd, int64_t N,
                        int64_t C) {
  backward<false>("layernorm_backward", dx, dgamma, dbeta, dout, x, gamma, mean,
                  rstd, N, C);
}
template <typename T>
void layernorm_backward_nobias(T *dx, T *dgamma, const T *dout, const T *x,
                               const T *gamma, const T *mean, const T *rstd,
                               int64_t N, int64_t C) {
  backward<false>("layernorm_backward_nobias", dx, dgamma, (T *)nullptr, dout,
                  x, gamma, mean, rstd, N, C);
}
template <typename T>
void rmsnorm_forward(T *out, T *rstd, const T *x, const T *gamma, int64_t N,
                     int64_t C, double eps) {
  forward<true>("rmsnorm_forward", out, (T *)nullptr, rstd, x, gamma,
                (const T *)nullptr, N, C, eps);
}
template <typename T>
void rmsnorm_backward(T *dx, T *dgamma, const T *dout, const T *x,
                      const T *gamma, const T *rstd, int64_t N, int64_t C) {
  backward<true>("rmsnorm_backward", dx, dgamma, (T *)nullptr, dout, x, gamma,
                 (const T *)nullptr, rstd, N, C);
}

#define PTC_INSTANTIATE(T)                                                     \
  template void layernorm_forward<T>(T *, T *, T *, const T *, const T *,      \
                                     const T *, int64_t, int64_t, double);     \
  template void layernorm_forward_nobias<T>(                                   \
      T *, T *, T *, const T *, const T *, int64_t, int64_t, double);          \
  template void layernorm_backward<T>(T *, T *, T *, const T *, const T *,     \
                                      const T *, const T *, const T *,         \
                                      int64_t, int64_t);                       \
  template void layernorm_backward_nobias<T>(T *, T *, const T *, const T *,   \
                                             const T *, const T *, const T *,  \
                                             int64_t, int64_t);                \
  template void rmsnorm_forward<T>(T *, T *, const T *, const T *, int64_t,    \
                                   int64_t, double);                           \
  template void rmsnorm_backward<T>(T *, T *, const T *, const T *, const T *, \
                                    const T *, int64_t, int64_t);
PTC_CUDA_FOR_FLOAT_TYPES(PTC_INSTANTIATE)
#undef PTC_INSTANTIATE

void layernorm_forward(__nv_bfloat16 *out, float *mean, float *rstd,
                       const float *x, const float *gamma, const float *beta,
                       int64_t N, int64_t C, double eps) {
  forward<false>("layernorm_forward", out, mean, rstd, x, gamma, beta, N, C,
                 eps);
}

void layernorm_backward(float *dx, float *dgamma, float *dbeta,
                        const __nv_bfloat16 *dout, const float *x,
                        const float *gamma, const float *mean,
                        const float *rstd, int64_t N, int64_t C) {
  backward<false>("layernorm_backward", dx, dgamma, dbeta, dout, x, gamma, mean,
                  rstd, N, C);
}

void layernorm_backward_copy(float *dx, __nv_bfloat16 *dxCopy, float *dgamma,
                             float *dbeta, const __nv_bfloat16 *dout,
                             const float *x, const float *gamma,
                             const float *mean, const float *rstd, int64_t N,
                             int64_t C) {
  PTC_CUDA_REQUIRE(dxCopy != nullptr, "layernorm_backward_copy: no copy");
  backward<false>("layernorm_backward_copy", dx, dgamma, dbeta, dout, x, gamma,
                  mean, rstd, N, C, dxCopy);
}

} // namespace ptc::kernels

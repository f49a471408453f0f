//===- attention.cu - Causal flash attention (CUDA) -----------------------===//
//
// The entry points of attention.cuh (which path: the bf16 tensor-core
// kernels of attention_tc.cu, or the CUDA-core kernels here) and the
// CUDA-core kernels, fp32 arithmetic for every type and head size.
//
// Tiles are kBr = kBc = 64 rows; a CTA has 128 threads, thread
// (ty, tx) = (tid / 8, tid % 8) owning tile rows 4 ty .. 4 ty + 3 and tile
// columns tx + 8 j (j < 8 for a 64-wide score tile, j < D / 8 for a head
// dimension). The 8 threads of a row are 8 consecutive lanes, so row
// reductions are three xor-shuffles. Shared-memory rows are padded by one
// float: the column reads of a warp fall in distinct banks.
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/attention.cuh"
#include "runtime/cuda/attention_tc.cuh"

#include "runtime/cuda/device_utils.cuh"

#include <cstdlib>
#include <initializer_list>
#include <type_traits>

namespace ptc::kernels {

using namespace ptc::cuda;

namespace {

constexpr int kBr = 64, kBc = 64, kThreads = 128;
constexpr int kLP = kBc + 1; // leading dimension of a score tile

using attention_detail::Layout;
namespace tc = attention_detail::tc;

// dst[r][d] (leading dimension D + 1) = src[(row0 + r) * ld + d], zero past
// T rows or Dh columns.
template <int D, typename T>
__device__ __forceinline__ void loadRows(float *dst, const T *src, int64_t ld,
                                         int64_t row0, int64_t Tn, int Dh) {
  for (int idx = threadIdx.x; idx < kBr * D; idx += kThreads) {
    const int r = idx / D, d = idx % D;
    float x = 0.f;
    if (row0 + r < Tn && d < Dh)
      x = toFloat(src[(row0 + r) * ld + d]);
    dst[r * (D + 1) + d] = x;
  }
}

// acc[i][j] = sum_{d < Dh} X[4 ty + i][d] * Y[tx + 8 j][d].
template <int D>
__device__ __forceinline__ void dotTile(float (&acc)[4][8], const float *X,
                                        const float *Y, int Dh) {
  const int r0 = (threadIdx.x / 8) * 4, c0 = threadIdx.x % 8;
#pragma unroll
  for (int i = 0; i < 4; ++i)
#pragma unroll
    for (int j = 0; j < 8; ++j)
      acc[i][j] = 0.f;
#pragma unroll 4
  for (int d = 0; d < Dh; ++d) {
    float a[4], b[8];
#pragma unroll
    for (int i = 0; i < 4; ++i)
      a[i] = X[(r0 + i) * (D + 1) + d];
#pragma unroll
    for (int j = 0; j < 8; ++j)
      b[j] = Y[(c0 + 8 * j) * (D + 1) + d];
#pragma unroll
    for (int i = 0; i < 4; ++i)
#pragma unroll
      for (int j = 0; j < 8; ++j)
        acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
  }
}

// o[i][jj] += sum_{c < 64} P[4 ty + i][c] * Z[c][tx + 8 jj].
template <int D>
__device__ __forceinline__ void accumTile(float (&o)[4][D / 8], const float *P,
                                          const float *Z) {
  const int r0 = (threadIdx.x / 8) * 4, c0 = threadIdx.x % 8;
#pragma unroll 2
  for (int c = 0; c < kBc; ++c) {
    float p[4];
#pragma unroll
    for (int i = 0; i < 4; ++i)
      p[i] = P[(r0 + i) * kLP + c];
#pragma unroll
    for (int jj = 0; jj < D / 8; ++jj) {
      const float z = Z[c * (D + 1) + c0 + 8 * jj];
#pragma unroll
      for (int i = 0; i < 4; ++i)
        o[i][jj] = fmaf(p[i], z, o[i][jj]);
    }
  }
}

__device__ __forceinline__ float rowMax8(float v) {
  v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, 1));
  v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, 2));
  return fmaxf(v, __shfl_xor_sync(0xffffffffu, v, 4));
}
__device__ __forceinline__ float rowSum8(float v) {
  v += __shfl_xor_sync(0xffffffffu, v, 1);
  v += __shfl_xor_sync(0xffffffffu, v, 2);
  return v + __shfl_xor_sync(0xffffffffu, v, 4);
}

template <int D> constexpr size_t forwardSmem() {
  return sizeof(float) * (size_t(kBr + 2 * kBc) * (D + 1) + size_t(kBr) * kLP);
}
template <int D> constexpr size_t backwardKVSmem() {
  return sizeof(float) * (size_t(2 * kBc + 2 * kBr) * (D + 1) +
                          2 * size_t(kBc) * kLP + 2 * kBr);
}
template <int D> constexpr size_t backwardQSmem() {
  return sizeof(float) *
         (size_t(2 * kBr + 2 * kBc) * (D + 1) + size_t(kBr) * kLP);
}

template <typename T, int D>
__global__ void __launch_bounds__(kThreads)
    attentionForwardKernel(T *out, float *lse, const T *q, const T *k,
                           const T *v, Layout oL, Layout qL, Layout kL,
                           Layout vL, int Hq, int Hkv, int64_t Tn, int Dh,
                           float scale) {
  extern __shared__ float smem[];
  float *Qs = smem, *Ks = Qs + kBr * (D + 1), *Vs = Ks + kBc * (D + 1);
  float *Ps = Vs + kBc * (D + 1);
  const int64_t q0 = int64_t(gridDim.x - 1 - blockIdx.x) * kBr;
  const int h = blockIdx.y, b = blockIdx.z;
  const int64_t qh = int64_t(b) * Hq + h;
  const int hk = h / (Hq / Hkv);
  const T *Q = qL.at(q, b, h), *K = kL.at(k, b, hk), *V = vL.at(v, b, hk);
  const int r0 = (threadIdx.x / 8) * 4, tx = threadIdx.x % 8;

  loadRows<D>(Qs, Q, qL.row, q0, Tn, Dh);
  float m[4], l[4], o[4][D / 8];
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    m[i] = -INFINITY;
    l[i] = 0.f;
#pragma unroll
    for (int jj = 0; jj < D / 8; ++jj)
      o[i][jj] = 0.f;
  }
  const int64_t kEnd = min(Tn, q0 + kBr);
  for (int64_t k0 = 0; k0 < kEnd; k0 += kBc) {
    __syncthreads();
    loadRows<D>(Ks, K, kL.row, k0, Tn, Dh);
    loadRows<D>(Vs, V, vL.row, k0, Tn, Dh);
    __syncthreads();
    float s[4][8];
    dotTile<D>(s, Qs, Ks, Dh);
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      const int64_t row = q0 + r0 + i;
      float mx = -INFINITY;
#pragma unroll
      for (int j = 0; j < 8; ++j) {
        const int64_t col = k0 + tx + 8 * j;
        s[i][j] = col <= row && col < Tn ? s[i][j] * scale : -INFINITY;
        mx = fmaxf(mx, s[i][j]);
      }
      const float mNew = fmaxf(m[i], rowMax8(mx));
      const float mSafe = mNew == -INFINITY ? 0.f : mNew;
      const float alpha = __expf(m[i] - mSafe);
      float rs = 0.f;
#pragma unroll
      for (int j = 0; j < 8; ++j) {
        const float p = __expf(s[i][j] - mSafe);
        rs += p;
        Ps[(r0 + i) * kLP + tx + 8 * j] = p;
      }
      l[i] = l[i] * alpha + rowSum8(rs);
#pragma unroll
      for (int jj = 0; jj < D / 8; ++jj)
        o[i][jj] *= alpha;
      m[i] = mNew;
    }
    __syncthreads();
    accumTile<D>(o, Ps, Vs);
  }
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    const int64_t row = q0 + r0 + i;
    if (row >= Tn)
      continue;
    const float inv = 1.f / l[i];
    T *orow = oL.at(out, b, h) + row * oL.row;
#pragma unroll
    for (int jj = 0; jj < D / 8; ++jj) {
      const int d = tx + 8 * jj;
      if (d < Dh)
        orow[d] = fromFloat<T>(o[i][jj] * inv);
    }
    if (lse && tx == 0)
      lse[qh * Tn + row] = m[i] + logf(l[i]);
  }
}

// Dvec[row] = sum_d dout[row, d] * out[row, d], one warp per row
// (row = (b * Hq + h) * T + t).
template <typename T>
__global__ void attentionBackwardDotKernel(float *Dvec, const T *dout,
                                           const T *out, Layout doL, Layout oL,
                                           int64_t rows, int64_t Hq, int64_t Tn,
                                           int Dh) {
  const int64_t row = blockIdx.x * int64_t(blockDim.x / 32) + threadIdx.x / 32;
  if (row >= rows)
    return;
  const int64_t t = row % Tn, bh = row / Tn, b = bh / Hq, h = bh % Hq;
  const T *dO = doL.at(dout, b, h) + t * doL.row,
          *O = oL.at(out, b, h) + t * oL.row;
  float s = 0.f;
  for (int d = threadIdx.x % 32; d < Dh; d += 32)
    s += toFloat(dO[d]) * toFloat(O[d]);
  s = warpSum(s);
  if (threadIdx.x % 32 == 0)
    Dvec[row] = s;
}

template <typename T, int D>
__global__ void __launch_bounds__(kThreads)
    attentionBackwardKVKernel(T *dk, T *dv, const T *dout, const T *q,
                              const T *k, const T *v, const float *lse,
                              const float *Dvec, Layout dkL, Layout dvL,
                              Layout doL, Layout qL, Layout kL, Layout vL,
                              bool accumulate, int Hq, int Hkv, int64_t Tn,
                              int Dh, float scale) {
  extern __shared__ float smem[];
  float *Ks = smem, *Vs = Ks + kBc * (D + 1), *Qs = Vs + kBc * (D + 1);
  float *dOs = Qs + kBr * (D + 1), *Ps = dOs + kBr * (D + 1);
  float *dSs = Ps + kBc * kLP, *lseS = dSs + kBc * kLP, *DS = lseS + kBr;
  const int64_t k0 = int64_t(blockIdx.x) * kBc;
  const int hk = blockIdx.y, b = blockIdx.z;
  const int group = Hq / Hkv;
  const int r0 = (threadIdx.x / 8) * 4, tx = threadIdx.x % 8;

  loadRows<D>(Ks, kL.at(k, b, hk), kL.row, k0, Tn, Dh);
  loadRows<D>(Vs, vL.at(v, b, hk), vL.row, k0, Tn, Dh);
  float dK[4][D / 8], dV[4][D / 8];
#pragma unroll
  for (int i = 0; i < 4; ++i)
#pragma unroll
    for (int jj = 0; jj < D / 8; ++jj)
      dK[i][jj] = dV[i][jj] = 0.f;

  for (int g = 0; g < group; ++g) {
    const int64_t h = int64_t(hk) * group + g, qh = int64_t(b) * Hq + h;
    const T *Q = qL.at(q, b, h), *dO = doL.at(dout, b, h);
    const float *L = lse + qh * Tn;
    const float *Dq = Dvec + qh * Tn;
    for (int64_t q0 = (k0 / kBr) * kBr; q0 < Tn; q0 += kBr) {
      __syncthreads();
      loadRows<D>(Qs, Q, qL.row, q0, Tn, Dh);
      loadRows<D>(dOs, dO, doL.row, q0, Tn, Dh);
      for (int r = threadIdx.x; r < kBr; r += kThreads) {
        const bool in = q0 + r < Tn;
        lseS[r] = in ? L[q0 + r] : 0.f;
        DS[r] = in ? Dq[q0 + r] : 0.f;
      }
      __syncthreads();
      float st[4][8], dpt[4][8];
      dotTile<D>(st, Ks, Qs, Dh);   // K_key · Q_query
      dotTile<D>(dpt, Vs, dOs, Dh); // V_key · dO_query
#pragma unroll
      for (int i = 0; i < 4; ++i)
#pragma unroll
        for (int j = 0; j < 8; ++j) {
          const int64_t key = k0 + r0 + i, qr = q0 + tx + 8 * j;
          const int c = tx + 8 * j;
          const float p =
              qr < Tn && key <= qr ? __expf(st[i][j] * scale - lseS[c]) : 0.f;
          Ps[(r0 + i) * kLP + c] = p;
          dSs[(r0 + i) * kLP + c] = p * (dpt[i][j] - DS[c]);
        }
      __syncthreads();
      accumTile<D>(dV, Ps, dOs);
      accumTile<D>(dK, dSs, Qs);
    }
  }
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    const int64_t key = k0 + r0 + i;
    if (key >= Tn)
      continue;
    T *dkRow = dkL.at(dk, b, hk) + key * dkL.row;
    T *dvRow = dvL.at(dv, b, hk) + key * dvL.row;
#pragma unroll
    for (int jj = 0; jj < D / 8; ++jj) {
      const int d = tx + 8 * jj;
      if (d < Dh) {
        const float k0v = accumulate ? toFloat(dkRow[d]) : 0.f;
        const float v0v = accumulate ? toFloat(dvRow[d]) : 0.f;
        dkRow[d] = fromFloat<T>(k0v + scale * dK[i][jj]);
        dvRow[d] = fromFloat<T>(v0v + dV[i][jj]);
      }
    }
  }
}

template <typename T, int D>
__global__ void __launch_bounds__(kThreads)
    attentionBackwardQKernel(T *dq, const T *dout, const T *q, const T *k,
                             const T *v, const float *lse, const float *Dvec,
                             Layout dqL, Layout doL, Layout qL, Layout kL,
                             Layout vL, bool accumulate, int Hq, int Hkv,
                             int64_t Tn, int Dh, float scale) {
  extern __shared__ float smem[];
  float *Qs = smem, *dOs = Qs + kBr * (D + 1), *Ks = dOs + kBr * (D + 1);
  float *Vs = Ks + kBc * (D + 1), *dSs = Vs + kBc * (D + 1);
  const int64_t q0 = int64_t(gridDim.x - 1 - blockIdx.x) * kBr;
  const int h = blockIdx.y, b = blockIdx.z;
  const int64_t qh = int64_t(b) * Hq + h;
  const int hk = h / (Hq / Hkv);
  const T *K = kL.at(k, b, hk), *V = vL.at(v, b, hk);
  const int r0 = (threadIdx.x / 8) * 4, tx = threadIdx.x % 8;

  loadRows<D>(Qs, qL.at(q, b, h), qL.row, q0, Tn, Dh);
  loadRows<D>(dOs, doL.at(dout, b, h), doL.row, q0, Tn, Dh);
  float lseR[4], DR[4], dQ[4][D / 8];
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    const int64_t row = q0 + r0 + i;
    lseR[i] = row < Tn ? lse[qh * Tn + row] : 0.f;
    DR[i] = row < Tn ? Dvec[qh * Tn + row] : 0.f;
#pragma unroll
    for (int jj = 0; jj < D / 8; ++jj)
      dQ[i][jj] = 0.f;
  }
  const int64_t kEnd = min(Tn, q0 + kBr);
  for (int64_t k0 = 0; k0 < kEnd; k0 += kBc) {
    __syncthreads();
    loadRows<D>(Ks, K, kL.row, k0, Tn, Dh);
    loadRows<D>(Vs, V, vL.row, k0, Tn, Dh);
    __syncthreads();
    float s[4][8], dp[4][8];
    dotTile<D>(s, Qs, Ks, Dh);
    dotTile<D>(dp, dOs, Vs, Dh);
#pragma unroll
    for (int i = 0; i < 4; ++i)
#pragma unroll
      for (int j = 0; j < 8; ++j) {
        const int64_t row = q0 + r0 + i, col = k0 + tx + 8 * j;
        const float p =
            col <= row && row < Tn ? __expf(s[i][j] * scale - lseR[i]) : 0.f;
        dSs[(r0 + i) * kLP + tx + 8 * j] = p * (dp[i][j] - DR[i]);
      }
    __syncthreads();
    accumTile<D>(dQ, dSs, Ks);
  }
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    const int64_t row = q0 + r0 + i;
    if (row >= Tn)
      continue;
    T *dqRow = dqL.at(dq, b, h) + row * dqL.row;
#pragma unroll
    for (int jj = 0; jj < D / 8; ++jj) {
      const int d = tx + 8 * jj;
      if (d < Dh)
        dqRow[d] = fromFloat<T>((accumulate ? toFloat(dqRow[d]) : 0.f) +
                                scale * dQ[i][jj]);
    }
  }
}

template <typename Kernel> void allowSmem(Kernel kernel, size_t bytes) {
  PTC_CUDA_CHECK(cudaFuncSetAttribute(
      kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(bytes)));
}

void checkSizes(const char *fn, int64_t B, int64_t Hq, int64_t Hkv, int64_t Tn,
                int64_t Dh) {
  PTC_CUDA_REQUIRE(B >= 0 && B <= 65535 && Hq > 0 && Hq <= 65535 && Hkv > 0 &&
                       Hq % Hkv == 0 && Tn >= 0 && Dh > 0 && Dh <= 128,
                   "%s: bad sizes B=%lld Hq=%lld Hkv=%lld T=%lld Dh=%lld "
                   "(Hkv must divide Hq; Dh <= 128)",
                   fn, (long long)B, (long long)Hq, (long long)Hkv,
                   (long long)Tn, (long long)Dh);
}

template <typename T, int D>
void forwardD(T *out, float *lse, const T *q, const T *k, const T *v,
              const Layout &oL, const Layout &qL, const Layout &kL,
              const Layout &vL, int64_t B, int64_t Hq, int64_t Hkv, int64_t Tn,
              int64_t Dh, float scale) {
  static const bool once =
      (allowSmem(attentionForwardKernel<T, D>, forwardSmem<D>()), true);
  (void)once;
  const dim3 grid(unsigned((Tn + kBr - 1) / kBr), unsigned(Hq), unsigned(B));
  attentionForwardKernel<T, D><<<grid, kThreads, forwardSmem<D>(), stream()>>>(
      out, lse, q, k, v, oL, qL, kL, vL, int(Hq), int(Hkv), Tn, int(Dh), scale);
  PTC_CUDA_CHECK_LAUNCH();
}

template <typename T, int D>
void backwardD(T *dq, T *dk, T *dv, const T *dout, const T *q, const T *k,
               const T *v, const float *lse, const float *Dvec,
               const Layout &dqL, const Layout &dkL, const Layout &dvL,
               const Layout &doL, const Layout &qL, const Layout &kL,
               const Layout &vL, bool accumulate, int64_t B, int64_t Hq,
               int64_t Hkv, int64_t Tn, int64_t Dh, float scale) {
  static const bool once =
      (allowSmem(attentionBackwardKVKernel<T, D>, backwardKVSmem<D>()),
       allowSmem(attentionBackwardQKernel<T, D>, backwardQSmem<D>()), true);
  (void)once;
  const unsigned tiles = unsigned((Tn + kBr - 1) / kBr);
  attentionBackwardKVKernel<T, D>
      <<<dim3(tiles, unsigned(Hkv), unsigned(B)), kThreads, backwardKVSmem<D>(),
         stream()>>>(dk, dv, dout, q, k, v, lse, Dvec, dkL, dvL, doL, qL, kL,
                     vL, accumulate, int(Hq), int(Hkv), Tn, int(Dh), scale);
  PTC_CUDA_CHECK_LAUNCH();
  attentionBackwardQKernel<T, D>
      <<<dim3(tiles, unsigned(Hq), unsigned(B)), kThreads, backwardQSmem<D>(),
         stream()>>>(dq, dout, q, k, v, lse, Dvec, dqL, doL, qL, kL, vL,
                     accumulate, int(Hq), int(Hkv), Tn, int(Dh), scale);
  PTC_CUDA_CHECK_LAUNCH();
}

// The tensor-core path: bf16, Dh 64 or 128, every row start 16-byte aligned
// (16-byte aligned bases, offsets and strides multiples of 8 elements), T
// within int range of the kernels' index arithmetic; PTC_ATTENTION_NO_TC=1
// turns it off (A/B timing against the CUDA-core kernels).
bool aligned16(const void *p) { return (uintptr_t(p) & 15) == 0; }

struct Operand {
  const void *base;
  const Layout *layout;
};
bool useTensorCores(int64_t Dh, int64_t Tn,
                    std::initializer_list<Operand> operands) {
  if ((Dh != 64 && Dh != 128) || Tn > (int64_t(1) << 24) || tc::disabled())
    return false;
  for (const Operand &o : operands) {
    const Layout &l = *o.layout;
    if (!aligned16(o.base) || l.off % 8 || l.batch % 8 || l.head % 8 ||
        l.row % 8)
      return false;
  }
  return true;
}

// The layout of a contiguous [B, H, T, Dh] tensor.
Layout contiguous(int64_t H, int64_t Tn, int64_t Dh) {
  return Layout{0, H * Tn * Dh, Tn * Dh, Dh};
}

} // namespace

template <typename T>
void attention_forward_strided(T *out, float *lse, const T *q, const T *k,
                               const T *v, int64_t B, int64_t Hq, int64_t Hkv,
                               int64_t T_, int64_t Dh, double scale, //
                               int64_t qOffset, int64_t qBatch, int64_t qHead,
                               int64_t qRow, int64_t kOffset, int64_t kBatch,
                               int64_t kHead, int64_t kRow, int64_t vOffset,
                               int64_t vBatch, int64_t vHead, int64_t vRow,
                               int64_t outOffset, int64_t outBatch,
                               int64_t outHead, int64_t outRow) {
  checkSizes("attention_forward", B, Hq, Hkv, T_, Dh);
  if (B == 0 || T_ == 0)
    return;
  const Layout qL{qOffset, qBatch, qHead, qRow},
      kL{kOffset, kBatch, kHead, kRow}, vL{vOffset, vBatch, vHead, vRow},
      oL{outOffset, outBatch, outHead, outRow};
  if constexpr (std::is_same_v<T, __nv_bfloat16>) {
    if (useTensorCores(Dh, T_, {{out, &oL}, {q, &qL}, {k, &kL}, {v, &vL}})) {
      if (Dh == 64)
        tc::forward<64>(out, lse, q, k, v, oL, qL, kL, vL, B, Hq, Hkv, T_,
                        float(scale));
      else
        tc::forward<128>(out, lse, q, k, v, oL, qL, kL, vL, B, Hq, Hkv, T_,
                         float(scale));
      return;
    }
  }
  if (Dh <= 64)
    forwardD<T, 64>(out, lse, q, k, v, oL, qL, kL, vL, B, Hq, Hkv, T_, Dh,
                    float(scale));
  else
    forwardD<T, 128>(out, lse, q, k, v, oL, qL, kL, vL, B, Hq, Hkv, T_, Dh,
                     float(scale));
}

template <typename T>
void attention_backward_strided(
    T *dq, T *dk, T *dv, const T *dout, const T *q, const T *k, const T *v,
    const T *out, const float *lse, int64_t B, int64_t Hq, int64_t Hkv,
    int64_t T_, int64_t Dh, double scale, int64_t accumulate, //
    int64_t dqOffset, int64_t dqBatch, int64_t dqHead, int64_t dqRow,
    int64_t dkOffset, int64_t dkBatch, int64_t dkHead, int64_t dkRow,
    int64_t dvOffset, int64_t dvBatch, int64_t dvHead, int64_t dvRow,
    int64_t doutOffset, int64_t doutBatch, int64_t doutHead, int64_t doutRow,
    int64_t qOffset, int64_t qBatch, int64_t qHead, int64_t qRow,
    int64_t kOffset, int64_t kBatch, int64_t kHead, int64_t kRow,
    int64_t vOffset, int64_t vBatch, int64_t vHead, int64_t vRow,
    int64_t outOffset, int64_t outBatch, int64_t outHead, int64_t outRow) {
  checkSizes("attention_backward", B, Hq, Hkv, T_, Dh);
  if (B == 0 || T_ == 0)
    return;
  const Layout dqL{dqOffset, dqBatch, dqHead, dqRow},
      dkL{dkOffset, dkBatch, dkHead, dkRow},
      dvL{dvOffset, dvBatch, dvHead, dvRow},
      doL{doutOffset, doutBatch, doutHead, doutRow},
      qL{qOffset, qBatch, qHead, qRow}, kL{kOffset, kBatch, kHead, kRow},
      vL{vOffset, vBatch, vHead, vRow},
      oL{outOffset, outBatch, outHead, outRow};
  const bool acc = accumulate != 0;
  if constexpr (std::is_same_v<T, __nv_bfloat16>) {
    if (useTensorCores(Dh, T_,
                       {{dq, &dqL},
                        {dk, &dkL},
                        {dv, &dvL},
                        {dout, &doL},
                        {q, &qL},
                        {k, &kL},
                        {v, &vL},
                        {out, &oL}})) {
      if (Dh == 64)
        tc::backward<64>(dq, dk, dv, dout, q, k, v, out, lse, dqL, dkL, dvL,
                         doL, qL, kL, vL, oL, acc, B, Hq, Hkv, T_,
                         float(scale));
      else
        tc::backward<128>(dq, dk, dv, dout, q, k, v, out, lse, dqL, dkL, dvL,
                          doL, qL, kL, vL, oL, acc, B, Hq, Hkv, T_,
                          float(scale));
      return;
    }
  }
  const int64_t rows = B * Hq * T_;
  auto *Dvec = static_cast<float *>(scratch(size_t(rows) * sizeof(float)));
  constexpr int rowsPerBlock = 8;
  attentionBackwardDotKernel<<<
      unsigned((rows + rowsPerBlock - 1) / rowsPerBlock), rowsPerBlock * 32, 0,
      stream()>>>(Dvec, dout, out, doL, oL, rows, Hq, T_, int(Dh));
  PTC_CUDA_CHECK_LAUNCH();
  if (Dh <= 64)
    backwardD<T, 64>(dq, dk, dv, dout, q, k, v, lse, Dvec, dqL, dkL, dvL, doL,
                     qL, kL, vL, acc, B, Hq, Hkv, T_, Dh, float(scale));
  else
    backwardD<T, 128>(dq, dk, dv, dout, q, k, v, lse, Dvec, dqL, dkL, dvL, doL,
                      qL, kL, vL, acc, B, Hq, Hkv, T_, Dh, float(scale));
}

template <typename T>
void attention_forward(T *out, float *lse, const T *q, const T *k, const T *v,
                       int64_t B, int64_t Hq, int64_t Hkv, int64_t T_,
                       int64_t Dh, double scale) {
  const Layout qo = contiguous(Hq, T_, Dh), kv = contiguous(Hkv, T_, Dh);
  attention_forward_strided(out, lse, q, k, v, B, Hq, Hkv, T_, Dh, scale, //
                            qo.off, qo.batch, qo.head, qo.row,            //
                            kv.off, kv.batch, kv.head, kv.row,            //
                            kv.off, kv.batch, kv.head, kv.row,            //
                            qo.off, qo.batch, qo.head, qo.row);
}

template <typename T>
void attention_backward(T *dq, T *dk, T *dv, const T *dout, const T *q,
                        const T *k, const T *v, const T *out, const float *lse,
                        int64_t B, int64_t Hq, int64_t Hkv, int64_t T_,
                        int64_t Dh, double scale) {
  const Layout qo = contiguous(Hq, T_, Dh), kv = contiguous(Hkv, T_, Dh);
  attention_backward_strided(dq, dk, dv, dout, q, k, v, out, lse, B, Hq, Hkv,
                             T_, Dh, scale, /*accumulate=*/1,    //
                             qo.off, qo.batch, qo.head, qo.row,  // dq
                             kv.off, kv.batch, kv.head, kv.row,  // dk
                             kv.off, kv.batch, kv.head, kv.row,  // dv
                             qo.off, qo.batch, qo.head, qo.row,  // dout
                             qo.off, qo.batch, qo.head, qo.row,  // q
                             kv.off, kv.batch, kv.head, kv.row,  // k
                             kv.off, kv.batch, kv.head, kv.row,  // v
                             qo.off, qo.batch, qo.head, qo.row); // out
}

#define PTC_INSTANTIATE(T)                                                     \
  template void attention_forward<T>(T *, float *, const T *, const T *,       \
                                     const T *, int64_t, int64_t, int64_t,     \
                                     int64_t, int64_t, double);                \
  template void attention_backward<T>(                                         \
      T *, T *, T *, const T *, const T *, const T *, const T *, const T *,    \
      const float *, int64_t, int64_t, int64_t, int64_t, int64_t, double);     \
  template void attention_forward_strided<T>(                                  \
      T *, float *, const T *, const T *, const T *, int64_t, int64_t,         \
      int64_t, int64_t, int64_t, double, int64_t, int64_t, int64_t, int64_t,   \
      int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,  \
      int64_t, int64_t, int64_t, int64_t);                                     \
  template void attention_backward_strided<T>(                                 \
      T *, T *, T *, const T *, const T *, const T *, const T *, const T *,    \
      const float *, int64_t, int64_t, int64_t, int64_t, int64_t, double,      \
      int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,  \
      int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,  \
      int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,  \
      int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,  \
      int64_t);
PTC_CUDA_FOR_FLOAT_TYPES(PTC_INSTANTIATE)
#undef PTC_INSTANTIATE

} // namespace ptc::kernels

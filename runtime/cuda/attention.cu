//===- attention.cu - Causal flash attention (CUDA) -----------------------===//
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

#include "runtime/cuda/device_utils.cuh"

namespace ptc::kernels {

using namespace ptc::cuda;

namespace {

constexpr int kBr = 64, kBc = 64, kThreads = 128;
constexpr int kLP = kBc + 1; // leading dimension of a score tile

// dst[r][d] (leading dimension D + 1) = src[(row0 + r) * Dh + d], zero past
// T rows or Dh columns.
template <int D, typename T>
__device__ __forceinline__ void loadRows(float *dst, const T *src,
                                         int64_t row0, int64_t Tn, int Dh) {
  for (int idx = threadIdx.x; idx < kBr * D; idx += kThreads) {
    const int r = idx / D, d = idx % D;
    float x = 0.f;
    if (row0 + r < Tn && d < Dh)
      x = toFloat(src[(row0 + r) * Dh + d]);
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
  return sizeof(float) * (size_t(2 * kBr + 2 * kBc) * (D + 1) +
                          size_t(kBr) * kLP);
}

template <typename T, int D>
__global__ void __launch_bounds__(kThreads)
    attentionForwardKernel(T *out, T *lse, const T *q, const T *k, const T *v,
                           int Hq, int Hkv, int64_t Tn, int Dh, float scale) {
  extern __shared__ float smem[];
  float *Qs = smem, *Ks = Qs + kBr * (D + 1), *Vs = Ks + kBc * (D + 1);
  float *Ps = Vs + kBc * (D + 1);
  const int64_t q0 = int64_t(gridDim.x - 1 - blockIdx.x) * kBr;
  const int h = blockIdx.y, b = blockIdx.z;
  const int64_t qh = int64_t(b) * Hq + h;
  const int64_t kvh = int64_t(b) * Hkv + h / (Hq / Hkv);
  const T *Q = q + qh * Tn * Dh, *K = k + kvh * Tn * Dh, *V = v + kvh * Tn * Dh;
  const int r0 = (threadIdx.x / 8) * 4, tx = threadIdx.x % 8;

  loadRows<D>(Qs, Q, q0, Tn, Dh);
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
    loadRows<D>(Ks, K, k0, Tn, Dh);
    loadRows<D>(Vs, V, k0, Tn, Dh);
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
    T *orow = out + (qh * Tn + row) * Dh;
#pragma unroll
    for (int jj = 0; jj < D / 8; ++jj) {
      const int d = tx + 8 * jj;
      if (d < Dh)
        orow[d] = fromFloat<T>(o[i][jj] * inv);
    }
    if (lse && tx == 0)
      lse[qh * Tn + row] = fromFloat<T>(m[i] + logf(l[i]));
  }
}

// Dvec[row] = sum_d dout[row, d] * out[row, d], one warp per row.
template <typename T>
__global__ void attentionBackwardDotKernel(float *Dvec, const T *dout,
                                           const T *out, int64_t rows,
                                           int Dh) {
  const int64_t row = blockIdx.x * int64_t(blockDim.x / 32) + threadIdx.x / 32;
  if (row >= rows)
    return;
  float s = 0.f;
  for (int d = threadIdx.x % 32; d < Dh; d += 32)
    s += toFloat(dout[row * Dh + d]) * toFloat(out[row * Dh + d]);
  s = warpSum(s);
  if (threadIdx.x % 32 == 0)
    Dvec[row] = s;
}

template <typename T, int D>
__global__ void __launch_bounds__(kThreads)
    attentionBackwardKVKernel(T *dk, T *dv, const T *dout, const T *q,
                              const T *k, const T *v, const T *lse,
                              const float *Dvec, int Hq, int Hkv, int64_t Tn,
                              int Dh, float scale) {
  extern __shared__ float smem[];
  float *Ks = smem, *Vs = Ks + kBc * (D + 1), *Qs = Vs + kBc * (D + 1);
  float *dOs = Qs + kBr * (D + 1), *Ps = dOs + kBr * (D + 1);
  float *dSs = Ps + kBc * kLP, *lseS = dSs + kBc * kLP, *DS = lseS + kBr;
  const int64_t k0 = int64_t(blockIdx.x) * kBc;
  const int hk = blockIdx.y, b = blockIdx.z;
  const int group = Hq / Hkv;
  const int64_t kvh = int64_t(b) * Hkv + hk;
  const int r0 = (threadIdx.x / 8) * 4, tx = threadIdx.x % 8;

  loadRows<D>(Ks, k + kvh * Tn * Dh, k0, Tn, Dh);
  loadRows<D>(Vs, v + kvh * Tn * Dh, k0, Tn, Dh);
  float dK[4][D / 8], dV[4][D / 8];
#pragma unroll
  for (int i = 0; i < 4; ++i)
#pragma unroll
    for (int jj = 0; jj < D / 8; ++jj)
      dK[i][jj] = dV[i][jj] = 0.f;

  for (int g = 0; g < group; ++g) {
    const int64_t qh = int64_t(b) * Hq + int64_t(hk) * group + g;
    const T *Q = q + qh * Tn * Dh, *dO = dout + qh * Tn * Dh;
    const T *L = lse + qh * Tn;
    const float *Dq = Dvec + qh * Tn;
    for (int64_t q0 = (k0 / kBr) * kBr; q0 < Tn; q0 += kBr) {
      __syncthreads();
      loadRows<D>(Qs, Q, q0, Tn, Dh);
      loadRows<D>(dOs, dO, q0, Tn, Dh);
      for (int r = threadIdx.x; r < kBr; r += kThreads) {
        const bool in = q0 + r < Tn;
        lseS[r] = in ? toFloat(L[q0 + r]) : 0.f;
        DS[r] = in ? Dq[q0 + r] : 0.f;
      }
      __syncthreads();
      float st[4][8], dpt[4][8];
      dotTile<D>(st, Ks, Qs, Dh);  // K_key · Q_query
      dotTile<D>(dpt, Vs, dOs, Dh); // V_key · dO_query
#pragma unroll
      for (int i = 0; i < 4; ++i)
#pragma unroll
        for (int j = 0; j < 8; ++j) {
          const int64_t key = k0 + r0 + i, qr = q0 + tx + 8 * j;
          const int c = tx + 8 * j;
          const float p = qr < Tn && key <= qr
                              ? __expf(st[i][j] * scale - lseS[c])
                              : 0.f;
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
    T *dkRow = dk + (kvh * Tn + key) * Dh, *dvRow = dv + (kvh * Tn + key) * Dh;
#pragma unroll
    for (int jj = 0; jj < D / 8; ++jj) {
      const int d = tx + 8 * jj;
      if (d < Dh) {
        dkRow[d] = fromFloat<T>(toFloat(dkRow[d]) + scale * dK[i][jj]);
        dvRow[d] = fromFloat<T>(toFloat(dvRow[d]) + dV[i][jj]);
      }
    }
  }
}

template <typename T, int D>
__global__ void __launch_bounds__(kThreads)
    attentionBackwardQKernel(T *dq, const T *dout, const T *q, const T *k,
                             const T *v, const T *lse, const float *Dvec,
                             int Hq, int Hkv, int64_t Tn, int Dh, float scale) {
  extern __shared__ float smem[];
  float *Qs = smem, *dOs = Qs + kBr * (D + 1), *Ks = dOs + kBr * (D + 1);
  float *Vs = Ks + kBc * (D + 1), *dSs = Vs + kBc * (D + 1);
  const int64_t q0 = int64_t(gridDim.x - 1 - blockIdx.x) * kBr;
  const int h = blockIdx.y, b = blockIdx.z;
  const int64_t qh = int64_t(b) * Hq + h;
  const int64_t kvh = int64_t(b) * Hkv + h / (Hq / Hkv);
  const T *K = k + kvh * Tn * Dh, *V = v + kvh * Tn * Dh;
  const int r0 = (threadIdx.x / 8) * 4, tx = threadIdx.x % 8;

  loadRows<D>(Qs, q + qh * Tn * Dh, q0, Tn, Dh);
  loadRows<D>(dOs, dout + qh * Tn * Dh, q0, Tn, Dh);
  float lseR[4], DR[4], dQ[4][D / 8];
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    const int64_t row = q0 + r0 + i;
    lseR[i] = row < Tn ? toFloat(lse[qh * Tn + row]) : 0.f;
    DR[i] = row < Tn ? Dvec[qh * Tn + row] : 0.f;
#pragma unroll
    for (int jj = 0; jj < D / 8; ++jj)
      dQ[i][jj] = 0.f;
  }
  const int64_t kEnd = min(Tn, q0 + kBr);
  for (int64_t k0 = 0; k0 < kEnd; k0 += kBc) {
    __syncthreads();
    loadRows<D>(Ks, K, k0, Tn, Dh);
    loadRows<D>(Vs, V, k0, Tn, Dh);
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
    T *dqRow = dq + (qh * Tn + row) * Dh;
#pragma unroll
    for (int jj = 0; jj < D / 8; ++jj) {
      const int d = tx + 8 * jj;
      if (d < Dh)
        dqRow[d] = fromFloat<T>(toFloat(dqRow[d]) + scale * dQ[i][jj]);
    }
  }
}

template <typename Kernel>
void allowSmem(Kernel kernel, size_t bytes) {
  PTC_CUDA_CHECK(cudaFuncSetAttribute(
      kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(bytes)));
}

void checkSizes(const char *fn, int64_t B, int64_t Hq, int64_t Hkv,
                int64_t Tn, int64_t Dh) {
  PTC_CUDA_REQUIRE(B >= 0 && B <= 65535 && Hq > 0 && Hq <= 65535 && Hkv > 0 &&
                       Hq % Hkv == 0 && Tn >= 0 && Dh > 0 && Dh <= 128,
                   "%s: bad sizes B=%lld Hq=%lld Hkv=%lld T=%lld Dh=%lld "
                   "(Hkv must divide Hq; Dh <= 128)",
                   fn, (long long)B, (long long)Hq, (long long)Hkv,
                   (long long)Tn, (long long)Dh);
}

template <typename T, int D>
void forwardD(T *out, T *lse, const T *q, const T *k, const T *v, int64_t B,
              int64_t Hq, int64_t Hkv, int64_t Tn, int64_t Dh, float scale) {
  static const bool once =
      (allowSmem(attentionForwardKernel<T, D>, forwardSmem<D>()), true);
  (void)once;
  const dim3 grid(unsigned((Tn + kBr - 1) / kBr), unsigned(Hq), unsigned(B));
  attentionForwardKernel<T, D><<<grid, kThreads, forwardSmem<D>(), stream()>>>(
      out, lse, q, k, v, int(Hq), int(Hkv), Tn, int(Dh), scale);
  PTC_CUDA_CHECK_LAUNCH();
}

template <typename T, int D>
void backwardD(T *dq, T *dk, T *dv, const T *dout, const T *q, const T *k,
               const T *v, const T *lse, const float *Dvec, int64_t B,
               int64_t Hq, int64_t Hkv, int64_t Tn, int64_t Dh, float scale) {
  static const bool once =
      (allowSmem(attentionBackwardKVKernel<T, D>, backwardKVSmem<D>()),
       allowSmem(attentionBackwardQKernel<T, D>, backwardQSmem<D>()), true);
  (void)once;
  const unsigned tiles = unsigned((Tn + kBr - 1) / kBr);
  attentionBackwardKVKernel<T, D>
      <<<dim3(tiles, unsigned(Hkv), unsigned(B)), kThreads,
         backwardKVSmem<D>(), stream()>>>(dk, dv, dout, q, k, v, lse, Dvec,
                                          int(Hq), int(Hkv), Tn, int(Dh),
                                          scale);
  PTC_CUDA_CHECK_LAUNCH();
  attentionBackwardQKernel<T, D>
      <<<dim3(tiles, unsigned(Hq), unsigned(B)), kThreads, backwardQSmem<D>(),
         stream()>>>(dq, dout, q, k, v, lse, Dvec, int(Hq), int(Hkv), Tn,
                     int(Dh), scale);
  PTC_CUDA_CHECK_LAUNCH();
}

} // namespace

template <typename T>
void attention_forward(T *out, T *lse, const T *q, const T *k, const T *v,
                       int64_t B, int64_t Hq, int64_t Hkv, int64_t T_,
                       int64_t Dh, double scale) {
  checkSizes("attention_forward", B, Hq, Hkv, T_, Dh);
  if (B == 0 || T_ == 0)
    return;
  if (Dh <= 64)
    forwardD<T, 64>(out, lse, q, k, v, B, Hq, Hkv, T_, Dh, float(scale));
  else
    forwardD<T, 128>(out, lse, q, k, v, B, Hq, Hkv, T_, Dh, float(scale));
}

template <typename T>
void attention_backward(T *dq, T *dk, T *dv, const T *dout, const T *q,
                        const T *k, const T *v, const T *out, const T *lse,
                        int64_t B, int64_t Hq, int64_t Hkv, int64_t T_,
                        int64_t Dh, double scale) {
  checkSizes("attention_backward", B, Hq, Hkv, T_, Dh);
  if (B == 0 || T_ == 0)
    return;
  const int64_t rows = B * Hq * T_;
  auto *Dvec = static_cast<float *>(scratch(size_t(rows) * sizeof(float)));
  constexpr int rowsPerBlock = 8;
  attentionBackwardDotKernel<<<unsigned((rows + rowsPerBlock - 1) /
                                        rowsPerBlock),
                               rowsPerBlock * 32, 0, stream()>>>(
      Dvec, dout, out, rows, int(Dh));
  PTC_CUDA_CHECK_LAUNCH();
  if (Dh <= 64)
    backwardD<T, 64>(dq, dk, dv, dout, q, k, v, lse, Dvec, B, Hq, Hkv, T_, Dh,
                     float(scale));
  else
    backwardD<T, 128>(dq, dk, dv, dout, q, k, v, lse, Dvec, B, Hq, Hkv, T_,
                      Dh, float(scale));
}

#define PTC_INSTANTIATE(T)                                                     \
  template void attention_forward<T>(T *, T *, const T *, const T *,           \
                                     const T *, int64_t, int64_t, int64_t,     \
                                     int64_t, int64_t, double);                \
  template void attention_backward<T>(                                         \
      T *, T *, T *, const T *, const T *, const T *, const T *, const T *,    \
      const T *, int64_t, int64_t, int64_t, int64_t, int64_t, double);
PTC_CUDA_FOR_FLOAT_TYPES(PTC_INSTANTIATE)
#undef PTC_INSTANTIATE

} // namespace ptc::kernels

//===- attention_tc.cu - Causal flash attention on the tensor cores -------===//
//
// FlashAttention-2 on mma.sync.m16n8k16 (bf16 in, fp32 accumulate). A CTA is
// 4 warps; every warp owns 16 rows of the output tile it computes and keeps
// its score tile, softmax state and accumulators in registers. Operands come
// from shared memory through ldmatrix (rows padded by 8 bf16, so the 8 row
// addresses of an 8x8 matrix fall in distinct banks); the fp32 accumulator
// fragment of a score tile is, converted to bf16 pairs, the A fragment of
// the next product, so P and dS never touch shared memory. Global -> shared
// copies are cp.async (zero-filled past T), double-buffered over the inner
// loop.
//   forward: CTA per (64 query rows, head, batch); key tiles of 64 up to the
//     diagonal; scores in the log2 domain (scale * log2 e folded in).
//   backward (deterministic: every output element has one writer, or a sum
//     in a fixed order): prep (D = rowsum(dO o O), lse * log2 e, fp32
//     scratch; zeroes the flags), then
//   - Dh 64, one fused launch (bwdFusedKernel): CTA per (64 keys, kv head,
//     batch) looping over the query tiles from the diagonal (and the group's
//     heads); each warp computes Sᵀ = K Qᵀ, dPᵀ = V dOᵀ for its 16 keys and
//     accumulates dV += Pᵀ dO, dK += dSᵀ Q in registers; dSᵀ goes through
//     shared memory into the CTA's part of dQ = dS K, and the parts of a
//     query tile are summed in fp32 scratch in a fixed key-tile order
//     (flags between the CTAs, see bwdFusedKernel): 5 matrix products a
//     step, as FlashAttention-2, without its order-dependent atomics;
//   - Dh 128, two launches: the same CTA per key tile without dQ
//     (bwdKVKernel, query tiles of 32), then a CTA per (64 query rows, head,
//     batch) that recomputes S and dP and accumulates dQ += dS K
//     (bwdQKernel): 7 products, but faster than the fused kernel at Dh 128
//     (whose 32-row steps pay its per-step synchronization twice as often).
//   PTC_ATTENTION_BWD=fused / =3pass forces either (A/B timing).
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/attention_tc.cuh"

#include "runtime/cuda/device_utils.cuh"

#include <cstdlib>
#include <string>

namespace ptc::kernels::attention_detail::tc {

using namespace ptc::cuda;

namespace {

constexpr int kThreads = 128; // 4 warps of 16 rows
constexpr int kBM = 64;       // query rows of a forward / dQ CTA
constexpr int kBN = 64;       // keys of a tile
constexpr float kLog2e = 1.4426950408889634f;
constexpr float kLn2 = 0.6931471805599453f;

__device__ __forceinline__ uint32_t smemAddr(const void *p) {
  return uint32_t(__cvta_generic_to_shared(p));
}
__device__ __forceinline__ void cpAsync16(void *dst, const void *src,
                                          int bytes) {
  asm volatile(
      "cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(smemAddr(dst)),
      "l"(src), "r"(bytes)
      : "memory");
}
__device__ __forceinline__ void cpAsync4(void *dst, const void *src,
                                         int bytes) {
  asm volatile(
      "cp.async.ca.shared.global [%0], [%1], 4, %2;\n" ::"r"(smemAddr(dst)),
      "l"(src), "r"(bytes)
      : "memory");
}
__device__ __forceinline__ void cpCommit() {
  asm volatile("cp.async.commit_group;\n" ::: "memory");
}
template <int N> __device__ __forceinline__ void cpWait() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(N) : "memory");
}
__device__ __forceinline__ void ldsm4(uint32_t (&r)[4], uint32_t addr) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(addr));
}
__device__ __forceinline__ void ldsm4t(uint32_t (&r)[4], uint32_t addr) {
  asm volatile(
      "ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
      : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
      : "r"(addr));
}
__device__ __forceinline__ void mma(float (&c)[4], const uint32_t (&a)[4],
                                    uint32_t b0, uint32_t b1) {
  asm("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 "
      "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
      : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}
__device__ __forceinline__ uint32_t pack(float lo, float hi) {
  __nv_bfloat162 h = __floats2bfloat162_rn(lo, hi);
  return *reinterpret_cast<uint32_t *>(&h);
}
__device__ __forceinline__ float fastExp2(float x) {
  float y;
  asm("ex2.approx.ftz.f32 %0, %1;\n" : "=f"(y) : "f"(x));
  return y;
}

// dst[r][*] (leading dimension D + 8) = src[(row0 + r) * ld + *], zero past
// Tn rows.
template <int R, int D>
__device__ __forceinline__ void loadTile(bf16 *dst, const bf16 *src, int64_t ld,
                                         int row0, int Tn) {
  constexpr int kChunks = D / 8, LD = D + 8;
  static_assert(R * kChunks % kThreads == 0, "tile must split evenly");
#pragma unroll
  for (int j = 0; j < R * kChunks / kThreads; ++j) {
    const int i = threadIdx.x + j * kThreads;
    const int r = i / kChunks, c = (i % kChunks) * 8;
    const bool in = row0 + r < Tn;
    cpAsync16(dst + r * LD + c, in ? src + (row0 + r) * ld + c : src,
              in ? 16 : 0);
  }
}

// acc[16 x N] += A[16 x D] · Bm[N x D]ᵀ, both in shared memory.
template <int N, int D>
__device__ __forceinline__ void mmaABt(float (&acc)[N / 8][4], const bf16 *A,
                                       const bf16 *Bm) {
  constexpr int LD = D + 8;
  const int lane = threadIdx.x & 31;
  const uint32_t aBase = smemAddr(A + (lane & 15) * LD + (lane >> 4) * 8);
  const uint32_t bBase = smemAddr(Bm + ((lane & 7) + ((lane >> 4) << 3)) * LD +
                                  ((lane >> 3) & 1) * 8);
#pragma unroll
  for (int kk = 0; kk < D / 16; ++kk) {
    uint32_t a[4];
    ldsm4(a, aBase + kk * 32);
#pragma unroll
    for (int np = 0; np < N / 16; ++np) {
      uint32_t b[4];
      ldsm4(b, bBase + (np * 16 * LD + kk * 16) * 2);
      mma(acc[2 * np], a, b[0], b[1]);
      mma(acc[2 * np + 1], a, b[2], b[3]);
    }
  }
}

// acc[16 x D] += P[16 x N] (bf16 A fragments) · Vm[N x D] (shared memory).
template <int N, int D>
__device__ __forceinline__ void
mmaPV(float (&acc)[D / 8][4], const uint32_t (&p)[N / 16][4], const bf16 *Vm) {
  constexpr int LD = D + 8;
  const int lane = threadIdx.x & 31;
  const uint32_t base = smemAddr(
      Vm + ((lane & 7) + ((lane >> 3) & 1) * 8) * LD + (lane >> 4) * 8);
#pragma unroll
  for (int kk = 0; kk < N / 16; ++kk)
#pragma unroll
    for (int dp = 0; dp < D / 16; ++dp) {
      uint32_t b[4];
      ldsm4t(b, base + (kk * 16 * LD + dp * 16) * 2);
      mma(acc[2 * dp], p[kk], b[0], b[1]);
      mma(acc[2 * dp + 1], p[kk], b[2], b[3]);
    }
}

// acc[16 x N] += A[16 x K] · Bm[K x N], A stored transposed (At[k][m],
// leading dimension LDA), Bm[k][n] (leading dimension LDB), both in shared
// memory.
template <int K, int N, int LDA, int LDB>
__device__ __forceinline__ void mmaAtB(float (&acc)[N / 8][4], const bf16 *At,
                                       const bf16 *Bm) {
  const int lane = threadIdx.x & 31;
  const uint32_t aBase = smemAddr(
      At + ((lane & 7) + ((lane >> 4) & 1) * 8) * LDA + ((lane >> 3) & 1) * 8);
  const uint32_t bBase = smemAddr(
      Bm + ((lane & 7) + ((lane >> 3) & 1) * 8) * LDB + (lane >> 4) * 8);
#pragma unroll
  for (int kk = 0; kk < K / 16; ++kk) {
    uint32_t a[4];
    ldsm4t(a, aBase + kk * 16 * LDA * 2);
#pragma unroll
    for (int np = 0; np < N / 16; ++np) {
      uint32_t b[4];
      ldsm4t(b, bBase + (kk * 16 * LDB + np * 16) * 2);
      mma(acc[2 * np], a, b[0], b[1]);
      mma(acc[2 * np + 1], a, b[2], b[3]);
    }
  }
}

__device__ __forceinline__ int ldAcquire(const int *p) {
  int v;
  asm volatile("ld.acquire.gpu.global.b32 %0, [%1];\n"
               : "=r"(v)
               : "l"(p)
               : "memory");
  return v;
}
__device__ __forceinline__ void stRelease(int *p, int v) {
  asm volatile("st.release.gpu.global.b32 [%0], %1;\n" ::"l"(p), "r"(v)
               : "memory");
}
__device__ __forceinline__ void redAdd4(float *p, float x, float y, float z,
                                        float w) {
  asm volatile(
      "red.relaxed.gpu.global.add.v4.f32 [%0], {%1, %2, %3, %4};\n" ::"l"(p),
      "f"(x), "f"(y), "f"(z), "f"(w)
      : "memory");
}

// The accumulator fragments of a 16 x N fp32 tile as bf16 A fragments.
template <int N>
__device__ __forceinline__ void toA(uint32_t (&p)[N / 16][4],
                                    const float (&s)[N / 8][4]) {
#pragma unroll
  for (int kk = 0; kk < N / 16; ++kk) {
    p[kk][0] = pack(s[2 * kk][0], s[2 * kk][1]);
    p[kk][1] = pack(s[2 * kk][2], s[2 * kk][3]);
    p[kk][2] = pack(s[2 * kk + 1][0], s[2 * kk + 1][1]);
    p[kk][3] = pack(s[2 * kk + 1][2], s[2 * kk + 1][3]);
  }
}

template <int N, int M> __device__ __forceinline__ void zero(float (&a)[N][M]) {
#pragma unroll
  for (int i = 0; i < N; ++i)
#pragma unroll
    for (int j = 0; j < M; ++j)
      a[i][j] = 0.f;
}

// dst[row][d .. d+1] += scale * (x, y) (bf16 pair), or = when !accumulate.
__device__ __forceinline__ void addPair(bf16 *p, float x, float y,
                                        bool accumulate) {
  auto *h = reinterpret_cast<__nv_bfloat162 *>(p);
  if (accumulate) {
    const float2 old = __bfloat1622float2(*h);
    x += old.x;
    y += old.y;
  }
  *h = __floats2bfloat162_rn(x, y);
}

// A row fragment of an accumulator tile a (columns 8 dt + 2 t + (0, 1), the
// elements e0, e0 + 1 of each a[dt]) written to dst[8 dt] as bf16 pairs:
// dst = old + scale * a, old = dst (accumulate) or 0. Every old value is
// loaded before the first store: ptxas cannot tell the pointers apart, and
// each load behind a store would wait a round trip of its own.
template <int N>
__device__ __forceinline__ void loadPairs(float2 (&old)[N], const bf16 *src,
                                          bool accumulate) {
#pragma unroll
  for (int dt = 0; dt < N; ++dt)
    old[dt] = accumulate
                  ? __bfloat1622float2(
                        *reinterpret_cast<const __nv_bfloat162 *>(src + dt * 8))
                  : make_float2(0.f, 0.f);
}
template <int N>
__device__ __forceinline__ void storePairs(bf16 *dst, const float2 (&old)[N],
                                           const float (&a)[N][4], int e0,
                                           float scale) {
#pragma unroll
  for (int dt = 0; dt < N; ++dt)
    *reinterpret_cast<__nv_bfloat162 *>(dst + dt * 8) = __floats2bfloat162_rn(
        scale * a[dt][e0] + old[dt].x, scale * a[dt][e0 + 1] + old[dt].y);
}

/// Query tile q0 of head h (batch b) for the key-tile kernels of the
/// backward, into `stage` of their double buffers (cp.async, to be
/// committed by the caller): the rows of Q and dO (zero past Tn) and the
/// rows' log-sum-exp times log2 e and rowsum(dO ∘ O).
template <int BQ, int D>
__device__ __forceinline__ void
loadQueryTile(bf16 *Qs, bf16 *dOs, float *Ls, float *Ds, int stage,
              const bf16 *q, const Layout &qL, const bf16 *dout,
              const Layout &doL, const float *lse2, const float *Dvec, int b,
              int h, int Hq, int q0, int Tn) {
  constexpr int LD = D + 8;
  const int64_t qh = int64_t(b) * Hq + h;
  loadTile<BQ, D>(Qs + stage * BQ * LD, qL.at(q, b, h), qL.row, q0, Tn);
  loadTile<BQ, D>(dOs + stage * BQ * LD, doL.at(dout, b, h), doL.row, q0, Tn);
  const int r = threadIdx.x % BQ;
  const bool in = q0 + r < Tn;
  if (threadIdx.x < BQ)
    cpAsync4(Ls + stage * BQ + r, lse2 + (in ? qh * Tn + q0 + r : 0),
             in ? 4 : 0);
  else if (threadIdx.x < 2 * BQ)
    cpAsync4(Ds + stage * BQ + r, Dvec + (in ? qh * Tn + q0 + r : 0),
             in ? 4 : 0);
}

/// One query tile of a key tile's backward, shared by the two-pass dK/dV
/// kernel and the fused one: this warp's 16 keys (Kw, Vw: their rows in
/// shared memory) against the tile's queries Qt and gradients dOt (Lt: the
/// log-sum-exp times log2 e, Dt: rowsum(dO ∘ O)). Recomputes Pᵀ (causal,
/// rows past Tn masked), dV += Pᵀ dO, dSᵀ = Pᵀ ∘ (dPᵀ − D) and dK += dSᵀ Q;
/// dSᵀ is left in `ds` (A fragments) for the fused kernel's dQ.
template <int BQ, int D>
__device__ __forceinline__ void
keyTileStep(float (&dK)[D / 8][4], float (&dV)[D / 8][4],
            uint32_t (&ds)[BQ / 16][4], const bf16 *Kw, const bf16 *Vw,
            const bf16 *Qt, const bf16 *dOt, const float *Lt, const float *Dt,
            float c, int q0, int wkey, int key0, int Tn, int t) {
  float s[BQ / 8][4];
  zero(s);
  mmaABt<BQ, D>(s, Kw, Qt); // Sᵀ = K Qᵀ
  const bool mask = q0 < wkey + 15 || q0 + BQ > Tn;
#pragma unroll
  for (int nt = 0; nt < BQ / 8; ++nt)
#pragma unroll
    for (int e = 0; e < 4; ++e) {
      const int col = nt * 8 + 2 * t + (e & 1);
      float p = fastExp2(s[nt][e] * c - Lt[col]);
      if (mask) {
        const int query = q0 + col, key = key0 + (e >> 1) * 8;
        if (query < key || query >= Tn)
          p = 0.f;
      }
      s[nt][e] = p;
    }
  toA<BQ>(ds, s);
  mmaPV<BQ, D>(dV, ds, dOt); // dV += Pᵀ dO
  float dp[BQ / 8][4];
  zero(dp);
  mmaABt<BQ, D>(dp, Vw, dOt); // dPᵀ = V dOᵀ
#pragma unroll
  for (int nt = 0; nt < BQ / 8; ++nt)
#pragma unroll
    for (int e = 0; e < 4; ++e) {
      const int col = nt * 8 + 2 * t + (e & 1);
      dp[nt][e] = s[nt][e] * (dp[nt][e] - Dt[col]);
    }
  toA<BQ>(ds, dp);
  mmaPV<BQ, D>(dK, ds, Qt); // dK += dSᵀ Q
}

template <int D> constexpr size_t fwdSmem() {
  return sizeof(bf16) * size_t(kBM + 4 * kBN) * (D + 8);
}
template <int D> __host__ __device__ constexpr int bwdBQ() {
  return D == 64 ? 64 : 32;
}
template <int D> constexpr size_t bwdKVSmem() {
  return sizeof(bf16) * size_t(2 * kBN + 4 * bwdBQ<D>()) * (D + 8) +
         sizeof(float) * 4 * bwdBQ<D>();
}
template <int D, int BQ> constexpr size_t bwdFusedSmem() {
  return sizeof(bf16) * size_t(2 * kBN + 4 * BQ) * (D + 8) +
         sizeof(float) * 4 * BQ + sizeof(bf16) * size_t(kBN) * (BQ + 8);
}
template <int D> constexpr size_t bwdQSmem() {
  return sizeof(bf16) * size_t(2 * kBM + 4 * kBN) * (D + 8);
}

template <int D>
__global__ void __launch_bounds__(kThreads)
    fwdKernel(bf16 *out, float *lse, const bf16 *q, const bf16 *k,
              const bf16 *v, Layout oL, Layout qL, Layout kL, Layout vL, int Hq,
              int Hkv, int Tn, float c) {
  constexpr int LD = D + 8;
  extern __shared__ __align__(16) unsigned char smemRaw[];
  bf16 *Qs = reinterpret_cast<bf16 *>(smemRaw);
  bf16 *Ks = Qs + kBM * LD, *Vs = Ks + 2 * kBN * LD;
  const int q0 = int(gridDim.x - 1 - blockIdx.x) * kBM;
  const int h = blockIdx.y, b = blockIdx.z;
  const int64_t qh = int64_t(b) * Hq + h;
  const int hk = h / (Hq / Hkv);
  const bf16 *Q = qL.at(q, b, h), *K = kL.at(k, b, hk), *V = vL.at(v, b, hk);
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  const int g = lane >> 2, t = lane & 3;
  const int wrow = q0 + warp * 16, row0 = wrow + g;

  loadTile<kBM, D>(Qs, Q, qL.row, q0, Tn);
  loadTile<kBN, D>(Ks, K, kL.row, 0, Tn);
  loadTile<kBN, D>(Vs, V, vL.row, 0, Tn);
  cpCommit();
  const int nTiles = (min(Tn, q0 + kBM) + kBN - 1) / kBN;
  float o[D / 8][4];
  zero(o);
  float m[2] = {-INFINITY, -INFINITY}, l[2] = {0.f, 0.f};
  for (int it = 0; it < nTiles; ++it) {
    if (it + 1 < nTiles) {
      const int nb = (it + 1) & 1;
      loadTile<kBN, D>(Ks + nb * kBN * LD, K, kL.row, (it + 1) * kBN, Tn);
      loadTile<kBN, D>(Vs + nb * kBN * LD, V, vL.row, (it + 1) * kBN, Tn);
      cpCommit();
      cpWait<1>();
    } else {
      cpWait<0>();
    }
    __syncthreads();
    const bf16 *Kt = Ks + (it & 1) * kBN * LD, *Vt = Vs + (it & 1) * kBN * LD;
    const int k0 = it * kBN;
    float s[kBN / 8][4];
    zero(s);
    mmaABt<kBN, D>(s, Qs + warp * 16 * LD, Kt);
    const bool mask = k0 + kBN - 1 > wrow || k0 + kBN > Tn;
    float mx[2] = {-INFINITY, -INFINITY};
#pragma unroll
    for (int nt = 0; nt < kBN / 8; ++nt)
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        float x = s[nt][e] * c;
        if (mask) {
          const int col = k0 + nt * 8 + 2 * t + (e & 1);
          const int row = row0 + (e >> 1) * 8;
          if (col > row || col >= Tn)
            x = -INFINITY;
        }
        s[nt][e] = x;
        mx[e >> 1] = fmaxf(mx[e >> 1], x);
      }
    float mS[2], alpha[2];
#pragma unroll
    for (int i = 0; i < 2; ++i) {
      mx[i] = fmaxf(mx[i], __shfl_xor_sync(0xffffffffu, mx[i], 1));
      mx[i] = fmaxf(mx[i], __shfl_xor_sync(0xffffffffu, mx[i], 2));
      const float mNew = fmaxf(m[i], mx[i]);
      mS[i] = mNew == -INFINITY ? 0.f : mNew;
      alpha[i] = fastExp2(m[i] - mS[i]);
      m[i] = mNew;
      l[i] *= alpha[i];
    }
#pragma unroll
    for (int nt = 0; nt < kBN / 8; ++nt)
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        const float p = fastExp2(s[nt][e] - mS[e >> 1]);
        s[nt][e] = p;
        l[e >> 1] += p;
      }
#pragma unroll
    for (int dt = 0; dt < D / 8; ++dt)
#pragma unroll
      for (int e = 0; e < 4; ++e)
        o[dt][e] *= alpha[e >> 1];
    uint32_t pa[kBN / 16][4];
    toA<kBN>(pa, s);
    mmaPV<kBN, D>(o, pa, Vt);
    __syncthreads();
  }
#pragma unroll
  for (int i = 0; i < 2; ++i) {
    l[i] += __shfl_xor_sync(0xffffffffu, l[i], 1);
    l[i] += __shfl_xor_sync(0xffffffffu, l[i], 2);
    const int row = row0 + i * 8;
    if (row >= Tn)
      continue;
    const float inv = 1.f / l[i];
    bf16 *orow = oL.at(out, b, h) + row * oL.row;
#pragma unroll
    for (int dt = 0; dt < D / 8; ++dt)
      addPair(orow + dt * 8 + 2 * t, o[dt][2 * i] * inv, o[dt][2 * i + 1] * inv,
              false);
    if (lse && t == 0)
      lse[qh * Tn + row] = m[i] * kLn2 + logf(l[i]);
  }
}

// Dvec[row] = sum_d dout[row, d] * out[row, d]; lse2[row] = lse[row] log2 e.
__global__ void bwdPrepKernel(float *Dvec, float *lse2, int *flags,
                              const bf16 *dout, const bf16 *out,
                              const float *lse, Layout doL, Layout oL,
                              int64_t rows, int64_t nFlags, int64_t Hq,
                              int64_t Tn, int D) {
  const int64_t row = blockIdx.x * int64_t(blockDim.x / 32) + threadIdx.x / 32;
  if (row >= rows)
    return;
  if (row < nFlags && threadIdx.x % 32 == 0)
    flags[row] = 0;
  const int64_t t = row % Tn, bh = row / Tn, b = bh / Hq, h = bh % Hq;
  const bf16 *dO = doL.at(dout, b, h) + t * doL.row;
  const bf16 *O = oL.at(out, b, h) + t * oL.row;
  const int lane = threadIdx.x & 31;
  float s = 0.f;
  for (int d = lane * 2; d < D; d += 64) {
    const float2 a =
        __bfloat1622float2(*reinterpret_cast<const __nv_bfloat162 *>(dO + d));
    const float2 o =
        __bfloat1622float2(*reinterpret_cast<const __nv_bfloat162 *>(O + d));
    s += a.x * o.x + a.y * o.y;
  }
  s = warpSum(s);
  if (lane == 0) {
    Dvec[row] = s;
    lse2[row] = lse[row] * kLog2e;
  }
}

template <int D>
__global__ void __launch_bounds__(kThreads, D == 64 ? 3 : 1)
    bwdKVKernel(bf16 *dk, bf16 *dv, const bf16 *dout, const bf16 *q,
                const bf16 *k, const bf16 *v, const float *lse2,
                const float *Dvec, Layout dkL, Layout dvL, Layout doL,
                Layout qL, Layout kL, Layout vL, bool accumulate, int Hq,
                int Hkv, int Tn, float c, float scale) {
  constexpr int LD = D + 8, BQ = bwdBQ<D>();
  extern __shared__ __align__(16) unsigned char smemRaw[];
  bf16 *Ks = reinterpret_cast<bf16 *>(smemRaw), *Vs = Ks + kBN * LD;
  bf16 *Qs = Vs + kBN * LD, *dOs = Qs + 2 * BQ * LD;
  float *Ls = reinterpret_cast<float *>(dOs + 2 * BQ * LD), *Ds = Ls + 2 * BQ;
  const int k0 = blockIdx.x * kBN, hk = blockIdx.y, b = blockIdx.z;
  const int group = Hq / Hkv;
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  const int g = lane >> 2, t = lane & 3;
  const int wkey = k0 + warp * 16, key0 = wkey + g;
  const int nq = (Tn - k0 + BQ - 1) / BQ, total = group * nq;

  auto issue = [&](int it, int stage) {
    const int q0 = k0 + (it % nq) * BQ;
    const int h = hk * group + it / nq;
    loadQueryTile<BQ, D>(Qs, dOs, Ls, Ds, stage, q, qL, dout, doL, lse2, Dvec,
                         b, h, Hq, q0, Tn);
  };
  loadTile<kBN, D>(Ks, kL.at(k, b, hk), kL.row, k0, Tn);
  loadTile<kBN, D>(Vs, vL.at(v, b, hk), vL.row, k0, Tn);
  issue(0, 0);
  cpCommit();
  float dK[D / 8][4], dV[D / 8][4];
  zero(dK);
  zero(dV);
  for (int it = 0; it < total; ++it) {
    const int stage = it & 1;
    if (it + 1 < total) {
      issue(it + 1, stage ^ 1);
      cpCommit();
      cpWait<1>();
    } else {
      cpWait<0>();
    }
    __syncthreads();
    const bf16 *Qt = Qs + stage * BQ * LD, *dOt = dOs + stage * BQ * LD;
    const float *Lt = Ls + stage * BQ, *Dt = Ds + stage * BQ;
    const int q0 = k0 + (it % nq) * BQ;
    uint32_t pa[BQ / 16][4];
    keyTileStep<BQ, D>(dK, dV, pa, Ks + warp * 16 * LD, Vs + warp * 16 * LD,
                       Qt, dOt, Lt, Dt, c, q0, wkey, key0, Tn, t);
    __syncthreads();
  }
#pragma unroll
  for (int i = 0; i < 2; ++i) {
    const int key = key0 + i * 8;
    if (key >= Tn)
      continue;
    bf16 *dkRow = dkL.at(dk, b, hk) + key * dkL.row + 2 * t;
    bf16 *dvRow = dvL.at(dv, b, hk) + key * dvL.row + 2 * t;
    float2 oldK[D / 8], oldV[D / 8];
    loadPairs(oldK, dkRow, accumulate);
    loadPairs(oldV, dvRow, accumulate);
    storePairs(dkRow, oldK, dK, 2 * i, scale);
    storePairs(dvRow, oldV, dV, 2 * i, 1.f);
  }
}

template <int D>
__global__ void __launch_bounds__(kThreads)
    bwdQKernel(bf16 *dq, const bf16 *dout, const bf16 *q, const bf16 *k,
               const bf16 *v, const float *lse2, const float *Dvec, Layout dqL,
               Layout doL, Layout qL, Layout kL, Layout vL, bool accumulate,
               int Hq, int Hkv, int Tn, float c, float scale) {
  constexpr int LD = D + 8;
  extern __shared__ __align__(16) unsigned char smemRaw[];
  bf16 *Qs = reinterpret_cast<bf16 *>(smemRaw), *dOs = Qs + kBM * LD;
  bf16 *Ks = dOs + kBM * LD, *Vs = Ks + 2 * kBN * LD;
  const int q0 = int(gridDim.x - 1 - blockIdx.x) * kBM;
  const int h = blockIdx.y, b = blockIdx.z;
  const int64_t qh = int64_t(b) * Hq + h;
  const int hk = h / (Hq / Hkv);
  const bf16 *K = kL.at(k, b, hk), *V = vL.at(v, b, hk);
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  const int g = lane >> 2, t = lane & 3;
  const int wrow = q0 + warp * 16, row0 = wrow + g;

  loadTile<kBM, D>(Qs, qL.at(q, b, h), qL.row, q0, Tn);
  loadTile<kBM, D>(dOs, doL.at(dout, b, h), doL.row, q0, Tn);
  loadTile<kBN, D>(Ks, K, kL.row, 0, Tn);
  loadTile<kBN, D>(Vs, V, vL.row, 0, Tn);
  cpCommit();
  float lr[2], dr[2];
#pragma unroll
  for (int i = 0; i < 2; ++i) {
    const int row = row0 + i * 8;
    lr[i] = row < Tn ? lse2[qh * Tn + row] : 0.f;
    dr[i] = row < Tn ? Dvec[qh * Tn + row] : 0.f;
  }
  const int nTiles = (min(Tn, q0 + kBM) + kBN - 1) / kBN;
  float dQ[D / 8][4];
  zero(dQ);
  for (int it = 0; it < nTiles; ++it) {
    if (it + 1 < nTiles) {
      const int nb = (it + 1) & 1;
      loadTile<kBN, D>(Ks + nb * kBN * LD, K, kL.row, (it + 1) * kBN, Tn);
      loadTile<kBN, D>(Vs + nb * kBN * LD, V, vL.row, (it + 1) * kBN, Tn);
      cpCommit();
      cpWait<1>();
    } else {
      cpWait<0>();
    }
    __syncthreads();
    const bf16 *Kt = Ks + (it & 1) * kBN * LD, *Vt = Vs + (it & 1) * kBN * LD;
    const int k0 = it * kBN;
    float s[kBN / 8][4], dp[kBN / 8][4];
    zero(s);
    zero(dp);
    mmaABt<kBN, D>(s, Qs + warp * 16 * LD, Kt);
    mmaABt<kBN, D>(dp, dOs + warp * 16 * LD, Vt);
    const bool mask = k0 + kBN - 1 > wrow || k0 + kBN > Tn;
#pragma unroll
    for (int nt = 0; nt < kBN / 8; ++nt)
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        float p = fastExp2(s[nt][e] * c - lr[e >> 1]);
        if (mask) {
          const int col = k0 + nt * 8 + 2 * t + (e & 1);
          const int row = row0 + (e >> 1) * 8;
          if (col > row || col >= Tn)
            p = 0.f;
        }
        dp[nt][e] = p * (dp[nt][e] - dr[e >> 1]);
      }
    uint32_t pa[kBN / 16][4];
    toA<kBN>(pa, dp);
    mmaPV<kBN, D>(dQ, pa, Kt); // dQ += dS K
    __syncthreads();
  }
#pragma unroll
  for (int i = 0; i < 2; ++i) {
    const int row = row0 + i * 8;
    if (row >= Tn)
      continue;
    bf16 *dqRow = dqL.at(dq, b, h) + row * dqL.row;
#pragma unroll
    for (int dt = 0; dt < D / 8; ++dt)
      addPair(dqRow + dt * 8 + 2 * t, scale * dQ[dt][2 * i],
              scale * dQ[dt][2 * i + 1], accumulate);
  }
}

// The fused backward: bwdKVKernel's CTA per (64 keys, kv head, batch) that
// also produces dQ, 5 matrix products a step instead of the two passes' 7.
// A step's dSᵀ goes through shared memory (dSs[key][query]) into the part
// dQ_j = dS K_j of query tile i from key tile j; the parts of a query tile
// are summed in fp32 scratch (dqAcc) in the fixed order j = the diagonal,
// .., 1, 0, each CTA waiting for its predecessor's flag (flags[head][tile] =
// parts added): the diagonal stores, the middle ones red.add, j = 0 adds the
// sum to its part and writes dq. The result does not depend on timing
// (deterministic). Steps walk the query tiles upwards from the diagonal
// (then the group's heads), so key tile j + 1 reaches a query tile `group`
// steps before key tile j and the waits are rare; key tile j + 1 has the
// block index before key tile j, so a CTA only ever waits on one launched
// before it (CTAs are dispatched in block order). Thread 0 raises a step's
// flag (st.release) after the next step's second barrier, which orders the
// CTA's adds before it, and reads the flag it waits on (ld.acquire) before
// the dQ product, so neither round trip stalls the CTA when the predecessor
// is ahead. Scratch: fp32 [B, Hq, T, D] (dqAcc) and an int per query tile.
template <int D, int BQ, int MinBlocks>
__global__ void __launch_bounds__(kThreads, MinBlocks)
    bwdFusedKernel(bf16 *dq, bf16 *dk, bf16 *dv, const bf16 *dout,
                   const bf16 *q, const bf16 *k, const bf16 *v,
                   const float *lse2, const float *Dvec, float *dqAcc,
                   int *flags, Layout dqL, Layout dkL, Layout dvL, Layout doL,
                   Layout qL, Layout kL, Layout vL, bool accumulate, int Hq,
                   int Hkv, int Tn, float c, float scale) {
  constexpr int LD = D + 8, LDS = BQ + 8;
  // dQ tile BQ x D over the 4 warps: RW warps along rows, DQ columns each.
  constexpr int RW = BQ / 16, DQ = D * RW / 4;
  extern __shared__ __align__(16) unsigned char smemRaw[];
  bf16 *Ks = reinterpret_cast<bf16 *>(smemRaw), *Vs = Ks + kBN * LD;
  bf16 *Qs = Vs + kBN * LD, *dOs = Qs + 2 * BQ * LD;
  float *Ls = reinterpret_cast<float *>(dOs + 2 * BQ * LD), *Ds = Ls + 2 * BQ;
  bf16 *dSs = reinterpret_cast<bf16 *>(Ds + 2 * BQ);
  const int jk = gridDim.x - 1 - blockIdx.x, k0 = jk * kBN;
  const int hk = blockIdx.y, b = blockIdx.z;
  const int group = Hq / Hkv;
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  const int g = lane >> 2, t = lane & 3;
  const int wkey = k0 + warp * 16, key0 = wkey + g;
  const int nqAll = (Tn + BQ - 1) / BQ, iq0 = k0 / BQ;
  const int total = group * (nqAll - iq0);
  const int mrow = (warp % RW) * 16, dcol = (warp / RW) * DQ;
  int *raise = nullptr; // the flag to raise after the next barrier
  int raiseTo = 0;

  auto issue = [&](int it, int stage) {
    const int q0 = (iq0 + it / group) * BQ;
    const int h = hk * group + it % group;
    loadQueryTile<BQ, D>(Qs, dOs, Ls, Ds, stage, q, qL, dout, doL, lse2, Dvec,
                         b, h, Hq, q0, Tn);
  };
  loadTile<kBN, D>(Ks, kL.at(k, b, hk), kL.row, k0, Tn);
  loadTile<kBN, D>(Vs, vL.at(v, b, hk), vL.row, k0, Tn);
  issue(0, 0);
  cpCommit();
  float dK[D / 8][4], dV[D / 8][4];
  zero(dK);
  zero(dV);
  for (int it = 0; it < total; ++it) {
    const int stage = it & 1;
    if (it + 1 < total) {
      issue(it + 1, stage ^ 1);
      cpCommit();
      cpWait<1>();
    } else {
      cpWait<0>();
    }
    __syncthreads();
    const bf16 *Qt = Qs + stage * BQ * LD, *dOt = dOs + stage * BQ * LD;
    const float *Lt = Ls + stage * BQ, *Dt = Ds + stage * BQ;
    const int iq = iq0 + it / group, q0 = iq * BQ;
    const int h = hk * group + it % group;
    uint32_t pa[BQ / 16][4];
    keyTileStep<BQ, D>(dK, dV, pa, Ks + warp * 16 * LD, Vs + warp * 16 * LD,
                       Qt, dOt, Lt, Dt, c, q0, wkey, key0, Tn, t);
    // dSᵀ rows of this warp's keys into dSs.
    bf16 *dSw = dSs + (warp * 16 + g) * LDS + 2 * t;
#pragma unroll
    for (int kk = 0; kk < BQ / 16; ++kk) {
      *reinterpret_cast<uint32_t *>(dSw + kk * 16) = pa[kk][0];
      *reinterpret_cast<uint32_t *>(dSw + 8 * LDS + kk * 16) = pa[kk][1];
      *reinterpret_cast<uint32_t *>(dSw + kk * 16 + 8) = pa[kk][2];
      *reinterpret_cast<uint32_t *>(dSw + 8 * LDS + kk * 16 + 8) = pa[kk][3];
    }
    __syncthreads();
    const int64_t qh = int64_t(b) * Hq + h;
    const int last = (q0 + BQ - 1) / kBN; // the diagonal key tile
    int *flag = flags + qh * nqAll + iq;
    // Raise the last step's flag (its adds are ordered by the barriers
    // since) and read this step's before the product, to have it at hand
    // after it.
    int seen = 0;
    if (threadIdx.x == 0) {
      if (raise)
        stRelease(raise, raiseTo);
      if (jk < last)
        seen = ldAcquire(flag);
    }
    raise = nullptr;
    float dQ[DQ / 8][4];
    zero(dQ);
    mmaAtB<kBN, DQ, LDS, LD>(dQ, dSs + mrow, Ks + dcol); // dQ_j = dS K_j

    // Add the part in key-tile order (see above).
    if (jk < last) {
      if (threadIdx.x == 0) {
        if (seen < last - jk)
          while (ldAcquire(flag) < last - jk)
            __nanosleep(32);
      }
      __syncthreads();
    }
    if (jk != 0 && jk != last) {
      // 16-byte reds: lanes t, t ^ 1 swap halves, the even lane adding 4
      // columns of row g, the odd one 4 columns of row g + 8.
      const bool odd = t & 1;
      const int row = q0 + mrow + g + (odd ? 8 : 0);
      float *acc = dqAcc + (qh * Tn + row) * D + dcol + 2 * (t & ~1);
#pragma unroll
      for (int dt = 0; dt < DQ / 8; ++dt) {
        const float sx = odd ? dQ[dt][0] : dQ[dt][2];
        const float sy = odd ? dQ[dt][1] : dQ[dt][3];
        const float rx = __shfl_xor_sync(0xffffffffu, sx, 1);
        const float ry = __shfl_xor_sync(0xffffffffu, sy, 1);
        if (row < Tn) {
          if (odd)
            redAdd4(acc + dt * 8, rx, ry, dQ[dt][2], dQ[dt][3]);
          else
            redAdd4(acc + dt * 8, dQ[dt][0], dQ[dt][1], rx, ry);
        }
      }
    } else
#pragma unroll
      for (int i = 0; i < 2; ++i) {
        const int row = q0 + mrow + g + i * 8;
        if (row >= Tn)
          continue;
        float *acc = dqAcc + (qh * Tn + row) * D + dcol + 2 * t;
        if (jk == 0) {
          bf16 *dqRow = dqL.at(dq, b, h) + row * dqL.row + dcol + 2 * t;
          float2 sum[DQ / 8], old[DQ / 8];
#pragma unroll
          for (int dt = 0; dt < DQ / 8; ++dt)
            sum[dt] =
                last > 0
                    ? __ldcg(reinterpret_cast<const float2 *>(acc + dt * 8))
                    : make_float2(0.f, 0.f);
          loadPairs(old, dqRow, accumulate);
#pragma unroll
          for (int dt = 0; dt < DQ / 8; ++dt) {
            dQ[dt][2 * i] += sum[dt].x;
            dQ[dt][2 * i + 1] += sum[dt].y;
          }
          storePairs(dqRow, old, dQ, 2 * i, scale);
        } else { // the diagonal: the first part
#pragma unroll
          for (int dt = 0; dt < DQ / 8; ++dt)
            __stcg(reinterpret_cast<float2 *>(acc + dt * 8),
                   make_float2(dQ[dt][2 * i], dQ[dt][2 * i + 1]));
        }
      }
    if (jk > 0) {
      raise = flag;
      raiseTo = last - jk + 1;
    }
  }
  __syncthreads();
  if (raise && threadIdx.x == 0)
    stRelease(raise, raiseTo);
#pragma unroll
  for (int i = 0; i < 2; ++i) {
    const int key = key0 + i * 8;
    if (key >= Tn)
      continue;
    bf16 *dkRow = dkL.at(dk, b, hk) + key * dkL.row + 2 * t;
    bf16 *dvRow = dvL.at(dv, b, hk) + key * dvL.row + 2 * t;
    float2 oldK[D / 8], oldV[D / 8];
    loadPairs(oldK, dkRow, accumulate);
    loadPairs(oldV, dvRow, accumulate);
    storePairs(dkRow, oldK, dK, 2 * i, scale);
    storePairs(dvRow, oldV, dV, 2 * i, 1.f);
  }
}

template <typename Kernel> void allowSmemTC(Kernel kernel, size_t bytes) {
  PTC_CUDA_CHECK(cudaFuncSetAttribute(
      kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(bytes)));
}

// The backward's path: the fused one-pass kernel (bwdFusedKernel) for Dh 64,
// the two passes (bwdKVKernel, bwdQKernel) for Dh 128, where they measured
// faster (H100: 0.647 ms vs 0.675 at B8 H16 T1024; docs/performance.md,
// "the bf16 attention backward, strided and fused");
// PTC_ATTENTION_BWD=fused or =3pass forces one (A/B timing, tests).
template <int D> bool fusedBackward() {
  static const int forced = [] {
    const char *e = std::getenv("PTC_ATTENTION_BWD");
    const std::string s = e ? e : "";
    return s == "fused" ? 1 : s == "3pass" ? 0 : -1;
  }();
  return forced < 0 ? D == 64 : forced == 1;
}

} // namespace

bool disabled() {
  static const bool off = [] {
    const char *e = std::getenv("PTC_ATTENTION_NO_TC");
    return e && *e && *e != '0';
  }();
  return off;
}

template <int D>
void forward(bf16 *out, float *lse, const bf16 *q, const bf16 *k, const bf16 *v,
             const Layout &oL, const Layout &qL, const Layout &kL,
             const Layout &vL, int64_t B, int64_t Hq, int64_t Hkv, int64_t Tn,
             float scale) {
  static const bool once = (allowSmemTC(fwdKernel<D>, fwdSmem<D>()), true);
  (void)once;
  const dim3 grid(unsigned((Tn + kBM - 1) / kBM), unsigned(Hq), unsigned(B));
  fwdKernel<D><<<grid, kThreads, fwdSmem<D>(), stream()>>>(
      out, lse, q, k, v, oL, qL, kL, vL, int(Hq), int(Hkv), int(Tn),
      scale * kLog2e);
  PTC_CUDA_CHECK_LAUNCH();
}

template <int D>
void backward(bf16 *dq, bf16 *dk, bf16 *dv, const bf16 *dout, const bf16 *q,
              const bf16 *k, const bf16 *v, const bf16 *out, const float *lse,
              const Layout &dqL, const Layout &dkL, const Layout &dvL,
              const Layout &doL, const Layout &qL, const Layout &kL,
              const Layout &vL, const Layout &oL, bool accumulate, int64_t B,
              int64_t Hq, int64_t Hkv, int64_t Tn, float scale) {
  static const bool once = (allowSmemTC(bwdKVKernel<D>, bwdKVSmem<D>()),
                            allowSmemTC(bwdQKernel<D>, bwdQSmem<D>()), true);
  (void)once;
  // Scratch: D and lse log2 e per query row; the fused kernel's dQ sums
  // (fp32 [B, Hq, T, D]) and flags (one per query tile).
  const int64_t rows = B * Hq * Tn;
  const int64_t nFlags = B * Hq * ((Tn + 31) / 32); // tiles of >= 32 rows
  const bool fused = fusedBackward<D>();
  const size_t floats = size_t(rows) * (fused ? 2 + D : 2);
  auto *Dvec = static_cast<float *>(
      scratch(floats * sizeof(float) + (fused ? size_t(nFlags) : 0) * 4));
  float *lse2 = Dvec + rows, *dqAcc = lse2 + rows;
  int *flags = reinterpret_cast<int *>(Dvec + floats);
  constexpr int rowsPerBlock = 8;
  bwdPrepKernel<<<unsigned((rows + rowsPerBlock - 1) / rowsPerBlock),
                  rowsPerBlock * 32, 0, stream()>>>(
      Dvec, lse2, flags, dout, out, lse, doL, oL, rows, fused ? nFlags : 0, Hq,
      Tn, D);
  PTC_CUDA_CHECK_LAUNCH();
  const float c = scale * kLog2e;
  const unsigned kTiles = unsigned((Tn + kBN - 1) / kBN);
  if (fused) {
    constexpr int BQ = bwdBQ<D>(), kMinBlocks = D == 64 ? 3 : 2;
    auto *kernel = bwdFusedKernel<D, BQ, kMinBlocks>;
    static const bool fusedOnce =
        (allowSmemTC(kernel, bwdFusedSmem<D, BQ>()), true);
    (void)fusedOnce;
    kernel<<<dim3(kTiles, unsigned(Hkv), unsigned(B)), kThreads,
             bwdFusedSmem<D, BQ>(), stream()>>>(
        dq, dk, dv, dout, q, k, v, lse2, Dvec, dqAcc, flags, dqL, dkL, dvL, doL,
        qL, kL, vL, accumulate, int(Hq), int(Hkv), int(Tn), c, scale);
    PTC_CUDA_CHECK_LAUNCH();
    return;
  }
  bwdKVKernel<D>
      <<<dim3(kTiles, unsigned(Hkv), unsigned(B)), kThreads, bwdKVSmem<D>(),
         stream()>>>(dk, dv, dout, q, k, v, lse2, Dvec, dkL, dvL, doL, qL, kL,
                     vL, accumulate, int(Hq), int(Hkv), int(Tn), c, scale);
  PTC_CUDA_CHECK_LAUNCH();
  const unsigned qTiles = unsigned((Tn + kBM - 1) / kBM);
  bwdQKernel<D>
      <<<dim3(qTiles, unsigned(Hq), unsigned(B)), kThreads, bwdQSmem<D>(),
         stream()>>>(dq, dout, q, k, v, lse2, Dvec, dqL, doL, qL, kL, vL,
                     accumulate, int(Hq), int(Hkv), int(Tn), c, scale);
  PTC_CUDA_CHECK_LAUNCH();
}

template void forward<64>(bf16 *, float *, const bf16 *, const bf16 *,
                          const bf16 *, const Layout &, const Layout &,
                          const Layout &, const Layout &, int64_t, int64_t,
                          int64_t, int64_t, float);
template void forward<128>(bf16 *, float *, const bf16 *, const bf16 *,
                           const bf16 *, const Layout &, const Layout &,
                           const Layout &, const Layout &, int64_t, int64_t,
                           int64_t, int64_t, float);
template void backward<64>(bf16 *, bf16 *, bf16 *, const bf16 *, const bf16 *,
                           const bf16 *, const bf16 *, const bf16 *,
                           const float *, const Layout &, const Layout &,
                           const Layout &, const Layout &, const Layout &,
                           const Layout &, const Layout &, const Layout &, bool,
                           int64_t, int64_t, int64_t, int64_t, float);
template void backward<128>(bf16 *, bf16 *, bf16 *, const bf16 *, const bf16 *,
                            const bf16 *, const bf16 *, const bf16 *,
                            const float *, const Layout &, const Layout &,
                            const Layout &, const Layout &, const Layout &,
                            const Layout &, const Layout &, const Layout &,
                            bool, int64_t, int64_t, int64_t, int64_t, float);

} // namespace ptc::kernels::attention_detail::tc

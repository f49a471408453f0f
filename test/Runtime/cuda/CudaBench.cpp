//===- CudaBench.cpp - Timings of the main CUDA kernels -------------------===//
//
// ptc-cuda-bench: the median of 20 timed runs (cudaEvents around each run,
// after 3 warm-up runs) of
//   gemm            bf16 4096 x 4096 x 4096 (and fp32) -> TFLOP/s
//   attention       fwd and bwd, B=8 H=12 T=1024 Dh=64, causal, bf16 and fp32
//                   (bf16 also B=16 H=12 T=1024 Dh=64, gpt2-124m's layer, and
//                   B=8 H=16 T=1024 Dh=128; PTC_ATTENTION_NO_TC=1 times the
//                   CUDA-core kernels instead of the tensor-core ones,
//                   PTC_ATTENTION_BWD=fused / =3pass a backward path; and
//                   the strided entry points on gpt2-124m's fused layouts,
//                   accumulate 0 and 1, and contiguous with accumulate 0)
//                   -> ms and TFLOP/s (flash-attention accounting: forward
//                   4 B H T^2 Dh / 2, backward 2.5 times that)
//   cross-entropy   fwd and bwd, N = 16 x 1024 rows, V = Vp = 50304, bf16
//                   -> ms and GB/s of the bytes the kernel must move
//   embedding bwd   N = 16 x 1024 ids, V = 50304, C = 768, bf16
//   data movement   gpt2-124m's shapes (B=16, T=1024, C=768, H=12, Dh=64):
//                   permute [0,2,1,3] of [B,T,H,Dh] and back, the q/k/v
//                   copy_rows split of [B*T, 3C], reduce_leading (bias
//                   gradients) of [B*T, C | 3C | 4C], layernorm/rmsnorm
//                   backward on [B*T, C], fill and convert of [B*T, C]
//                   -> ms and GB/s of the bytes the kernel must move
// on random data (init_normal). Not a test: prints a table. PTC_BENCH=
// "attention gemm ..." (the words in main) times only those sections.
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/kernels.cuh"

#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace k = ptc::kernels;
using bf16 = __nv_bfloat16;

namespace {

template <typename T> T *deviceRandom(int64_t n, int64_t stream, double std) {
  T *p = nullptr;
  PTC_CUDA_CHECK(cudaMalloc(&p, size_t(n) * sizeof(T)));
  static int64_t *seed = [] {
    int64_t *s = nullptr, v = 1234;
    PTC_CUDA_CHECK(cudaMalloc(&s, sizeof v));
    PTC_CUDA_CHECK(cudaMemcpy(s, &v, sizeof v, cudaMemcpyHostToDevice));
    return s;
  }();
  k::init_normal(p, seed, n, stream, std);
  return p;
}

/// Median milliseconds of `runs` timed calls after `warmup` untimed ones.
double medianMs(const std::function<void()> &f, int warmup = 3, int runs = 20) {
  for (int i = 0; i < warmup; ++i)
    f();
  cudaEvent_t start, stop;
  PTC_CUDA_CHECK(cudaEventCreate(&start));
  PTC_CUDA_CHECK(cudaEventCreate(&stop));
  std::vector<float> ms(runs);
  for (int i = 0; i < runs; ++i) {
    PTC_CUDA_CHECK(cudaEventRecord(start, k::stream()));
    f();
    PTC_CUDA_CHECK(cudaEventRecord(stop, k::stream()));
    PTC_CUDA_CHECK(cudaEventSynchronize(stop));
    PTC_CUDA_CHECK(cudaEventElapsedTime(&ms[i], start, stop));
  }
  PTC_CUDA_CHECK(cudaEventDestroy(start));
  PTC_CUDA_CHECK(cudaEventDestroy(stop));
  std::sort(ms.begin(), ms.end());
  return ms[runs / 2];
}

void row(const std::string &what, double ms, double rate, const char *unit) {
  std::printf("%-46s %10.3f ms %10.1f %s\n", what.c_str(), ms, rate, unit);
}

template <typename T> void benchGemm(const char *type) {
  const int64_t n = 4096;
  T *a = deviceRandom<T>(n * n, 1, 1.0), *b = deviceRandom<T>(n * n, 2, 1.0);
  T *c = deviceRandom<T>(n * n, 3, 1.0);
  const double ms = medianMs([&] {
    k::gemm(c, a, b, nullptr, 1, n, n, n, false, true, false, n * n, n * n,
            n * n);
  });
  row(std::string("gemm ") + type + " 4096x4096x4096 (NT)", ms,
      2.0 * n * n * n / (ms * 1e-3) / 1e12, "TFLOP/s");
  cudaFree(a);
  cudaFree(b);
  cudaFree(c);
}

template <typename T>
void benchAttention(const char *type, int64_t B = 8, int64_t H = 12,
                    int64_t Tn = 1024, int64_t Dh = 64) {
  const int64_t n = B * H * Tn * Dh;
  const double scale = 1.0 / std::sqrt(double(Dh));
  T *q = deviceRandom<T>(n, 4, 1.0), *kk = deviceRandom<T>(n, 5, 1.0);
  T *v = deviceRandom<T>(n, 6, 1.0), *dout = deviceRandom<T>(n, 7, 1.0);
  T *out = deviceRandom<T>(n, 8, 1.0);
  float *lse = deviceRandom<float>(B * H * Tn, 9, 1);
  T *dq = deviceRandom<T>(n, 10, 1.0), *dk = deviceRandom<T>(n, 11, 1.0);
  T *dv = deviceRandom<T>(n, 12, 1.0);
  const std::string shape = " B" + std::to_string(B) + " H" +
                            std::to_string(H) + " T" + std::to_string(Tn) +
                            " Dh" + std::to_string(Dh);
  const double fwdFlops = 4.0 * B * H * Tn * Tn * Dh / 2;
  const double fwd = medianMs(
      [&] { k::attention_forward(out, lse, q, kk, v, B, H, H, Tn, Dh, scale); },
      5, 50);
  row(std::string("attention fwd ") + type + shape, fwd,
      fwdFlops / (fwd * 1e-3) / 1e12, "TFLOP/s");
  const double bwd = medianMs(
      [&] {
        k::attention_backward(dq, dk, dv, dout, q, kk, v, out, lse, B, H, H, Tn,
                              Dh, scale);
      },
      5, 50);
  row(std::string("attention bwd ") + type + shape, bwd,
      2.5 * fwdFlops / (bwd * 1e-3) / 1e12, "TFLOP/s");
  for (T *p : {q, kk, v, dout, out, dq, dk, dv})
    cudaFree(p);
  cudaFree(lse);
}

/// The strided entry points on a layer's own layouts: q, k, v read out of
/// the fused [B, T, 3 H Dh] projection, out / dout in [B, T, H Dh], dq, dk,
/// dv written (accumulate 0) into the fused [B, T, 3 H Dh] gradient.
template <typename T>
void benchAttentionStrided(const char *type, int64_t B, int64_t H, int64_t Tn,
                           int64_t Dh) {
  const int64_t C = H * Dh, n = B * Tn * C;
  const double scale = 1.0 / std::sqrt(double(Dh));
  T *qkv = deviceRandom<T>(3 * n, 30, 1.0),
    *dqkv = deviceRandom<T>(3 * n, 31, 1);
  T *out = deviceRandom<T>(n, 32, 1.0), *dout = deviceRandom<T>(n, 33, 1.0);
  float *lse = deviceRandom<float>(B * H * Tn, 34, 1.0);
  const std::string shape = " B" + std::to_string(B) + " H" +
                            std::to_string(H) + " T" + std::to_string(Tn) +
                            " Dh" + std::to_string(Dh);
  const double fwdFlops = 4.0 * B * H * Tn * Tn * Dh / 2;
  const int64_t W = 3 * C;
  const double fwd = medianMs(
      [&] {
        k::attention_forward_strided(out, lse, qkv, qkv, qkv, B, H, H, Tn, Dh,
                                     scale, 0, Tn * W, Dh, W, C, Tn * W, Dh, W,
                                     2 * C, Tn * W, Dh, W, 0, Tn * C, Dh, C);
      },
      5, 50);
  row(std::string("attention fwd strided ") + type + shape, fwd,
      fwdFlops / (fwd * 1e-3) / 1e12, "TFLOP/s");
  const double bwd = medianMs(
      [&] {
        k::attention_backward_strided(
            dqkv, dqkv, dqkv, dout, qkv, qkv, qkv, out, lse, B, H, H, Tn, Dh,
            scale, 0, 0, Tn * W, Dh, W, C, Tn * W, Dh, W, 2 * C, Tn * W, Dh, W,
            0, Tn * C, Dh, C, 0, Tn * W, Dh, W, C, Tn * W, Dh, W, 2 * C, Tn * W,
            Dh, W, 0, Tn * C, Dh, C);
      },
      5, 50);
  row(std::string("attention bwd strided ") + type + shape, bwd,
      2.5 * fwdFlops / (bwd * 1e-3) / 1e12, "TFLOP/s");
  // The same with accumulate 1, and contiguous [B, H, T, Dh] operands
  // (carved from the same buffers) with accumulate 0: the cost of the layout
  // apart from that of accumulation.
  const double bwdAcc = medianMs(
      [&] {
        k::attention_backward_strided(
            dqkv, dqkv, dqkv, dout, qkv, qkv, qkv, out, lse, B, H, H, Tn, Dh,
            scale, 1, 0, Tn * W, Dh, W, C, Tn * W, Dh, W, 2 * C, Tn * W, Dh, W,
            0, Tn * C, Dh, C, 0, Tn * W, Dh, W, C, Tn * W, Dh, W, 2 * C, Tn * W,
            Dh, W, 0, Tn * C, Dh, C);
      },
      5, 50);
  row(std::string("attention bwd strided acc1 ") + type + shape, bwdAcc,
      2.5 * fwdFlops / (bwdAcc * 1e-3) / 1e12, "TFLOP/s");
  const int64_t hs = Tn * Dh, bs = H * hs;
  const double bwdC0 = medianMs(
      [&] {
        k::attention_backward_strided(
            dqkv, dqkv + n, dqkv + 2 * n, dout, qkv, qkv + n, qkv + 2 * n, out,
            lse, B, H, H, Tn, Dh, scale, 0, 0, bs, hs, Dh, 0, bs, hs, Dh, 0, bs,
            hs, Dh, 0, bs, hs, Dh, 0, bs, hs, Dh, 0, bs, hs, Dh, 0, bs, hs, Dh,
            0, bs, hs, Dh);
      },
      5, 50);
  row(std::string("attention bwd contiguous acc0 ") + type + shape, bwdC0,
      2.5 * fwdFlops / (bwdC0 * 1e-3) / 1e12, "TFLOP/s");
  for (T *p : {qkv, dqkv, out, dout})
    cudaFree(p);
  cudaFree(lse);
}

template <typename T> void benchCrossEntropy(const char *type) {
  const int64_t N = 16 * 1024, V = 50304;
  T *logits = deviceRandom<T>(N * V, 13, 2.0);
  T *dlogits = deviceRandom<T>(N * V, 14, 1.0);
  T *lse = deviceRandom<T>(N, 15, 1.0), *loss = deviceRandom<T>(1, 16, 1.0);
  T *dloss = deviceRandom<T>(1, 17, 1.0);
  std::vector<int32_t> targets(N);
  for (int64_t i = 0; i < N; ++i)
    targets[i] = int32_t((i * 7919) % V);
  int32_t *t = nullptr;
  PTC_CUDA_CHECK(cudaMalloc(&t, N * sizeof(int32_t)));
  PTC_CUDA_CHECK(cudaMemcpy(t, targets.data(), N * sizeof(int32_t),
                            cudaMemcpyHostToDevice));
  const double bytes = double(N) * V * sizeof(T);
  const double fwd = medianMs(
      [&] { k::cross_entropy_forward(loss, lse, logits, t, N, V, V); });
  row(std::string("cross-entropy fwd ") + type + " 16x1024x50304", fwd,
      bytes / (fwd * 1e-3) / 1e9, "GB/s");
  const double bwd = medianMs([&] {
    k::cross_entropy_backward(dlogits, logits, lse, t, dloss, N, V, V);
  });
  row(std::string("cross-entropy bwd ") + type + " 16x1024x50304", bwd,
      3 * bytes / (bwd * 1e-3) / 1e9, "GB/s");
  for (T *p : {logits, dlogits, lse, loss, dloss})
    cudaFree(p);
  cudaFree(t);
}

template <typename T> void benchEmbedding(const char *type) {
  const int64_t N = 16 * 1024, V = 50304, C = 768;
  T *dout = deviceRandom<T>(N * C, 18, 1.0);
  T *dtable = deviceRandom<T>(V * C, 19, 1.0);
  std::vector<int32_t> ids(N);
  for (int64_t i = 0; i < N; ++i) // Zipf-like: small ids repeat often
    ids[i] = int32_t((i * i * 2654435761ull) % (i % 8 == 0 ? 64 : V));
  int32_t *d = nullptr;
  PTC_CUDA_CHECK(cudaMalloc(&d, N * sizeof(int32_t)));
  PTC_CUDA_CHECK(
      cudaMemcpy(d, ids.data(), N * sizeof(int32_t), cudaMemcpyHostToDevice));
  const double ms =
      medianMs([&] { k::embedding_backward(dtable, d, dout, N, V, C); });
  row(std::string("embedding bwd ") + type + " N16384 V50304 C768", ms,
      3.0 * N * C * sizeof(T) / (ms * 1e-3) / 1e9, "GB/s");
  cudaFree(dout);
  cudaFree(dtable);
  cudaFree(d);
}

template <typename T> void benchDataMovement(const char *type) {
  const int64_t B = 16, Tn = 1024, H = 12, Dh = 64, C = H * Dh, N = B * Tn;
  const std::string t = std::string(" ") + type;
  const double sz = double(sizeof(T));
  T *a = deviceRandom<T>(N * 4 * C, 20, 1.0),
    *b = deviceRandom<T>(N * 4 * C, 21, 1.0);
  auto gbs = [](double bytes, double ms) { return bytes / (ms * 1e-3) / 1e9; };
  double ms = medianMs(
      [&] { k::permute(b, a, 4, B, Tn, H, Dh, 1, 1, 0, 2, 1, 3, 4, 5); });
  row("permute" + t + " [16,1024,12,64] [0,2,1,3]", ms, gbs(2 * N * C * sz, ms),
      "GB/s");
  ms = medianMs(
      [&] { k::permute(b, a, 4, B, H, Tn, Dh, 1, 1, 0, 2, 1, 3, 4, 5); });
  row("permute" + t + " [16,12,1024,64] [0,2,1,3]", ms, gbs(2 * N * C * sz, ms),
      "GB/s");
  ms = medianMs(
      [&] { k::permute(b, a, 3, N / 64, 64, C, 1, 1, 1, 0, 2, 1, 3, 4, 5); });
  row("permute" + t + " [256,64,768] [0,2,1]", ms, gbs(2 * N * C * sz, ms),
      "GB/s");
  ms = medianMs([&] { k::copy_rows(b, a, N, C, C, 0, 3 * C, C); });
  row("copy_rows" + t + " 16384 x 768 of [16384,2304]", ms,
      gbs(2 * N * C * sz, ms), "GB/s");
  for (int64_t inner : {C, 3 * C, 4 * C}) {
    ms = medianMs([&] { k::reduce_leading(b, a, N, inner); });
    row("reduce_leading" + t + " [16384," + std::to_string(inner) + "]", ms,
        gbs(N * inner * sz, ms), "GB/s");
  }
  T *dx = deviceRandom<T>(N * C, 22, 1.0),
    *dout = deviceRandom<T>(N * C, 23, 1.0);
  T *x = deviceRandom<T>(N * C, 24, 1.0), *gamma = deviceRandom<T>(C, 25, 1.0);
  T *dg = deviceRandom<T>(C, 26, 1.0), *db = deviceRandom<T>(C, 27, 1.0);
  T *mean = deviceRandom<T>(N, 28, 0.1), *rstd = deviceRandom<T>(N, 29, 0.1);
  ms = medianMs([&] {
    k::layernorm_backward(dx, dg, db, dout, x, gamma, mean, rstd, N, C);
  });
  row("layernorm_backward" + t + " N16384 C768", ms, gbs(4 * N * C * sz, ms),
      "GB/s");
  ms = medianMs(
      [&] { k::rmsnorm_backward(dx, dg, dout, x, gamma, rstd, N, C); });
  row("rmsnorm_backward" + t + " N16384 C768", ms, gbs(4 * N * C * sz, ms),
      "GB/s");
  ms = medianMs([&] { k::fill(b, N * C, 0.0); });
  row("fill" + t + " 16384 x 768", ms, gbs(N * C * sz, ms), "GB/s");
  ms = medianMs([&] { k::convert(reinterpret_cast<float *>(b), a, N * C); });
  row("convert" + t + "->f32 16384 x 768", ms, gbs(N * C * (sz + 4), ms),
      "GB/s");
  for (T *p : {a, b, dx, dout, x, gamma, dg, db, mean, rstd})
    cudaFree(p);
}

} // namespace

int main() {
  int count = 0;
  cudaDeviceProp prop{};
  if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
    std::fprintf(stderr, "ptc-cuda-bench: no CUDA GPU\n");
    return 1;
  }
  PTC_CUDA_CHECK(cudaGetDeviceProperties(&prop, 0));
  std::printf("ptc-cuda-bench on %s (sm_%d%d, %d SMs); median of 20 runs "
              "(attention: 50)\n",
              prop.name, prop.major, prop.minor, prop.multiProcessorCount);
  // PTC_BENCH=attention (or any list of the words below) times only those.
  const char *only = std::getenv("PTC_BENCH");
  auto want = [&](const char *what) {
    return !only || !*only || std::strstr(only, what);
  };
  if (want("gemm")) {
    benchGemm<bf16>("bf16");
    benchGemm<float>("fp32");
  }
  if (want("attention")) {
    benchAttention<bf16>("bf16");
    benchAttention<bf16>("bf16", 16, 12, 1024, 64); // gpt2-124m, one layer
    benchAttention<bf16>("bf16", 8, 16, 1024, 128);
    benchAttentionStrided<bf16>("bf16", 16, 12, 1024, 64);
    benchAttention<float>("fp32");
  }
  if (want("cross-entropy")) {
    benchCrossEntropy<bf16>("bf16");
    benchCrossEntropy<float>("fp32");
  }
  if (want("embedding"))
    benchEmbedding<bf16>("bf16");
  if (want("data-movement")) {
    benchDataMovement<bf16>("bf16");
    benchDataMovement<float>("fp32");
  }
  PTC_CUDA_CHECK(cudaDeviceSynchronize());
  return 0;
}

//===- CudaBench.cpp - Timings of the main CUDA kernels -------------------===//
//
// ptc-cuda-bench: the median of 20 timed runs (cudaEvents around each run,
// after 3 warm-up runs) of
//   gemm            bf16 4096 x 4096 x 4096 (and fp32) -> TFLOP/s
//   attention       fwd and bwd, B=8 H=12 T=1024 Dh=64, causal, bf16 and fp32
//                   (bf16 also B=16 H=12 T=1024 Dh=64, gpt2-124m's layer, and
//                   B=8 H=16 T=1024 Dh=128; PTC_ATTENTION_NO_TC=1 times the
//                   CUDA-core kernels instead of the tensor-core ones)
//                   -> ms and TFLOP/s (flash-attention accounting: forward
//                   4 B H T^2 Dh / 2, backward 2.5 times that)
//   cross-entropy   fwd and bwd, N = 16 x 1024 rows, V = Vp = 50304, bf16
//                   -> ms and GB/s of the bytes the kernel must move
//   embedding bwd   N = 16 x 1024 ids, V = 50304, C = 768, bf16
// on random data (init_normal). Not a test: prints a table.
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/kernels.cuh"

#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
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
double medianMs(const std::function<void()> &f, int warmup = 3,
                int runs = 20) {
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
  T *out = deviceRandom<T>(n, 8, 1.0), *lse = deviceRandom<T>(B * H * Tn, 9, 1);
  T *dq = deviceRandom<T>(n, 10, 1.0), *dk = deviceRandom<T>(n, 11, 1.0);
  T *dv = deviceRandom<T>(n, 12, 1.0);
  const std::string shape = " B" + std::to_string(B) + " H" +
                            std::to_string(H) + " T" + std::to_string(Tn) +
                            " Dh" + std::to_string(Dh);
  const double fwdFlops = 4.0 * B * H * Tn * Tn * Dh / 2;
  const double fwd = medianMs([&] {
    k::attention_forward(out, lse, q, kk, v, B, H, H, Tn, Dh, scale);
  });
  row(std::string("attention fwd ") + type + shape, fwd,
      fwdFlops / (fwd * 1e-3) / 1e12, "TFLOP/s");
  const double bwd = medianMs([&] {
    k::attention_backward(dq, dk, dv, dout, q, kk, v, out, lse, B, H, H, Tn,
                          Dh, scale);
  });
  row(std::string("attention bwd ") + type + shape, bwd,
      2.5 * fwdFlops / (bwd * 1e-3) / 1e12, "TFLOP/s");
  for (T *p : {q, kk, v, dout, out, lse, dq, dk, dv})
    cudaFree(p);
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

} // namespace

int main() {
  int count = 0;
  cudaDeviceProp prop{};
  if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
    std::fprintf(stderr, "ptc-cuda-bench: no CUDA GPU\n");
    return 1;
  }
  PTC_CUDA_CHECK(cudaGetDeviceProperties(&prop, 0));
  std::printf("ptc-cuda-bench on %s (sm_%d%d, %d SMs); median of 20 runs\n",
              prop.name, prop.major, prop.minor, prop.multiProcessorCount);
  benchGemm<bf16>("bf16");
  benchGemm<float>("fp32");
  benchAttention<bf16>("bf16");
  benchAttention<bf16>("bf16", 16, 12, 1024, 64); // gpt2-124m, one layer
  benchAttention<bf16>("bf16", 8, 16, 1024, 128);
  benchAttention<float>("fp32");
  benchCrossEntropy<bf16>("bf16");
  benchCrossEntropy<float>("fp32");
  benchEmbedding<bf16>("bf16");
  PTC_CUDA_CHECK(cudaDeviceSynchronize());
  return 0;
}

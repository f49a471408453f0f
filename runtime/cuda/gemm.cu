//===- gemm.cu - General matrix multiply through cuBLASLt -----------------===//

#include "runtime/cuda/gemm.cuh"

#include "runtime/cuda/device_utils.cuh"
#include "runtime/cuda/gelu.cuh"
#include "runtime/cuda/tensor_ops.cuh"

#include <cublasLt.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace ptc::cuda {

namespace {

constexpr size_t kWorkspaceBytes = 32u << 20;
bool fallbackOnly = false;

void *workspace() {
  static void *w = [] {
    void *p = nullptr;
    PTC_CUDA_CHECK(cudaMalloc(&p, kWorkspaceBytes));
    return p;
  }();
  return w;
}

template <typename T> constexpr cudaDataType_t dataType();
template <> constexpr cudaDataType_t dataType<float>() { return CUDA_R_32F; }
template <> constexpr cudaDataType_t dataType<__nv_bfloat16>() {
  return CUDA_R_16BF;
}

/// The largest power of two <= 256 dividing the address and, for a batch,
/// the batch stride in bytes.
int alignment(const void *p, int64_t strideBytes, int64_t batch) {
  uint64_t bits = uint64_t(reinterpret_cast<uintptr_t>(p)) | 256u;
  if (batch > 1 && strideBytes > 0)
    bits |= uint64_t(strideBytes);
  return int(bits & (~bits + 1));
}

// One cached plan: descriptors and the algorithm for a shape.
struct Plan {
  cublasLtMatmulDesc_t op = nullptr;
  cublasLtMatrixLayout_t la = nullptr, lb = nullptr, lc = nullptr;
  cublasLtMatmulAlgo_t algo{};
  bool ok = false;
};
/// (types and autotune, batch, M, N, K, transA, transB, epilogue, strides,
///  alignments of cuBLASLt's A, B, C/D, the bias and the aux matrix).
using PlanKey =
    std::tuple<int, int64_t, int64_t, int64_t, int64_t, bool, bool, int,
               int64_t, int64_t, int64_t, int, int, int, int, int>;

/// What the epilogue reads or writes besides the product: the bias (or the
/// bias gradient) and, for the GELU epilogues, the aux matrix (GELU's input,
/// laid out like the output: leading dimension N in cuBLASLt's terms).
struct Epilogue {
  cublasLtEpilogue_t kind = CUBLASLT_EPILOGUE_DEFAULT;
  const void *bias = nullptr;
  const void *aux = nullptr;
};

/// Sets the epilogue's pointers on `op` (they change from call to call; the
/// descriptor is cached per shape).
void setEpiloguePointers(cublasLtMatmulDesc_t op, const Epilogue &e,
                         int64_t auxLd) {
  if (e.bias)
    PTC_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(
        op, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &e.bias, sizeof(e.bias)));
  if (e.aux) {
    PTC_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(
        op, CUBLASLT_MATMUL_DESC_EPILOGUE_AUX_POINTER, &e.aux, sizeof(e.aux)));
    PTC_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(
        op, CUBLASLT_MATMUL_DESC_EPILOGUE_AUX_LD, &auxLd, sizeof(auxLd)));
  }
}

cublasLtMatrixLayout_t layout(cudaDataType_t type, int64_t rows, int64_t cols,
                              int64_t ld, int64_t batch, int64_t stride) {
  cublasLtMatrixLayout_t l;
  PTC_CUBLAS_CHECK(
      cublasLtMatrixLayoutCreate(&l, type, uint64_t(rows), uint64_t(cols), ld));
  if (batch > 1) {
    int32_t count = int32_t(batch);
    PTC_CUBLAS_CHECK(cublasLtMatrixLayoutSetAttribute(
        l, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &count, sizeof(count)));
    PTC_CUBLAS_CHECK(cublasLtMatrixLayoutSetAttribute(
        l, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &stride,
        sizeof(stride)));
  }
  return l;
}

/// Whether PTC_GEMM_AUTOTUNE=1 (or setGemmAutotune) asks to time cuBLASLt's
/// candidates.
int autotuneOverride = -1;
bool autotune() {
  static const bool on = [] {
    const char *v = std::getenv("PTC_GEMM_AUTOTUNE");
    return v && std::string(v) == "1";
  }();
  return autotuneOverride >= 0 ? autotuneOverride != 0 : on;
}

/// Times each heuristic candidate on the call's operands (the output goes to
/// a scratch copy, so an accumulating product is not disturbed) and returns
/// the index of the fastest. Runs only when a plan is made: in the first,
/// uncaptured call of an entry point.
int fastest(const cublasLtMatmulHeuristicResult_t *results, int found,
            cublasLtMatmulDesc_t op, cublasLtMatrixLayout_t la,
            cublasLtMatrixLayout_t lb, cublasLtMatrixLayout_t lc,
            const void *a, const void *b, size_t outBytes) {
  void *out = nullptr;
  if (cudaMalloc(&out, outBytes) != cudaSuccess) {
    cudaGetLastError();
    return 0;
  }
  cudaEvent_t start, stop;
  PTC_CUDA_CHECK(cudaEventCreate(&start));
  PTC_CUDA_CHECK(cudaEventCreate(&stop));
  const float alpha = 1.f, beta = 0.f;
  int best = 0;
  float bestMs = 1e30f;
  for (int i = 0; i < found; ++i) {
    auto runOnce = [&] {
      return cublasLtMatmul(cublasLtHandle(), op, &alpha, b, la, a, lb, &beta,
                            out, lc, out, lc, &results[i].algo, workspace(),
                            kWorkspaceBytes, ptc::kernels::stream());
    };
    if (runOnce() != CUBLAS_STATUS_SUCCESS)
      continue;
    PTC_CUDA_CHECK(cudaEventRecord(start, ptc::kernels::stream()));
    constexpr int kReps = 3;
    for (int r = 0; r < kReps; ++r)
      runOnce();
    PTC_CUDA_CHECK(cudaEventRecord(stop, ptc::kernels::stream()));
    PTC_CUDA_CHECK(cudaEventSynchronize(stop));
    float ms = 0;
    PTC_CUDA_CHECK(cudaEventElapsedTime(&ms, start, stop));
    if (ms < bestMs) {
      bestMs = ms;
      best = i;
    }
  }
  PTC_CUDA_CHECK(cudaEventDestroy(start));
  PTC_CUDA_CHECK(cudaEventDestroy(stop));
  PTC_CUDA_CHECK(cudaFree(out));
  return best;
}

/// TI: the operands' type; TO: the output's (and the bias's).
/// An epilogue with an aux matrix (GELU's) is planned for batch 1 only, and
/// always from the fastest of cuBLASLt's first candidates (the heuristic's
/// first pick for these epilogues was far from the best on an H100).
/// `ok` is false when cuBLASLt has no algorithm for the combination (the
/// caller then takes its fallback).
template <typename TI, typename TO>
Plan &plan(const TO *out, const TI *a, const TI *b, const Epilogue &epi,
           int64_t batch, int64_t M, int64_t N, int64_t K, bool transA,
           bool transB, int64_t strideA, int64_t strideB, int64_t strideOut) {
  static std::map<PlanKey, Plan> cache;
  const int64_t e = sizeof(TI);
  const int alA = alignment(b, strideB * e, batch);
  const int alB = alignment(a, strideA * e, batch);
  const int alC = alignment(out, strideOut * int64_t(sizeof(TO)), batch);
  const int alBias = epi.bias ? alignment(epi.bias, 0, 1) : 0;
  const int alAux = epi.aux ? alignment(epi.aux, 0, 1) : 0;
  PlanKey key{(int(dataType<TI>()) * 1000 + int(dataType<TO>())) * 2 +
                  int(autotune()),
              batch,
              M,
              N,
              K,
              transA,
              transB,
              int(epi.kind),
              strideA,
              strideB,
              strideOut,
              alA,
              alB,
              alC,
              alBias,
              alAux};
  auto it = cache.find(key);
  if (it != cache.end())
    return it->second;
  Plan &p = cache[key];
  const cudaDataType_t type = dataType<TI>();
  PTC_CUBLAS_CHECK(
      cublasLtMatmulDescCreate(&p.op, CUBLAS_COMPUTE_32F, CUDA_R_32F));
  // cuBLASLt's A is our b (op(B)ᵀ), its B our a (op(A)ᵀ).
  const cublasOperation_t opA = transB ? CUBLAS_OP_T : CUBLAS_OP_N;
  const cublasOperation_t opB = transA ? CUBLAS_OP_T : CUBLAS_OP_N;
  PTC_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(
      p.op, CUBLASLT_MATMUL_DESC_TRANSA, &opA, sizeof(opA)));
  PTC_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(
      p.op, CUBLASLT_MATMUL_DESC_TRANSB, &opB, sizeof(opB)));
  if (epi.kind != CUBLASLT_EPILOGUE_DEFAULT) {
    PTC_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(
        p.op, CUBLASLT_MATMUL_DESC_EPILOGUE, &epi.kind, sizeof(epi.kind)));
    // The heuristic reads the pointers' alignment.
    setEpiloguePointers(p.op, epi, N);
  }
  p.la = transB ? layout(type, K, N, K, batch, strideB)
                : layout(type, N, K, N, batch, strideB);
  p.lb = transA ? layout(type, M, K, M, batch, strideA)
                : layout(type, K, M, K, batch, strideA);
  p.lc = layout(dataType<TO>(), N, M, N, batch, strideOut);

  cublasLtMatmulPreference_t pref;
  PTC_CUBLAS_CHECK(cublasLtMatmulPreferenceCreate(&pref));
  const uint64_t ws = kWorkspaceBytes;
  PTC_CUBLAS_CHECK(cublasLtMatmulPreferenceSetAttribute(
      pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof(ws)));
  const uint32_t aligns[3] = {uint32_t(alA), uint32_t(alB), uint32_t(alC)};
  PTC_CUBLAS_CHECK(cublasLtMatmulPreferenceSetAttribute(
      pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, &aligns[0], 4));
  PTC_CUBLAS_CHECK(cublasLtMatmulPreferenceSetAttribute(
      pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES, &aligns[1], 4));
  PTC_CUBLAS_CHECK(cublasLtMatmulPreferenceSetAttribute(
      pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, &aligns[2], 4));
  PTC_CUBLAS_CHECK(cublasLtMatmulPreferenceSetAttribute(
      pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES, &aligns[2], 4));
  constexpr int kCandidates = 8;
  cublasLtMatmulHeuristicResult_t results[kCandidates] = {};
  int found = 0;
  cublasStatus_t status = cublasLtMatmulAlgoGetHeuristic(
      cublasLtHandle(), p.op, p.la, p.lb, p.lc, p.lc, pref,
      autotune() || epi.aux ? kCandidates : 1, results, &found);
  PTC_CUBLAS_CHECK(cublasLtMatmulPreferenceDestroy(pref));
  if (status == CUBLAS_STATUS_SUCCESS && found > 0) {
    const int pick =
        found > 1 && batch == 1
            ? fastest(results, found, p.op, p.la, p.lb, p.lc, a, b,
                      size_t(M) * size_t(N) * sizeof(TO))
            : 0;
    p.algo = results[pick].algo;
    p.ok = true;
  } else if (status != CUBLAS_STATUS_NOT_SUPPORTED &&
             status != CUBLAS_STATUS_SUCCESS &&
             !(epi.aux && status == CUBLAS_STATUS_INVALID_VALUE)) {
    // A GELU epilogue's aux matrix has requirements of its own (leading
    // dimension a multiple of 8): INVALID_VALUE there means "not this way",
    // and the caller falls back.
    PTC_CUBLAS_CHECK(status);
  }
  return p;
}

// The plain kernel: 16x16 output tiles, K in steps of 16 through shared
// memory, fp32 accumulation. For K = 0 and shapes cuBLASLt declines.
constexpr int kTile = 16;

template <typename TI, typename T>
__global__ void gemmTiledKernel(T *out, const TI *a, const TI *b, const T *bias,
                                const T *c, int64_t M, int64_t N, int64_t K,
                                bool transA, bool transB, int64_t strideA,
                                int64_t strideB, int64_t strideOut) {
  __shared__ float As[kTile][kTile + 1], Bs[kTile][kTile + 1];
  const int64_t batch = blockIdx.z;
  a += batch * strideA;
  b += batch * strideB;
  out += batch * strideOut;
  if (c)
    c += batch * strideOut;
  const int64_t m = blockIdx.y * int64_t(kTile) + threadIdx.y;
  const int64_t n = blockIdx.x * int64_t(kTile) + threadIdx.x;
  float acc = 0.f;
  for (int64_t k0 = 0; k0 < K; k0 += kTile) {
    // As[y][x] = op(A)[m0 + y, k0 + x]; Bs[y][x] = op(B)[k0 + y, n0 + x].
    const int64_t am = blockIdx.y * int64_t(kTile) + threadIdx.y,
                  ak = k0 + threadIdx.x;
    As[threadIdx.y][threadIdx.x] =
        am < M && ak < K ? toFloat(transA ? a[ak * M + am] : a[am * K + ak])
                         : 0.f;
    const int64_t bk = k0 + threadIdx.y,
                  bn = blockIdx.x * int64_t(kTile) + threadIdx.x;
    Bs[threadIdx.y][threadIdx.x] =
        bk < K && bn < N ? toFloat(transB ? b[bn * K + bk] : b[bk * N + bn])
                         : 0.f;
    __syncthreads();
#pragma unroll
    for (int k = 0; k < kTile; ++k)
      acc += As[threadIdx.y][k] * Bs[k][threadIdx.x];
    __syncthreads();
  }
  if (m < M && n < N) {
    float r = acc + (bias ? toFloat(bias[n]) : 0.f);
    if (c)
      r += toFloat(c[m * N + n]);
    out[m * N + n] = fromFloat<T>(r);
  }
}

} // namespace

cublasLtContext *cublasLtHandle() {
  static cublasLtHandle_t h = [] {
    cublasLtHandle_t handle;
    PTC_CUBLAS_CHECK(cublasLtCreate(&handle));
    return handle;
  }();
  return h;
}

void setGemmFallbackOnly(bool on) { fallbackOnly = on; }
void setGemmAutotune(bool on) { autotuneOverride = on ? 1 : 0; }

} // namespace ptc::cuda

namespace ptc::kernels {

using namespace ptc::cuda;

namespace {

/// out = op(a) op(b) (+ bias) (+ c); c may be out (accumulate) or null.
template <typename TI, typename TO>
void gemmImpl(TO *out, const TI *a, const TI *b, const TO *bias, const TO *c,
              int64_t batch, int64_t M, int64_t N, int64_t K, bool transA,
              bool transB, int64_t strideA, int64_t strideB,
              int64_t strideOut) {
  PTC_CUDA_REQUIRE(M >= 0 && N >= 0 && K >= 0 && M <= INT32_MAX &&
                       N <= INT32_MAX && K <= INT32_MAX,
                   "gemm: bad sizes M=%lld N=%lld K=%lld", (long long)M,
                   (long long)N, (long long)K);
  PTC_CUDA_REQUIRE(batch >= 0 && batch <= 65535 && strideA >= 0 &&
                       strideB >= 0 && (batch <= 1 || strideOut >= M * N),
                   "gemm: bad batch=%lld or strides A=%lld B=%lld out=%lld "
                   "(out stride must be >= M*N = %lld)",
                   (long long)batch, (long long)strideA, (long long)strideB,
                   (long long)strideOut, (long long)(M * N));
  if (batch == 0 || M == 0 || N == 0)
    return;
  if (K > 0 && !fallbackOnly) {
    Epilogue epi;
    if (bias) {
      epi.kind = CUBLASLT_EPILOGUE_BIAS;
      epi.bias = bias;
    }
    Plan &p = plan(out, a, b, epi, batch, M, N, K, transA, transB, strideA,
                   strideB, strideOut);
    if (p.ok) {
      setEpiloguePointers(p.op, epi, N);
      const float alpha = 1.f, beta = c ? 1.f : 0.f;
      PTC_CUBLAS_CHECK(cublasLtMatmul(
          cublasLtHandle(), p.op, &alpha, b, p.la, a, p.lb, &beta,
          c ? c : out, p.lc, out, p.lc, &p.algo, workspace(), kWorkspaceBytes,
          stream()));
      return;
    }
  }
  const dim3 grid(unsigned((N + kTile - 1) / kTile),
                  unsigned((M + kTile - 1) / kTile), unsigned(batch));
  gemmTiledKernel<<<grid, dim3(kTile, kTile), 0, stream()>>>(
      out, a, b, bias, c, M, N, K, transA, transB, strideA, strideB,
      strideOut);
  PTC_CUDA_CHECK_LAUNCH();
}

} // namespace

template <typename T>
void gemm(T *out, const T *a, const T *b,
          const typename NonDeduced<T>::type *bias, int64_t batch, int64_t M,
          int64_t N, int64_t K, bool transA, bool transB, bool accumulate,
          int64_t strideA, int64_t strideB, int64_t strideOut) {
  gemmImpl(out, a, b, bias, accumulate ? out : nullptr, batch, M, N, K, transA,
           transB, strideA, strideB, strideOut);
}

void gemm(float *out, const __nv_bfloat16 *a, const __nv_bfloat16 *b,
          const float *bias, int64_t batch, int64_t M, int64_t N, int64_t K,
          bool transA, bool transB, bool accumulate, int64_t strideA,
          int64_t strideB, int64_t strideOut) {
  gemmImpl(out, a, b, bias, accumulate ? out : nullptr, batch, M, N, K, transA,
           transB, strideA, strideB, strideOut);
}

template void gemm<float>(float *, const float *, const float *, const float *,
                          int64_t, int64_t, int64_t, int64_t, bool, bool, bool,
                          int64_t, int64_t, int64_t);
template void gemm<__nv_bfloat16>(__nv_bfloat16 *, const __nv_bfloat16 *,
                                  const __nv_bfloat16 *, const __nv_bfloat16 *,
                                  int64_t, int64_t, int64_t, int64_t, bool,
                                  bool, bool, int64_t, int64_t, int64_t);

void gemm_bias_add(float *out, const __nv_bfloat16 *a, const __nv_bfloat16 *b,
                   const float *bias, const float *c, int64_t M, int64_t N,
                   int64_t K, int64_t transA, int64_t transB) {
  PTC_CUDA_REQUIRE(c != out, "gemm_bias_add: c must not be out");
  gemmImpl(out, a, b, bias, c, 1, M, N, K, transA != 0, transB != 0, M * K,
           K * N, M * N);
}

void gemm_add(float *out, const __nv_bfloat16 *a, const __nv_bfloat16 *b,
              const float *c, int64_t M, int64_t N, int64_t K, int64_t transA,
              int64_t transB) {
  PTC_CUDA_REQUIRE(c != out, "gemm_add: c must not be out");
  gemmImpl(out, a, b, (const float *)nullptr, c, 1, M, N, K, transA != 0,
           transB != 0, M * K, K * N, M * N);
}

} // namespace ptc::kernels

//===--- GELU in the epilogue ---------------------------------------------===//
//
// cuBLASLt's GELU is the tanh approximation. Its aux matrix is column-major
// [N, M] with leading dimension N in its terms: the row-major [M, N] matrix,
// like the output, so aux lines up with out element for element and the
// bias (gradient) with out's columns.
//
// Each entry point has ways to compute the same thing: 0 is the unfused
// kernels (always there), the others use an epilogue and are there only
// where cuBLASLt has an algorithm (N a multiple of 8, aligned pointers,
// K > 0). A fused epilogue is not always faster than the kernels it
// replaces (DGELU_BGRAD's column sums, in particular), so the first call of
// a shape times every way there is on the call's own buffers (each way only
// writes the call's outputs) and keeps the fastest: like the GEMM plans,
// this runs in the first, uncaptured call. PTC_GEMM_VERBOSE=1 prints the
// timings.

namespace ptc::cuda {
namespace {
int64_t epilogueFallbacks = 0;
int forcedWay = -1;

bool verbose() {
  static const bool on = [] {
    const char *v = std::getenv("PTC_GEMM_VERBOSE");
    return v && std::string(v) == "1";
  }();
  return on;
}

/// (entry point, type, M, N, K, transA, transB, alignments of out, a, b,
/// aux, bias).
using WayKey = std::tuple<std::string, int, int64_t, int64_t, int64_t, bool,
                          bool, int, int, int, int, int>;

/// Runs way i of a call; false (nothing enqueued) when it is not there.
using RunWay = std::function<bool(int)>;

/// The mean time of 3 runs of way i after a warm-up run, in ms; negative
/// when the way is not there.
float timeWay(const RunWay &run, int i) {
  if (!run(i))
    return -1.f;
  cudaEvent_t start, stop;
  PTC_CUDA_CHECK(cudaEventCreate(&start));
  PTC_CUDA_CHECK(cudaEventCreate(&stop));
  constexpr int kReps = 3;
  PTC_CUDA_CHECK(cudaEventRecord(start, ptc::kernels::stream()));
  for (int r = 0; r < kReps; ++r)
    run(i);
  PTC_CUDA_CHECK(cudaEventRecord(stop, ptc::kernels::stream()));
  PTC_CUDA_CHECK(cudaEventSynchronize(stop));
  float ms = 0;
  PTC_CUDA_CHECK(cudaEventElapsedTime(&ms, start, stop));
  PTC_CUDA_CHECK(cudaEventDestroy(start));
  PTC_CUDA_CHECK(cudaEventDestroy(stop));
  return ms / kReps;
}

/// Runs the call the way chosen for its key: the forced way (tests; way 0
/// when it is not there, counted as a fallback), else the fastest, timed
/// at the key's first call.
void runChosenWay(const WayKey &key, const std::vector<const char *> &names,
                  const RunWay &run) {
  const int ways = int(names.size());
  if (forcedWay >= 0) {
    if (forcedWay == 0 || forcedWay >= ways || !run(forcedWay)) {
      if (forcedWay != 0)
        ++epilogueFallbacks;
      run(0);
    }
    return;
  }
  static std::map<WayKey, int> chosen;
  auto it = chosen.find(key);
  if (it == chosen.end()) {
    std::vector<float> ms(ways);
    int best = 0;
    for (int i = 0; i < ways; ++i) {
      ms[i] = timeWay(run, i);
      if (ms[i] >= 0 && ms[i] < ms[best])
        best = i;
    }
    if (best == 0)
      ++epilogueFallbacks;
    if (verbose()) {
      std::fprintf(stderr,
                   "ptc: %s %lldx%lldx%lld%s%s:", std::get<0>(key).c_str(),
                   (long long)std::get<2>(key), (long long)std::get<3>(key),
                   (long long)std::get<4>(key), std::get<5>(key) ? " tA" : "",
                   std::get<6>(key) ? " tB" : "");
      for (int i = 0; i < ways; ++i)
        if (ms[i] >= 0)
          std::fprintf(stderr, " %s %.4f ms", names[i], ms[i]);
        else
          std::fprintf(stderr, " %s (no algorithm)", names[i]);
      std::fprintf(stderr, " -> %s\n", names[best]);
    }
    it = chosen.emplace(key, best).first;
  }
  if (!run(it->second))
    run(0); // Unreachable: a way that was there stays there.
}

} // namespace
int64_t gemmEpilogueFallbacks() { return epilogueFallbacks; }
void setGemmEpilogueWay(int way) { forcedWay = way; }
} // namespace ptc::cuda

namespace ptc::kernels {

namespace {

void requireFusedSizes(const char *name, int64_t M, int64_t N, int64_t K) {
  PTC_CUDA_REQUIRE(M >= 0 && N >= 0 && K >= 0 && M <= INT32_MAX &&
                       N <= INT32_MAX && K <= INT32_MAX,
                   "%s: bad sizes M=%lld N=%lld K=%lld", name, (long long)M,
                   (long long)N, (long long)K);
}

/// out = op(a) op(b) through one batch-1 cuBLASLt call with a GELU epilogue;
/// false (nothing enqueued) when cuBLASLt offers no algorithm for it.
template <typename T>
bool gemmGeluEpilogue(cublasLtEpilogue_t kind, T *out, const T *a, const T *b,
                      const void *bias, const void *aux, int64_t M, int64_t N,
                      int64_t K, bool transA, bool transB) {
  if (fallbackOnly || M == 0 || N == 0 || K == 0 || N % 8 != 0)
    return false;
  const Epilogue epi{kind, bias, aux};
  Plan &p =
      plan(out, a, b, epi, 1, M, N, K, transA, transB, M * K, K * N, M * N);
  if (!p.ok)
    return false;
  setEpiloguePointers(p.op, epi, N);
  const float alpha = 1.f, beta = 0.f;
  PTC_CUBLAS_CHECK(cublasLtMatmul(cublasLtHandle(), p.op, &alpha, b, p.la, a,
                                  p.lb, &beta, out, p.lc, out, p.lc, &p.algo,
                                  workspace(), kWorkspaceBytes, stream()));
  return true;
}

template <typename T>
WayKey wayKey(const char *name, const T *out, const T *a, const T *b,
              const void *aux, const void *bias, int64_t M, int64_t N,
              int64_t K, int64_t transA, int64_t transB) {
  auto al = [](const void *p) { return p ? alignment(p, 0, 1) : 0; };
  return WayKey{name,        int(dataType<T>()),
                M,           N,
                K,           transA != 0,
                transB != 0, al(out),
                al(a),       al(b),
                al(aux),     al(bias)};
}

} // namespace

template <typename T>
void gemm_bias_gelu_aux(T *out, T *aux, const T *a, const T *b, const T *bias,
                        int64_t M, int64_t N, int64_t K, int64_t transA,
                        int64_t transB) {
  requireFusedSizes("gemm_bias_gelu_aux", M, N, K);
  PTC_CUDA_REQUIRE(out != aux && bias, "gemm_bias_gelu_aux: out == aux or "
                                       "no bias");
  const RunWay run = [&](int way) {
    if (way == 1)
      return gemmGeluEpilogue(CUBLASLT_EPILOGUE_GELU_AUX_BIAS, out, a, b, bias,
                              aux, M, N, K, transA != 0, transB != 0);
    gemm<T>(aux, a, b, bias, 1, M, N, K, transA != 0, transB != 0, false, M * K,
            K * N, M * N);
    gelu_forward<T>(out, aux, M * N, /*tanhApprox=*/1);
    return true;
  };
  runChosenWay(wayKey("gemm_bias_gelu_aux", out, a, b, aux, bias, M, N, K,
                      transA, transB),
               {"unfused", "GELU_AUX_BIAS"}, run);
}

template <typename T>
void gemm_bias_gelu(T *out, const T *a, const T *b, const T *bias, int64_t M,
                    int64_t N, int64_t K, int64_t transA, int64_t transB) {
  requireFusedSizes("gemm_bias_gelu", M, N, K);
  PTC_CUDA_REQUIRE(bias, "gemm_bias_gelu: no bias");
  const RunWay run = [&](int way) {
    if (way == 1)
      return gemmGeluEpilogue(CUBLASLT_EPILOGUE_GELU_BIAS, out, a, b, bias,
                              (const void *)nullptr, M, N, K, transA != 0,
                              transB != 0);
    gemm<T>(out, a, b, bias, 1, M, N, K, transA != 0, transB != 0, false, M * K,
            K * N, M * N);
    gelu_forward<T>(out, out, M * N, /*tanhApprox=*/1);
    return true;
  };
  runChosenWay(wayKey("gemm_bias_gelu", out, a, b, (const void *)nullptr, bias,
                      M, N, K, transA, transB),
               {"unfused", "GELU_BIAS"}, run);
}

template <typename T>
void gemm_dgelu_bgrad(T *out, T *biasGrad, const T *a, const T *b, const T *aux,
                      int64_t M, int64_t N, int64_t K, int64_t transA,
                      int64_t transB) {
  requireFusedSizes("gemm_dgelu_bgrad", M, N, K);
  PTC_CUDA_REQUIRE(out != aux && biasGrad,
                   "gemm_dgelu_bgrad: out == aux or no bias gradient");
  // Way 2: the gradient in the epilogue, the column sums by reduce_leading.
  const RunWay run = [&](int way) {
    if (way == 1)
      return gemmGeluEpilogue(CUBLASLT_EPILOGUE_DGELU_BGRAD, out, a, b,
                              biasGrad, aux, M, N, K, transA != 0, transB != 0);
    if (way == 2) {
      if (!gemmGeluEpilogue(CUBLASLT_EPILOGUE_DGELU, out, a, b,
                            (const void *)nullptr, aux, M, N, K, transA != 0,
                            transB != 0))
        return false;
    } else {
      gemm<T>(out, a, b, nullptr, 1, M, N, K, transA != 0, transB != 0, false,
              M * K, K * N, M * N);
      gelu_backward<T>(out, aux, out, M * N, /*tanhApprox=*/1);
    }
    reduce_leading<T>(biasGrad, out, M, N);
    return true;
  };
  runChosenWay(wayKey("gemm_dgelu_bgrad", out, a, b, aux, biasGrad, M, N, K,
                      transA, transB),
               {"unfused", "DGELU_BGRAD", "DGELU+reduce_leading"}, run);
}

#define PTC_INSTANTIATE(T)                                                     \
  template void gemm_bias_gelu_aux<T>(T *, T *, const T *, const T *,          \
                                      const T *, int64_t, int64_t, int64_t,    \
                                      int64_t, int64_t);                       \
  template void gemm_bias_gelu<T>(T *, const T *, const T *, const T *,        \
                                  int64_t, int64_t, int64_t, int64_t,          \
                                  int64_t);                                    \
  template void gemm_dgelu_bgrad<T>(T *, T *, const T *, const T *, const T *, \
                                    int64_t, int64_t, int64_t, int64_t,        \
                                    int64_t);
PTC_CUDA_FOR_FLOAT_TYPES(PTC_INSTANTIATE)
#undef PTC_INSTANTIATE

} // namespace ptc::kernels

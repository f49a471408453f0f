//===- check.h - CUDA, cuBLAS and precondition checks ----------*- C++ -*-===//
//
// PTC_CUDA_CHECK(call) and PTC_CUBLAS_CHECK(call) abort the whole process
// when `call` fails, printing
//   ptc cuda: <file>:<line>: `call` failed: <error name>: <error string>
//     hint: <what usually causes it>
// (the llm.c `cudaCheck` habit). PTC_CUDA_REQUIRE(cond, fmt, ...) is the
// launchers' shape-precondition check, like the CPU kernels' PTC_RT_CHECK:
// cheap, always on, and a wrong size never reaches a kernel.
//
// Host-only header: emitted programs compiled by a plain C++ compiler include
// it through kernels.cuh.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CUDA_CHECK_H
#define PTC_RUNTIME_CUDA_CHECK_H

#include <cublasLt.h>
#include <cuda_runtime_api.h>

namespace ptc::cuda {

[[noreturn]] void cudaFailed(cudaError_t error, const char *call,
                             const char *file, int line);
[[noreturn]] void cublasFailed(cublasStatus_t status, const char *call,
                               const char *file, int line);
/// Prints the failed precondition (printf-style message) and aborts.
[[noreturn]] void requireFailed(const char *file, int line, const char *cond,
                                const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

} // namespace ptc::cuda

#define PTC_CUDA_CHECK(call)                                                   \
  do {                                                                         \
    cudaError_t ptcErr_ = (call);                                              \
    if (ptcErr_ != cudaSuccess)                                                \
      ::ptc::cuda::cudaFailed(ptcErr_, #call, __FILE__, __LINE__);             \
  } while (0)

#define PTC_CUBLAS_CHECK(call)                                                 \
  do {                                                                         \
    cublasStatus_t ptcStatus_ = (call);                                        \
    if (ptcStatus_ != CUBLAS_STATUS_SUCCESS)                                   \
      ::ptc::cuda::cublasFailed(ptcStatus_, #call, __FILE__, __LINE__);        \
  } while (0)

#define PTC_CUDA_REQUIRE(cond, ...)                                            \
  do {                                                                         \
    if (!(cond))                                                               \
      ::ptc::cuda::requireFailed(__FILE__, __LINE__, #cond, __VA_ARGS__);      \
  } while (0)

/// After every launch: reports a bad configuration (too much shared memory,
/// an empty grid, no kernel image for this GPU) at the launch site.
#define PTC_CUDA_CHECK_LAUNCH() PTC_CUDA_CHECK(cudaGetLastError())

#endif // PTC_RUNTIME_CUDA_CHECK_H

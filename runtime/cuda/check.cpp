//===- check.cpp - CUDA, cuBLAS and precondition checks -------------------===//

#include "runtime/cuda/check.h"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>

namespace ptc::cuda {

static const char *cudaHint(cudaError_t error) {
  switch (error) {
  case cudaErrorNoDevice:
  case cudaErrorInsufficientDriver:
    return "no usable GPU: check nvidia-smi and the driver version";
  case cudaErrorMemoryAllocation:
    return "out of GPU memory: a smaller micro-batch or sequence length needs "
           "less";
  case cudaErrorNoKernelImageForDevice:
  case cudaErrorInvalidDeviceFunction:
    return "the kernels are built for sm_90a (H100/H200) only";
  case cudaErrorInvalidValue:
  case cudaErrorInvalidConfiguration:
    return "a launch configuration or argument is out of range (shared "
           "memory, grid size, null pointer)";
  case cudaErrorIllegalAddress:
  case cudaErrorLaunchFailure:
  case cudaErrorIllegalInstruction:
    return "a kernel faulted or trapped (an out-of-range token id or target "
           "traps); run under compute-sanitizer to find which; errors of "
           "asynchronous launches surface at a later call";
  default:
    return "errors of asynchronous launches surface at a later call: set "
           "CUDA_LAUNCH_BLOCKING=1 to find the kernel";
  }
}

void cudaFailed(cudaError_t error, const char *call, const char *file,
                int line) {
  std::fprintf(stderr, "ptc cuda: %s:%d: `%s` failed: %s: %s\n  hint: %s\n",
               file, line, call, cudaGetErrorName(error),
               cudaGetErrorString(error), cudaHint(error));
  std::fflush(stderr);
  std::abort();
}

static const char *cublasName(cublasStatus_t status) {
  switch (status) {
  case CUBLAS_STATUS_NOT_INITIALIZED:
    return "CUBLAS_STATUS_NOT_INITIALIZED";
  case CUBLAS_STATUS_ALLOC_FAILED:
    return "CUBLAS_STATUS_ALLOC_FAILED";
  case CUBLAS_STATUS_INVALID_VALUE:
    return "CUBLAS_STATUS_INVALID_VALUE";
  case CUBLAS_STATUS_ARCH_MISMATCH:
    return "CUBLAS_STATUS_ARCH_MISMATCH";
  case CUBLAS_STATUS_MAPPING_ERROR:
    return "CUBLAS_STATUS_MAPPING_ERROR";
  case CUBLAS_STATUS_EXECUTION_FAILED:
    return "CUBLAS_STATUS_EXECUTION_FAILED";
  case CUBLAS_STATUS_INTERNAL_ERROR:
    return "CUBLAS_STATUS_INTERNAL_ERROR";
  case CUBLAS_STATUS_NOT_SUPPORTED:
    return "CUBLAS_STATUS_NOT_SUPPORTED";
  default:
    return "CUBLAS_STATUS_<unknown>";
  }
}

void cublasFailed(cublasStatus_t status, const char *call, const char *file,
                  int line) {
  std::fprintf(stderr, "ptc cuda: %s:%d: `%s` failed: %s (%d)\n  hint: %s\n",
               file, line, call, cublasName(status), int(status),
               status == CUBLAS_STATUS_NOT_SUPPORTED
                   ? "no cuBLASLt algorithm for these sizes, types and "
                     "alignments"
                   : "check the matrix sizes, strides and the cuBLASLt "
                     "version (CUBLASLT_LOG_LEVEL=5 logs every call)");
  std::fflush(stderr);
  std::abort();
}

void requireFailed(const char *file, int line, const char *cond,
                   const char *fmt, ...) {
  std::fprintf(stderr, "ptc cuda: %s:%d: check `%s` failed: ", file, line,
               cond);
  va_list args;
  va_start(args, fmt);
  std::vfprintf(stderr, fmt, args);
  va_end(args);
  std::fputc('\n', stderr);
  std::fflush(stderr);
  std::abort();
}

} // namespace ptc::cuda

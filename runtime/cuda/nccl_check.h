//===- nccl_check.h - Checked NCCL calls ------------------------*- C++ -*-===//
//
// PTC_NCCL_CHECK(call) ends the whole job (dist::abortAll: every rank, not
// only this one) when `call` fails, printing
//   rank 2: error: nccl: <file>:<line>: `call` failed: <error string>:
//     <NCCL's last error>
//     hint: <what usually causes it>
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CUDA_NCCL_CHECK_H
#define PTC_RUNTIME_CUDA_NCCL_CHECK_H

#include <nccl.h>

namespace ptc::cuda {

[[noreturn]] void ncclFailed(ncclResult_t result, const char *call,
                             const char *file, int line);

} // namespace ptc::cuda

#define PTC_NCCL_CHECK(call)                                                   \
  do {                                                                         \
    ncclResult_t ptcNcclResult_ = (call);                                      \
    if (ptcNcclResult_ != ncclSuccess && ptcNcclResult_ != ncclInProgress)     \
      ::ptc::cuda::ncclFailed(ptcNcclResult_, #call, __FILE__, __LINE__);      \
  } while (0)

#endif // PTC_RUNTIME_CUDA_NCCL_CHECK_H

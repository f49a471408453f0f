//===- cuda_device.h - Arenas in GPU memory ---------------------*- C++ -*-===//
//
// The CUDA implementation of the training loop's Device
// (runtime/train/device.h): one cudaMalloc per arena (256-byte aligned,
// zeroed), copies on ptc::kernels::stream() that complete before the call
// returns, synchronize = wait for the device. createCudaDevice fails with a
// one-line message when there is no GPU or its compute capability is below
// 9.0 (the kernels are built for sm_90a).
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CUDA_CUDA_DEVICE_H
#define PTC_RUNTIME_CUDA_CUDA_DEVICE_H

#include "runtime/train/device.h"

#include <memory>

namespace ptc::rt::train {

/// The GPU `deviceIndex` (made current), or null with *error set (when
/// error is not null) to e.g. "cuda: no CUDA GPU found (cudaGetDeviceCount:
/// no CUDA-capable device is detected)".
std::unique_ptr<Device> createCudaDevice(int deviceIndex, Status *error);

} // namespace ptc::rt::train

#endif // PTC_RUNTIME_CUDA_CUDA_DEVICE_H

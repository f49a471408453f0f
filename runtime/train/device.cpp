//===- device.cpp - A device's point-to-point through host memory ---------===//
//
// The defaults of Device::send, recv, finishSends and copyWithin: any device
// that can copy to and from the host can take part in a pipeline over MPI.
// The cpu device uses them as they are (its copies are memcpy); the cuda
// device overrides them with NCCL on the GPU.
//
//===----------------------------------------------------------------------===//

#include "runtime/train/device.h"

#include "runtime/dist/p2p.h"

#include <vector>

namespace ptc::rt::train {

Status Device::send(int64_t comm, int64_t peer, const uint8_t *base,
                    int64_t offset, int64_t bytes) {
  // The copy is the runtime's: the slot may be overwritten at once.
  std::vector<uint8_t> copy(size_t(bytes < 0 ? 0 : bytes));
  if (Status s = copyToHost(copy.data(), base, offset, bytes); !s)
    return s;
  return dist::isend(comm, peer, std::move(copy));
}

Status Device::recv(int64_t comm, int64_t peer, uint8_t *base, int64_t offset,
                    int64_t bytes) {
  std::vector<uint8_t> host(size_t(bytes < 0 ? 0 : bytes));
  if (Status s = dist::recvInto(comm, peer, host.data(), bytes); !s)
    return s;
  return copyToDevice(base, offset, host.data(), bytes);
}

Status Device::finishSends() {
  dist::waitSends();
  return Status::ok();
}

Status Device::copyWithin(uint8_t *dstBase, int64_t dstOffset,
                          const uint8_t *srcBase, int64_t srcOffset,
                          int64_t bytes) {
  std::vector<uint8_t> host(size_t(bytes < 0 ? 0 : bytes));
  if (Status s = copyToHost(host.data(), srcBase, srcOffset, bytes); !s)
    return s;
  return copyToDevice(dstBase, dstOffset, host.data(), bytes);
}

} // namespace ptc::rt::train

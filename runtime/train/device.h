//===- device.h - Where the arenas live -------------------------*- C++ -*-===//
//
// The training loop touches device memory only through a Device: it
// allocates one block per arena, copies input slots in and output slots out
// at (arena base, byte offset), and synchronizes. The CPU device below is
// plain host memory; a CUDA device implements the same interface in its own
// file, so the loop never assumes that an arena pointer is dereferenceable
// on the host.
//
// Every call that can fail returns a Status whose message says what failed
// (e.g. "cpu: cannot allocate 12 bytes").
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_TRAIN_DEVICE_H
#define PTC_RUNTIME_TRAIN_DEVICE_H

#include "runtime/data/status.h"
#include "runtime/train/model_abi.h"

#include <cstdint>
#include <memory>

namespace ptc::rt::train {

class Device {
public:
  virtual ~Device() = default;

  /// A short name for banners and errors ("cpu", "cuda:0 NVIDIA H100 ...").
  virtual const char *name() const = 0;

  /// Allocates `bytes` (>= 0) of zeroed device memory, 256-byte aligned, in
  /// *base. A zero-byte request still returns a unique, non-null pointer.
  virtual Status allocate(int64_t bytes, uint8_t **base) = 0;
  /// Frees a block from allocate(); null is ignored.
  virtual void free(uint8_t *base) = 0;

  /// Copies `bytes` from host memory into the block `base` at `offset`.
  virtual Status copyToDevice(uint8_t *base, int64_t offset, const void *src,
                              int64_t bytes) = 0;
  /// Copies `bytes` from the block `base` at `offset` into host memory; the
  /// data is complete when the call returns.
  virtual Status copyToHost(void *dst, const uint8_t *base, int64_t offset,
                            int64_t bytes) = 0;
  /// Waits until all work issued so far has finished.
  virtual Status synchronize() = 0;

  /// Bytes allocated now, and the most ever allocated at once.
  virtual int64_t bytesInUse() const = 0;
  virtual int64_t peakBytes() const = 0;
  /// Memory free for allocation now, or -1 when the device cannot tell.
  virtual int64_t availableBytes() const { return -1; }

  /// Pipeline point-to-point (abi::StepHost::send and recv): `bytes` at
  /// `offset` of block `base` to or from member `peer` of Model::comms
  /// group `comm`. A send returns at once and owns a copy of the bytes;
  /// finishSends waits until every send has completed. A recv's bytes are
  /// in place for every later call on this device. The defaults stage the
  /// bytes in host memory through copyToHost / copyToDevice and send them
  /// over MPI (runtime/dist/p2p.h); the cuda device uses NCCL.
  virtual Status send(int64_t comm, int64_t peer, const uint8_t *base,
                      int64_t offset, int64_t bytes);
  virtual Status recv(int64_t comm, int64_t peer, uint8_t *base,
                      int64_t offset, int64_t bytes);
  virtual Status finishSends();
  /// Copies `bytes` from (srcBase, srcOffset) to (dstBase, dstOffset), in
  /// order with the work issued so far (abi::StepHost::copy). The default
  /// goes through host memory.
  virtual Status copyWithin(uint8_t *dstBase, int64_t dstOffset,
                            const uint8_t *srcBase, int64_t srcOffset,
                            int64_t bytes);

  /// Runs a compiled entry point on the arenas. A device may replay a
  /// recording of it (the cuda device captures a CUDA graph on the second
  /// call: entry points launch the same work every time).
  virtual Status run(abi::EntryPoint entry, uint8_t *const *arenas) {
    entry(arenas);
    return Status::ok();
  }
};

/// Host memory: aligned_alloc(256), zeroed; copies are memcpy.
std::unique_ptr<Device> createCpuDevice();

} // namespace ptc::rt::train

#endif // PTC_RUNTIME_TRAIN_DEVICE_H

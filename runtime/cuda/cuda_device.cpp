//===- cuda_device.cpp - Arenas in GPU memory -----------------------------===//

#include "runtime/cuda/cuda_device.h"

#include "runtime/cuda/context.h"
#include "runtime/cuda/nccl_p2p.h"

#include <cuda_runtime_api.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <unordered_map>

namespace ptc::rt::train {

namespace {

constexpr int64_t kAlignment = 256;

std::string cudaMessage(cudaError_t e) {
  return std::string(cudaGetErrorName(e)) + ": " + cudaGetErrorString(e);
}

class CudaDevice final : public Device {
public:
  CudaDevice(int index, const cudaDeviceProp &prop) : index_(index) {
    name_ = "cuda:" + std::to_string(index) + " " + prop.name;
    // A stream of our own: the legacy default stream cannot be captured.
    if (cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking) ==
        cudaSuccess)
      ptc::kernels::set_stream(stream_);
    else
      stream_ = nullptr;
    const char *graphs = std::getenv("PTC_CUDA_GRAPHS");
    graphs_ = stream_ && !(graphs && std::string(graphs) == "0");
  }
  ~CudaDevice() override {
    cudaSetDevice(index_);
    for (auto &[entry, state] : recorded_)
      if (state.exec)
        cudaGraphExecDestroy(state.exec);
    for (auto &block : blocks_)
      cudaFree(block.first);
    if (stream_) {
      ptc::kernels::set_stream(nullptr);
      cudaStreamDestroy(stream_);
    }
  }

  /// The first call runs directly (it sizes the kernels' scratch memory and
  /// cuBLASLt's plans); the second is captured into a CUDA graph, which that
  /// and every later call replays: one launch instead of one per kernel. An
  /// entry point that cannot be captured runs directly from then on.
  Status run(abi::EntryPoint entry, uint8_t *const *arenas) override {
    Recorded &state = recorded_[entry];
    if (!graphs_ || state.uncapturable || state.calls++ == 0) {
      entry(arenas);
      return lastError("an entry point");
    }
    if (!state.exec) {
      cudaGraph_t graph = nullptr;
      cudaError_t e =
          cudaStreamBeginCapture(stream_, cudaStreamCaptureModeThreadLocal);
      if (e == cudaSuccess) {
        entry(arenas);
        e = cudaStreamEndCapture(stream_, &graph);
      }
      if (e == cudaSuccess)
        e = cudaGraphInstantiate(&state.exec, graph, 0);
      if (graph)
        cudaGraphDestroy(graph);
      if (e != cudaSuccess) {
        cudaGetLastError();
        state.uncapturable = true;
        state.exec = nullptr;
        entry(arenas);
        return lastError("an entry point");
      }
    }
    if (cudaError_t e = cudaGraphLaunch(state.exec, stream_); e != cudaSuccess)
      return Status::error(
          name_ + ": replaying an entry point failed: " + cudaMessage(e));
    return Status::ok();
  }

  const char *name() const override { return name_.c_str(); }

  Status allocate(int64_t bytes, uint8_t **base) override {
    *base = nullptr;
    if (bytes < 0)
      return Status::error(name_ + ": cannot allocate " +
                           std::to_string(bytes) + " bytes");
    const int64_t rounded = std::max<int64_t>(
        kAlignment, (bytes + kAlignment - 1) / kAlignment * kAlignment);
    void *p = nullptr;
    if (cudaError_t e = cudaMalloc(&p, size_t(rounded)); e != cudaSuccess) {
      cudaGetLastError(); // clear the sticky-free allocation error
      return Status::error(
          name_ + ": cannot allocate " + std::to_string(bytes) + " bytes (" +
          std::to_string(inUse_) + " in use): " + cudaMessage(e));
    }
    // On the kernels' stream, and finished before the call returns: a
    // cudaMemset on the legacy stream does not order with a non-blocking
    // stream and could zero a block after init_params has filled it (seen
    // on gpt-1.3b, whose arenas take long enough to clear).
    cudaStream_t s = ptc::kernels::stream();
    cudaError_t zeroed = cudaMemsetAsync(p, 0, size_t(rounded), s);
    if (zeroed == cudaSuccess)
      zeroed = cudaStreamSynchronize(s);
    if (cudaError_t e = zeroed; e != cudaSuccess) {
      cudaFree(p);
      return Status::error(name_ +
                           ": cannot zero a new block: " + cudaMessage(e));
    }
    *base = static_cast<uint8_t *>(p);
    blocks_[*base] = bytes;
    inUse_ += bytes;
    peak_ = std::max(peak_, inUse_);
    return Status::ok();
  }

  void free(uint8_t *base) override {
    auto it = blocks_.find(base);
    if (it == blocks_.end())
      return;
    inUse_ -= it->second;
    blocks_.erase(it);
    cudaFree(base);
  }

  Status copyToDevice(uint8_t *base, int64_t offset, const void *src,
                      int64_t bytes) override {
    if (Status s = check(base, offset, bytes); !s)
      return s;
    return copy(base + offset, src, bytes, cudaMemcpyHostToDevice);
  }

  Status copyToHost(void *dst, const uint8_t *base, int64_t offset,
                    int64_t bytes) override {
    if (Status s = check(base, offset, bytes); !s)
      return s;
    return copy(dst, base + offset, bytes, cudaMemcpyDeviceToHost);
  }

  // Pipeline point-to-point over NCCL on the GPU (nccl_p2p.h), not through
  // the host like the default.
  Status send(int64_t comm, int64_t peer, const uint8_t *base, int64_t offset,
              int64_t bytes) override {
    if (Status s = check(base, offset, bytes); !s)
      return s;
    return cuda::p2pSend(comm, peer, base + offset, bytes);
  }
  Status recv(int64_t comm, int64_t peer, uint8_t *base, int64_t offset,
              int64_t bytes) override {
    if (Status s = check(base, offset, bytes); !s)
      return s;
    return cuda::p2pRecv(comm, peer, base + offset, bytes);
  }
  Status finishSends() override { return cuda::p2pFinishSends(); }
  // On the kernels' stream, after the work issued so far; no wait.
  Status copyWithin(uint8_t *dstBase, int64_t dstOffset, const uint8_t *srcBase,
                    int64_t srcOffset, int64_t bytes) override {
    if (Status s = check(dstBase, dstOffset, bytes); !s)
      return s;
    if (Status s = check(srcBase, srcOffset, bytes); !s)
      return s;
    if (bytes == 0)
      return Status::ok();
    if (cudaError_t e = cudaMemcpyAsync(dstBase + dstOffset, srcBase + srcOffset,
                                        size_t(bytes), cudaMemcpyDeviceToDevice,
                                        ptc::kernels::stream());
        e != cudaSuccess)
      return Status::error(name_ + ": copy of " + std::to_string(bytes) +
                           " bytes between slots failed: " + cudaMessage(e));
    return Status::ok();
  }

  Status synchronize() override {
    if (cudaError_t e = cudaDeviceSynchronize(); e != cudaSuccess)
      return Status::error(name_ + ": a kernel failed: " + cudaMessage(e));
    return Status::ok();
  }
  int64_t bytesInUse() const override { return inUse_; }
  int64_t peakBytes() const override { return peak_; }
  int64_t availableBytes() const override {
    size_t free = 0, total = 0;
    if (cudaMemGetInfo(&free, &total) != cudaSuccess)
      return -1;
    return int64_t(free);
  }

private:
  // Ordered after the kernels on the library's stream; complete on return
  // (the host buffer may be reused at once).
  Status copy(void *dst, const void *src, int64_t bytes, cudaMemcpyKind kind) {
    if (bytes == 0)
      return Status::ok();
    cudaStream_t s = ptc::kernels::stream();
    cudaError_t e = cudaMemcpyAsync(dst, src, size_t(bytes), kind, s);
    if (e == cudaSuccess)
      e = cudaStreamSynchronize(s);
    if (e != cudaSuccess)
      return Status::error(name_ + ": copy of " + std::to_string(bytes) +
                           " bytes failed: " + cudaMessage(e));
    return Status::ok();
  }

  Status check(const uint8_t *base, int64_t offset, int64_t bytes) const {
    auto it = blocks_.find(const_cast<uint8_t *>(base));
    if (it == blocks_.end() || offset < 0 || bytes < 0 ||
        offset + bytes > it->second)
      return Status::error(name_ + ": copy of " + std::to_string(bytes) +
                           " bytes at offset " + std::to_string(offset) +
                           " is outside the allocated block");
    return Status::ok();
  }

  Status lastError(const char *what) {
    if (cudaError_t e = cudaGetLastError(); e != cudaSuccess)
      return Status::error(name_ + ": " + what + " failed: " + cudaMessage(e));
    return Status::ok();
  }

  struct Recorded {
    int64_t calls = 0;
    cudaGraphExec_t exec = nullptr;
    bool uncapturable = false;
  };

  int index_;
  cudaStream_t stream_ = nullptr;
  bool graphs_ = false;
  std::unordered_map<abi::EntryPoint, Recorded> recorded_;
  std::string name_;
  std::unordered_map<uint8_t *, int64_t> blocks_;
  int64_t inUse_ = 0, peak_ = 0;
};

} // namespace

std::unique_ptr<Device> createCudaDevice(int deviceIndex, Status *error) {
  auto fail = [&](std::string message) -> std::unique_ptr<Device> {
    if (error)
      *error = Status::error(std::move(message));
    return nullptr;
  };
  int count = 0;
  if (cudaError_t e = cudaGetDeviceCount(&count); e != cudaSuccess) {
    cudaGetLastError();
    return fail(
        "cuda: no CUDA GPU found (cudaGetDeviceCount: " + cudaMessage(e) + ")");
  }
  if (count == 0)
    return fail("cuda: no CUDA GPU found");
  if (deviceIndex < 0 || deviceIndex >= count)
    return fail("cuda: device " + std::to_string(deviceIndex) +
                " does not exist (" + std::to_string(count) + " GPU" +
                (count == 1 ? "" : "s") + " found)");
  cudaDeviceProp prop{};
  if (cudaError_t e = cudaGetDeviceProperties(&prop, deviceIndex);
      e != cudaSuccess)
    return fail("cuda: cannot query device " + std::to_string(deviceIndex) +
                ": " + cudaMessage(e));
  if (prop.major < 9)
    return fail("cuda:" + std::to_string(deviceIndex) + " " + prop.name +
                " has compute capability " + std::to_string(prop.major) + "." +
                std::to_string(prop.minor) +
                "; ptc's CUDA kernels need 9.0 (H100/H200)");
  if (cudaError_t e = cudaSetDevice(deviceIndex); e != cudaSuccess)
    return fail("cuda: cannot use device " + std::to_string(deviceIndex) +
                ": " + cudaMessage(e));
  if (error)
    *error = Status::ok();
  return std::make_unique<CudaDevice>(deviceIndex, prop);
}

} // namespace ptc::rt::train

//===- cpu_device.cpp - Arenas in host memory -----------------------------===//

#include "runtime/train/device.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <unordered_map>

namespace ptc::rt::train {

namespace {

constexpr int64_t kAlignment = 256;

class CpuDevice final : public Device {
public:
  ~CpuDevice() override {
    for (auto &block : blocks_)
      std::free(block.first);
  }

  const char *name() const override { return "cpu"; }

  Status allocate(int64_t bytes, uint8_t **base) override {
    *base = nullptr;
    if (bytes < 0)
      return Status::error("cpu: cannot allocate " + std::to_string(bytes) +
                           " bytes");
    // aligned_alloc needs a multiple of the alignment; keep one for 0 bytes.
    const int64_t rounded = std::max<int64_t>(
        kAlignment, (bytes + kAlignment - 1) / kAlignment * kAlignment);
    void *p = std::aligned_alloc(size_t(kAlignment), size_t(rounded));
    if (!p)
      return Status::error("cpu: cannot allocate " + std::to_string(bytes) +
                           " bytes: out of memory");
    std::memset(p, 0, size_t(rounded));
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
    std::free(base);
  }

  Status copyToDevice(uint8_t *base, int64_t offset, const void *src,
                      int64_t bytes) override {
    if (Status s = check(base, offset, bytes); !s)
      return s;
    std::memcpy(base + offset, src, size_t(bytes));
    return Status::ok();
  }

  Status copyToHost(void *dst, const uint8_t *base, int64_t offset,
                    int64_t bytes) override {
    if (Status s = check(base, offset, bytes); !s)
      return s;
    std::memcpy(dst, base + offset, size_t(bytes));
    return Status::ok();
  }

  Status synchronize() override { return Status::ok(); }
  int64_t bytesInUse() const override { return inUse_; }
  int64_t peakBytes() const override { return peak_; }

private:
  // A copy must stay inside one block from allocate().
  Status check(const uint8_t *base, int64_t offset, int64_t bytes) const {
    auto it = blocks_.find(const_cast<uint8_t *>(base));
    if (it == blocks_.end() || offset < 0 || bytes < 0 ||
        offset + bytes > it->second)
      return Status::error("cpu: copy of " + std::to_string(bytes) +
                           " bytes at offset " + std::to_string(offset) +
                           " is outside the allocated block");
    return Status::ok();
  }

  std::unordered_map<uint8_t *, int64_t> blocks_;
  int64_t inUse_ = 0, peak_ = 0;
};

} // namespace

std::unique_ptr<Device> createCpuDevice() {
  return std::make_unique<CpuDevice>();
}

} // namespace ptc::rt::train

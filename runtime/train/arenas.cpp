//===- arenas.cpp - The model's arenas on a device ------------------------===//

#include "runtime/train/arenas.h"

#include "runtime/train/model_check.h"

#include <cstdio>

namespace ptc::rt::train {

DeviceArenas::~DeviceArenas() { release(); }

void DeviceArenas::release() {
  for (uint8_t *base : bases_)
    device_.free(base);
  bases_.clear();
}

Status DeviceArenas::allocate(const abi::Model &model) {
  release();
  // The plan is static: check it against the device before touching it.
  int64_t needed = 0;
  for (int32_t i = 0; i < model.numArenas; ++i)
    needed += model.arenas[i].bytes;
  int64_t available = device_.availableBytes();
  if (available >= 0 && needed > available) {
    auto gib = [](int64_t bytes) {
      char text[32];
      std::snprintf(text, sizeof(text), "%.2f GiB", double(bytes) / (1 << 30));
      return std::string(text);
    };
    return Status::error(std::string("the memory plan of '") + model.name +
                         "' needs " + gib(needed) + " on " + device_.name() +
                         ", which has " + gib(available) +
                         " free (see `ptc plan`; a smaller micro_batch_size "
                         "or parallel.recompute lowers it)");
  }
  for (int32_t i = 0; i < model.numArenas; ++i) {
    uint8_t *base = nullptr;
    Status s = device_.allocate(model.arenas[i].bytes, &base);
    if (!s) {
      release();
      return Status::error(std::string("arena '") + model.arenas[i].name +
                           "': " + s.message());
    }
    bases_.push_back(base);
  }
  return Status::ok();
}

Status DeviceArenas::write(const abi::TensorSlot &slot, const void *src) {
  Status s = device_.copyToDevice(bases_.at(size_t(slot.arena)), slot.offset,
                                  src, slotBytes(slot));
  if (!s)
    return Status::error(std::string("writing slot '") + slot.name +
                         "': " + s.message());
  return s;
}

Status DeviceArenas::read(const abi::TensorSlot &slot, void *dst) {
  Status s = device_.copyToHost(dst, bases_.at(size_t(slot.arena)), slot.offset,
                                slotBytes(slot));
  if (!s)
    return Status::error(std::string("reading slot '") + slot.name +
                         "': " + s.message());
  return s;
}

} // namespace ptc::rt::train

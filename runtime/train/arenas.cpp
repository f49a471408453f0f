//===- arenas.cpp - The model's arenas on a device ------------------------===//

#include "runtime/train/arenas.h"

#include "runtime/train/model_check.h"

namespace ptc::rt::train {

DeviceArenas::~DeviceArenas() { release(); }

void DeviceArenas::release() {
  for (uint8_t *base : bases_)
    device_.free(base);
  bases_.clear();
}

Status DeviceArenas::allocate(const abi::Model &model) {
  release();
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

//===- crc32.h - CRC-32 of checkpoint shards (internal) ---------*- C++ -*-===//
//
// The CRC-32 of zlib and PNG (reflected polynomial 0xEDB88320), table-driven:
// checkpoints record it per tensor so that a flipped bit is named on resume
// (`python3 -c "import zlib; print(zlib.crc32(data))"` gives the same value).
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_TRAIN_CRC32_H
#define PTC_RUNTIME_TRAIN_CRC32_H

#include <array>
#include <cstddef>
#include <cstdint>

namespace ptc::rt::detail {

inline const std::array<uint32_t, 256> &crc32Table() {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k)
        c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  return table;
}

/// The CRC-32 of `n` bytes at `data`, continuing from `crc` (0 to start).
inline uint32_t crc32(const void *data, size_t n, uint32_t crc = 0) {
  const std::array<uint32_t, 256> &table = crc32Table();
  const uint8_t *p = static_cast<const uint8_t *>(data);
  crc = ~crc;
  for (size_t i = 0; i < n; ++i)
    crc = table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

} // namespace ptc::rt::detail

#endif // PTC_RUNTIME_TRAIN_CRC32_H

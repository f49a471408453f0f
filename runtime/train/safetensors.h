//===- safetensors.h - The safetensors weight file format -------*- C++ -*-===//
//
// https://github.com/huggingface/safetensors:
//   8 bytes   N, little-endian uint64: the header's length;
//   N bytes   a JSON object: for every tensor
//               "NAME": {"dtype": "F32", "shape": [768, 3072],
//                        "data_offsets": [BEGIN, END]}
//             and optionally "__metadata__": {string: string};
//             padded with spaces so that the data starts 8-byte aligned;
//   the data  every tensor's bytes, row-major, little-endian, at
//             [BEGIN, END) from the start of this section.
//
// The writer puts tensors in the order given (ptc: the params order) and
// writes atomically (a temporary FILE.tmp.XXXXXX, fsync, rename; see
// detail::writeFileAtomically). The reader opens only regular files (a
// directory or FIFO is one clear error, not a hang) and validates all of the
// header before any data is read: the length (at most 100 MB and inside the
// file), the JSON, every dtype, shape and offset pair, that END - BEGIN is
// the tensor's byte size, and that the tensors tile the data section exactly
// (no overlap, no gap, nothing missing at the end: a truncated file is an
// error). Every message names the file.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_TRAIN_SAFETENSORS_H
#define PTC_RUNTIME_TRAIN_SAFETENSORS_H

#include "runtime/data/status.h"
#include "runtime/train/model_abi.h"

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace ptc::rt::train {

/// "F32", "BF16", "I64", ... as safetensors spells them.
const char *safetensorsDType(abi::DType type);

/// One tensor to write: `data` holds its numel * byteWidth(type) bytes.
struct TensorView {
  std::string name;
  abi::DType type;
  std::vector<int64_t> shape;
  const void *data;
};

/// Writes `tensors` (in this order) and `metadata` to `path`, atomically.
Status writeSafetensors(
    const std::string &path, const std::vector<TensorView> &tensors,
    const std::vector<std::pair<std::string, std::string>> &metadata);

/// A tensor of a file: where its bytes are, relative to the data section.
struct SafetensorsEntry {
  std::string name;
  abi::DType type;
  std::vector<int64_t> shape;
  int64_t begin = 0, end = 0;
};

class SafetensorsReader {
public:
  SafetensorsReader() = default;
  ~SafetensorsReader();
  SafetensorsReader(const SafetensorsReader &) = delete;
  SafetensorsReader &operator=(const SafetensorsReader &) = delete;

  /// Opens `path` and validates its header (see above).
  Status open(const std::string &path);

  /// The tensors in header order, and the metadata.
  const std::vector<SafetensorsEntry> &tensors() const { return tensors_; }
  const std::map<std::string, std::string> &metadata() const {
    return metadata_;
  }
  /// The tensor called `name`, or null.
  const SafetensorsEntry *find(const std::string &name) const;

  /// Reads the bytes of `entry` (end - begin of them) into `dst`.
  Status read(const SafetensorsEntry &entry, void *dst) const;

  const std::string &path() const { return path_; }

private:
  Status fail(const std::string &what) const;

  std::string path_;
  int fd_ = -1;
  int64_t dataStart_ = 0;
  std::vector<SafetensorsEntry> tensors_;
  std::map<std::string, std::string> metadata_;
};

} // namespace ptc::rt::train

#endif // PTC_RUNTIME_TRAIN_SAFETENSORS_H

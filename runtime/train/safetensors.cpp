//===- safetensors.cpp - The safetensors weight file format ---------------===//

#include "runtime/train/safetensors.h"

#include "runtime/data/file_io.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace ptc::rt::train {

namespace {

// The safetensors library refuses larger headers; so does ptc.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

constexpr abi::DType kDTypes[] = {abi::DType::F32,  abi::DType::F64,
                                  abi::DType::BF16, abi::DType::F16,
                                  abi::DType::I32,  abi::DType::I64};

Status fileError(const std::string &path, const std::string &what) {
  return Status::error("safetensors file '" + path + "': " + what);
}

int64_t numElements(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

} // namespace

const char *safetensorsDType(abi::DType type) {
  switch (type) {
  case abi::DType::F32:
    return "F32";
  case abi::DType::F64:
    return "F64";
  case abi::DType::BF16:
    return "BF16";
  case abi::DType::F16:
    return "F16";
  case abi::DType::I32:
    return "I32";
  case abi::DType::I64:
    return "I64";
  }
  return "?";
}

Status writeSafetensors(
    const std::string &path, const std::vector<TensorView> &tensors,
    const std::vector<std::pair<std::string, std::string>> &metadata) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) {
    nlohmann::ordered_json meta = nlohmann::ordered_json::object();
    for (const auto &[key, value] : metadata)
      meta[key] = value;
    header["__metadata__"] = meta;
  }
  int64_t offset = 0;
  for (const TensorView &t : tensors) {
    const int64_t bytes = numElements(t.shape) * abi::byteWidth(t.type);
    header[t.name] = {{"dtype", safetensorsDType(t.type)},
                      {"shape", t.shape},
                      {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text = header.dump();
  text.resize((text.size() + 7) / 8 * 8, ' '); // the data starts 8-aligned
  const uint64_t length = text.size();

  detail::WriteFailure failure;
  if (!detail::writeFileAtomically(
          path,
          [&](int fd) {
            bool ok = detail::writeFull(fd, &length, 8) &&
                      detail::writeFull(fd, text.data(), text.size());
            for (size_t i = 0; ok && i < tensors.size(); ++i)
              ok = detail::writeFull(fd, tensors[i].data,
                                     size_t(numElements(tensors[i].shape) *
                                            abi::byteWidth(tensors[i].type)));
            return ok;
          },
          &failure))
    return fileError(failure.path, failure.message);
  return Status::ok();
}

SafetensorsReader::~SafetensorsReader() {
  if (fd_ >= 0)
    ::close(fd_);
}

Status SafetensorsReader::fail(const std::string &what) const {
  return fileError(path_, what);
}

const SafetensorsEntry *SafetensorsReader::find(const std::string &name) const {
  for (const SafetensorsEntry &e : tensors_)
    if (e.name == name)
      return &e;
  return nullptr;
}

// Parses one tensor's header entry into *e; returns why not, or "".
static std::string parseEntry(const nlohmann::json &v, SafetensorsEntry *e) {
  if (!v.is_object())
    return "is not a JSON object";
  auto dtype = v.find("dtype");
  auto shape = v.find("shape");
  auto offsets = v.find("data_offsets");
  if (dtype == v.end() || shape == v.end() || offsets == v.end())
    return "needs \"dtype\", \"shape\" and \"data_offsets\"";
  if (!dtype->is_string())
    return "\"dtype\" is not a string";
  const std::string name = dtype->get<std::string>();
  auto it =
      std::find_if(std::begin(kDTypes), std::end(kDTypes),
                   [&](abi::DType t) { return name == safetensorsDType(t); });
  if (it == std::end(kDTypes))
    return "unsupported dtype \"" + name +
           "\" (ptc reads F32, F64, BF16, F16, I32, I64)";
  e->type = *it;
  if (!shape->is_array() || shape->size() > size_t(abi::kMaxRank))
    return "\"shape\" is not an array of at most 8 sizes";
  for (const auto &d : *shape) {
    if (!d.is_number_unsigned() || d.get<uint64_t>() > (uint64_t(1) << 40))
      return "\"shape\" " + shape->dump() + " is not a list of sizes";
    e->shape.push_back(d.get<int64_t>());
  }
  if (!offsets->is_array() || offsets->size() != 2 ||
      !(*offsets)[0].is_number_unsigned() ||
      !(*offsets)[1].is_number_unsigned() ||
      (*offsets)[1].get<uint64_t>() > (uint64_t(1) << 62))
    return "\"data_offsets\" is not a pair of byte offsets";
  e->begin = (*offsets)[0].get<int64_t>();
  e->end = (*offsets)[1].get<int64_t>();
  const int64_t bytes = numElements(e->shape) * abi::byteWidth(e->type);
  if (e->end - e->begin != bytes)
    return "\"data_offsets\" " + offsets->dump() + " span " +
           std::to_string(e->end - e->begin) + " bytes but a " + name + " " +
           shape->dump() + " tensor has " + std::to_string(bytes);
  return "";
}

Status SafetensorsReader::open(const std::string &path) {
  path_ = path;
  tensors_.clear();
  metadata_.clear();
  if (fd_ >= 0)
    ::close(fd_);
  // A directory or a FIFO is refused here (reading a FIFO would wait for a
  // writer forever).
  std::string why;
  fd_ = detail::openRegularFile(path, &why);
  if (fd_ < 0)
    return fail(why);
  struct stat st;
  if (::fstat(fd_, &st) != 0)
    return fail("cannot stat: " + detail::systemError());
  const int64_t size = st.st_size;
  uint64_t length = 0;
  if (size < 8 || !detail::preadFull(fd_, &length, 8, 0))
    return fail("truncated: " + std::to_string(size) +
                " bytes, too short for the 8-byte header length");
  if (length > kMaxHeaderBytes || int64_t(length) > size - 8)
    return fail("bad header length " + std::to_string(length) +
                " (the file has " + std::to_string(size) +
                " bytes; not a safetensors file?)");
  std::string text(length, '\0');
  if (!detail::preadFull(fd_, text.data(), length, 8))
    return fail("cannot read the header: " + detail::systemError());
  nlohmann::json header = nlohmann::json::parse(text, nullptr, false);
  if (header.is_discarded() || !header.is_object())
    return fail("the header is not a JSON object");
  dataStart_ = 8 + int64_t(length);
  const int64_t dataBytes = size - dataStart_;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") {
      if (!it.value().is_object())
        return fail("\"__metadata__\" is not a JSON object");
      for (auto m = it.value().begin(); m != it.value().end(); ++m) {
        if (!m.value().is_string())
          return fail("\"__metadata__\" entry \"" + m.key() +
                      "\" is not a string");
        metadata_[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    SafetensorsEntry e;
    e.name = it.key();
    if (std::string why = parseEntry(it.value(), &e); !why.empty())
      return fail("tensor '" + e.name + "': " + why);
    tensors_.push_back(std::move(e));
  }
  // The tensors must tile [0, dataBytes) exactly.
  std::vector<const SafetensorsEntry *> byOffset;
  for (const SafetensorsEntry &e : tensors_)
    byOffset.push_back(&e);
  std::sort(byOffset.begin(), byOffset.end(),
            [](auto *a, auto *b) { return a->begin < b->begin; });
  int64_t covered = 0;
  for (size_t i = 0; i < byOffset.size(); ++i) {
    const SafetensorsEntry &e = *byOffset[i];
    if (e.begin < covered)
      return fail("tensor '" + e.name + "' overlaps tensor '" +
                  byOffset[i - 1]->name + "'");
    if (e.begin > covered)
      return fail("bytes " + std::to_string(covered) + ".." +
                  std::to_string(e.begin) +
                  " of the data belong to no "
                  "tensor");
    covered = e.end;
  }
  if (covered > dataBytes)
    return fail("truncated: the header describes " + std::to_string(covered) +
                " bytes of tensor data but the file holds " +
                std::to_string(dataBytes));
  if (covered < dataBytes)
    return fail("the file has " + std::to_string(dataBytes - covered) +
                " bytes after the tensor data its header describes");
  return Status::ok();
}

Status SafetensorsReader::read(const SafetensorsEntry &entry, void *dst) const {
  if (!detail::preadFull(fd_, dst, size_t(entry.end - entry.begin),
                         dataStart_ + entry.begin))
    return fail("cannot read tensor '" + entry.name + "': " + detail::systemError());
  return Status::ok();
}

} // namespace ptc::rt::train

//===- token_shard.cpp - Token shard files (llm.c format) -----------------===//

#include "runtime/data/token_shard.h"

#include "runtime/data/file_io.h"

#include <algorithm>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace ptc::rt {

static Status shardError(const std::string &path, const std::string &what) {
  return Status::error("token shard '" + path + "': " + what);
}

Status writeTokenShard(const std::string &path, const uint16_t *tokens,
                       int64_t n) {
  if (n <= 0 || n > INT32_MAX)
    return shardError(path, "cannot write " + std::to_string(n) +
                                " tokens (a shard holds 1 to 2^31-1)");
  int32_t header[kShardHeaderInts] = {};
  header[0] = kShardMagic;
  header[1] = kShardVersion;
  header[2] = int32_t(n);
  detail::WriteFailure failure;
  if (!detail::writeFileAtomically(
          path,
          [&](int fd) {
            return detail::writeFull(fd, header, sizeof(header)) &&
                   detail::writeFull(fd, tokens, size_t(n) * sizeof(uint16_t));
          },
          &failure))
    return shardError(failure.path, failure.message);
  return Status::ok();
}

// The largest of n ids, by 64 lanes with a fixed trip count: GCC
// vectorizes that at -O2 (7 GB/s on one core of the dev machine), but not a
// plain running maximum (1 GB/s).
static uint16_t largestId(const uint16_t *ids, int64_t n) {
  uint16_t lanes[64] = {};
  int64_t i = 0;
  for (; i + 64 <= n; i += 64)
    for (int k = 0; k < 64; ++k)
      lanes[k] = lanes[k] > ids[i + k] ? lanes[k] : ids[i + k];
  uint16_t largest = 0;
  for (int k = 0; k < 64; ++k)
    largest = std::max(largest, lanes[k]);
  for (; i < n; ++i)
    largest = std::max(largest, ids[i]);
  return largest;
}

static Status tokenError(const std::string &path, uint16_t token,
                         int64_t index, int64_t vocabSize) {
  return shardError(path, "token " + std::to_string(token) + " at index " +
                              std::to_string(index) +
                              " is >= the vocabulary size " +
                              std::to_string(vocabSize));
}

// Validates the header and size of the open file `fd`.
static Status checkShard(const std::string &path, int fd, int64_t *numTokens) {
  struct stat st;
  if (::fstat(fd, &st) != 0)
    return shardError(path, std::string("cannot stat: ") + detail::systemError());
  const int64_t size = st.st_size;
  if (size < kShardHeaderBytes)
    return shardError(path, "truncated: " + std::to_string(size) +
                                " bytes, smaller than the " +
                                std::to_string(kShardHeaderBytes) +
                                "-byte header");
  int32_t header[kShardHeaderInts];
  if (!detail::preadFull(fd, header, sizeof(header), 0))
    return shardError(path, "cannot read the header: " + detail::systemError());
  if (header[0] != kShardMagic)
    return shardError(path, "bad magic number " + std::to_string(header[0]) +
                                " (expected " + std::to_string(kShardMagic) +
                                "); not a token shard");
  if (header[1] != kShardVersion)
    return shardError(path, "unsupported version " +
                                std::to_string(header[1]) + " (expected " +
                                std::to_string(kShardVersion) + ")");
  const int64_t n = header[2];
  if (n <= 0)
    return shardError(path, "the header declares " + std::to_string(n) +
                                " tokens; a shard needs at least one");
  const int64_t expected = kShardHeaderBytes + 2 * n;
  if (size < expected)
    return shardError(path, "truncated: the header declares " +
                                std::to_string(n) + " tokens (" +
                                std::to_string(expected) +
                                " bytes with the header) but the file has " +
                                std::to_string(size) + " bytes");
  if (size > expected)
    return shardError(path, "the file has " + std::to_string(size - expected) +
                                " bytes after the " + std::to_string(n) +
                                " tokens its header declares");
  *numTokens = n;
  return Status::ok();
}

Status inspectTokenShard(const std::string &path, int64_t *numTokens) {
  std::string why;
  const int fd = detail::openRegularFile(path, &why);
  if (fd < 0)
    return shardError(path, why);
  Status s = checkShard(path, fd, numTokens);
  ::close(fd);
  return s;
}

Status readTokenShard(const std::string &path, std::vector<uint16_t> *tokens,
                      int64_t vocabSize) {
  std::string why;
  const int fd = detail::openRegularFile(path, &why);
  if (fd < 0)
    return shardError(path, why);
  int64_t n = 0;
  Status s = checkShard(path, fd, &n);
  if (s.isOk()) {
    tokens->resize(size_t(n));
    if (!detail::preadFull(fd, tokens->data(), size_t(n) * 2,
                           kShardHeaderBytes))
      s = shardError(path, "cannot read the tokens: " + detail::systemError());
  }
  ::close(fd);
  if (!s.isOk() || vocabSize <= 0)
    return s;
  for (int64_t i = 0; i < n; ++i)
    if ((*tokens)[i] >= vocabSize)
      return tokenError(path, (*tokens)[i], i, vocabSize);
  return Status::ok();
}

Status checkTokenIds(const std::string &path, int fd, int64_t numTokens,
                     int64_t vocabSize) {
  if (vocabSize > 0xFFFF)
    return Status::ok(); // every uint16 id is in range
  // 2 MiB reads; the ids of a chunk are searched only when one is too large.
  constexpr int64_t kChunk = int64_t(1) << 20;
  std::vector<uint16_t> chunk(size_t(std::min(numTokens, kChunk)));
  for (int64_t at = 0; at < numTokens; at += kChunk) {
    const int64_t n = std::min(kChunk, numTokens - at);
    if (!detail::preadFull(fd, chunk.data(), size_t(n) * 2,
                           kShardHeaderBytes + 2 * at))
      return shardError(path, "cannot read the tokens: " +
                                  detail::systemError());
    if (largestId(chunk.data(), n) < vocabSize)
      continue;
    for (int64_t i = 0; i < n; ++i)
      if (chunk[size_t(i)] >= vocabSize)
        return tokenError(path, chunk[size_t(i)], at + i, vocabSize);
  }
  return Status::ok();
}

} // namespace ptc::rt

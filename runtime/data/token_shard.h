//===- token_shard.h - Token shard files (llm.c format) --------*- C++ -*-===//
//
// A token shard is the llm.c / nanoGPT binary format:
//   header: 256 little-endian int32 — [0] magic 20240520, [1] version 1,
//           [2] number of tokens n (> 0), the rest zero;
//   body:   n little-endian uint16 token ids.
// The file size must be exactly 1024 + 2n bytes. (The host is assumed
// little-endian, as x86-64 and aarch64 are.)
//
// Every function returns a Status whose message names the file and what is
// wrong; none aborts.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_DATA_TOKEN_SHARD_H
#define PTC_RUNTIME_DATA_TOKEN_SHARD_H

#include "runtime/data/status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ptc::rt {

constexpr int32_t kShardMagic = 20240520;
constexpr int32_t kShardVersion = 1;
constexpr int64_t kShardHeaderInts = 256;
constexpr int64_t kShardHeaderBytes = kShardHeaderInts * 4;

/// Writes n tokens (1 <= n < 2^31) as a shard at `path`, atomically: the data
/// goes to a temporary file next to `path`, which is then renamed over it
/// (detail::writeFileAtomically).
Status writeTokenShard(const std::string &path, const uint16_t *tokens,
                       int64_t n);

/// Validates the header and the file size of a shard (not the token ids) and
/// returns its token count in *numTokens.
Status inspectTokenShard(const std::string &path, int64_t *numTokens);

/// Checks that the numTokens token ids of the shard open as `fd` (whose
/// header inspectTokenShard accepted) are all < vocabSize, in chunks of
/// 2 MiB; the error names the file, the first bad id and its index.
Status checkTokenIds(const std::string &path, int fd, int64_t numTokens,
                     int64_t vocabSize);

/// Reads a whole shard into *tokens. When vocabSize > 0, every token id must
/// be < vocabSize.
Status readTokenShard(const std::string &path, std::vector<uint16_t> *tokens,
                      int64_t vocabSize = 0);

} // namespace ptc::rt

#endif // PTC_RUNTIME_DATA_TOKEN_SHARD_H

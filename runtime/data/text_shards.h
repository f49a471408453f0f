//===- text_shards.h - Byte-level token shards from a text file -*- C++ -*-===//
//
// The simplest tokenizer: every byte of the file is one token, id 0..255 (a
// model trained on these needs vocab_size >= 256). The file's last
// `valFraction` of bytes (floor, at least one byte when the fraction is
// positive) becomes the validation split; the rest, the training split. Each
// split is cut into shards (token_shard.h) of at most `shardTokens` tokens:
//   DIR/train_000000.bin, DIR/train_000001.bin, ..., DIR/val_000000.bin, ...
// The output directory is created when missing. A directory that already
// holds shards (train_*.bin or val_*.bin) is refused: the globs a run reads
// would take the old shards with the new ones (an older, longer text leaves
// shards past the new last one). With `replace` they are deleted first.
// The input is streamed, so its size is not limited by memory.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_DATA_TEXT_SHARDS_H
#define PTC_RUNTIME_DATA_TEXT_SHARDS_H

#include "runtime/data/status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ptc::rt {

struct TextShardOptions {
  std::string outputDir;
  double valFraction = 0.1;          ///< in [0, 1)
  int64_t shardTokens = 100'000'000; ///< at most this many tokens per shard
  bool replace = false; ///< delete the directory's old shards (else: error)
};

struct TextShardResult {
  std::vector<std::string> trainShards, valShards; ///< the files written
  int64_t trainTokens = 0, valTokens = 0;
};

/// Tokenizes `inputPath` byte by byte into shards. Fails (naming the file)
/// when the input is missing, empty or not a regular file, too small to
/// split, or the output directory holds shards (without `replace`), cannot
/// be created or written.
Status writeTextShards(const std::string &inputPath,
                       const TextShardOptions &options,
                       TextShardResult *result);

} // namespace ptc::rt

#endif // PTC_RUNTIME_DATA_TEXT_SHARDS_H

//===- StageLayout.h - Transformer blocks per pipeline stage ---*- C++ -*-===//
//
// How pipeline parallelism splits a model: model chunk (global pipeline
// stage) s holds transformer blocks [begin[s], begin[s + 1]); the embedding
// runs on the first chunk, the head and the loss on the last. With
// virtual_stages V, pipeline rank r holds chunks r, r + pp, ..., r + (V-1)pp
// (Megatron's interleaved layout). The layout comes from a balance of the
// blocks' costs or from an explicit layout string (Megatron-LM's
// pipeline_model_parallel_layout).
//
//===----------------------------------------------------------------------===//
#ifndef PTC_PASSES_DIST_SCHEDULE_STAGELAYOUT_H
#define PTC_PASSES_DIST_SCHEDULE_STAGELAYOUT_H

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ptc::schedule {

struct StageLayout {
  /// numStages() + 1 entries: begin[0] = 0, begin.back() = the block count.
  std::vector<int64_t> begin;

  int64_t numStages() const { return int64_t(begin.size()) - 1; }
  /// The number of transformer blocks of chunk `stage`.
  int64_t blocks(int64_t stage) const {
    return begin[size_t(stage) + 1] - begin[size_t(stage)];
  }
  /// Its cost: its blocks' plus the embedding's (first chunk) and the
  /// head's (last chunk).
  double cost(int64_t stage, const std::vector<double> & blockCosts,
              double embeddingCost, double headCost) const;
  /// "E t*3 | t*3 | ... | t*2 L": the layout in the syntax that
  /// parseStageLayout reads.
  std::string str() const;
};

/// Splits the transformer blocks (their costs in order) into `stages`
/// contiguous chunks of at least one block each, minimising the largest
/// chunk cost, where the first chunk also pays `embeddingCost` and the last
/// `headCost`. Fails (with `error`) when there are fewer blocks than
/// stages.
std::optional<StageLayout> balanceStages(const std::vector<double> & blockCosts,
                                         int64_t stages, double embeddingCost,
                                         double headCost, std::string &error);

/// Reads an explicit layout: chunks separated by '|', each a sequence of
/// 'E' (the embedding: first in the first chunk), 't' (one transformer
/// block) and 'L' (the head and the loss: last in the last chunk); 'X*N'
/// repeats one symbol, '(...)*N' a group (which may hold '|'); spaces are
/// ignored. E.g. "Et*3|(t*3|)*33t*2L" gives 35 chunks of 3 blocks but the
/// last (2). Fails (with `error`, naming the character position) when the
/// text is ill-formed, or when it does not have `stages` chunks and
/// `blocks` blocks. A chunk may hold no block ("E|t*4|L").
std::optional<StageLayout> parseStageLayout(std::string_view text,
                                            int64_t stages, int64_t blocks,
                                            std::string &error);

} // namespace ptc::schedule

#endif // PTC_PASSES_DIST_SCHEDULE_STAGELAYOUT_H

//===- GreedyBySizeTest.cpp - The chunked placement equals the plain walk -===//
//
// placeGreedyBySize passes chunks of placed buffers whole (GreedyBySize.cpp).
// These tests compare its offsets with the plain greedy-by-size walk (every
// conflict, sorted by offset) on random buffers of the shapes a training
// step has: short-lived buffers and saved activations live from a forward
// layer to its backward, many of one size, some of size 0, enough buffers
// for chunks to split.
//
//===----------------------------------------------------------------------===//

#include "passes/Exec/GreedyBySize.h"

#include "llvm/ADT/STLExtras.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

using namespace ptc::exec;

namespace {

int64_t alignUp(int64_t value, int64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

/// The plain walk: largest first; each buffer's conflicts among the placed
/// ones (nonzero size, overlapping in time), sorted by offset; the lowest
/// aligned offset >= base below the first conflict it fits under.
std::vector<int64_t> reference(std::vector<LiveBuffer> buffers, int64_t base,
                               int64_t alignment) {
  std::vector<LiveBuffer *> order;
  for (LiveBuffer &b : buffers)
    order.push_back(&b);
  std::stable_sort(order.begin(), order.end(),
                   [](const LiveBuffer *a, const LiveBuffer *b) {
                     if (a->bytes != b->bytes)
                       return a->bytes > b->bytes;
                     if (a->first != b->first)
                       return a->first < b->first;
                     return a->position < b->position;
                   });
  std::vector<LiveBuffer *> placed;
  for (LiveBuffer *b : order) {
    std::vector<LiveBuffer *> conflicts;
    for (LiveBuffer *o : placed)
      if (o->bytes > 0 && b->first <= o->last && o->first <= b->last)
        conflicts.push_back(o);
    std::stable_sort(conflicts.begin(), conflicts.end(),
                     [](const LiveBuffer *x, const LiveBuffer *y) {
                       return x->offset < y->offset;
                     });
    int64_t offset = base;
    for (LiveBuffer *o : conflicts) {
      if (offset + b->bytes <= o->offset)
        break;
      offset = std::max(offset, alignUp(o->offset + o->bytes, alignment));
    }
    b->offset = offset;
    placed.push_back(b);
  }
  std::vector<int64_t> offsets;
  for (LiveBuffer &b : buffers)
    offsets.push_back(b.offset);
  return offsets;
}

/// `layers` forward units and their backward units, in op positions: each
/// layer saves `saved` buffers for its backward and uses `local` buffers of
/// a few ops each, with sizes from a small set (many equal ones).
std::vector<LiveBuffer> trainingStep(std::mt19937 &rng, int layers,
                                     int saved, int local) {
  std::vector<int64_t> sizes = {0, 64, 256, 1000, 4096, 4096, 65536};
  auto size = [&] { return sizes[rng() % sizes.size()]; };
  const int64_t perLayer = 3 * (saved + local);
  const int64_t backwardStart = layers * perLayer;
  std::vector<LiveBuffer> buffers;
  for (int layer = 0; layer < layers; ++layer) {
    int64_t forward = layer * perLayer;
    int64_t backward = backwardStart + (layers - 1 - layer) * perLayer;
    for (int i = 0; i < saved; ++i) {
      int64_t first = forward + int64_t(rng() % perLayer);
      buffers.push_back(
          {size(), first, first, backward + int64_t(rng() % perLayer)});
    }
    for (int64_t start : {forward, backward})
      for (int i = 0; i < local; ++i) {
        int64_t first = start + int64_t(rng() % perLayer);
        buffers.push_back({size(), first, first, first + int64_t(rng() % 5)});
      }
  }
  return buffers;
}

std::vector<int64_t> chunked(std::vector<LiveBuffer> buffers, int64_t base,
                             int64_t alignment, int64_t &end) {
  std::vector<LiveBuffer *> pointers;
  for (LiveBuffer &b : buffers)
    pointers.push_back(&b);
  end = placeGreedyBySize(pointers, base, alignment);
  std::vector<int64_t> offsets;
  for (LiveBuffer &b : buffers)
    offsets.push_back(b.offset);
  return offsets;
}

TEST(GreedyBySizeTest, MatchesThePlainWalkOnTrainingSteps) {
  std::mt19937 rng(13);
  for (int trial = 0; trial < 40; ++trial) {
    int layers = 1 + int(rng() % 60);
    std::vector<LiveBuffer> buffers =
        trainingStep(rng, layers, 1 + int(rng() % 6), int(rng() % 8));
    int64_t base = int64_t(rng() % 3) * 512, alignment = 64 << (rng() % 3);
    int64_t end = 0;
    std::vector<int64_t> got = chunked(buffers, base, alignment, end);
    std::vector<int64_t> want = reference(buffers, base, alignment);
    ASSERT_EQ(got, want) << "trial " << trial << ", " << buffers.size()
                         << " buffers";
    int64_t wantEnd = base;
    for (auto [b, offset] : llvm::zip(buffers, want))
      wantEnd = std::max(wantEnd, offset + b.bytes);
    EXPECT_EQ(end, wantEnd);
  }
}

TEST(GreedyBySizeTest, MatchesThePlainWalkOnRandomIntervals) {
  std::mt19937 rng(5);
  for (int trial = 0; trial < 40; ++trial) {
    std::vector<LiveBuffer> buffers;
    int n = 1 + int(rng() % 3000), span = 1 + int(rng() % 4000);
    for (int i = 0; i < n; ++i) {
      int64_t first = rng() % span;
      int64_t length = rng() % 3 == 0 ? rng() % span : rng() % 8;
      int64_t bytes = int64_t(rng() % 9) * 128 + int64_t(rng() % 2) * 7;
      buffers.push_back({bytes, i, first,
                         first + length});
    }
    int64_t end = 0;
    ASSERT_EQ(chunked(buffers, 0, 256, end), reference(buffers, 0, 256))
        << "trial " << trial << ", " << n << " buffers";
  }
}

} // namespace

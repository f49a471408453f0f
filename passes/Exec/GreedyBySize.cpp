//===- GreedyBySize.cpp - Offsets for buffers with live intervals ---------===//
//
// Each buffer, largest first, walks the placed buffers in offset order from
// the bottom: x starts at the base; a placed buffer that overlaps it in
// time and starts below x + bytes moves x to its aligned end; the first one
// at or above x + bytes ends the walk. Collecting the conflicts of each
// buffer from all placed ones and sorting them was quadratic with a log
// factor in the buffers of a function, and a deep model's function has
// tens of thousands (gpt2-124m at 1,000 layers: 20,000 activations).
//
// So the placed buffers are kept in offset order in chunks of about
// sqrt(n), each with what lets the walk pass it whole: a chunk whose time
// hull misses the buffer's interval changes nothing; a chunk whose buffers
// all overlap it, with no gap between them that the buffer fits in, moves
// x to the chunk's highest aligned end. Other chunks are walked buffer by
// buffer. The offsets are those of the plain walk (buffers at one offset
// may be visited in any order with the same result).
//
//===----------------------------------------------------------------------===//

#include "passes/Exec/GreedyBySize.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

using namespace ptc::exec;

namespace {

int64_t alignUp(int64_t value, int64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

bool overlapInTime(const LiveBuffer &a, const LiveBuffer &b) {
  return a.first <= b.last && b.first <= a.last;
}

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

/// Placed buffers, consecutive in offset order, and what they share.
struct Chunk {
  std::vector<LiveBuffer *> buffers;
  int64_t minFirst, maxLast; // the hull of their live intervals
  int64_t maxFirst, minLast; // all overlap [f, l] iff maxFirst <= l, f <= minLast
  int64_t maxEnd;            // the highest aligned end
  int64_t maxGap;            // the largest offset_i - max(aligned ends < i)

  void summarize(int64_t alignment) {
    minFirst = minLast = kMax;
    maxLast = maxFirst = maxEnd = maxGap = kMin;
    for (auto [i, b] : llvm::enumerate(buffers)) {
      if (i != 0)
        maxGap = std::max(maxGap, b->offset - maxEnd);
      maxEnd = std::max(maxEnd, alignUp(b->offset + b->bytes, alignment));
      minFirst = std::min(minFirst, b->first);
      maxFirst = std::max(maxFirst, b->first);
      minLast = std::min(minLast, b->last);
      maxLast = std::max(maxLast, b->last);
    }
  }
};

/// The lowest offset of `buffer` in the walk over `chunks`.
int64_t lowestOffset(const std::vector<Chunk> &chunks, const LiveBuffer &buffer,
                     int64_t base, int64_t alignment) {
  int64_t x = base;
  for (const Chunk &chunk : chunks) {
    if (x + buffer.bytes <= chunk.buffers.front()->offset)
      return x;
    if (chunk.maxLast < buffer.first || chunk.minFirst > buffer.last)
      continue;
    // All overlap, and x (at least the aligned ends below each buffer)
    // plus the size passes every buffer's offset: the walk ends above.
    if (chunk.maxFirst <= buffer.last && chunk.minLast >= buffer.first &&
        buffer.bytes > chunk.maxGap) {
      x = std::max(x, chunk.maxEnd);
      continue;
    }
    for (LiveBuffer *other : chunk.buffers) {
      if (x + buffer.bytes <= other->offset)
        return x;
      if (overlapInTime(buffer, *other))
        x = std::max(x, alignUp(other->offset + other->bytes, alignment));
    }
  }
  return x;
}

/// Inserts `buffer` after the placed buffers at or below its offset,
/// splitting a chunk that grows past twice `size`.
void insert(std::vector<Chunk> &chunks, LiveBuffer *buffer, size_t size,
            int64_t alignment) {
  auto byOffset = [](int64_t at, const LiveBuffer *b) { return at < b->offset; };
  if (chunks.empty()) {
    chunks.emplace_back();
    chunks.back().buffers.push_back(buffer);
    chunks.back().summarize(alignment);
    return;
  }
  // The last chunk that starts at or below the offset, else the first.
  auto it = llvm::upper_bound(chunks, buffer->offset,
                              [](int64_t at, const Chunk &c) {
                                return at < c.buffers.front()->offset;
                              });
  Chunk &chunk = it == chunks.begin() ? chunks.front() : *std::prev(it);
  chunk.buffers.insert(
      llvm::upper_bound(chunk.buffers, buffer->offset, byOffset), buffer);
  chunk.summarize(alignment);
  if (chunk.buffers.size() <= 2 * size)
    return;
  Chunk upper;
  upper.buffers.assign(chunk.buffers.begin() + size, chunk.buffers.end());
  chunk.buffers.resize(size);
  chunk.summarize(alignment);
  upper.summarize(alignment);
  size_t at = &chunk - chunks.data() + 1;
  chunks.insert(chunks.begin() + at, std::move(upper));
}

} // namespace

int64_t ptc::exec::placeGreedyBySize(llvm::ArrayRef<LiveBuffer *> buffers,
                                     int64_t base, int64_t alignment) {
  std::vector<LiveBuffer *> order(buffers.begin(), buffers.end());
  llvm::stable_sort(order, [](const LiveBuffer *a, const LiveBuffer *b) {
    if (a->bytes != b->bytes)
      return a->bytes > b->bytes;
    if (a->first != b->first)
      return a->first < b->first;
    return a->position < b->position;
  });
  size_t size = std::max<size_t>(
      32, static_cast<size_t>(std::sqrt(static_cast<double>(order.size()))));
  std::vector<Chunk> chunks; // placed buffers of nonzero size
  int64_t end = base;
  for (LiveBuffer *buffer : order) {
    buffer->offset = lowestOffset(chunks, *buffer, base, alignment);
    end = std::max(end, buffer->offset + buffer->bytes);
    if (buffer->bytes > 0)
      insert(chunks, buffer, size, alignment);
  }
  return end;
}

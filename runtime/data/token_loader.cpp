//===- token_loader.cpp - Deterministic batches from token shards ---------===//

#include "runtime/data/token_loader.h"

#include "runtime/data/file_io.h"
#include "runtime/data/token_shard.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <glob.h>
#include <unistd.h>

namespace ptc::rt {

namespace {

__extension__ typedef unsigned __int128 U128;

// splitmix64 (Steele, Lea, Flood 2014): a small, fully specified PRNG, so the
// shuffle is the same with every compiler and standard library.
struct SplitMix64 {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, bound) by Lemire's multiply-shift (bias < bound / 2^64).
  uint64_t below(uint64_t bound) {
    return uint64_t(U128(next()) * bound >> 64);
  }
};

bool isPattern(const std::string &s) {
  return s.find_first_of("*?[") != std::string::npos;
}

Status expand(const std::vector<std::string> &patterns,
              std::vector<std::string> *paths) {
  for (const std::string &p : patterns) {
    if (!isPattern(p)) {
      paths->push_back(p);
      continue;
    }
    glob_t g;
    int rc = ::glob(p.c_str(), 0, nullptr, &g);
    if (rc == 0)
      for (size_t i = 0; i < g.gl_pathc; ++i)
        paths->push_back(g.gl_pathv[i]); // glob sorts its matches
    ::globfree(&g);
    if (rc == GLOB_NOMATCH)
      return Status::error("token shards: no file matches the pattern '" + p +
                           "'");
    if (rc != 0)
      return Status::error("token shards: cannot expand the pattern '" + p +
                           "'");
  }
  if (paths->empty())
    return Status::error("token shards: no shard files given");
  return Status::ok();
}

} // namespace

TokenLoader::~TokenLoader() { close(); }

TokenLoader::TokenLoader(TokenLoader &&other) noexcept { *this = std::move(other); }

TokenLoader &TokenLoader::operator=(TokenLoader &&other) noexcept {
  if (this != &other) {
    close();
    options_ = other.options_;
    shards_ = std::move(other.shards_);
    fds_ = std::move(other.fds_);
    firstWindow_ = std::move(other.firstWindow_);
    numWindows_ = other.numWindows_;
    windowsPerRank_ = other.windowsPerRank_;
    position_ = other.position_;
    order_ = std::move(other.order_);
    orderEpoch_ = other.orderEpoch_;
    buffer_ = std::move(other.buffer_);
    other.fds_.clear();
    other.close();
  }
  return *this;
}

void TokenLoader::close() {
  for (int fd : fds_)
    ::close(fd);
  fds_.clear();
  shards_.clear();
  firstWindow_.clear();
  order_.clear();
  orderEpoch_ = UINT64_MAX;
  numWindows_ = windowsPerRank_ = 0;
  position_ = 0;
}

Status TokenLoader::open(const std::vector<std::string> &patterns,
                         const TokenLoaderOptions &options) {
  close();
  if (options.seqLen <= 0 || options.vocabSize <= 0 || options.world <= 0 ||
      options.rank < 0 || options.rank >= options.world)
    return Status::error(
        "token loader: bad options seqLen=" + std::to_string(options.seqLen) +
        " vocabSize=" + std::to_string(options.vocabSize) +
        " rank=" + std::to_string(options.rank) +
        " world=" + std::to_string(options.world) +
        " (need seqLen > 0, vocabSize > 0, 0 <= rank < world)");
  std::vector<std::string> paths;
  if (Status s = expand(patterns, &paths); !s)
    return s;
  const int64_t T = options.seqLen;
  int64_t total = 0;
  for (const std::string &path : paths) {
    ShardInfo info;
    info.path = path;
    if (Status s = inspectTokenShard(path, &info.numTokens); !s) {
      close();
      return s;
    }
    std::string why;
    const int fd = detail::openRegularFile(path, &why);
    if (fd < 0) {
      close();
      return Status::error("token shard '" + path + "': " + why);
    }
    fds_.push_back(fd);
    if (Status s = checkTokenIds(path, fd, info.numTokens, options.vocabSize);
        !s) {
      close();
      return s;
    }
    info.numWindows = (info.numTokens - 1) / T;
    firstWindow_.push_back(total);
    total += info.numWindows;
    shards_.push_back(std::move(info));
  }
  if (total < options.world || total > int64_t(UINT32_MAX)) {
    close();
    return Status::error(
        "token shards: " + std::to_string(paths.size()) + " file(s) hold " +
        std::to_string(total) + " window(s) of seqLen+1 = " +
        std::to_string(T + 1) + " tokens; need at least one per rank (world = " +
        std::to_string(options.world) + ") and at most 2^32-1");
  }
  options_ = options;
  numWindows_ = total;
  windowsPerRank_ = total / options.world;
  buffer_.resize(size_t(T + 1));
  return Status::ok();
}

void TokenLoader::shuffleFor(uint64_t epoch) {
  if (orderEpoch_ == epoch || (!options_.shuffle && !order_.empty()))
    return;
  order_.resize(size_t(numWindows_));
  for (int64_t i = 0; i < numWindows_; ++i)
    order_[i] = uint32_t(i);
  if (options_.shuffle) {
    SplitMix64 rng{options_.seed ^ (0xD1B54A32D192ED03ull * (epoch + 1))};
    for (int64_t i = numWindows_ - 1; i > 0; --i)
      std::swap(order_[i], order_[rng.below(uint64_t(i) + 1)]);
  }
  orderEpoch_ = epoch;
}

Status TokenLoader::readWindow(int64_t window, int32_t *inputs,
                               int32_t *targets) {
  const int64_t T = options_.seqLen;
  size_t s = size_t(std::upper_bound(firstWindow_.begin(), firstWindow_.end(),
                                     window) -
                    firstWindow_.begin() - 1);
  const int64_t start = (window - firstWindow_[s]) * T;
  const std::string &path = shards_[s].path;
  if (!detail::preadFull(fds_[s], buffer_.data(), size_t(T + 1) * 2,
                         kShardHeaderBytes + 2 * start))
    return Status::error("token shard '" + path + "': cannot read tokens " +
                         std::to_string(start) + ".." +
                         std::to_string(start + T) + ": " +
                         (errno ? std::strerror(errno)
                                : "unexpected end of file (file changed?)"));
  for (int64_t i = 0; i <= T; ++i)
    if (buffer_[i] >= options_.vocabSize)
      return Status::error("token shard '" + path + "': token " +
                           std::to_string(buffer_[i]) + " at index " +
                           std::to_string(start + i) +
                           " is >= the vocabulary size " +
                           std::to_string(options_.vocabSize));
  for (int64_t i = 0; i < T; ++i) {
    inputs[i] = buffer_[i];
    targets[i] = buffer_[i + 1];
  }
  return Status::ok();
}

Status TokenLoader::next(int64_t B, int64_t T, int32_t *inputs,
                         int32_t *targets) {
  if (fds_.empty())
    return Status::error("token loader: next() before a successful open()");
  if (B <= 0 || T != options_.seqLen)
    return Status::error("token loader: next(B=" + std::to_string(B) +
                         ", T=" + std::to_string(T) +
                         ") needs B > 0 and T = the seqLen it was opened with (" +
                         std::to_string(options_.seqLen) + ")");
  const uint64_t perRank = uint64_t(windowsPerRank_);
  for (int64_t b = 0; b < B; ++b) {
    const uint64_t pos = position_ + uint64_t(b);
    shuffleFor(pos / perRank);
    const uint64_t idx = (pos % perRank) * uint64_t(options_.world) +
                         uint64_t(options_.rank);
    if (Status s = readWindow(order_[idx], inputs + b * T, targets + b * T); !s)
      return s;
  }
  position_ += uint64_t(B);
  return Status::ok();
}

} // namespace ptc::rt

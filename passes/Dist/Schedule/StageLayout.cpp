//===- StageLayout.cpp - Transformer blocks per pipeline stage ------------===//

#include "passes/Dist/Schedule/StageLayout.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace ptc::schedule {

double StageLayout::cost(int64_t stage, const std::vector<double> & blockCosts,
                         double embeddingCost, double headCost) const {
  double total = std::accumulate(blockCosts.begin() + begin[size_t(stage)],
                                 blockCosts.begin() + begin[size_t(stage) + 1],
                                 0.0);
  if (stage == 0)
    total += embeddingCost;
  if (stage + 1 == numStages())
    total += headCost;
  return total;
}

std::string StageLayout::str() const {
  const int64_t n = numStages();
  auto chunk = [&](int64_t s) {
    std::string text = s == 0 ? "E" : "";
    if (int64_t count = blocks(s); count == 1)
      text += "t";
    else if (count > 1)
      text += "t*" + std::to_string(count);
    return text + (s + 1 == n ? "L" : "");
  };
  // The first chunk, runs of alike middle chunks as "(t*3|)*33", the last.
  std::string text = chunk(0);
  for (int64_t s = 1; s < n;) {
    std::string one = chunk(s);
    int64_t run = 1;
    while (s + run < n - 1 && chunk(s + run) == one && s + 1 < n - 1)
      ++run;
    if (run > 1)
      text += "|(" + one + "|)*" + std::to_string(run - 1) + one;
    else
      text += "|" + one;
    s += run;
  }
  return text;
}

namespace {

/// Fills chunks left to right, each up to `limit` and leaving a block for
/// every chunk after it; the layout when every chunk stays within `limit`.
std::optional<StageLayout> fill(const std::vector<double> & costs, int64_t stages,
                                double embedding, double head, double limit) {
  const int64_t n = int64_t(costs.size());
  StageLayout layout;
  layout.begin.push_back(0);
  int64_t next = 0;
  for (int64_t s = 0; s < stages; ++s) {
    const bool last = s + 1 == stages;
    double load = (s == 0 ? embedding : 0) + (last ? head : 0);
    int64_t end = next;
    // At least one block; then more while the limit allows and enough
    // blocks remain for the chunks after this one.
    do {
      load += costs[size_t(end)];
      ++end;
    } while (end < n - (stages - s - 1) &&
             (last || load + costs[size_t(end)] <= limit));
    if (load > limit)
      return std::nullopt;
    layout.begin.push_back(end);
    next = end;
  }
  if (next != n)
    return std::nullopt;
  return layout;
}

} // namespace

namespace {

/// For each block i, the fewest chunks within `limit` that blocks [i, n)
/// need, the last of them also paying `head`: the chunks that a fill from
/// the right makes, each as large as the limit allows (a fill from either
/// end needs the fewest chunks, and the one from the right is the same for
/// every suffix up to where the suffix starts).
std::vector<int64_t> chunksFromRight(const std::vector<double> & costs, double head,
                                     double limit) {
  const int64_t n = int64_t(costs.size());
  std::vector<int64_t> count(size_t(n) + 1, 0);
  int64_t chunks = 1;
  double load = head;
  bool empty = true;
  for (int64_t i = n - 1; i >= 0; --i) {
    if (!empty && load + costs[size_t(i)] > limit) {
      ++chunks;
      load = 0;
    }
    load += costs[size_t(i)];
    empty = false;
    count[size_t(i)] = chunks;
  }
  return count;
}

} // namespace

std::optional<StageLayout> balanceStages(const std::vector<double> & blockCosts,
                                         int64_t stages, double embeddingCost,
                                         double headCost, std::string &error) {
  const int64_t n = int64_t(blockCosts.size());
  if (stages < 1 || n < stages) {
    error = std::to_string(stages) + " pipeline chunks need at least as many "
            "transformer blocks, and the model has " + std::to_string(n);
    return std::nullopt;
  }
  // 1. The smallest largest-chunk cost: the smallest limit that a fill from
  //    the left meets (it needs the fewest chunks within any limit).
  double total = embeddingCost + headCost +
                 std::accumulate(blockCosts.begin(), blockCosts.end(), 0.0);
  double lo = 0, hi = total;
  for (int i = 0; i < 200 && hi - lo > 1e-13 * total; ++i) {
    double mid = lo + (hi - lo) / 2;
    (fill(blockCosts, stages, embeddingCost, headCost, mid) ? hi : lo) = mid;
  }
  // Sums in another order may differ in their last bits.
  const double limit = hi * (1 + 1e-12);
  // 2. Within that limit, each chunk as close to an even share of what is
  //    left as keeps the rest feasible, so that no chunk is left nearly
  //    empty while others are full.
  std::vector<int64_t> needed = chunksFromRight(blockCosts, headCost, limit);
  StageLayout layout;
  layout.begin.push_back(0);
  int64_t first = 0;
  double left = total;
  for (int64_t s = 0; s + 1 < stages; ++s) {
    const int64_t after = stages - s - 1;
    const double share = left / double(after + 1);
    double load = s == 0 ? embeddingCost : 0;
    int64_t best = -1;
    double bestLoad = 0;
    for (int64_t end = first + 1; end <= n - after; ++end) {
      load += blockCosts[size_t(end) - 1];
      if (load > limit)
        break;
      if (needed[size_t(end)] <= after &&
          (best < 0 || std::abs(load - share) < std::abs(bestLoad - share))) {
        best = end;
        bestLoad = load;
      }
    }
    if (best < 0) {
      error = "no layout of " + std::to_string(n) + " blocks in " +
              std::to_string(stages) + " chunks";
      return std::nullopt;
    }
    layout.begin.push_back(best);
    left -= bestLoad;
    first = best;
  }
  layout.begin.push_back(n);
  return layout;
}

namespace {

/// Expands a layout text into one symbol per character ('E', 't', 'L',
/// '|'), repetitions unrolled.
class LayoutReader {
public:
  LayoutReader(std::string_view text, std::string &error)
      : text(text), error(error) {}

  std::optional<std::string> read() {
    std::string out;
    if (!sequence(out, /*nested=*/false))
      return std::nullopt;
    return out;
  }

private:
  bool fail(const std::string &what) {
    error = "at character " + std::to_string(pos + 1) + ": " + what;
    return false;
  }

  void skipSpaces() {
    while (pos < text.size() && text[pos] == ' ')
      ++pos;
  }

  bool sequence(std::string &out, bool nested) {
    for (skipSpaces(); pos < text.size(); skipSpaces()) {
      char c = text[pos];
      if (c == ')') {
        if (!nested)
          return fail("')' without '('");
        return true;
      }
      std::string item;
      if (c == '(') {
        ++pos;
        if (!sequence(item, /*nested=*/true))
          return false;
        if (pos >= text.size())
          return fail("'(' without ')'");
        ++pos; // ')'
      } else if (c == 'E' || c == 't' || c == 'L' || c == '|') {
        item = c;
        ++pos;
      } else {
        return fail(std::string("'") + c +
                    "' is not one of E, t, L, |, (, ), *");
      }
      int64_t count = 1;
      skipSpaces();
      if (pos < text.size() && text[pos] == '*' && !repeat(count))
        return false;
      if (out.size() + item.size() * size_t(count) > kMaxSymbols)
        return fail("the layout expands past " +
                    std::to_string(kMaxSymbols) + " symbols");
      for (int64_t i = 0; i < count; ++i)
        out += item;
    }
    if (nested)
      return fail("'(' without ')'");
    return true;
  }

  bool repeat(int64_t &count) {
    ++pos; // '*'
    skipSpaces();
    size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9')
      ++pos;
    if (pos == start)
      return fail("expected a count after '*'");
    if (pos - start > 9 ||
        (count = std::stoll(std::string(text.substr(start, pos - start)))) < 1)
      return fail("the count after '*' must be in [1, 999999999]");
    return true;
  }

  static constexpr size_t kMaxSymbols = size_t(1) << 26;
  std::string_view text;
  std::string &error;
  size_t pos = 0;
};

} // namespace

std::optional<StageLayout> parseStageLayout(std::string_view text,
                                            int64_t stages, int64_t blocks,
                                            std::string &error) {
  std::optional<std::string> symbols = LayoutReader(text, error).read();
  if (!symbols)
    return std::nullopt;
  StageLayout layout;
  layout.begin.push_back(0);
  int64_t count = 0;
  bool embedding = false, head = false;
  for (size_t i = 0; i < symbols->size(); ++i) {
    char c = (*symbols)[i];
    if (head) {
      error = "'L' (the head and the loss) must end the last chunk";
      return std::nullopt;
    }
    if (c == 'E') {
      if (embedding || i != 0) {
        error = "'E' (the embedding) must open the first chunk, once";
        return std::nullopt;
      }
      embedding = true;
    } else if (c == 'L') {
      head = true;
    } else if (c == 't') {
      ++count;
    } else {
      layout.begin.push_back(count);
    }
  }
  layout.begin.push_back(count);
  if (!embedding || !head) {
    error = "the layout must open with 'E' (the embedding) and end with 'L' "
            "(the head and the loss)";
    return std::nullopt;
  }
  if (layout.numStages() != stages) {
    error = "the layout has " + std::to_string(layout.numStages()) +
            " chunks; pp x virtual_stages = " + std::to_string(stages);
    return std::nullopt;
  }
  if (count != blocks) {
    error = "the layout places " + std::to_string(count) +
            " transformer blocks; the model has " + std::to_string(blocks);
    return std::nullopt;
  }
  return layout;
}

} // namespace ptc::schedule

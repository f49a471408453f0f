//===- Generate.cpp - gpipe, 1f1b, interleaved_1f1b, zero_bubble ----------===//
//
// Each generator fills one list per rank with compute actions in the order
// that rank runs them. The orders follow GPipe, PipeDream-flush (1F1B) and
// Megatron-LM's interleaved schedule; zero_bubble is ZB-H1 of Qi et al.,
// "Zero Bubble Pipeline Parallelism" (arXiv 2401.10241).
//
//===----------------------------------------------------------------------===//

#include "passes/Dist/Schedule/Generate.h"

#include <algorithm>
#include <deque>

using namespace ptc::schedule;

namespace {

ScheduleError shapeError(std::string message) {
  ScheduleError error;
  error.message = std::move(message);
  return error;
}

Action compute(ActionKind kind, int chunk, int micro) {
  Action action;
  action.kind = kind;
  action.chunk = chunk;
  action.micro = micro;
  return action;
}

/// GPipe: all forwards, then all backwards, in micro-batch order. Every
/// rank holds all M micro-batches' activations at its peak.
void gpipe(Schedule &s) {
  for (auto &list : s.ranks) {
    for (int m = 0; m < s.microBatches; ++m)
      list.push_back(compute(ActionKind::Forward, 0, m));
    for (int m = 0; m < s.microBatches; ++m)
      list.push_back(compute(ActionKind::Backward, 0, m));
  }
}

/// 1F1B (PipeDream-flush): rank r runs pp - r - 1 warm-up forwards, then
/// alternates one forward and one backward, then drains the backwards. Rank
/// r holds at most pp - r micro-batches' activations.
void oneForwardOneBackward(Schedule &s) {
  int m = s.microBatches;
  for (int r = 0; r < s.pp; ++r) {
    auto &list = s.ranks[r];
    int warmup = std::min(s.pp - r - 1, m);
    for (int i = 0; i < warmup; ++i)
      list.push_back(compute(ActionKind::Forward, 0, i));
    for (int i = 0; i < m - warmup; ++i) {
      list.push_back(compute(ActionKind::Forward, 0, warmup + i));
      list.push_back(compute(ActionKind::Backward, 0, i));
    }
    for (int i = m - warmup; i < m; ++i)
      list.push_back(compute(ActionKind::Backward, 0, i));
  }
}

/// Megatron-LM's interleaved 1F1B. The k-th forward of a rank runs chunk
/// (k mod pp*V) / pp for micro-batch (k / pp*V) * pp + k mod pp: groups of
/// pp micro-batches go through each chunk in turn. Backwards walk the chunks
/// in reverse. Warm-up: 2 (pp - r - 1) + (V - 1) pp forwards, or all of them
/// when micro-batches == pp.
void interleaved(Schedule &s) {
  int pp = s.pp, v = s.virtualStages;
  int total = s.microBatches * v;
  auto chunkOf = [&](int k, bool forward) {
    int chunk = (k % (pp * v)) / pp;
    return forward ? chunk : v - 1 - chunk;
  };
  auto microOf = [&](int k) { return (k / (pp * v)) * pp + k % pp; };
  for (int r = 0; r < pp; ++r) {
    auto &list = s.ranks[r];
    int warmup = s.microBatches == pp
                     ? total
                     : std::min(2 * (pp - r - 1) + (v - 1) * pp, total);
    for (int k = 0; k < warmup; ++k)
      list.push_back(
          compute(ActionKind::Forward, chunkOf(k, true), microOf(k)));
    for (int i = 0; i < total - warmup; ++i) {
      int k = warmup + i;
      list.push_back(
          compute(ActionKind::Forward, chunkOf(k, true), microOf(k)));
      list.push_back(
          compute(ActionKind::Backward, chunkOf(i, false), microOf(i)));
    }
    for (int k = total - warmup; k < total; ++k)
      list.push_back(
          compute(ActionKind::Backward, chunkOf(k, false), microOf(k)));
  }
}

/// ZB-H1: the 1F1B order with each backward split into its input gradient
/// (I, what the previous stage waits for) and its weight gradient (W).
/// Rank r defers its first r weight gradients: its input gradients reach
/// rank r - 1 sooner, and the deferred W fill the drain, where 1F1B leaves
/// rank r idle for r backward steps. A W is run as soon as more than r are
/// pending, so rank r holds at most (pp - r) + r = pp micro-batches'
/// activations: the peak of 1F1B's rank 0, the peak of the whole pipeline.
void zeroBubble(Schedule &s) {
  int m = s.microBatches;
  for (int r = 0; r < s.pp; ++r) {
    auto &list = s.ranks[r];
    std::deque<int> pending;
    auto backward = [&](int micro) {
      list.push_back(compute(ActionKind::BackwardInput, 0, micro));
      pending.push_back(micro);
      if (int(pending.size()) > r) {
        list.push_back(compute(ActionKind::BackwardWeight, 0, pending.front()));
        pending.pop_front();
      }
    };
    int warmup = std::min(s.pp - r - 1, m);
    for (int i = 0; i < warmup; ++i)
      list.push_back(compute(ActionKind::Forward, 0, i));
    for (int i = 0; i < m - warmup; ++i) {
      list.push_back(compute(ActionKind::Forward, 0, warmup + i));
      backward(i);
    }
    for (int i = m - warmup; i < m; ++i)
      backward(i);
    for (int micro : pending)
      list.push_back(compute(ActionKind::BackwardWeight, 0, micro));
  }
}

} // namespace

const char *ptc::schedule::generatorNames() {
  return "gpipe, 1f1b, interleaved_1f1b, zero_bubble";
}

std::optional<ScheduleError>
ptc::schedule::validateShape(const ScheduleShape &shape) {
  auto n = [](int value) { return std::to_string(value); };
  if (shape.pp < 1)
    return shapeError("pp must be at least 1, got " + n(shape.pp));
  if (shape.microBatches < 1)
    return shapeError("micro-batches must be at least 1, got " +
                      n(shape.microBatches));
  if (shape.virtualStages < 1)
    return shapeError("virtual stages must be at least 1, got " +
                      n(shape.virtualStages));
  if (shape.kind == "interleaved_1f1b") {
    if (shape.virtualStages < 2)
      return shapeError("interleaved_1f1b needs virtual stages >= 2, got " +
                        n(shape.virtualStages));
    if (shape.pp < 2)
      return shapeError("interleaved_1f1b needs pp >= 2, got " + n(shape.pp) +
                        " (one rank runs its chunks in order: use 1f1b)");
    if (shape.microBatches % shape.pp != 0)
      return shapeError("interleaved_1f1b needs micro-batches (" +
                        n(shape.microBatches) + ") to be a multiple of pp (" +
                        n(shape.pp) + "), as Megatron-LM's schedule does");
    return std::nullopt;
  }
  if (shape.kind == "gpipe" || shape.kind == "1f1b" ||
      shape.kind == "zero_bubble") {
    if (shape.virtualStages != 1)
      return shapeError(shape.kind + " takes virtual stages = 1, got " +
                        n(shape.virtualStages) +
                        " (interleaved_1f1b runs several chunks per rank)");
    return std::nullopt;
  }
  if (shape.kind == "file")
    return std::nullopt;
  return shapeError("unknown schedule '" + shape.kind +
                    "' (allowed: " + generatorNames() + ")");
}

std::optional<ScheduleError> ptc::schedule::generate(const ScheduleShape &shape,
                                                     Schedule &out) {
  if (auto error = validateShape(shape))
    return error;
  if (shape.kind == "file")
    return shapeError("a 'file' schedule is read (parseSchedule), not "
                      "generated");
  out = Schedule();
  out.pp = shape.pp;
  out.virtualStages = shape.virtualStages;
  out.microBatches = shape.microBatches;
  out.kind = shape.kind;
  out.ranks.assign(shape.pp, {});
  if (shape.kind == "gpipe")
    gpipe(out);
  else if (shape.kind == "1f1b")
    oneForwardOneBackward(out);
  else if (shape.kind == "interleaved_1f1b")
    interleaved(out);
  else
    zeroBubble(out);
  return std::nullopt;
}

//===- SettingsLimits.h - Bounds on the spec's settings --------*- C++ -*-===//
//
// One set of bounds for the spec reader (frontend/Spec.cpp) and the settings
// attributes' verifiers (#graph.model, #graph.training, #dist.parallel), so
// that a setting read from IR is held to what a JSON spec is held to.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_DIALECTS_SETTINGSLIMITS_H
#define PTC_DIALECTS_SETTINGSLIMITS_H

#include <cstdint>

namespace ptc::limits {

// Upper bounds on sizes: far above any real model, low enough that every
// product the compiler forms stays well inside int64.
constexpr int64_t kMaxLayers = 100000;
constexpr int64_t kMaxHidden = 1 << 20;
constexpr int64_t kMaxHeads = 1 << 16;
constexpr int64_t kMaxFfnHidden = 1 << 24;
constexpr int64_t kMaxSeqLen = 1 << 20;
constexpr int64_t kMaxVocab = 1 << 24;
constexpr int64_t kMaxVocabPadMultiple = 1 << 16;
constexpr int64_t kMaxBatch = int64_t(1) << 31;
constexpr int64_t kMaxSteps = int64_t(1) << 40;
constexpr int64_t kMaxSamples = int64_t(1) << 50;
constexpr int64_t kMaxParallel = 1 << 20;  // each of tp, pp, dp
constexpr int64_t kMaxWorldSize = 1 << 24; // tp * pp * dp
constexpr double kMaxGradBucketMb = 65536; // 64 GiB: beyond any GPU
// Bound on the parameter count and on the elements of one activation tensor.
constexpr double kMaxElements = double(int64_t(1) << 50);

} // namespace ptc::limits

#endif // PTC_DIALECTS_SETTINGSLIMITS_H

//===- Spec.h - The model/training/parallel specification ------*- C++ -*-===//
//
// The in-memory form of a ptc JSON spec. `parseSpec` validates every field
// and fills in defaults; everything downstream (the graph builder, the
// passes, the runtime configuration) reads this struct, never the JSON.
//
// The schema, its defaults and allowed values are documented in docs/spec.md.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_FRONTEND_SPEC_H
#define PTC_FRONTEND_SPEC_H

#include <cstdint>
#include <optional>
#include <string>

namespace ptc {

enum class ModelFamily { GPT, Llama };
enum class NormKind { LayerNorm, RMSNorm };
enum class ActivationKind { GeluTanh, GeluErf, SwiGLU };
enum class PositionKind { Learned, Rope, None };

struct ModelSpec {
  ModelFamily family = ModelFamily::GPT;
  int64_t layers = 0;
  int64_t hidden = 0;
  int64_t heads = 0;
  int64_t kvHeads = 0; // grouped-query attention; defaults to `heads`
  int64_t headDim = 0; // derived: hidden / heads
  int64_t ffnHidden =
      0; // defaults: 4*hidden (gelu), 8/3*hidden rounded up to 256 (swiglu)
  int64_t seqLen = 0;
  int64_t vocabSize = 0; // the tokenizer's vocabulary
  int64_t vocabPadMultiple = 1;
  int64_t paddedVocab =
      0; // derived: vocabSize rounded up to vocabPadMultiple * parallel.tp
  NormKind norm = NormKind::LayerNorm;
  double normEps = 1e-5;
  ActivationKind activation = ActivationKind::GeluTanh;
  PositionKind positions = PositionKind::Learned;
  double ropeTheta = 10000.0;
  bool tiedEmbeddings = true;
  bool bias = true;     // biases on the linear layers
  double dropout = 0.0; // residual and embedding dropout
  double attentionDropout = 0.0;
  double initStd = 0.02; // std of the normal init of weights
};

enum class OptimizerKind { AdamW };
enum class LRScheduleKind { Cosine, Linear, Constant };
enum class Precision { BF16, FP32, FP64 };

struct OptimizerSpec {
  OptimizerKind kind = OptimizerKind::AdamW;
  double lr = 6e-4;
  double beta1 = 0.9;
  double beta2 = 0.95;
  double eps = 1e-8;
  double weightDecay = 0.1;
  bool decayEmbeddings = true;
};

struct LRScheduleSpec {
  LRScheduleKind kind = LRScheduleKind::Cosine;
  int64_t warmupSteps = 0;
  int64_t decaySteps = 0; // defaults to training.steps
  double minLr = 0.0;
};

struct BatchRampupSpec {
  int64_t startBatch = 0; // 0: no ramp-up
  int64_t increment = 0;
  int64_t samples = 0;
};

struct TrainingSpec {
  OptimizerSpec optimizer;
  LRScheduleSpec lrSchedule;
  int64_t globalBatchSize = 0; // sequences per optimizer step, all replicas
  int64_t microBatchSize = 0;  // sequences per forward/backward on one rank
  BatchRampupSpec rampup;
  int64_t steps = 0;
  Precision precision = Precision::BF16;
  /// bf16: keep bf16 copies of the weights from one optimizer step to the
  /// next instead of converting them in every micro-step (faster, 2 bytes
  /// per parameter more).
  bool keepBF16Weights = false;
  uint64_t seed = 1234;
  double gradClip = 1.0; // 0 disables clipping
  std::string trainData; // may be empty: given on the command line instead
  std::string valData;
  int64_t evalEvery = 0; // 0: no evaluation
  int64_t evalSteps = 0;
  std::string checkpointDir;
  int64_t checkpointEvery = 0; // 0: no checkpoints
  int64_t checkpointKeep = 0;  // complete checkpoints kept; 0: all
};

enum class PipelineSchedule { GPipe, OneFOneB, Interleaved1F1B, ZeroBubble };
enum class RecomputePolicy { None, Selective, Full };

struct ParallelSpec {
  bool automatic = false; // "auto": the plan search chooses tp/pp/dp
  int64_t tp = 1;
  int64_t pp = 1;
  int64_t dp = 1;
  PipelineSchedule schedule = PipelineSchedule::OneFOneB;
  int64_t virtualStages = 1;
  // Transformer blocks per model chunk, Megatron's
  // pipeline_model_parallel_layout ("Et*3|(t*3|)*33t*2L"); empty: balanced.
  std::string pipelineLayout;
  // A user schedule (docs/schedules.md: one line per pipeline rank) in
  // place of the generator of `schedule`; relative paths are the spec's
  // directory's. Empty: the generator.
  std::string scheduleFile;
  bool sequenceParallel = false;
  int64_t zeroStage = 0;
  /// Data-parallel gradients are all-reduced in buckets of about this many
  /// MiB, each as soon as the backward has produced it (0: one reduction
  /// per gradient after the last micro-batch).
  double gradBucketMb = 25.0;
  RecomputePolicy recompute = RecomputePolicy::None;
};

struct Spec {
  std::string name; // spec "name", or the file's stem
  ModelSpec model;
  TrainingSpec training;
  ParallelSpec parallel;
};

/// Parses and validates a spec. On failure returns nullopt and sets `error` to
/// one line of the form "<source>: <json.path>: <what is wrong and what is
/// allowed>". `source` names the input in messages (usually the file path).
std::optional<Spec> parseSpec(const std::string &jsonText,
                              const std::string &source, std::string &error);

/// Reads `path` and parses it; a missing or unreadable file is an error too.
std::optional<Spec> parseSpecFile(const std::string &path, std::string &error);

/// The number of trainable parameters of `model` (padded vocabulary
/// included): token embedding (plus an output head when untied), learned
/// positions, per layer two norms, Q/K/V/O projections (K and V sized by
/// kv_heads) and the FFN (three matrices for SwiGLU), biases when
/// `model.bias`, and the final norm. Norms have a scale; LayerNorm also a
/// shift when `model.bias` (as nanoGPT). Valid for a spec that parseSpec
/// accepted. parseSpec uses it to bound model size before any IR exists;
/// `ptc inspect` counts from the graph module instead.
int64_t parameterCount(const ModelSpec &model);

const char *toString(ModelFamily);
const char *toString(NormKind);
const char *toString(ActivationKind);
const char *toString(PositionKind);
const char *toString(LRScheduleKind);
const char *toString(Precision);
const char *toString(PipelineSchedule);
const char *toString(RecomputePolicy);

} // namespace ptc

#endif // PTC_FRONTEND_SPEC_H

//===- Spec.cpp - Parse and validate a ptc JSON spec ----------------------===//
//
// One function per section (model, parallel, training), then the checks that
// relate sections. Field-level reading and the messages live in
// SpecReader.cpp; the schema is documented in docs/spec.md, which must change
// with this file.
//
//===----------------------------------------------------------------------===//
#include "frontend/Spec.h"

#include "frontend/SpecReader.h"
#include "passes/Dist/Schedule/StageLayout.h"

#include "dialects/SettingsLimits.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

namespace ptc {

using spec::IntRange;
using spec::Json;
using spec::ObjectReader;
using spec::RealRange;
using spec::SpecError;

namespace {
using namespace limits;

int64_t roundUp(int64_t value, int64_t multiple) {
  return (value + multiple - 1) / multiple * multiple;
}

/// Parameters of one normalization layer: a scale, and for LayerNorm a shift
/// when the model has biases (as the graph builder makes them).
long double normParameters(const ModelSpec &m) {
  bool shift = m.norm == NormKind::LayerNorm && m.bias;
  return shift ? 2.0L * m.hidden : 1.0L * m.hidden;
}

long double parameterCountReal(const ModelSpec &m) {
  long double h = m.hidden, kv = m.kvHeads * m.headDim, f = m.ffnHidden;
  long double embeddings = (long double)m.paddedVocab * h;
  if (!m.tiedEmbeddings)
    embeddings *= 2;
  if (m.positions == PositionKind::Learned)
    embeddings += m.seqLen * h;
  long double attention = 2 * h * h + 2 * h * kv;
  bool gated = m.activation == ActivationKind::SwiGLU;
  long double ffn = (gated ? 3 : 2) * h * f;
  if (m.bias) {
    attention += 2 * h + 2 * kv;
    ffn += (gated ? 2 : 1) * f + h;
  }
  long double layer = 2 * normParameters(m) + attention + ffn;
  return embeddings + m.layers * layer + normParameters(m);
}

//===----------------------------------------------------------------------===//
// model
//===----------------------------------------------------------------------===//

ModelSpec parseModel(const ObjectReader &root) {
  root.require("model");
  ObjectReader r = root.object(
      "model",
      {"family", "layers", "hidden", "heads", "kv_heads", "ffn_hidden",
       "seq_len", "vocab_size", "vocab_pad_multiple", "norm", "norm_eps",
       "activation", "positions", "rope_theta", "tied_embeddings", "bias",
       "dropout", "attention_dropout", "init_std"});
  for (const char *key : {"layers", "hidden", "heads", "seq_len", "vocab_size"})
    r.require(key);

  ModelSpec m;
  r.readEnum("family", m.family,
             {{"gpt", ModelFamily::GPT}, {"llama", ModelFamily::Llama}});
  // The family chooses the defaults of the architectural switches.
  bool llama = m.family == ModelFamily::Llama;
  m.norm = llama ? NormKind::RMSNorm : NormKind::LayerNorm;
  m.activation = llama ? ActivationKind::SwiGLU : ActivationKind::GeluTanh;
  m.positions = llama ? PositionKind::Rope : PositionKind::Learned;
  m.tiedEmbeddings = !llama;
  m.bias = !llama;

  r.readInt("layers", m.layers, {1, kMaxLayers});
  r.readInt("hidden", m.hidden, {1, kMaxHidden});
  r.readInt("heads", m.heads, {1, kMaxHeads});
  m.kvHeads = m.heads;
  r.readInt("kv_heads", m.kvHeads, {1, kMaxHeads});
  r.readInt("seq_len", m.seqLen, {1, kMaxSeqLen});
  r.readInt("vocab_size", m.vocabSize, {1, kMaxVocab});
  r.readInt("vocab_pad_multiple", m.vocabPadMultiple,
            {1, kMaxVocabPadMultiple});
  r.readEnum(
      "norm", m.norm,
      {{"layernorm", NormKind::LayerNorm}, {"rmsnorm", NormKind::RMSNorm}});
  r.readReal("norm_eps", m.normEps, RealRange::Positive);
  r.readEnum("activation", m.activation,
             {{"gelu_tanh", ActivationKind::GeluTanh},
              {"gelu", ActivationKind::GeluErf},
              {"swiglu", ActivationKind::SwiGLU}});
  r.readEnum("positions", m.positions,
             {{"learned", PositionKind::Learned},
              {"rope", PositionKind::Rope},
              {"none", PositionKind::None}});
  r.readReal("rope_theta", m.ropeTheta, RealRange::Positive);
  r.readBool("tied_embeddings", m.tiedEmbeddings);
  r.readBool("bias", m.bias);
  r.readReal("dropout", m.dropout, RealRange::Fraction);
  r.readReal("attention_dropout", m.attentionDropout, RealRange::Fraction);
  r.readReal("init_std", m.initStd, RealRange::Positive);

  // Llama's rule for the SwiGLU width: 2/3 of 4*hidden, rounded up to 256.
  m.ffnHidden = m.activation == ActivationKind::SwiGLU
                    ? roundUp(8 * m.hidden / 3, 256)
                    : 4 * m.hidden;
  r.readInt("ffn_hidden", m.ffnHidden, {1, kMaxFfnHidden});

  if (m.hidden % m.heads != 0)
    r.fail("heads", fmt::format("{} does not divide model.hidden = {}", m.heads,
                                m.hidden));
  m.headDim = m.hidden / m.heads;
  if (m.heads % m.kvHeads != 0)
    r.fail("kv_heads", fmt::format("{} does not divide model.heads = {}",
                                   m.kvHeads, m.heads));
  if (m.positions == PositionKind::Rope && m.headDim % 2 != 0)
    r.fail("heads",
           fmt::format("the head dimension model.hidden / model.heads = {} / "
                       "{} = {} is odd, but \"rope\" positions need it even",
                       m.hidden, m.heads, m.headDim));
  m.paddedVocab = roundUp(m.vocabSize, m.vocabPadMultiple);

  long double parameters = parameterCountReal(m);
  if (parameters > kMaxElements)
    throw SpecError{r.path(),
                    fmt::format("the model has {:.3g} parameters, too many "
                                "(at most 2^50 = {:.0f})",
                                (double)parameters, kMaxElements)};
  return m;
}

//===----------------------------------------------------------------------===//
// parallel
//===----------------------------------------------------------------------===//

ParallelSpec parseParallel(const ObjectReader &root) {
  ParallelSpec p;
  if (!root.has("parallel"))
    return p;
  const Json &value = root.at("parallel");
  if (value.is_string() && value.get<std::string>() == "auto") {
    p.automatic = true;
    return p;
  }
  if (!value.is_object())
    throw SpecError{"parallel", "expected an object or \"auto\", got " +
                                    spec::describe(value)};
  ObjectReader r(value, "parallel",
                 {"tp", "pp", "dp", "schedule", "virtual_stages",
                  "pipeline_layout", "schedule_file", "sequence_parallel",
                  "zero_stage", "grad_bucket_mb", "recompute"});
  r.readInt("tp", p.tp, {1, kMaxParallel});
  r.readInt("pp", p.pp, {1, kMaxParallel});
  r.readInt("dp", p.dp, {1, kMaxParallel});
  if (p.tp * p.pp * p.dp > kMaxWorldSize)
    throw SpecError{
        "parallel",
        fmt::format("tp * pp * dp = {} ranks, too many (at most {})",
                    p.tp * p.pp * p.dp, kMaxWorldSize)};
  r.readEnum("schedule", p.schedule,
             {{"gpipe", PipelineSchedule::GPipe},
              {"1f1b", PipelineSchedule::OneFOneB},
              {"interleaved_1f1b", PipelineSchedule::Interleaved1F1B},
              {"zero_bubble", PipelineSchedule::ZeroBubble}});
  r.readInt("virtual_stages", p.virtualStages, {1, kMaxLayers});
  bool interleaved = p.schedule == PipelineSchedule::Interleaved1F1B;
  if (interleaved && p.virtualStages < 2)
    r.fail("virtual_stages",
           fmt::format("schedule \"interleaved_1f1b\" needs at least 2 "
                       "virtual stages per rank, got {}",
                       p.virtualStages));
  if (!interleaved && p.virtualStages > 1)
    r.fail("virtual_stages",
           fmt::format("{} virtual stages need parallel.schedule "
                       "\"interleaved_1f1b\", not \"{}\"",
                       p.virtualStages, toString(p.schedule)));
  if (interleaved && p.pp < 2)
    r.fail("schedule", fmt::format("\"interleaved_1f1b\" needs parallel.pp "
                                   ">= 2, got {}",
                                   p.pp));
  r.readString("pipeline_layout", p.pipelineLayout);
  r.readString("schedule_file", p.scheduleFile);
  if (!p.scheduleFile.empty() && p.pp < 2)
    r.fail("schedule_file", fmt::format("a pipeline schedule needs "
                                        "parallel.pp >= 2, got {}",
                                        p.pp));
  r.readBool("sequence_parallel", p.sequenceParallel);
  if (r.has("zero_stage")) {
    const Json &stage = r.at("zero_stage");
    if (!stage.is_number_integer() || stage.get<int64_t>() < 0 ||
        stage.get<int64_t>() > 1)
      r.fail("zero_stage", "expected 0 or 1 (ZeRO stages 2 and 3 are not "
                           "supported yet), got " +
                               spec::describe(stage));
    p.zeroStage = stage.get<int64_t>();
  }
  r.readReal("grad_bucket_mb", p.gradBucketMb, RealRange::NonNegative);
  if (p.gradBucketMb > kMaxGradBucketMb)
    r.fail("grad_bucket_mb",
           fmt::format("expected at most {} MiB (0 turns the overlapped "
                       "reduction off), got {}",
                       kMaxGradBucketMb, p.gradBucketMb));
  r.readEnum("recompute", p.recompute,
             {{"none", RecomputePolicy::None},
              {"selective", RecomputePolicy::Selective},
              {"full", RecomputePolicy::Full}});
  return p;
}

//===----------------------------------------------------------------------===//
// training
//===----------------------------------------------------------------------===//

void parseOptimizer(const ObjectReader &training, OptimizerSpec &o) {
  ObjectReader r =
      training.object("optimizer", {"type", "lr", "beta1", "beta2", "eps",
                                    "weight_decay", "decay_embeddings"});
  r.readEnum("type", o.kind, {{"adamw", OptimizerKind::AdamW}});
  r.readReal("lr", o.lr, RealRange::NonNegative);
  r.readReal("beta1", o.beta1, RealRange::Fraction);
  r.readReal("beta2", o.beta2, RealRange::Fraction);
  r.readReal("eps", o.eps, RealRange::Positive);
  r.readReal("weight_decay", o.weightDecay, RealRange::NonNegative);
  r.readBool("decay_embeddings", o.decayEmbeddings);
}

void parseSchedule(const ObjectReader &training, TrainingSpec &t) {
  LRScheduleSpec &s = t.lrSchedule;
  ObjectReader r = training.object(
      "lr_schedule", {"type", "warmup_steps", "decay_steps", "min_lr"});
  r.readEnum("type", s.kind,
             {{"cosine", LRScheduleKind::Cosine},
              {"linear", LRScheduleKind::Linear},
              {"constant", LRScheduleKind::Constant}});
  r.readInt("warmup_steps", s.warmupSteps, {0, kMaxSteps});
  s.decaySteps = t.steps;
  bool decayGiven = r.readInt("decay_steps", s.decaySteps, {1, kMaxSteps});
  r.readReal("min_lr", s.minLr, RealRange::NonNegative);
  if (s.kind != LRScheduleKind::Constant && s.warmupSteps > s.decaySteps)
    r.fail("warmup_steps",
           fmt::format("{} exceeds {} = {}", s.warmupSteps,
                       decayGiven ? "decay_steps" : "training.steps",
                       s.decaySteps));
  if (s.minLr > t.optimizer.lr)
    r.fail("min_lr", fmt::format("{} exceeds training.optimizer.lr = {}",
                                 s.minLr, t.optimizer.lr));
}

TrainingSpec parseTraining(const ObjectReader &root, const ParallelSpec &p) {
  ObjectReader r =
      root.object("training", {"optimizer", "lr_schedule", "global_batch_size",
                               "micro_batch_size", "batch_size_rampup", "steps",
                               "precision", "keep_bf16_weights", "seed",
                               "grad_clip", "data", "eval", "checkpoint"});
  TrainingSpec t;
  t.microBatchSize = 1;
  t.steps = 1000;
  t.evalSteps = 20;
  r.readInt("micro_batch_size", t.microBatchSize, {1, kMaxBatch});
  // Under "auto" dp is not known yet; the default then assumes dp = 1.
  int64_t replicaBatch = t.microBatchSize * p.dp;
  t.globalBatchSize = replicaBatch;
  if (!r.readInt("global_batch_size", t.globalBatchSize, {1, kMaxBatch}) &&
      replicaBatch > kMaxBatch)
    r.fail("global_batch_size",
           fmt::format("the default micro_batch_size * parallel.dp = {} is "
                       "too large (at most {}); give it",
                       replicaBatch, kMaxBatch));
  if (t.globalBatchSize % replicaBatch != 0)
    r.fail("global_batch_size",
           fmt::format("{} is not divisible by micro_batch_size * "
                       "parallel.dp = {} * {} = {}",
                       t.globalBatchSize, t.microBatchSize, p.dp,
                       replicaBatch));
  r.readInt("steps", t.steps, {1, kMaxSteps});
  parseOptimizer(r, t.optimizer);
  parseSchedule(r, t);

  if (r.has("batch_size_rampup")) {
    ObjectReader ramp =
        r.object("batch_size_rampup", {"start", "increment", "samples"});
    for (const char *key : {"start", "increment", "samples"})
      ramp.require(key);
    BatchRampupSpec &b = t.rampup;
    ramp.readInt("start", b.startBatch, {1, kMaxBatch});
    ramp.readInt("increment", b.increment, {1, kMaxBatch});
    ramp.readInt("samples", b.samples, {1, kMaxSamples});
    if (b.startBatch >= t.globalBatchSize)
      ramp.fail("start", fmt::format("{} is not below global_batch_size = {}",
                                     b.startBatch, t.globalBatchSize));
    for (auto [key, value] : {std::pair{"start", b.startBatch},
                              std::pair{"increment", b.increment}}) {
      if (value % replicaBatch != 0)
        ramp.fail(key, fmt::format("{} is not divisible by micro_batch_size "
                                   "* parallel.dp = {}",
                                   value, replicaBatch));
    }
    if ((t.globalBatchSize - b.startBatch) % b.increment != 0)
      ramp.fail("increment",
                fmt::format("{} does not divide global_batch_size - start = "
                            "{} - {} = {}",
                            b.increment, t.globalBatchSize, b.startBatch,
                            t.globalBatchSize - b.startBatch));
  }

  r.readEnum("precision", t.precision,
             {{"bf16", Precision::BF16},
              {"fp32", Precision::FP32},
              {"fp64", Precision::FP64}});
  r.readBool("keep_bf16_weights", t.keepBF16Weights);
  r.readUint64("seed", t.seed);
  r.readReal("grad_clip", t.gradClip, RealRange::NonNegative);

  ObjectReader data = r.object("data", {"train", "val"});
  data.readString("train", t.trainData);
  data.readString("val", t.valData);
  ObjectReader eval = r.object("eval", {"every", "steps"});
  eval.readInt("every", t.evalEvery, {0, kMaxSteps});
  eval.readInt("steps", t.evalSteps, {1, kMaxSteps});
  ObjectReader checkpoint = r.object("checkpoint", {"dir", "every", "keep"});
  checkpoint.readString("dir", t.checkpointDir);
  checkpoint.readInt("every", t.checkpointEvery, {0, kMaxSteps});
  checkpoint.readInt("keep", t.checkpointKeep, {0, kMaxSteps});
  return t;
}

//===----------------------------------------------------------------------===//
// Checks across sections
//===----------------------------------------------------------------------===//

void checkParallelFitsModel(const ModelSpec &m, const ParallelSpec &p,
                            const TrainingSpec &t) {
  if (p.automatic)
    return; // the plan search only considers plans that fit
  auto tpMustDivide = [&](int64_t value, const char *what) {
    if (value % p.tp != 0)
      throw SpecError{"parallel.tp", fmt::format("{} does not divide {} = {}",
                                                 p.tp, what, value)};
  };
  tpMustDivide(m.heads, "model.heads");
  tpMustDivide(m.kvHeads, "model.kv_heads");
  tpMustDivide(m.ffnHidden, "model.ffn_hidden");
  if (p.sequenceParallel && m.seqLen % p.tp != 0)
    throw SpecError{"parallel.sequence_parallel",
                    fmt::format("needs parallel.tp = {} to divide "
                                "model.seq_len = {}",
                                p.tp, m.seqLen)};
  // Dropout masks are drawn from each element's index in the local tensor:
  // on sequence shards every rank would repeat the same mask.
  if (p.sequenceParallel && p.tp > 1 && m.dropout > 0)
    throw SpecError{"parallel.sequence_parallel",
                    fmt::format("is not supported with model.dropout = {} "
                                "yet (every sequence shard would draw the "
                                "same dropout mask); set model.dropout to 0 "
                                "or sequence_parallel to false",
                                m.dropout)};
  int64_t chunks = p.pp * p.virtualStages;
  if (!p.pipelineLayout.empty()) {
    // An explicit layout may split the layers unevenly.
    std::string error;
    if (!::ptc::schedule::parseStageLayout(p.pipelineLayout, chunks, m.layers,
                                           error))
      throw SpecError{"parallel.pipeline_layout", error};
  } else if (p.pp > 1 && m.layers % chunks != 0)
    throw SpecError{
        "parallel.pp",
        p.virtualStages == 1
            ? fmt::format("{} does not divide model.layers = {}", p.pp,
                          m.layers)
            : fmt::format("pp * virtual_stages = {} * {} = {} does not "
                          "divide model.layers = {}",
                          p.pp, p.virtualStages, chunks, m.layers)};
  int64_t microBatches = t.globalBatchSize / (t.microBatchSize * p.dp);
  if (p.schedule == PipelineSchedule::Interleaved1F1B &&
      microBatches % p.pp != 0)
    throw SpecError{"parallel.schedule",
                    fmt::format("\"interleaved_1f1b\" needs the micro-batches "
                                "per step (global_batch_size / "
                                "(micro_batch_size * dp) = {}) to be a "
                                "multiple of parallel.pp = {}",
                                microBatches, p.pp)};
}

/// Bounds the largest activation of one micro-batch, so that element counts
/// and byte offsets stay far from int64 overflow.
void checkActivationSize(const ModelSpec &m, const TrainingSpec &t) {
  long double tokens = (long double)t.microBatchSize * m.seqLen;
  struct {
    long double elements;
    const char *what;
  } tensors[] = {
      {tokens * m.paddedVocab, "logits (micro_batch_size * seq_len * padded "
                               "vocabulary)"},
      {tokens * m.ffnHidden, "FFN activations (micro_batch_size * seq_len * "
                             "ffn_hidden)"},
      {tokens * m.heads * m.seqLen, "attention scores (micro_batch_size * "
                                    "heads * seq_len^2)"},
  };
  for (const auto &tensor : tensors)
    if (tensor.elements > kMaxElements)
      throw SpecError{"training.micro_batch_size",
                      fmt::format("{} makes the {} {:.3g} elements, too many "
                                  "(at most 2^50)",
                                  t.microBatchSize, tensor.what,
                                  (double)tensor.elements)};
}

std::string defaultName(const std::string &source) {
  std::string stem = std::filesystem::path(source).stem().string();
  return stem.empty() ? "model" : stem;
}

Spec parseDocument(const std::string &text, const std::string &source) {
  if (std::all_of(text.begin(), text.end(),
                  [](unsigned char c) { return std::isspace(c); }))
    throw SpecError{"", "the spec is empty; expected a JSON object"};
  Json document = spec::parseStrictJson(text);
  if (!document.is_object())
    throw SpecError{"", "expected a JSON object at the top level, got " +
                            spec::describe(document)};
  ObjectReader root(document, "", {"name", "model", "training", "parallel"});

  Spec result;
  result.name = defaultName(source);
  if (root.readString("name", result.name) &&
      !std::all_of(result.name.begin(), result.name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' ||
               c == '_' || c == '-';
      }))
    root.fail("name", fmt::format("{} may only contain letters, digits, '.', "
                                  "'_' and '-'",
                                  Json(result.name).dump()));
  result.model = parseModel(root);
  result.parallel = parseParallel(root);
  // Megatron's padding: every tensor-parallel rank gets an equal slice of
  // whole multiples of vocab_pad_multiple (its padding rows are never
  // trained; checkpoints hold only the vocabulary's rows).
  result.model.paddedVocab =
      roundUp(result.model.vocabSize,
              result.model.vocabPadMultiple *
                  (result.parallel.automatic ? 1 : result.parallel.tp));
  if (long double parameters = parameterCountReal(result.model);
      parameters > kMaxElements)
    throw SpecError{
        "parallel.tp",
        fmt::format("padding the vocabulary to a multiple of "
                    "model.vocab_pad_multiple * parallel.tp = {} * {} gives "
                    "{:.3g} parameters, too many (at most 2^50 = {:.0f})",
                    result.model.vocabPadMultiple, result.parallel.tp,
                    (double)parameters, kMaxElements)};
  result.training = parseTraining(root, result.parallel);
  checkParallelFitsModel(result.model, result.parallel, result.training);
  checkActivationSize(result.model, result.training);
  return result;
}
} // namespace

//===----------------------------------------------------------------------===//
// Public interface
//===----------------------------------------------------------------------===//

std::optional<Spec> parseSpec(const std::string &jsonText,
                              const std::string &source, std::string &error) {
  try {
    return parseDocument(jsonText, source);
  } catch (const SpecError &e) {
    error = e.path.empty()
                ? fmt::format("{}: {}", source, e.message)
                : fmt::format("{}: {}: {}", source, e.path, e.message);
  } catch (const spec::SyntaxError &e) {
    error = e.line == 0 ? fmt::format("{}: invalid JSON: {}", source, e.message)
                        : fmt::format("{}:{}:{}: invalid JSON: {}", source,
                                      e.line, e.column, e.message);
  } catch (const std::exception &e) {
    error = fmt::format("{}: internal error while reading the spec: {}", source,
                        e.what());
  } catch (...) {
    error = fmt::format("{}: internal error while reading the spec", source);
  }
  return std::nullopt;
}

std::optional<Spec> parseSpecFile(const std::string &path, std::string &error) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    error = fmt::format("{}: cannot read spec file: {}", path,
                        std::strerror(EISDIR));
    return std::nullopt;
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    error = fmt::format("{}: cannot read spec file: {}", path,
                        std::strerror(errno));
    return std::nullopt;
  }
  // A spec is a small JSON file: reading stops past a generous bound, so that
  // a wrong path such as /dev/zero fails instead of filling memory.
  constexpr std::streamsize kMaxSpecBytes = 16 << 20;
  std::string text(static_cast<size_t>(kMaxSpecBytes) + 1, '\0');
  file.read(text.data(), kMaxSpecBytes + 1);
  if (file.bad()) {
    error = fmt::format("{}: cannot read spec file: {}", path,
                        std::strerror(errno));
    return std::nullopt;
  }
  if (file.gcount() > kMaxSpecBytes) {
    error = fmt::format("{}: cannot read spec file: larger than {} MiB, which "
                        "no spec is",
                        path, kMaxSpecBytes >> 20);
    return std::nullopt;
  }
  text.resize(static_cast<size_t>(file.gcount()));
  std::optional<Spec> spec = parseSpec(text, path, error);
  // A schedule file is the spec's neighbour: found from the spec's
  // directory, and readable now rather than deep in the compiler.
  if (spec && !spec->parallel.scheduleFile.empty()) {
    std::filesystem::path schedule(spec->parallel.scheduleFile);
    if (schedule.is_relative())
      schedule = std::filesystem::path(path).parent_path() / schedule;
    spec->parallel.scheduleFile = schedule.string();
    std::ifstream readable(schedule);
    if (!readable || std::filesystem::is_directory(schedule, ec)) {
      error =
          fmt::format("{}: parallel.schedule_file: cannot read '{}': {}", path,
                      schedule.string(),
                      readable ? std::strerror(EISDIR) : std::strerror(errno));
      return std::nullopt;
    }
  }
  return spec;
}

int64_t parameterCount(const ModelSpec &model) {
  return static_cast<int64_t>(parameterCountReal(model));
}

const char *toString(ModelFamily v) {
  return v == ModelFamily::GPT ? "gpt" : "llama";
}
const char *toString(NormKind v) {
  return v == NormKind::LayerNorm ? "layernorm" : "rmsnorm";
}
const char *toString(ActivationKind v) {
  switch (v) {
  case ActivationKind::GeluTanh:
    return "gelu_tanh";
  case ActivationKind::GeluErf:
    return "gelu";
  case ActivationKind::SwiGLU:
    return "swiglu";
  }
  return "?";
}
const char *toString(PositionKind v) {
  switch (v) {
  case PositionKind::Learned:
    return "learned";
  case PositionKind::Rope:
    return "rope";
  case PositionKind::None:
    return "none";
  }
  return "?";
}
const char *toString(LRScheduleKind v) {
  switch (v) {
  case LRScheduleKind::Cosine:
    return "cosine";
  case LRScheduleKind::Linear:
    return "linear";
  case LRScheduleKind::Constant:
    return "constant";
  }
  return "?";
}
const char *toString(Precision v) {
  switch (v) {
  case Precision::BF16:
    return "bf16";
  case Precision::FP32:
    return "fp32";
  case Precision::FP64:
    return "fp64";
  }
  return "fp32";
}
const char *toString(PipelineSchedule v) {
  switch (v) {
  case PipelineSchedule::GPipe:
    return "gpipe";
  case PipelineSchedule::OneFOneB:
    return "1f1b";
  case PipelineSchedule::Interleaved1F1B:
    return "interleaved_1f1b";
  case PipelineSchedule::ZeroBubble:
    return "zero_bubble";
  }
  return "?";
}
const char *toString(RecomputePolicy v) {
  switch (v) {
  case RecomputePolicy::None:
    return "none";
  case RecomputePolicy::Selective:
    return "selective";
  case RecomputePolicy::Full:
    return "full";
  }
  return "?";
}

} // namespace ptc

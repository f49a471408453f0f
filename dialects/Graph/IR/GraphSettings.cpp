//===- GraphSettings.cpp - #graph.model and #graph.training ---------------===//
//
// The verifiers hold a setting read from IR to what the spec reader
// (frontend/Spec.cpp) holds the JSON field to, with the same bounds
// (dialects/SettingsLimits.h), so that no pass, emitter or `ptc plan` sees a
// zero divisor or an out-of-range size.
//
//===----------------------------------------------------------------------===//

#include "dialects/Graph/IR/GraphOps.h"

#include "dialects/SettingsLimits.h"

using namespace mlir;
using namespace ptc::graph;
using namespace ptc::limits;
using ptc::settings::checkEnum;
using ptc::settings::checkInt;
using ptc::settings::checkReal;
using ptc::settings::fail;
using ptc::settings::formatReal;
using ptc::settings::RealRange;

ModelAttr ModelAttr::lookup(Operation *module) {
  return module->getAttrOfType<ModelAttr>(kModuleAttrName);
}

TrainingAttr TrainingAttr::lookup(Operation *module) {
  return module->getAttrOfType<TrainingAttr>(kModuleAttrName);
}

LogicalResult ModelAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                ModelFamily family, int64_t layers,
                                int64_t hidden, int64_t heads, int64_t kvHeads,
                                int64_t ffnHidden, int64_t seqLen,
                                int64_t vocabSize, int64_t paddedVocab,
                                int64_t vocabPadMultiple, bool) {
  if (failed(checkEnum(emitError, "model", "family", family,
                       getMaxEnumValForModelFamily(), stringifyModelFamily)))
    return failure();
  struct {
    const char *key;
    int64_t value, max;
  } sizes[] = {{"layers", layers, kMaxLayers},
               {"hidden", hidden, kMaxHidden},
               {"heads", heads, kMaxHeads},
               {"kv_heads", kvHeads, kMaxHeads},
               {"ffn_hidden", ffnHidden, kMaxFfnHidden},
               {"seq_len", seqLen, kMaxSeqLen},
               {"vocab_size", vocabSize, kMaxVocab},
               {"vocab_pad_multiple", vocabPadMultiple, kMaxVocabPadMultiple},
               // At most the vocabulary padded for tp = 2^20.
               {"padded_vocab", paddedVocab, kMaxVocab * kMaxParallel}};
  for (const auto &size : sizes)
    if (failed(checkInt(emitError, "model", size.key, size.value, 1, size.max)))
      return failure();
  if (hidden % heads != 0)
    return fail(emitError, "model", "heads", heads)
           << "does not divide hidden = " << hidden;
  if (heads % kvHeads != 0)
    return fail(emitError, "model", "kv_heads", kvHeads)
           << "does not divide heads = " << heads;
  if (paddedVocab < vocabSize || paddedVocab % vocabPadMultiple != 0)
    return fail(emitError, "model", "padded_vocab", paddedVocab)
           << "expected vocab_size = " << vocabSize
           << " rounded up to a multiple of vocab_pad_multiple = "
           << vocabPadMultiple << " (x tp)";
  return success();
}

LogicalResult TrainingAttr::verify(
    function_ref<InFlightDiagnostic()> emitError, Optimizer optimizer,
    RealSetting lr, RealSetting beta1, RealSetting beta2, RealSetting eps,
    RealSetting weightDecay, bool, LRSchedule lrSchedule, int64_t warmupSteps,
    int64_t decaySteps, RealSetting minLr, int64_t globalBatchSize,
    int64_t microBatchSize, int64_t steps, Precision precision, bool, uint64_t,
    RealSetting gradClip, int64_t evalEvery, int64_t evalSteps,
    int64_t rampupStart, int64_t rampupIncrement, int64_t rampupSamples,
    int64_t checkpointEvery, int64_t checkpointKeep, StringRef) {
  // Megatron-LM's --rampup-batch-size start increment samples.
  if (rampupStart != 0 || rampupIncrement != 0 || rampupSamples != 0) {
    if (rampupStart <= 0 || rampupIncrement <= 0 || rampupSamples <= 0)
      return emitError() << "training settings rampup_start = " << rampupStart
                         << ", rampup_increment = " << rampupIncrement
                         << ", rampup_samples = " << rampupSamples
                         << ": a batch-size ramp-up needs all three > 0";
    if (rampupStart >= globalBatchSize ||
        (globalBatchSize - rampupStart) % rampupIncrement != 0)
      return emitError() << "training setting rampup_start = " << rampupStart
                         << " must be below global_batch_size = "
                         << globalBatchSize
                         << ", which rampup_increment = " << rampupIncrement
                         << " steps reach exactly";
  }
  if (failed(checkEnum(emitError, "training", "optimizer", optimizer,
                       getMaxEnumValForOptimizer(), stringifyOptimizer)) ||
      failed(checkEnum(emitError, "training", "lr_schedule", lrSchedule,
                       getMaxEnumValForLRSchedule(), stringifyLRSchedule)) ||
      failed(checkEnum(emitError, "training", "precision", precision,
                       getMaxEnumValForPrecision(), stringifyPrecision)))
    return failure();
  struct {
    const char *key;
    double value;
    RealRange range;
  } reals[] = {{"lr", lr, RealRange::NonNegative},
               {"beta1", beta1, RealRange::Fraction},
               {"beta2", beta2, RealRange::Fraction},
               {"eps", eps, RealRange::Positive},
               {"weight_decay", weightDecay, RealRange::NonNegative},
               {"min_lr", minLr, RealRange::NonNegative},
               {"grad_clip", gradClip, RealRange::NonNegative}};
  for (const auto &real : reals)
    if (failed(
            checkReal(emitError, "training", real.key, real.value, real.range)))
      return failure();
  struct {
    const char *key;
    int64_t value, min, max;
  } counts[] = {{"warmup_steps", warmupSteps, 0, kMaxSteps},
                {"decay_steps", decaySteps, 1, kMaxSteps},
                {"global_batch_size", globalBatchSize, 1, kMaxBatch},
                {"micro_batch_size", microBatchSize, 1, kMaxBatch},
                {"steps", steps, 1, kMaxSteps},
                {"eval_every", evalEvery, 0, kMaxSteps},
                {"eval_steps", evalSteps, 1, kMaxSteps},
                {"checkpoint_every", checkpointEvery, 0, kMaxSteps},
                {"checkpoint_keep", checkpointKeep, 0, kMaxSteps}};
  for (const auto &count : counts)
    if (failed(checkInt(emitError, "training", count.key, count.value,
                        count.min, count.max)))
      return failure();
  if (double(minLr) > double(lr))
    return fail(emitError, "training", "min_lr", formatReal(minLr))
           << "exceeds lr = " << formatReal(lr);
  if (lrSchedule != LRSchedule::constant && warmupSteps > decaySteps)
    return fail(emitError, "training", "warmup_steps", warmupSteps)
           << "exceeds decay_steps = " << decaySteps;
  // The data-parallel degree joins this check on the module.
  if (globalBatchSize % microBatchSize != 0)
    return fail(emitError, "training", "global_batch_size", globalBatchSize)
           << "is not divisible by micro_batch_size = " << microBatchSize;
  return success();
}

//===- ModuleSettings.cpp - The module-level checks of the settings -------===//
//
// `ptc.model`, `ptc.training` and `ptc.parallel` each verify their own fields
// (#graph.model, #graph.training, #dist.parallel). What relates them is
// checked here, once per module, as the spec reader checks it across sections
// (frontend/Spec.cpp, checkParallelFitsModel and checkActivationSize): a
// module read from a .mlir file is held to what a JSON spec is held to.
// Errors go to the module's location without the module attached: a note
// that prints a whole model would bury the one line that matters.
//
//===----------------------------------------------------------------------===//

#include "dialects/Ptc/IR/PtcDialect.h"

#include "dialects/Dist/IR/DistOps.h"
#include "dialects/Graph/IR/GraphOps.h"
#include "dialects/SettingsLimits.h"
#include "passes/Dist/Schedule/StageLayout.h"

using namespace mlir;
using ptc::dist::ParallelAttr;
using ptc::dist::PipelineSchedule;
using ptc::graph::ModelAttr;
using ptc::graph::TrainingAttr;

namespace {

/// The tensor-parallel split of the model: every split dimension divisible.
LogicalResult checkModelSplit(Operation *module, ModelAttr model,
                              ParallelAttr parallel) {
  int64_t tp = parallel.getTp();
  auto tpMustDivide = [&](StringRef key, int64_t value) -> LogicalResult {
    if (value % tp == 0)
      return success();
    return emitError(module->getLoc())
           << "parallel setting tp = " << tp
           << " does not divide model setting " << key << " = " << value;
  };
  if (failed(tpMustDivide("heads", model.getHeads())) ||
      failed(tpMustDivide("kv_heads", model.getKvHeads())) ||
      failed(tpMustDivide("ffn_hidden", model.getFfnHidden())))
    return failure();
  int64_t rows = model.getVocabPadMultiple() * tp;
  if (model.getPaddedVocab() % rows != 0)
    return emitError(module->getLoc())
           << "model setting padded_vocab = " << model.getPaddedVocab()
           << " is not a multiple of vocab_pad_multiple * tp = "
           << model.getVocabPadMultiple() << " * " << tp << " = " << rows;
  if (parallel.getSequenceParallel() && model.getSeqLen() % tp != 0)
    return emitError(module->getLoc())
           << "parallel setting sequence_parallel = true needs tp = " << tp
           << " to divide model setting seq_len = " << model.getSeqLen();
  int64_t chunks = parallel.getPp() * parallel.getVirtualStages();
  if (StringRef layout = parallel.getPipelineLayout(); !layout.empty()) {
    // An explicit layout may split the layers unevenly.
    std::string error;
    if (!ptc::schedule::parseStageLayout(layout, chunks, model.getLayers(),
                                         error))
      return emitError(module->getLoc())
             << "parallel setting pipeline_layout = \"" << layout
             << "\": " << error;
    return success();
  }
  if (parallel.getPp() > 1 && model.getLayers() % chunks != 0)
    return emitError(module->getLoc())
           << "parallel settings pp * virtual_stages = " << parallel.getPp()
           << " * " << parallel.getVirtualStages() << " = " << chunks
           << " do not divide model setting layers = " << model.getLayers();
  return success();
}

/// The batch split: whole micro-batches per data-parallel rank.
LogicalResult checkBatchSplit(Operation *module, TrainingAttr training,
                              ParallelAttr parallel) {
  // Both at most 2^31 and 2^20: the product fits.
  int64_t perStep = training.getMicroBatchSize() * parallel.getDp();
  if (training.getGlobalBatchSize() % perStep != 0)
    return emitError(module->getLoc())
           << "training setting global_batch_size = "
           << training.getGlobalBatchSize()
           << " is not divisible by micro_batch_size * dp = "
           << training.getMicroBatchSize() << " * " << parallel.getDp() << " = "
           << perStep;
  int64_t microBatches = training.getGlobalBatchSize() / perStep;
  if (parallel.getSchedule() == PipelineSchedule::interleaved_1f1b &&
      microBatches % parallel.getPp() != 0)
    return emitError(module->getLoc())
           << "parallel setting schedule = interleaved_1f1b needs the "
              "micro-batches per step (global_batch_size / (micro_batch_size "
              "* dp) = "
           << microBatches << ") to be a multiple of pp = " << parallel.getPp();
  return success();
}

/// The largest activations of one micro-batch stay far from int64 overflow.
LogicalResult checkActivationSize(Operation *module, ModelAttr model,
                                  TrainingAttr training) {
  long double tokens =
      (long double)training.getMicroBatchSize() * model.getSeqLen();
  struct {
    long double elements;
    const char *what;
  } tensors[] = {
      {tokens * model.getPaddedVocab(),
       "logits (micro_batch_size * seq_len * padded_vocab)"},
      {tokens * model.getFfnHidden(),
       "FFN activations (micro_batch_size * seq_len * ffn_hidden)"},
      {tokens * model.getHeads() * model.getSeqLen(),
       "attention scores (micro_batch_size * heads * seq_len^2)"},
  };
  for (const auto &tensor : tensors)
    if (tensor.elements > ptc::limits::kMaxElements)
      return emitError(module->getLoc())
             << "training setting micro_batch_size = "
             << training.getMicroBatchSize() << " makes the " << tensor.what
             << " " << double(tensor.elements)
             << " elements, too many (at most 2^50)";
  return success();
}

LogicalResult verifyModuleSettings(Operation *module) {
  ModelAttr model = ModelAttr::lookup(module);
  TrainingAttr training = TrainingAttr::lookup(module);
  ParallelAttr parallel = ParallelAttr::lookup(module);
  if (model && parallel && failed(checkModelSplit(module, model, parallel)))
    return failure();
  if (training && parallel &&
      failed(checkBatchSplit(module, training, parallel)))
    return failure();
  if (model && training && failed(checkActivationSize(module, model, training)))
    return failure();
  return success();
}

/// The kind of attribute that the settings attribute `name` holds, or empty
/// when `name` is not one of them.
StringRef expectedKind(StringRef name) {
  if (name == ModelAttr::kModuleAttrName)
    return "#graph.model<...>";
  if (name == TrainingAttr::kModuleAttrName)
    return "#graph.training<...>";
  if (name == ParallelAttr::kModuleAttrName)
    return "#dist.parallel<...>";
  return {};
}

} // namespace

LogicalResult ptc::PtcDialect::verifyOperationAttribute(Operation *op,
                                                        NamedAttribute attr) {
  StringRef name = attr.getName().getValue();
  StringRef kind = expectedKind(name);
  if (kind.empty())
    return success();
  if (!isa<ModuleOp>(op))
    return emitError(op->getLoc())
           << name << " is a module attribute, not one of '" << op->getName()
           << "'";
  Attribute value = attr.getValue();
  bool typed = name == ModelAttr::kModuleAttrName ? isa<ModelAttr>(value)
               : name == TrainingAttr::kModuleAttrName
                   ? isa<TrainingAttr>(value)
                   : isa<ParallelAttr>(value);
  if (!typed)
    return emitError(op->getLoc())
           << name << " must be a " << kind << " attribute, got " << value;
  // The checks across the settings run once per module: with the first of
  // them in the (sorted) attribute dictionary.
  for (NamedAttribute other : op->getAttrs())
    if (!expectedKind(other.getName().getValue()).empty())
      return other.getName() == attr.getName() ? verifyModuleSettings(op)
                                               : success();
  return success();
}

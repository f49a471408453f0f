//===- ModelSummary.cpp - What `ptc inspect` reports ----------------------===//

#include "compiler/ModelSummary.h"

#include "compiler/MemoryPlan.h"

#include "dialects/Dist/IR/DistOps.h"
#include "dialects/Graph/IR/GraphFlops.h"
#include "dialects/Graph/IR/GraphOps.h"
#include "passes/Graph/LayerUtils.h"
#include "passes/Graph/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace ptc::graph;

namespace ptc {
namespace {

std::string shapeString(const std::vector<int64_t> &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

/// 1234567 -> "1.23 M", 529.6e9 -> "529.60 B".
std::string humanCount(double value) {
  const char *units[] = {"", " K", " M", " B", " T"};
  int unit = 0;
  while (value >= 1000.0 && unit < 4) {
    value /= 1000.0;
    ++unit;
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::format("%.2f", value) << units[unit];
  return text;
}

} // namespace

double matmulFlops(Operation *op) { return graph::matmulFlops(op); }

FailureOr<TrainingFlops> countTrainingFlops(func::FuncOp step) {
  auto tokens = step.getNumArguments()
                    ? dyn_cast<RankedTensorType>(step.getArgumentTypes()[0])
                    : RankedTensorType();
  if (!tokens || tokens.getNumElements() == 0)
    return step.emitError("the first argument of @")
           << step.getSymName() << " must be the token ids";
  TrainingFlops flops;
  step.walk([&](Operation *op) {
    double count = matmulFlops(op);
    if (count == 0.0)
      return;
    auto unit = op->getParentOfType<LayerOp>();
    if (!unit || !isBackwardKind(unit.getKind()))
      flops.forward += count;
    else if (op->hasAttr("ptc.recompute"))
      flops.recompute += count;
    else
      flops.backward += count;
  });
  double perToken = 1.0 / double(tokens.getNumElements());
  flops.forward *= perToken;
  flops.backward *= perToken;
  flops.recompute *= perToken;
  return flops;
}

FailureOr<TrainingFlops> summarizeTrainingStep(ModuleOp module,
                                               StringRef recomputePolicy) {
  OwningOpRef<ModuleOp> copy = module.clone();
  // The front of the graph pipeline, without the optimizer: the counted
  // function is the step graph-autodiff builds.
  PassManager pm(module.getContext());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(graph::createGraphAutodiff());
  graph::GraphRecomputeOptions options;
  options.policy = recomputePolicy.str();
  pm.addPass(graph::createGraphRecompute(options));
  if (failed(pm.run(*copy)))
    return failure();
  auto step = copy->lookupSymbol<func::FuncOp>("train_step");
  if (!step)
    return copy->emitError("graph-autodiff built no @train_step");
  return countTrainingFlops(step);
}

FailureOr<ModelSummary> summarizeModel(ModuleOp module) {
  ModelSummary summary;
  for (auto param : module.getOps<ParamOp>()) {
    ParamSummary p;
    p.name = param.getSymName().str();
    p.shape.assign(param.getTensorType().getShape().begin(),
                   param.getTensorType().getShape().end());
    p.elements = param.getNumElements();
    p.role = stringifyParamRole(param.getRole()).str();
    summary.totalParams += p.elements;
    if (param.getRole() == ParamRole::token_embedding) {
      summary.paddedVocab = p.shape[0];
      summary.hidden = p.shape[1];
    }
    summary.params.push_back(std::move(p));
  }
  auto forward = module.lookupSymbol<func::FuncOp>("forward");
  if (!forward)
    return module.emitError("the module has no @forward function");
  if (summary.paddedVocab == 0)
    return module.emitError("the module has no token_embedding parameter");
  auto tokens = dyn_cast<RankedTensorType>(forward.getArgumentTypes()[0]);
  if (!tokens || tokens.getRank() != 2)
    return forward.emitError("the first argument of @forward must be the "
                             "[batch, seq] token ids");
  summary.seqLen = tokens.getDimSize(1);
  summary.tokensPerMicroBatch = tokens.getNumElements();

  double flops = 0.0;
  forward.walk([&](Operation *op) {
    if (auto layer = dyn_cast<LayerOp>(op);
        layer && layer.getKind() == LayerKind::block)
      ++summary.blocks;
    flops += matmulFlops(op);
  });
  summary.forwardMatmulFlopsPerToken =
      flops / double(summary.tokensPerMicroBatch);
  double l = double(summary.blocks), h = double(summary.hidden),
         s = double(summary.seqLen), v = double(summary.paddedVocab);
  summary.megatronFlopsPerToken =
      l > 0 ? 72.0 * l * h * h * (1.0 + s / (6.0 * h) + v / (12.0 * l * h))
            : 0.0;

  if (auto parallel = ptc::dist::ParallelAttr::lookup(module))
    summary.recomputePolicy =
        ptc::dist::stringifyRecomputePolicy(parallel.getRecompute()).str();
  // The training step is extra information: a failure to build it is
  // reported in the summary, not as a failure of the summary.
  {
    std::string message;
    ScopedDiagnosticHandler handler(module.getContext(), [&](Diagnostic &d) {
      if (d.getSeverity() == DiagnosticSeverity::Error && message.empty())
        message = d.str();
      return success();
    });
    FailureOr<TrainingFlops> training = summarizeTrainingStep(module);
    if (succeeded(training))
      summary.trainingFlopsPerToken = *training;
    else
      summary.trainingFlopsError = message.empty() ? "unknown error" : message;
  }
  return summary;
}

void printModelSummary(const ModelSummary &summary, llvm::StringRef name,
                       bool listParams, llvm::raw_ostream &os) {
  os << name << ": " << summary.blocks << " blocks, hidden " << summary.hidden
     << ", seq " << summary.seqLen << ", embedding rows " << summary.paddedVocab
     << "\n";
  if (listParams) {
    os << "parameters:\n";
    size_t width = 4;
    for (const ParamSummary &p : summary.params)
      width = std::max(width, p.name.size());
    for (const ParamSummary &p : summary.params)
      os << "  " << llvm::left_justify(p.name, width) << "  "
         << llvm::left_justify(shapeString(p.shape), 16) << "  "
         << llvm::right_justify(formatThousands(p.elements), 15) << "  "
         << p.role << "\n";
  }
  os << "parameter tensors: " << summary.params.size() << "\n";
  os << "total parameters: " << formatThousands(summary.totalParams) << " ("
     << humanCount(double(summary.totalParams)) << ")\n";
  os << "forward matmul FLOPs per token (from the IR): "
     << humanCount(summary.forwardMatmulFlopsPerToken) << "\n";
  os << "training FLOPs per token, 3x forward (from the IR): "
     << humanCount(3.0 * summary.forwardMatmulFlopsPerToken) << "\n";
  if (const std::optional<TrainingFlops> &t = summary.trainingFlopsPerToken) {
    double fwd = t->forward;
    auto ratio = [&](double value) {
      std::string text;
      llvm::raw_string_ostream(text)
          << llvm::format("%.2fx", fwd > 0 ? value / fwd : 0.0);
      return text;
    };
    os << "training FLOPs per token (from the IR, recompute "
       << summary.recomputePolicy << "): forward " << humanCount(t->forward)
       << ", backward " << humanCount(t->backward) << " (" << ratio(t->backward)
       << "), recompute " << humanCount(t->recompute) << " ("
       << ratio(t->recompute) << ")\n";
  } else {
    os << "training FLOPs per token (from the IR): unavailable: "
       << summary.trainingFlopsError << "\n";
  }
  os << "model FLOPs per token (Megatron formula, as torch_gpt.py): "
     << humanCount(summary.megatronFlopsPerToken) << " ("
     << llvm::format("%.6e", summary.megatronFlopsPerToken) << ")\n";
}

} // namespace ptc

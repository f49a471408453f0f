//===- ModelSummary.h - What `ptc inspect` reports -------------*- C++ -*-===//
//
// Everything here is read off the graph module, not recomputed from the
// spec: the parameter list comes from the `graph.param` ops, the FLOPs from
// the shapes of the matrix products.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_COMPILER_MODELSUMMARY_H
#define PTC_COMPILER_MODELSUMMARY_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ptc {

struct ParamSummary {
  std::string name;
  std::vector<int64_t> shape;
  int64_t elements = 0;
  std::string role;
};

/// Matrix-product FLOPs of one training step per token, read off the step
/// function that graph-autodiff builds (after graph-recompute).
struct TrainingFlops {
  /// linear, matmul and attention ops outside backward units.
  double forward = 0;
  /// The backward's own ops in backward units: the gradient matmuls, and
  /// attention_grad counted as 2x its attention's forward FLOPs.
  double backward = 0;
  /// The forward ops graph-recompute cloned into backward units (marked
  /// `ptc.recompute`).
  double recompute = 0;
};

struct ModelSummary {
  std::vector<ParamSummary> params;
  int64_t totalParams = 0;
  int64_t blocks = 0;        // graph.layer units of kind `block`
  int64_t hidden = 0;        // width of the residual stream
  int64_t seqLen = 0;        // tokens per sequence
  int64_t paddedVocab = 0;   // rows of the token embedding
  int64_t tokensPerMicroBatch = 0;
  /// Matrix-product FLOPs of one forward pass per token, summed over the
  /// linear, matmul and attention ops of @forward (2 per multiply-add; the
  /// causal mask is not discounted, as in Megatron's count).
  double forwardMatmulFlopsPerToken = 0;
  /// Megatron-LM's training FLOPs per token (Narayanan et al. 2021), the
  /// count of ../shared/bench/torch_gpt.py:
  /// 72 L h^2 (1 + s/(6h) + V/(12 L h)).
  double megatronFlopsPerToken = 0;
  /// The recompute policy of the spec (`ptc.parallel.recompute`).
  std::string recomputePolicy = "none";
  /// The training step's FLOPs (graph-autodiff and graph-recompute run on a
  /// copy of the module), or the reason they are missing.
  std::optional<TrainingFlops> trainingFlopsPerToken;
  std::string trainingFlopsError;
};

/// 2 * (multiply-adds) of one matrix-product op (linear, matmul, attention
/// and its gradient); 0 for other ops.
double matmulFlops(mlir::Operation *op);

/// Counts the matrix-product FLOPs of `step`, a function built by
/// graph-autodiff, per token (its first argument holds the token ids).
mlir::FailureOr<TrainingFlops> countTrainingFlops(mlir::func::FuncOp step);

/// Builds the training step on a copy of `module` (canonicalize, CSE,
/// graph-autodiff, graph-recompute with the module's own policy unless
/// `recomputePolicy` is set) and counts its FLOPs per token.
mlir::FailureOr<TrainingFlops>
summarizeTrainingStep(mlir::ModuleOp module, llvm::StringRef recomputePolicy = "");

/// Summarises a graph module. Fails with a diagnostic if the module has no
/// @forward function or no token embedding.
mlir::FailureOr<ModelSummary> summarizeModel(mlir::ModuleOp module);

/// Prints the summary as the human-readable report of `ptc inspect`.
void printModelSummary(const ModelSummary &summary, llvm::StringRef name,
                       bool listParams, llvm::raw_ostream &os);

} // namespace ptc

#endif // PTC_COMPILER_MODELSUMMARY_H

//===- Lowering.h - State of the graph -> exec lowering --------*- C++ -*-===//
//
// graph values are tensors; exec values are buffers. The lowering walks each
// entry function in program order (layer units are flattened: their
// boundaries matter to pipeline partitioning, which runs before), gives
// every graph value a buffer and turns each op into launches of the kernel
// library (runtime/cpu/kernels.h lists the launch conventions).
//
// Gradient ops of the graph level are pure functions of forward values; the
// kernels behind them need statistics of the forward (mean and rstd, the
// log-sum-exp), so their lowering recomputes those into scratch buffers.
// Backward kernels accumulate, so their outputs are zeroed first.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_PASSES_GRAPHTOEXEC_LOWERING_H
#define PTC_PASSES_GRAPHTOEXEC_LOWERING_H

#include "dialects/Exec/IR/ExecOps.h"
#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringMap.h"

#include <map>
#include <optional>
#include <string>

namespace ptc::lowering {

/// The exec global that holds the gradient accumulator or an AdamW moment of
/// parameter `param`.
std::string gradientName(llvm::StringRef param);
std::string momentName(llvm::StringRef param, int which);
/// The exec global of an input/output slot ("tokens", "loss", ...).
std::string ioName(llvm::StringRef slot);

/// The module's top-level symbols by name, collected once by the pass
/// driver: `module.lookupSymbol` scans the module's ops, and the lowering
/// looks up globals for every op, which made it quadratic in the number of
/// layers. Not an mlir::SymbolTable: while the module is lowered, each
/// graph.param shares its name with its exec global. Like lookupSymbol, the
/// first op of a name in the module's order wins.
class SymbolIndex {
public:
  explicit SymbolIndex(mlir::ModuleOp module);
  mlir::Operation *lookup(llvm::StringRef name) const;
  template <typename OpT> OpT lookup(llvm::StringRef name) const {
    return llvm::dyn_cast_or_null<OpT>(lookup(name));
  }
  /// Records `op`, just created at the top of the module (so it comes first).
  void addAtTop(mlir::Operation *op);

private:
  llvm::StringMap<mlir::Operation *> byName;
};

class Lowering {
public:
  Lowering(mlir::ModuleOp module, mlir::OpBuilder &builder,
           SymbolIndex &symbols)
      : module(module), builder(builder), symbols(symbols) {}

  /// Lowers every op of `block` (recursing into layer units).
  mlir::LogicalResult lowerBlock(mlir::Block &block);

  /// The buffer of graph value `value` (already lowered).
  mlir::Value buffer(mlir::Value value) const { return buffers.lookup(value); }
  void bind(mlir::Value value, mlir::Value buf) { buffers[value] = buf; }

  // Building blocks, also used by the pass driver.
  static mlir::MemRefType memrefOf(mlir::Type tensorType);
  mlir::Value alloc(mlir::Type type);
  mlir::Value scratch(llvm::ArrayRef<int64_t> shape, mlir::Type element);
  mlir::Value global(llvm::StringRef name, mlir::MemRefType type);
  mlir::Value io(llvm::StringRef slot);
  void fill(mlir::Value buf, double value);
  void copy(mlir::Value target, mlir::Value source);
  struct Use {
    mlir::Value buffer;
    exec::Access access;
  };
  void launch(llvm::StringRef callee, llvm::ArrayRef<Use> uses,
              llvm::ArrayRef<mlir::Attribute> args, mlir::Location loc,
              mlir::FlatSymbolRefAttr stream = nullptr);
  /// The module's exec.stream or exec.event `name`, declared when missing.
  mlir::FlatSymbolRefAttr declareStream(llvm::StringRef name);
  mlir::FlatSymbolRefAttr declareEvent(llvm::StringRef name);
  /// Ends the entry point's work on side streams: the default stream waits
  /// for everything queued on them (a join, which CUDA graph capture
  /// needs). Called by the driver before the entry point returns.
  void joinSideStreams(mlir::Location loc);
  /// The static arguments of the attention kernels for an attention (or
  /// attention_grad) op: B, Hq, Hkv, T, Dh, scale. Fails on what the kernel
  /// library cannot run (non-causal, attention dropout, cross-attention).
  template <typename AttentionLikeOp>
  mlir::FailureOr<llvm::SmallVector<mlir::Attribute>>
  attentionArgs(AttentionLikeOp op) {
    return attentionArgs(op, op.getQuery().getType(), op.getKey().getType(),
                         op.getCausal(), op.getDropout().convertToDouble(),
                         op.getScale());
  }
  mlir::FailureOr<llvm::SmallVector<mlir::Attribute>>
  attentionArgs(mlir::Operation *op, mlir::Type query, mlir::Type key,
                bool causal, double dropout,
                std::optional<llvm::APFloat> scale);
  /// A scratch buffer for attention's log-sum-exp, [B, Hq, T] of the query
  /// [B, Hq, T, Dh]: f32 for 16-bit queries (bf16 attention keeps its lse in
  /// f32, as FlashAttention does: the backward's P = exp(s - lse) inherits
  /// lse's rounding, ~2% for an lse near 7 in bf16), else the query's type.
  mlir::Value attentionLse(mlir::ShapedType query);

  /// Statistics a forward kernel computed (mean/rstd of a norm, the
  /// log-sum-exp and output of attention, the log-sum-exp of the loss),
  /// keyed by the op kind and the buffers it read. A gradient op that reads
  /// the same buffers in the same entry point reuses them instead of running
  /// the forward kernel again: buffers are never overwritten while live, and
  /// the memory plan keeps these alive until their last reader.
  void recordStats(llvm::StringRef kind, llvm::ArrayRef<mlir::Value> inputs,
                   llvm::ArrayRef<mlir::Value> stats) {
    savedStats[key(kind, inputs)] =
        llvm::SmallVector<mlir::Value, 2>(stats.begin(), stats.end());
  }
  llvm::ArrayRef<mlir::Value> findStats(llvm::StringRef kind,
                                        llvm::ArrayRef<mlir::Value> inputs) {
    auto it = savedStats.find(key(kind, inputs));
    return it == savedStats.end() ? llvm::ArrayRef<mlir::Value>() : it->second;
  }

  /// The index in the module's `ptc.comms` of the communicator over mesh
  /// `axes` (added when new).
  int64_t communicator(mlir::ArrayAttr axes,
                       mlir::DenseI64ArrayAttr members = {});
  /// The position of `axis` in the module's dist.mesh, or -1.
  int64_t meshAxisIndex(llvm::StringRef axis);
  /// The module's dist.mesh (null when none), found once: finding it scans
  /// the module, and every collective needs it.
  mlir::Operation *moduleMesh();
  /// out = in with the two leading dimensions of the view [a, b, rest]
  /// swapped.
  void swapLeading(mlir::Value out, mlir::Value in, int64_t a, int64_t b,
                   int64_t rest, mlir::Location loc);
  /// out = this rank's piece of `in` (of `globalShape`) split along `dim`
  /// over mesh `axis` in `parts`, segment by segment.
  void shardSlice(mlir::Value out, mlir::Value in,
                  llvm::ArrayRef<int64_t> globalShape, int64_t dim,
                  llvm::StringRef axis, int64_t parts,
                  llvm::ArrayRef<int64_t> segments, mlir::Location loc);

  mlir::Attribute i64(int64_t value) {
    return builder.getI64IntegerAttr(value);
  }
  mlir::Attribute f64(double value) { return builder.getF64FloatAttr(value); }

  mlir::ModuleOp module;
  mlir::OpBuilder &builder;
  SymbolIndex &symbols;

private:
  mlir::LogicalResult lowerOp(mlir::Operation *op);
  mlir::LogicalResult lowerForward(mlir::Operation *op, bool &handled);
  mlir::LogicalResult lowerShape(mlir::Operation *op, bool &handled);
  mlir::LogicalResult lowerBackward(mlir::Operation *op, bool &handled);
  mlir::LogicalResult lowerTraining(mlir::Operation *op, bool &handled);
  mlir::LogicalResult lowerDist(mlir::Operation *op, bool &handled);
  template <typename BucketOp>
  mlir::LogicalResult lowerGradBucket(BucketOp reduce, llvm::StringRef callee,
                                      int64_t parts);

  static std::string key(llvm::StringRef kind,
                         llvm::ArrayRef<mlir::Value> inputs) {
    // A global (a parameter) is the same buffer however often it is
    // referenced; other buffers are their SSA values.
    std::string text = kind.str();
    for (mlir::Value value : inputs) {
      if (auto ref = value.getDefiningOp<exec::GlobalRefOp>())
        text += ":@" + ref.getGlobal().str();
      else
        text += ":" + std::to_string(reinterpret_cast<uintptr_t>(
                          value.getAsOpaquePointer()));
    }
    return text;
  }

  llvm::DenseMap<mlir::Value, mlir::Value> buffers;
  std::optional<mlir::Operation *> mesh;
  /// Side streams this entry point has queued work on.
  llvm::SmallVector<mlir::FlatSymbolRefAttr> usedStreams;
  std::map<std::string, llvm::SmallVector<mlir::Value, 2>> savedStats;
};

/// Number of elements of a shaped type.
int64_t numElements(mlir::Type type);
/// The product of all dimensions but the last, and the last.
std::pair<int64_t, int64_t> rowsAndCols(mlir::Type type);

} // namespace ptc::lowering

#endif // PTC_PASSES_GRAPHTOEXEC_LOWERING_H

//===- DataParallel.cpp - dist-data-parallel ------------------------------===//
//
// Adds the communication of data parallelism (and the tensor-parallel part
// of the gradient norm) to the training step; see Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/Dist/Mesh.h"
#include "passes/Dist/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseSet.h"

namespace ptc::dist {
#define GEN_PASS_DEF_DISTDATAPARALLEL
#include "passes/Dist/Passes.h.inc"
} // namespace ptc::dist

using namespace mlir;
using namespace ptc;
using namespace ptc::dist;

namespace {

ReductionKindAttr reduction(MLIRContext *context, ReductionKind kind) {
  return ReductionKindAttr::get(context, kind);
}

struct DistDataParallelPass
    : public ptc::dist::impl::DistDataParallelBase<DistDataParallelPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    degrees = readParallelDegrees(module);
    if (degrees.dp == 1 && degrees.tp == 1 && degrees.pp == 1)
      return;
    getOrCreateMesh(module, degrees);
    zero = degrees.zeroStage == 1 && degrees.dp > 1;
    // Overlap: the last micro-batch reduces (ZeRO-1: reduce-scatters) its
    // gradients bucket by bucket during its backward. With pipeline stages,
    // each model chunk's last backward of the step reduces the chunk's.
    overlap = degrees.dp > 1 && degrees.gradBucketMb > 0;
    func::FuncOp micro;
    SmallVector<func::FuncOp> chunkBackwards;
    for (auto fn : llvm::to_vector(module.getOps<func::FuncOp>())) {
      if (fn->hasAttr("ptc.stage") && fn->hasAttr("ptc.micro_steps"))
        chunkBackwards.push_back(fn);
      auto entry = fn->getAttrOfType<StringAttr>("ptc.entry");
      if (!entry)
        continue;
      if (entry.getValue() == "micro_step" || entry.getValue() == "eval_step" ||
          returnsLoss(fn))
        averageLoss(fn);
      if (entry.getValue() == "micro_step")
        micro = fn;
      else if (entry.getValue() == "optimizer_step" &&
               (failed(zero ? shardOptimizer(fn) : reduceGradients(fn)) ||
                failed(reduceNormOverPipeline(fn))))
        return signalPassFailure();
    }
    if (overlap && micro &&
        failed(buildLastMicroStep(micro, "last_micro_step")))
      return signalPassFailure();
    // The schedule (dist-pipeline-schedule) calls `<chunk backward>_last`
    // for each chunk's last backward of a step.
    for (func::FuncOp backward : chunkBackwards)
      if (overlap && failed(buildLastMicroStep(
                         backward, (backward.getSymName() + "_last").str())))
        return signalPassFailure();
  }

  /// last_micro_step: micro_step for a step's last micro-batch, whose
  /// gradients are reduced over dp (summed over tp first where partial) in
  /// buckets as its backward produces them. Each accumulation moves right
  /// after the op that computes its gradient; walking them in that order
  /// (the backward's), a bucket closes once it holds `grad_bucket_mb` MiB,
  /// at a point where the next accumulation comes from another op (a whole
  /// layer's gradients share a bucket, so its accumulators are adjacent in
  /// memory), and a `dist.reduce_grads` follows its last accumulation.
  /// A parameter that several pipeline ranks hold (the tied embedding) is
  /// left to optimizer_step, which sums it over those ranks too.
  LogicalResult buildLastMicroStep(func::FuncOp micro, StringRef name) {
    ModuleOp module = getOperation();
    MLIRContext *context = module.getContext();
    OpBuilder builder(context);
    builder.setInsertionPointAfter(micro);
    auto last = cast<func::FuncOp>(builder.clone(*micro));
    last.setSymName(name);
    last->setAttr("ptc.entry", builder.getStringAttr(name));

    SmallVector<graph::AccumulateGradOp> accs;
    last.walk([&](graph::AccumulateGradOp acc) { accs.push_back(acc); });
    DenseMap<Operation *, Operation *> anchorOf;
    for (graph::AccumulateGradOp acc : accs) {
      Operation *def = acc.getGrad().getDefiningOp();
      if (!def || def->getBlock() != acc->getBlock())
        continue;
      Operation *&anchor = anchorOf[def];
      acc->moveAfter(anchor ? anchor : def);
      anchor = acc;
    }

    DenseMap<StringAttr, int64_t> paramIndex;
    for (auto param : module.getOps<graph::ParamOp>())
      paramIndex[param.getSymNameAttr()] = paramIndex.size();
    accs.clear();
    last.walk([&](graph::AccumulateGradOp acc) { accs.push_back(acc); });
    DenseMap<StringAttr, graph::AccumulateGradOp> lastAcc;
    for (graph::AccumulateGradOp acc : accs)
      lastAcc[acc.getParamAttr().getAttr()] = acc;

    const double limit = degrees.gradBucketMb * 1024 * 1024;
    auto mesh = FlatSymbolRefAttr::get(context, kMeshName);
    int64_t bucketIndex = 0;
    SmallVector<graph::ParamOp> bucket;
    double bytes = 0;
    auto closeBucket = [&](Operation *after) {
      llvm::sort(bucket, [&](graph::ParamOp a, graph::ParamOp b) {
        return paramIndex[a.getSymNameAttr()] < paramIndex[b.getSymNameAttr()];
      });
      SmallVector<Attribute> all, partial;
      for (graph::ParamOp param : bucket) {
        // ZeRO-1 reduce-scatters in place where dp divides the gradient;
        // the others keep their reduce-scatter in optimizer_step.
        if ((zero && !zeroOverlapped(param)) || isTied(param))
          continue;
        auto ref = FlatSymbolRefAttr::get(param.getSymNameAttr());
        all.push_back(ref);
        if (param->hasAttr("dist.partial_grad"))
          partial.push_back(ref);
      }
      builder.setInsertionPointAfter(after);
      auto bucketAttr = builder.getI64IntegerAttr(bucketIndex);
      auto dpAxis = axisList(context, {"dp"});
      if (!partial.empty())
        ReduceGradsOp::create(
            builder, after->getLoc(), mesh, axisList(context, {"tp"}),
            builder.getArrayAttr(partial),
            reduction(context, ReductionKind::sum), bucketAttr);
      if (!all.empty() && zero)
        ReduceScatterGradsOp::create(
            builder, after->getLoc(), mesh, dpAxis, builder.getArrayAttr(all),
            reduction(context, ReductionKind::avg), bucketAttr);
      else if (!all.empty())
        ReduceGradsOp::create(
            builder, after->getLoc(), mesh, dpAxis, builder.getArrayAttr(all),
            reduction(context, ReductionKind::avg), bucketAttr);
      ++bucketIndex;
      bucket.clear();
      bytes = 0;
    };
    DenseSet<StringAttr> inBucket;
    for (auto [i, acc] : llvm::enumerate(accs)) {
      StringAttr name = acc.getParamAttr().getAttr();
      auto param = module.lookupSymbol<graph::ParamOp>(name);
      if (!param)
        return acc.emitOpError("names no graph.param");
      if (inBucket.insert(name).second) {
        bucket.push_back(param);
        auto type = cast<RankedTensorType>(param.getType());
        bytes += double(type.getNumElements()) *
                 double(type.getElementTypeBitWidth() / 8);
      }
      // Close at the end, or once full where the next gradient comes from
      // another op and no parameter of the bucket is accumulated again.
      bool end = i + 1 == accs.size();
      bool boundary = end || accs[i + 1].getGrad().getDefiningOp() !=
                                 acc.getGrad().getDefiningOp();
      bool complete = llvm::all_of(bucket, [&](graph::ParamOp p) {
        graph::AccumulateGradOp lastOne = lastAcc[p.getSymNameAttr()];
        return lastOne == acc || lastOne->isBeforeInBlock(acc);
      });
      if (end || (boundary && complete && bytes >= limit)) {
        closeBucket(acc);
        inBucket.clear();
      }
    }
    return success();
  }

  /// A pipeline chunk's backward that returns the loss (the last chunk's).
  static bool returnsLoss(func::FuncOp fn) {
    for (unsigned i = 0; i < fn.getNumResults(); ++i)
      if (auto slot = fn.getResultAttrOfType<StringAttr>(i, "ptc.output"))
        if (slot.getValue() == "loss")
          return true;
    return false;
  }

  /// The loss each rank returns becomes the mean over dp.
  void averageLoss(func::FuncOp fn) {
    if (degrees.dp == 1)
      return;
    auto ret = cast<func::ReturnOp>(fn.getBody().front().getTerminator());
    OpBuilder builder(ret);
    for (OpOperand &operand : ret->getOpOperands()) {
      // A chunk's other results (the gradient of its input) are its own.
      if (auto slot = fn.getResultAttrOfType<StringAttr>(
              operand.getOperandNumber(), "ptc.output"))
        if (slot.getValue() != "loss")
          continue;
      Value loss = operand.get();
      operand.set(AllReduceOp::create(
          builder, ret.getLoc(), loss.getType(),
          FlatSymbolRefAttr::get(builder.getContext(), kMeshName),
          axisList(builder.getContext(), {"dp"}), loss,
          reduction(builder.getContext(), ReductionKind::avg)));
    }
  }

  LogicalResult reduceGradients(func::FuncOp fn) {
    ModuleOp module = getOperation();
    MLIRContext *context = module.getContext();
    auto mesh = FlatSymbolRefAttr::get(context, kMeshName);
    // The parameter behind each gradient value the step reads.
    auto paramOf = [&](Value value) -> graph::ParamOp {
      auto ref = value.getDefiningOp<graph::GradRefOp>();
      return ref ? module.lookupSymbol<graph::ParamOp>(ref.getParam())
                 : graph::ParamOp();
    };

    // 1. The norm: squares of tp-split gradients are summed over tp.
    if (degrees.tp > 1) {
      SmallVector<graph::GlobalNormOp> norms;
      fn.walk([&](graph::GlobalNormOp norm) { norms.push_back(norm); });
      for (graph::GlobalNormOp norm : norms) {
        SmallVector<Value> split, replicated;
        for (Value grad : norm.getInputs()) {
          graph::ParamOp param = paramOf(grad);
          (param && param->hasAttr("dist.sharding") ? split : replicated)
              .push_back(grad);
        }
        if (split.empty())
          continue;
        OpBuilder builder(norm);
        auto f64 = RankedTensorType::get({}, builder.getF64Type());
        Value squares =
            graph::SumSquaresOp::create(builder, norm.getLoc(), f64, split);
        Value total = AllReduceOp::create(
            builder, norm.getLoc(), f64, mesh, axisList(context, {"tp"}),
            squares, reduction(context, ReductionKind::sum));
        SmallVector<Value> partials(norm.getPartialSquares());
        partials.push_back(total);
        Value replaced = graph::GlobalNormOp::create(
            builder, norm.getLoc(), norm.getType(), replicated, partials);
        norm.replaceAllUsesWith(replaced);
        norm.erase();
      }
    }

    // 2. Every gradient accumulator: summed over tp where partial, then
    //    averaged over dp, before its first reader. With the overlap,
    //    the last backward has done both (but for tied parameters).
    SmallVector<graph::GradRefOp> refs;
    fn.walk([&](graph::GradRefOp ref) { refs.push_back(ref); });
    for (graph::GradRefOp ref : refs) {
      graph::ParamOp param =
          module.lookupSymbol<graph::ParamOp>(ref.getParam());
      if (!param)
        return ref.emitOpError("names no graph.param");
      bool tied = isTied(param);
      if (overlap && !tied)
        continue;
      SmallVector<std::pair<StringRef, ReductionKind>> steps;
      if (param->hasAttr("dist.partial_grad"))
        steps.push_back({"tp", ReductionKind::sum});
      if (degrees.dp > 1)
        steps.push_back({"dp", ReductionKind::avg});
      if ((steps.empty() && !tied) || ref->use_empty())
        continue;
      OpBuilder builder(ref->getContext());
      builder.setInsertionPointAfter(ref);
      Value value = ref;
      for (auto [axis, kind] : steps)
        value = AllReduceOp::create(builder, ref.getLoc(), ref.getType(), mesh,
                                    axisList(context, {axis}), value,
                                    reduction(context, kind));
      value = sumTied(builder, param, value);
      // The first reduction reads the accumulator; everything else reads
      // the reduced gradient.
      Value(ref).replaceAllUsesExcept(value, ref->getNextNode());
    }
    return success();
  }

  /// ZeRO-1: each gradient is reduce-scattered over dp into chunks of its
  /// flattened, zero-padded form; AdamW updates the rank's chunk of the
  /// parameter with moments of one chunk; the chunks are all-gathered back
  /// into the parameter. The global norm adds every rank's squares.
  LogicalResult shardOptimizer(func::FuncOp fn) {
    ModuleOp module = getOperation();
    MLIRContext *context = module.getContext();
    auto mesh = FlatSymbolRefAttr::get(context, kMeshName);
    auto dpAxis = axisList(context, {"dp"});
    DenseMap<Value, Value> chunkOf; // gradient value -> its reduced chunk
    DenseMap<Value, graph::ParamOp> paramOf;

    SmallVector<graph::GradRefOp> refs;
    fn.walk([&](graph::GradRefOp ref) { refs.push_back(ref); });
    for (graph::GradRefOp ref : refs) {
      auto param = module.lookupSymbol<graph::ParamOp>(ref.getParam());
      if (!param)
        return ref.emitOpError("names no graph.param");
      auto type = cast<RankedTensorType>(ref.getType());
      int64_t n = type.getNumElements();
      int64_t chunk = (n + degrees.dp - 1) / degrees.dp;
      int64_t padded = chunk * degrees.dp;
      OpBuilder builder(context);
      builder.setInsertionPointAfter(ref);
      Location loc = ref.getLoc();
      param->setAttr("dist.zero_chunk", builder.getI64IntegerAttr(chunk));
      paramOf[ref] = param;
      // Reduce-scattered in place by last_micro_step: read this rank's
      // chunk of the accumulator.
      if (zeroOverlapped(param)) {
        chunkOf[ref] = graph::GradChunkOp::create(
            builder, loc, RankedTensorType::get({chunk}, type.getElementType()),
            ref.getParamAttr(), builder.getStringAttr("dp"));
        continue;
      }
      Value grad = ref;
      if (param->hasAttr("dist.partial_grad"))
        grad = AllReduceOp::create(builder, loc, type, mesh,
                                   axisList(context, {"tp"}), grad,
                                   reduction(context, ReductionKind::sum));
      grad = sumTied(builder, param, grad);
      auto flatType = RankedTensorType::get({n}, type.getElementType());
      Value flat = graph::ReshapeOp::create(builder, loc, flatType, grad);
      if (padded != n) {
        auto padType =
            RankedTensorType::get({padded - n}, type.getElementType());
        Value zeros = graph::ZerosOp::create(builder, loc, padType);
        flat = graph::ConcatOp::create(
            builder, loc,
            RankedTensorType::get({padded}, type.getElementType()),
            ValueRange{flat, zeros}, builder.getI64IntegerAttr(0));
      }
      Value piece = ReduceScatterOp::create(
          builder, loc, RankedTensorType::get({chunk}, type.getElementType()),
          mesh, dpAxis, flat, builder.getI64IntegerAttr(0),
          reduction(context, ReductionKind::avg));
      chunkOf[ref] = piece;
    }

    // The norm: squares of every rank's chunks, summed over dp (and tp for
    // tp-split parameters; the others are equal on every tp rank).
    SmallVector<graph::GlobalNormOp> norms;
    fn.walk([&](graph::GlobalNormOp norm) { norms.push_back(norm); });
    for (graph::GlobalNormOp norm : norms) {
      SmallVector<Value> split, replicated;
      for (Value grad : norm.getInputs()) {
        Value chunk = chunkOf.lookup(grad);
        if (!chunk)
          return norm.emitOpError("reads a value that is not a gradient "
                                  "accumulator; ZeRO-1 cannot shard it");
        (paramOf[grad]->hasAttr("dist.sharding") ? split : replicated)
            .push_back(chunk);
      }
      OpBuilder builder(norm);
      auto f64 = RankedTensorType::get({}, builder.getF64Type());
      SmallVector<Value> partials(norm.getPartialSquares());
      for (auto [chunks, axes] :
           {std::pair{&split, axisList(context, {"dp", "tp"})},
            std::pair{&replicated, dpAxis}}) {
        if (chunks->empty())
          continue;
        Value squares =
            graph::SumSquaresOp::create(builder, norm.getLoc(), f64, *chunks);
        partials.push_back(AllReduceOp::create(
            builder, norm.getLoc(), f64, mesh, axes, squares,
            reduction(context, ReductionKind::sum)));
      }
      Value replaced = graph::GlobalNormOp::create(
          builder, norm.getLoc(), norm.getType(), ValueRange(), partials);
      norm.replaceAllUsesWith(replaced);
      norm.erase();
    }

    // The updates, each followed by the all-gather of the new chunks.
    SmallVector<graph::AdamWUpdateOp> updates;
    fn.walk([&](graph::AdamWUpdateOp update) { updates.push_back(update); });
    for (graph::AdamWUpdateOp update : updates) {
      Value chunk = chunkOf.lookup(update.getGrad());
      if (!chunk)
        return update.emitOpError("updates with a value that is not a "
                                  "gradient accumulator; ZeRO-1 cannot shard "
                                  "it");
      update.getGradMutable().assign(chunk);
      update.setShardAxis("dp");
      OpBuilder builder(context);
      builder.setInsertionPointAfter(update);
      auto chunkType = cast<RankedTensorType>(chunk.getType());
      Value mine = graph::ParamChunkOp::create(builder, update.getLoc(),
                                               chunkType, update.getParamAttr(),
                                               builder.getStringAttr("dp"));
      Value whole = AllGatherOp::create(
          builder, update.getLoc(),
          RankedTensorType::get({chunkType.getDimSize(0) * degrees.dp},
                                chunkType.getElementType()),
          mesh, dpAxis, mine, builder.getI64IntegerAttr(0));
      graph::SetParamOp::create(builder, update.getLoc(), update.getParamAttr(),
                                whole);
    }
    return success();
  }

  /// A parameter held by several pipeline ranks (the tied embedding, on
  /// the first and the last): the sum of their gradients, on each of them.
  Value sumTied(OpBuilder &builder, graph::ParamOp param, Value grad) {
    auto ranks = param->getAttrOfType<DenseI64ArrayAttr>("ptc.tied_ranks");
    if (!ranks)
      return grad;
    MLIRContext *context = builder.getContext();
    return AllReduceOp::create(builder, grad.getLoc(), grad.getType(),
                               FlatSymbolRefAttr::get(context, kMeshName),
                               axisList(context, {"pp"}), grad,
                               reduction(context, ReductionKind::sum), ranks);
  }

  /// Pipeline stages: each rank's norm covers its own parameters (a tied
  /// copy is left out by graph-optimizer); the squares are summed over pp.
  LogicalResult reduceNormOverPipeline(func::FuncOp fn) {
    if (degrees.pp == 1)
      return success();
    MLIRContext *context = fn.getContext();
    auto mesh = FlatSymbolRefAttr::get(context, kMeshName);
    SmallVector<graph::GlobalNormOp> norms;
    fn.walk([&](graph::GlobalNormOp norm) { norms.push_back(norm); });
    for (graph::GlobalNormOp norm : norms) {
      OpBuilder builder(norm);
      auto f64 = RankedTensorType::get({}, builder.getF64Type());
      SmallVector<Value> partials;
      auto overPipeline = [&](Value squares) {
        partials.push_back(AllReduceOp::create(
            builder, norm.getLoc(), f64, mesh, axisList(context, {"pp"}),
            squares, reduction(context, ReductionKind::sum)));
      };
      if (!norm.getInputs().empty())
        overPipeline(graph::SumSquaresOp::create(builder, norm.getLoc(), f64,
                                                 norm.getInputs()));
      for (Value partial : norm.getPartialSquares())
        overPipeline(partial);
      Value replaced = graph::GlobalNormOp::create(
          builder, norm.getLoc(), norm.getType(), ValueRange(), partials);
      norm.replaceAllUsesWith(replaced);
      norm.erase();
    }
    return success();
  }

  /// ZeRO-1 with the overlap: the gradients that dp divides are
  /// reduce-scattered in place during the backward.
  bool zeroOverlapped(graph::ParamOp param) {
    auto type = cast<RankedTensorType>(param.getType());
    return zero && overlap && type.getNumElements() % degrees.dp == 0 &&
           !isTied(param);
  }

  static bool isTied(graph::ParamOp param) {
    return param->hasAttr("ptc.tied_ranks");
  }

  ParallelDegrees degrees;
  bool overlap = false;
  bool zero = false;
};

} // namespace

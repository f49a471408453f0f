//===- TensorParallel.cpp - dist-tensor-parallel --------------------------===//
//
// Megatron-LM tensor parallelism of the forward graph (see Passes.td). The
// rewrite follows the data: a value is either replicated over tp or split
// along one dimension; the state starts replicated at the inputs and is
// carried through the ops in program order:
//
//   linear(replicated x)    column-parallel: weight rows split, x enters the
//                           split region through dist.all_reduce_grad;
//                           the result is split along its last dimension
//   linear(x split last)    row-parallel: weight columns split, the partial
//                           sums are all-reduced, the bias added after
//   reshape/transpose/split/attention/rope/elementwise
//                           carry the split dimension (heads stay whole)
//   cross_entropy(split)    vocabulary-parallel cross-entropy
//   embedding               vocabulary-parallel lookup + all-reduce
//
// Split values get their local types in place; an op the rewrite does not
// know with a split operand is an error naming it.
//
// With sequence parallelism the values between the tensor-parallel regions
// are split along the sequence (dimension 1 of [B, T, H]) instead of
// replicated: the embedding's partial sums are reduce-scattered, norms and
// residual adds run on sequence shards (their parameters' gradients are
// then partial: dist.partial_grad), column-parallel inputs are all-gathered
// along the sequence and row-parallel outputs reduce-scattered along it.
//
//===----------------------------------------------------------------------===//

#include "passes/Dist/Mesh.h"
#include "passes/Dist/Passes.h"

#include "dialects/Dist/IR/StageSlots.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include "llvm/ADT/StringMap.h"

#include <map>

namespace ptc::dist {
#define GEN_PASS_DEF_DISTTENSORPARALLEL
#include "passes/Dist/Passes.h.inc"
} // namespace ptc::dist

using namespace mlir;
using namespace ptc;
using namespace ptc::dist;

namespace {

constexpr StringLiteral kAxis = "tp";
/// The sequence dimension of [B, T, H] activations.
constexpr int64_t kSequenceDim = 1;

class TensorParallelRewriter {
public:
  TensorParallelRewriter(ModuleOp module, int64_t tp, bool sequenceParallel)
      : module(module), context(module.getContext()), tp(tp),
        sequenceParallel(sequenceParallel),
        mesh(FlatSymbolRefAttr::get(context, kMeshName)) {}

  LogicalResult run(func::FuncOp fn) {
    // A pipeline chunk (dist-pipeline-split) under sequence parallelism
    // receives and sends the residual stream as this rank's sequence shard:
    // the neighbour stages exchange 1/tp of the activation.
    const bool chunk = fn->hasAttr("ptc.stage");
    if (chunk && sequenceParallel)
      for (unsigned i = 0; i < fn.getNumArguments(); ++i)
        if (auto slot = fn.getArgAttrOfType<StringAttr>(i, "ptc.input"))
          if (isStageSlot(slot.getValue()) &&
              failed(makeSplit(fn, fn.getArgument(i), kSequenceDim)))
            return failure();
    SmallVector<Operation *> ops;
    fn.walk<WalkOrder::PreOrder>([&](Operation *op) { ops.push_back(op); });
    for (Operation *op : ops) {
      if (erased.contains(op))
        continue;
      if (auto ret = dyn_cast<func::ReturnOp>(op); ret && chunk) {
        for (Value value : ret.getOperands())
          if (std::optional<int64_t> dim = splitDim(value);
              dim && *dim != kSequenceDim)
            return ret.emitOpError("returns a value split over tp along "
                                   "dimension ")
                   << *dim << "; a pipeline chunk's output may only be "
                   << "split along the sequence";
        fn.setType(FunctionType::get(context, fn.front().getArgumentTypes(),
                                     ret.getOperandTypes()));
        continue;
      }
      if (failed(visit(op)))
        return failure();
    }
    return success();
  }

private:
  //===--------------------------------------------------------------------===//
  // Types and state
  //===--------------------------------------------------------------------===//

  std::optional<int64_t> splitDim(Value value) const {
    auto it = split.find(value);
    if (it == split.end())
      return std::nullopt;
    return it->second;
  }

  /// `value` becomes split along `dim`: its type is the local one.
  LogicalResult makeSplit(Operation *op, Value value, int64_t dim) {
    auto type = cast<RankedTensorType>(value.getType());
    SmallVector<int64_t> shape(type.getShape());
    if (dim >= (int64_t)shape.size() || shape[dim] % tp != 0)
      return op->emitOpError("tensor parallelism cannot split dimension ")
             << dim << " of " << type << " over tp = " << tp;
    shape[dim] /= tp;
    value.setType(RankedTensorType::get(shape, type.getElementType()));
    split[value] = dim;
    return success();
  }

  ArrayAttr axes() { return axisList(context, {kAxis}); }
  ReductionKindAttr kind(ReductionKind k) {
    return ReductionKindAttr::get(context, k);
  }

  /// The replicated `value` as an input of split computations: identity
  /// forward, gradient summed over tp (one op per value).
  Value enter(OpBuilder &builder, Value value) {
    auto it = entered.find(value);
    if (it != entered.end())
      return it->second;
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointAfterValue(value);
    Value result = AllReduceGradOp::create(
        builder, value.getLoc(), value.getType(), mesh, axes(), value);
    entered[value] = result;
    return result;
  }

  /// With sequence parallelism: the sequence-split `value` whole again for a
  /// column-parallel projection (all-gather along the sequence; its VJP
  /// reduce-scatters the gradient), one op per value.
  Value gather(OpBuilder &builder, Value value, int64_t dim) {
    auto it = gathered.find(value);
    if (it != gathered.end())
      return it->second;
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointAfterValue(value);
    auto local = cast<RankedTensorType>(value.getType());
    SmallVector<int64_t> shape(local.getShape());
    shape[dim] *= tp;
    Value result = AllGatherOp::create(
        builder, value.getLoc(),
        RankedTensorType::get(shape, local.getElementType()), mesh, axes(),
        value, builder.getI64IntegerAttr(dim));
    gathered[value] = result;
    return result;
  }

  /// The parameters and their references by name, collected once: a lookup
  /// or a walk of the module per split parameter was quadratic in the
  /// layers. The pass creates and erases neither.
  graph::ParamOp paramNamed(StringRef name) {
    if (params.empty())
      for (auto param : module.getOps<graph::ParamOp>())
        params.try_emplace(param.getSymName(), param);
    return params.lookup(name);
  }
  llvm::StringMap<SmallVector<graph::ParamRefOp>> &refsOf() {
    if (!refsCollected)
      module.walk(
          [&](graph::ParamRefOp ref) { refs[ref.getParam()].push_back(ref); });
    refsCollected = true;
    return refs;
  }

  /// Marks the parameter behind `value` (if any) as having a partial
  /// gradient over tp: it is applied to sequence shards.
  void markPartialGrad(Value value) {
    if (auto ref = value.getDefiningOp<graph::ParamRefOp>())
      if (auto param = paramNamed(ref.getParam()))
        param->setAttr("dist.partial_grad", axes());
  }

  /// Records that parameter `ref` is split along `dim` in `segments`;
  /// retypes the parameter and every reference to it.
  LogicalResult splitParam(Operation *user, Value ref, int64_t dim,
                           ArrayRef<int64_t> segments) {
    auto paramRef = ref.getDefiningOp<graph::ParamRefOp>();
    if (!paramRef)
      return user->emitOpError("tensor parallelism needs its weights to be "
                               "parameters (graph.param_ref)");
    StringRef name = paramRef.getParam();
    auto it = plans.find(name.str());
    if (it != plans.end()) {
      if (it->second.first != dim || it->second.second != segments)
        return user->emitOpError("uses parameter @")
               << name << " split along dimension " << dim
               << ", but another use splits it along dimension "
               << it->second.first;
      return success();
    }
    auto param = paramNamed(name);
    if (!param)
      return user->emitOpError("names no graph.param @") << name;
    auto full = cast<RankedTensorType>(param.getType());
    for (int64_t segment : segments)
      if (segment % tp != 0)
        return user->emitOpError("cannot split parameter @")
               << name << " over tp = " << tp << ": a segment of " << segment
               << " along dimension " << dim << " is not divisible";
    SmallVector<int64_t> shape(full.getShape());
    shape[dim] /= tp;
    auto local = RankedTensorType::get(shape, full.getElementType());
    SmallVector<Attribute> dims;
    for (int64_t d = 0; d <= dim; ++d)
      dims.push_back(d == dim ? axes() : ArrayAttr::get(context, {}));
    param.setType(local);
    param->setAttr("dist.sharding",
                   ShardingAttr::get(context, mesh,
                                     ArrayAttr::get(context, dims),
                                     ArrayAttr::get(context, {})));
    param->setAttr("dist.global_type", TypeAttr::get(full));
    if (segments.size() > 1)
      param->setAttr("dist.segments",
                     DenseI64ArrayAttr::get(context, segments));
    for (graph::ParamRefOp other : refsOf()[name])
      other.getResult().setType(local);
    plans[name.str()] = {dim, SmallVector<int64_t>(segments)};
    return success();
  }

  /// The output segments of a column-parallel projection: the pieces a
  /// graph.split along the last dimension cuts it into (fused QKV), else one.
  SmallVector<int64_t> outputSegments(graph::LinearOp linear) {
    auto type = cast<RankedTensorType>(linear.getType());
    int64_t last = type.getRank() - 1;
    for (Operation *user : linear->getUsers())
      if (auto piece = dyn_cast<graph::SplitOp>(user))
        if ((int64_t)piece.getAxis() == last) {
          SmallVector<int64_t> sizes;
          for (Value result : piece.getResults())
            sizes.push_back(
                cast<RankedTensorType>(result.getType()).getDimSize(last));
          return sizes;
        }
    return {type.getDimSize(last)};
  }

  //===--------------------------------------------------------------------===//
  // The ops
  //===--------------------------------------------------------------------===//

  LogicalResult visit(Operation *op) {
    if (auto linear = dyn_cast<graph::LinearOp>(op))
      return visitLinear(linear);
    if (auto embedding = dyn_cast<graph::EmbeddingOp>(op))
      return visitEmbedding(embedding);
    if (auto ce = dyn_cast<graph::CrossEntropyOp>(op))
      return visitCrossEntropy(ce);
    if (auto layer = dyn_cast<graph::LayerOp>(op)) {
      Block &body = layer.getBodyBlock();
      for (auto [arg, input] :
           llvm::zip(body.getArguments(), layer.getInputs()))
        if (std::optional<int64_t> dim = splitDim(input))
          if (failed(makeSplit(op, arg, *dim)))
            return failure();
      return success();
    }
    if (auto yield = dyn_cast<graph::YieldOp>(op)) {
      Operation *layer = yield->getParentOp();
      for (auto [result, value] :
           llvm::zip(layer->getResults(), yield.getOperands()))
        if (std::optional<int64_t> dim = splitDim(value))
          if (failed(makeSplit(layer, result, *dim)))
            return failure();
      return success();
    }
    // Ops that only carry the split dimension.
    SmallVector<int64_t> dims;
    for (Value operand : op->getOperands())
      if (std::optional<int64_t> dim = splitDim(operand))
        dims.push_back(*dim);
    if (dims.empty())
      return success();
    return propagate(op, dims);
  }

  LogicalResult propagate(Operation *op, ArrayRef<int64_t> dims) {
    int64_t dim = dims.front();
    bool allSplit =
        dims.size() == op->getNumOperands() && llvm::all_equal(dims);
    // A replicated operand broadcast against a split one (a bias, the
    // position embedding under sequence parallelism).
    if (isa<graph::AddOp, graph::MulOp>(op) && !allSplit && dims.size() == 1 &&
        splitDim(op->getOperand(0)))
      return broadcastOperand(op, dim);
    if (isa<graph::LayerNormOp, graph::RMSNormOp>(op)) {
      auto type = cast<RankedTensorType>(op->getOperand(0).getType());
      if (dims.size() != 1 || !splitDim(op->getOperand(0)) ||
          dim == type.getRank() - 1)
        return op->emitOpError("normalises over a dimension split over tp");
      for (Value param : op->getOperands().drop_front())
        markPartialGrad(param);
      return makeSplit(op, op->getResult(0), dim);
    }
    // The dropout mask is a function of the element's index in the local
    // tensor: every shard would draw the same mask.
    if (auto dropout = dyn_cast<graph::DropoutOp>(op))
      if (dropout.getP().convertToDouble() > 0)
        return op->emitOpError("with p = ")
               << dropout.getP().convertToDouble()
               << " on a value split over tp would draw the same mask on "
                  "every shard; dropout inside split regions (and with "
                  "sequence parallelism) is not supported yet: set "
                  "model.dropout to 0 or turn sequence_parallel off";
    if (isa<graph::GeluOp, graph::SiluOp, graph::DropoutOp, graph::ScaleOp,
            graph::CastOp, graph::SwigluOp, graph::AddOp, graph::MulOp>(op)) {
      if (!allSplit)
        return op->emitOpError("mixes values split over tp with replicated "
                               "ones; tensor parallelism cannot split it");
      return makeSplit(op, op->getResult(0), dim);
    }
    if (auto split = dyn_cast<graph::SplitOp>(op)) {
      for (Value result : split.getResults())
        if (failed(makeSplit(op, result, dim)))
          return failure();
      return success();
    }
    if (auto transpose = dyn_cast<graph::TransposeOp>(op)) {
      ArrayRef<int64_t> perm = transpose.getPermutation();
      auto it = llvm::find(perm, dim);
      return makeSplit(op, transpose.getResult(), it - perm.begin());
    }
    if (auto reshape = dyn_cast<graph::ReshapeOp>(op)) {
      std::optional<int64_t> out = reshapedDim(reshape, dim);
      if (!out)
        return op->emitOpError("reshapes dimension ")
               << dim << ", which is split over tp, in a way that does not "
               << "keep it the outermost of its group";
      return makeSplit(op, reshape.getResult(), *out);
    }
    if (isa<graph::AttentionOp>(op)) {
      if (!allSplit || dim != 1)
        return op->emitOpError("tensor parallelism splits attention by "
                               "heads: query, key and value must all be "
                               "split along dimension 1");
      return makeSplit(op, op->getResult(0), 1);
    }
    if (isa<graph::RopeOp>(op)) {
      if (dim != 1)
        return op->emitOpError("rope needs its input split by heads");
      return makeSplit(op, op->getResult(0), 1);
    }
    return op->emitOpError("has an operand split over tp, which tensor "
                           "parallelism does not know how to split");
  }

  /// lhs split along `dim`, rhs replicated and broadcast over lhs's leading
  /// dimensions: when rhs has the split dimension, this rank uses its shard
  /// (dist.shard, whose VJP all-gathers the gradient); otherwise rhs is
  /// broadcast over the shard and its gradient is partial.
  LogicalResult broadcastOperand(Operation *op, int64_t dim) {
    Value rhs = op->getOperand(1);
    auto lhsType = cast<RankedTensorType>(op->getOperand(0).getType());
    auto rhsType = cast<RankedTensorType>(rhs.getType());
    int64_t rhsDim = dim - (lhsType.getRank() - rhsType.getRank());
    if (rhsType.getRank() == lhsType.getRank())
      return op->emitOpError("mixes values split over tp with replicated "
                             "ones; tensor parallelism cannot split it");
    if (rhsDim < 0) {
      markPartialGrad(rhs);
      return makeSplit(op, op->getResult(0), dim);
    }
    OpBuilder builder(op);
    SmallVector<Attribute> split;
    for (int64_t d = 0; d <= rhsDim; ++d)
      split.push_back(d == rhsDim ? axes() : ArrayAttr::get(context, {}));
    SmallVector<int64_t> shape(rhsType.getShape());
    shape[rhsDim] /= tp;
    Value piece = ShardOp::create(
        builder, op->getLoc(),
        RankedTensorType::get(shape, rhsType.getElementType()), rhs,
        ShardingAttr::get(context, mesh, ArrayAttr::get(context, split),
                          ArrayAttr::get(context, {})));
    op->setOperand(1, piece);
    return makeSplit(op, op->getResult(0), dim);
  }

  /// Where the split dimension `dim` of a reshape's input lands: reshapes
  /// group dimensions; the split one must be the outermost of its group, and
  /// it stays the outermost of the output group.
  std::optional<int64_t> reshapedDim(graph::ReshapeOp reshape, int64_t dim) {
    // Global shapes: the input's split dimension is still local here.
    auto inType = cast<RankedTensorType>(reshape.getInput().getType());
    SmallVector<int64_t> in(inType.getShape());
    in[dim] *= tp;
    ArrayRef<int64_t> out =
        cast<RankedTensorType>(reshape.getType()).getShape();
    int64_t i = 0, o = 0;
    while (i < (int64_t)in.size() && o < (int64_t)out.size()) {
      int64_t i0 = i, o0 = o, pin = in[i++], pout = out[o++];
      while (pin != pout) {
        if (pin < pout && i < (int64_t)in.size())
          pin *= in[i++];
        else if (o < (int64_t)out.size())
          pout *= out[o++];
        else
          return std::nullopt;
      }
      if (dim >= i0 && dim < i) {
        if (dim != i0 || out[o0] % tp != 0)
          return std::nullopt;
        return o0;
      }
    }
    return std::nullopt;
  }

  LogicalResult visitLinear(graph::LinearOp linear) {
    OpBuilder builder(linear);
    std::optional<int64_t> xDim = splitDim(linear.getInput());
    auto xType = cast<RankedTensorType>(linear.getInput().getType());
    int64_t last = xType.getRank() - 1;
    if (!xDim || (*xDim != last && sequenceParallel)) {
      // Column-parallel: a replicated input enters the split region; a
      // sequence-split one is gathered first.
      SmallVector<int64_t> segments = outputSegments(linear);
      if (failed(splitParam(linear, linear.getWeight(), 0, segments)) ||
          (linear.getBias() &&
           failed(splitParam(linear, linear.getBias(), 0, segments))))
        return failure();
      Value input = xDim ? gather(builder, linear.getInput(), *xDim)
                         : enter(builder, linear.getInput());
      // The result keeps the whole sequence (its type is still global).
      linear.getInputMutable().assign(input);
      return makeSplit(linear, linear.getResult(), last);
    }
    if (*xDim != last)
      return linear.emitOpError("has its input split along dimension ")
             << *xDim << "; a row-parallel projection needs the last";
    // Row-parallel.
    auto wType = cast<RankedTensorType>(linear.getWeight().getType());
    if (failed(
            splitParam(linear, linear.getWeight(), 1, {wType.getDimSize(1)})))
      return failure();
    Value partial =
        graph::LinearOp::create(builder, linear.getLoc(), linear.getType(),
                                linear.getInput(), linear.getWeight(), Value());
    Value out;
    if (!sequenceParallel) {
      out =
          AllReduceOp::create(builder, linear.getLoc(), linear.getType(), mesh,
                              axes(), partial, kind(ReductionKind::sum));
    } else {
      // The partial sums are reduce-scattered along the sequence.
      auto type = cast<RankedTensorType>(linear.getType());
      SmallVector<int64_t> shape(type.getShape());
      shape[kSequenceDim] /= tp;
      out = ReduceScatterOp::create(
          builder, linear.getLoc(),
          RankedTensorType::get(shape, type.getElementType()), mesh, axes(),
          partial, builder.getI64IntegerAttr(kSequenceDim),
          kind(ReductionKind::sum));
      split[out] = kSequenceDim;
    }
    if (Value bias = linear.getBias()) {
      out = graph::AddOp::create(builder, linear.getLoc(), out.getType(), out,
                                 bias);
      if (sequenceParallel) {
        split[out] = kSequenceDim;
        markPartialGrad(bias);
      }
    }
    linear.replaceAllUsesWith(out);
    erased.insert(linear);
    linear.erase();
    return success();
  }

  LogicalResult visitEmbedding(graph::EmbeddingOp embedding) {
    auto table = cast<RankedTensorType>(embedding.getTable().getType());
    if (failed(splitParam(embedding, embedding.getTable(), 0,
                          {table.getDimSize(0)})))
      return failure();
    embedding.setVocabShardAxis(kAxis);
    OpBuilder builder(context);
    builder.setInsertionPointAfter(embedding);
    Value sum;
    if (!sequenceParallel) {
      sum = AllReduceOp::create(builder, embedding.getLoc(),
                                embedding.getType(), mesh, axes(), embedding,
                                kind(ReductionKind::sum));
    } else {
      auto type = cast<RankedTensorType>(embedding.getType());
      SmallVector<int64_t> shape(type.getShape());
      if (type.getRank() < 3 || shape[kSequenceDim] % tp != 0)
        return embedding.emitOpError("sequence parallelism needs [B, T, H] "
                                     "embeddings with T divisible by tp");
      shape[kSequenceDim] /= tp;
      sum = ReduceScatterOp::create(
          builder, embedding.getLoc(),
          RankedTensorType::get(shape, type.getElementType()), mesh, axes(),
          embedding, builder.getI64IntegerAttr(kSequenceDim),
          kind(ReductionKind::sum));
      split[sum] = kSequenceDim;
    }
    embedding.getResult().replaceAllUsesExcept(sum, sum.getDefiningOp());
    return success();
  }

  LogicalResult visitCrossEntropy(graph::CrossEntropyOp ce) {
    auto logits = cast<RankedTensorType>(ce.getLogits().getType());
    std::optional<int64_t> dim = splitDim(ce.getLogits());
    if (!dim)
      return success(); // replicated logits: the ordinary loss
    if (*dim != logits.getRank() - 1)
      return ce.emitOpError("needs its logits split along the vocabulary");
    OpBuilder builder(ce);
    Location loc = ce.getLoc();
    Type element = ce.getType().getElementType();
    auto positions =
        RankedTensorType::get(logits.getShape().drop_back(), element);
    SmallVector<int64_t> partialShape = {2};
    llvm::append_range(partialShape, positions.getShape());
    auto partialType = RankedTensorType::get(partialShape, element);
    auto axisAttr = builder.getStringAttr(kAxis);
    Value localMax = graph::VocabParallelMaxOp::create(builder, loc, positions,
                                                       ce.getLogits(), axisAttr,
                                                       ce.getNumClassesAttr());
    Value max = AllReduceOp::create(builder, loc, positions, mesh, axes(),
                                    localMax, kind(ReductionKind::max));
    Value partials = graph::VocabParallelPartialsOp::create(
        builder, loc, partialType, ce.getLogits(), ce.getTargets(), max,
        axisAttr, ce.getNumClassesAttr());
    Value sums = AllReduceOp::create(builder, loc, partialType, mesh, axes(),
                                     partials, kind(ReductionKind::sum));
    Value loss = graph::CrossEntropyFromPartialsOp::create(builder, loc,
                                                           ce.getType(), sums);
    ce.replaceAllUsesWith(loss);
    erased.insert(ce);
    ce.erase();
    return success();
  }

  ModuleOp module;
  MLIRContext *context;
  int64_t tp;
  bool sequenceParallel;
  FlatSymbolRefAttr mesh;
  DenseMap<Value, int64_t> split;
  DenseMap<Value, Value> entered, gathered;
  DenseSet<Operation *> erased;
  std::map<std::string, std::pair<int64_t, SmallVector<int64_t>>> plans;
  llvm::StringMap<graph::ParamOp> params;
  llvm::StringMap<SmallVector<graph::ParamRefOp>> refs;
  bool refsCollected = false;
};

struct DistTensorParallelPass
    : public ptc::dist::impl::DistTensorParallelBase<DistTensorParallelPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    ParallelDegrees degrees = readParallelDegrees(module);
    if (degrees.tp == 1)
      return;
    getOrCreateMesh(module, degrees);
    TensorParallelRewriter rewriter(module, degrees.tp,
                                    degrees.sequenceParallel);
    for (auto fn : llvm::make_early_inc_range(module.getOps<func::FuncOp>()))
      if (failed(rewriter.run(fn)))
        return signalPassFailure();
  }
};

} // namespace

//===- LowerDist.cpp - exec lowering of the dist collectives --------------===//
//
// Each collective becomes a launch of the runtime's collective on a
// communicator: the module attribute `ptc.comms` lists the distinct sets of
// mesh axes that collectives use, and a launch names its communicator by
// its index there (the emitter turns the list into Model::comms, the
// runtime into MPI or NCCL communicators). Launch conventions
// (runtime/cpu/kernels.h, runtime/cuda/kernels.cuh):
//
//   all_reduce(buf)              [count, comm, op]         in place
//   all_gather(out, in)          [inCount, comm]           rank-major concat
//   reduce_scatter(out, in)      [outCount, comm, op]      rank-major blocks
//   reduce_scatter_inplace(buf)  [count, comm, op]         the rank's block
//                                                          of buf (count
//                                                          each) reduced
//   group_start(), group_end()                             one NCCL group
//   shard_slice(out, in)         [outer, dim, inner, meshAxis, parts,
//                                 segments, s0, s1, s2, s3]
//
// The communication libraries concatenate and scatter whole buffers, i.e.
// along the leading dimension; along another dimension the lowering permutes
// into or out of a rank-major scratch buffer.
//
//===----------------------------------------------------------------------===//

#include "passes/GraphToExec/Lowering.h"

#include "dialects/Dist/IR/DistOps.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace ptc;
using exec::Access;

namespace ptc::lowering {

namespace {
constexpr Access R = Access::read, W = Access::write, RW = Access::readwrite;
constexpr int64_t kMaxPermuteRank = 6;

int64_t reductionCode(dist::ReductionKind kind) {
  switch (kind) {
  case dist::ReductionKind::sum:
    return 0;
  case dist::ReductionKind::max:
    return 1;
  case dist::ReductionKind::min:
    return 2;
  case dist::ReductionKind::avg:
    return 3;
  }
  return 0;
}

/// The products of the dimensions before and after `dim`.
std::pair<int64_t, int64_t> outerInner(ArrayRef<int64_t> shape, int64_t dim) {
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < (int64_t)shape.size(); ++d)
    (d < dim ? outer : inner) *= d == dim ? 1 : shape[d];
  return {outer, inner};
}
} // namespace

/// A bucket of gradient accumulators reduced in place on the communication
/// stream, once the compute stream has done the work queued so far (the
/// bucket's accumulations): one group of `callee` launches (in-place
/// all-reduces, which the runtime merges where accumulators are adjacent,
/// or in-place reduce-scatters into each rank's chunk of `count / parts`).
template <typename BucketOp>
LogicalResult Lowering::lowerGradBucket(BucketOp reduce, StringRef callee,
                                        int64_t parts) {
  FlatSymbolRefAttr comm = declareStream("comm");
  FlatSymbolRefAttr ready = declareEvent("grads_ready");
  exec::EventRecordOp::create(builder, reduce.getLoc(), ready,
                              FlatSymbolRefAttr());
  exec::StreamWaitOp::create(builder, reduce.getLoc(), comm, ready);
  int64_t group = communicator(reduce.getMeshAxes());
  int64_t op = reductionCode(reduce.getReduction());
  launch("group_start", {}, {}, reduce.getLoc(), comm);
  for (Attribute name : reduce.getParams()) {
    StringRef param = cast<FlatSymbolRefAttr>(name).getValue();
    auto accumulator = symbols.lookup<exec::GlobalOp>(gradientName(param));
    if (!accumulator)
      return reduce.emitOpError("names ")
             << name << ", which has no gradient accumulator";
    auto type = cast<MemRefType>(accumulator.getType());
    launch(callee, {{global(gradientName(param), type), Access::readwrite}},
           {i64(type.getNumElements() / parts), i64(group), i64(op)},
           reduce.getLoc(), comm);
  }
  launch("group_end", {}, {}, reduce.getLoc(), comm);
  return success();
}

int64_t Lowering::communicator(ArrayAttr axes, DenseI64ArrayAttr members) {
  auto comms = module->getAttrOfType<ArrayAttr>("ptc.comms");
  SmallVector<Attribute> list;
  if (comms)
    list.assign(comms.begin(), comms.end());
  for (auto [index, known] : llvm::enumerate(list)) {
    if (!members && known == axes)
      return index;
    // A group of some coordinates of one axis (pipeline parallelism):
    // declared by dist-pipeline-schedule with its name.
    auto group = dyn_cast<DictionaryAttr>(known);
    if (members && group && group.get("axes") == axes &&
        group.get("members") == members)
      return index;
  }
  if (members) {
    Builder b(module->getContext());
    std::string name = "group";
    for (int64_t m : members.asArrayRef())
      name += "_" + std::to_string(m);
    list.push_back(b.getDictionaryAttr(
        {b.getNamedAttr("name", b.getStringAttr(name)),
         b.getNamedAttr("axes", axes), b.getNamedAttr("members", members)}));
    module->setAttr("ptc.comms", builder.getArrayAttr(list));
    return list.size() - 1;
  }
  list.push_back(axes);
  module->setAttr("ptc.comms", builder.getArrayAttr(list));
  return list.size() - 1;
}

Operation *Lowering::moduleMesh() {
  if (!mesh)
    mesh = dist::getModuleMesh(module).getOperation();
  return *mesh;
}

int64_t Lowering::meshAxisIndex(StringRef axis) {
  if (auto found = cast_or_null<dist::MeshOp>(moduleMesh()))
    if (std::optional<unsigned> index = found.getAxisIndex(axis))
      return *index;
  return -1;
}

/// out [G, outer, rest] <-> [outer, G, rest]: swaps the two leading
/// dimensions of a 3-d view.
void Lowering::swapLeading(Value out, Value in, int64_t a, int64_t b,
                           int64_t rest, Location loc) {
  SmallVector<Attribute> args = {i64(3)};
  int64_t shape[] = {a, b, rest};
  int64_t perm[] = {1, 0, 2};
  for (int64_t i = 0; i < kMaxPermuteRank; ++i)
    args.push_back(i64(i < 3 ? shape[i] : 1));
  for (int64_t i = 0; i < kMaxPermuteRank; ++i)
    args.push_back(i64(i < 3 ? perm[i] : i));
  launch("permute", {{out, W}, {in, R}}, args, loc);
}

void Lowering::shardSlice(Value out, Value in, ArrayRef<int64_t> globalShape,
                          int64_t dim, StringRef axis, int64_t parts,
                          ArrayRef<int64_t> segments, Location loc) {
  auto [outer, inner] = outerInner(globalShape, dim);
  SmallVector<Attribute> args = {i64(outer), i64(globalShape[dim]),
                                 i64(inner), i64(meshAxisIndex(axis)),
                                 i64(parts), i64(segments.size())};
  for (size_t i = 0; i < 4; ++i)
    args.push_back(i64(i < segments.size() ? segments[i] : 0));
  launch("shard_slice", {{out, W}, {in, R}}, args, loc);
}

LogicalResult Lowering::lowerDist(Operation *op, bool &handled) {
  handled = true;
  Location loc = op->getLoc();
  return TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](dist::ReduceGradsOp reduce) {
        return lowerGradBucket(reduce, "all_reduce", 1);
      })
      .Case([&](dist::ReduceScatterGradsOp reduce) {
        int64_t size =
            cast<dist::MeshOp>(moduleMesh())
                .getGroupSize(llvm::to_vector(
                    reduce.getMeshAxes().getAsValueRange<StringAttr>()));
        return lowerGradBucket(reduce, "reduce_scatter_inplace", size);
      })
      .Case([&](dist::AllReduceOp reduce) {
        // In place when nothing else reads the input's buffer: the gradient
        // accumulators of the optimizer step, fresh partial sums.
        Value in = buffer(reduce.getInput());
        Operation *def = reduce.getInput().getDefiningOp();
        bool aliased =
            !def ||
            isa<graph::ReshapeOp, graph::CastOp, dist::AllReduceGradOp>(def);
        Value out = in;
        if (!reduce.getInput().hasOneUse() || aliased) {
          out = alloc(reduce.getType());
          copy(out, in);
        }
        launch(
            "all_reduce", {{out, RW}},
            {i64(numElements(reduce.getType())),
             i64(communicator(reduce.getMeshAxes(), reduce.getMembersAttr())),
             i64(reductionCode(reduce.getReduction()))},
            loc);
        bind(reduce, out);
        return success();
      })
      .Case([&](dist::AllReduceGradOp identity) {
        bind(identity, buffer(identity.getInput()));
        return success();
      })
      .Case([&](dist::AllGatherOp gather) {
        auto inType = cast<ShapedType>(gather.getInput().getType());
        int64_t axis = gather.getGatherAxis();
        auto [outer, inner] = outerInner(inType.getShape(), axis);
        int64_t comm = communicator(gather.getMeshAxes());
        int64_t group = cast<ShapedType>(gather.getType()).getDimSize(axis) /
                        inType.getDimSize(axis);
        Value out = alloc(gather.getType());
        if (outer == 1) {
          launch("all_gather", {{out, W}, {buffer(gather.getInput()), R}},
                 {i64(inType.getNumElements()), i64(comm)}, loc);
        } else {
          int64_t rest = inType.getDimSize(axis) * inner;
          Value ranked = scratch({group, outer, rest}, inType.getElementType());
          launch("all_gather", {{ranked, W}, {buffer(gather.getInput()), R}},
                 {i64(inType.getNumElements()), i64(comm)}, loc);
          swapLeading(out, ranked, group, outer, rest, loc);
        }
        bind(gather, out);
        return success();
      })
      .Case([&](dist::ReduceScatterOp scatter) {
        auto inType = cast<ShapedType>(scatter.getInput().getType());
        auto outType = cast<ShapedType>(scatter.getType());
        int64_t axis = scatter.getScatterAxis();
        auto [outer, inner] = outerInner(inType.getShape(), axis);
        int64_t comm = communicator(scatter.getMeshAxes());
        int64_t group = inType.getDimSize(axis) / outType.getDimSize(axis);
        Value in = buffer(scatter.getInput());
        if (outer != 1) {
          int64_t rest = outType.getDimSize(axis) * inner;
          Value ranked = scratch({group, outer, rest}, inType.getElementType());
          swapLeading(ranked, in, outer, group, rest, loc);
          in = ranked;
        }
        Value out = alloc(scatter.getType());
        launch("reduce_scatter", {{out, W}, {in, R}},
               {i64(outType.getNumElements()), i64(comm),
                i64(reductionCode(scatter.getReduction()))},
               loc);
        bind(scatter, out);
        return success();
      })
      .Case([&](dist::ShardOp shard) -> LogicalResult {
        dist::ShardingAttr sharding = shard.getSharding();
        auto inType = cast<ShapedType>(shard.getInput().getType());
        auto outType = cast<ShapedType>(shard.getType());
        Value out = alloc(shard.getType());
        std::optional<int64_t> splitDim;
        for (int64_t d = 0; d < inType.getRank(); ++d)
          if (inType.getDimSize(d) != outType.getDimSize(d)) {
            if (splitDim || sharding.getDimAxes(d).size() != 1)
              return shard.emitOpError(
                  "the lowering splits one dimension over one mesh axis");
            splitDim = d;
          }
        if (!splitDim) {
          copy(out, buffer(shard.getInput()));
        } else {
          int64_t d = *splitDim;
          shardSlice(out, buffer(shard.getInput()), inType.getShape(), d,
                     sharding.getDimAxes(d)[0],
                     inType.getDimSize(d) / outType.getDimSize(d),
                     {inType.getDimSize(d)}, loc);
        }
        bind(shard, out);
        return success();
      })
      // Vocabulary-parallel cross-entropy: local kernels around the
      // collectives above.
      .Case([&](graph::VocabParallelMaxOp max) {
        auto [rows, cols] = rowsAndCols(max.getLogits().getType());
        Value out = alloc(max.getType());
        launch("vocab_max", {{out, W}, {buffer(max.getLogits()), R}},
               {i64(rows), i64(cols), i64(max.getNumClasses()),
                i64(meshAxisIndex(max.getShardAxis()))},
               loc);
        bind(max, out);
        return success();
      })
      .Case([&](graph::VocabParallelPartialsOp partials) {
        auto [rows, cols] = rowsAndCols(partials.getLogits().getType());
        Value out = alloc(partials.getType());
        launch("vocab_partials",
               {{out, W},
                {buffer(partials.getLogits()), R},
                {buffer(partials.getTargets()), R},
                {buffer(partials.getMax()), R}},
               {i64(rows), i64(cols), i64(partials.getNumClasses()),
                i64(meshAxisIndex(partials.getShardAxis()))},
               loc);
        bind(partials, out);
        return success();
      })
      .Case([&](graph::VocabParallelPartialsGradOp grad) {
        auto [rows, cols] = rowsAndCols(grad.getLogits().getType());
        Value out = alloc(grad.getType());
        launch("vocab_partials_grad",
               {{out, W},
                {buffer(grad.getLogits()), R},
                {buffer(grad.getTargets()), R},
                {buffer(grad.getMax()), R},
                {buffer(grad.getDpartials()), R}},
               {i64(rows), i64(cols), i64(grad.getNumClasses()),
                i64(meshAxisIndex(grad.getShardAxis()))},
               loc);
        bind(grad, out);
        return success();
      })
      .Case([&](graph::CrossEntropyFromPartialsOp ce) {
        Value out = alloc(ce.getType());
        launch("ce_from_partials", {{out, W}, {buffer(ce.getPartials()), R}},
               {i64(numElements(ce.getPartials().getType()) / 2)}, loc);
        bind(ce, out);
        return success();
      })
      .Case([&](graph::CrossEntropyFromPartialsGradOp grad) {
        Value out = alloc(grad.getType());
        launch("ce_from_partials_grad",
               {{out, W},
                {buffer(grad.getPartials()), R},
                {buffer(grad.getDloss()), R}},
               {i64(numElements(grad.getPartials().getType()) / 2)}, loc);
        bind(grad, out);
        return success();
      })
      .Default([&](Operation *) {
        handled = false;
        return success();
      });
}

} // namespace ptc::lowering

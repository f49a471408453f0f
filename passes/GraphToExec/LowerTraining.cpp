//===- LowerTraining.cpp - exec lowering of the optimizer-step ops --------===//
//
// Parameter state becomes exec globals: `<param>.grad` in the gradients
// arena, `<param>.adam_m` / `.adam_v` in the optimizer-state arena.
//
//===----------------------------------------------------------------------===//

#include "passes/GraphToExec/Lowering.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace ptc;
using namespace ptc::graph;
using exec::Access;

namespace ptc::lowering {

namespace {
constexpr Access R = Access::read, W = Access::write, RW = Access::readwrite;

int64_t scheduleCode(StringRef schedule) {
  // runtime/cpu/schedule.h: LRSchedule.
  return schedule == "cosine" ? 0 : schedule == "linear" ? 1 : 2;
}
} // namespace

LogicalResult Lowering::lowerTraining(Operation *op, bool &handled) {
  handled = true;
  Location loc = op->getLoc();
  auto stateOf = [&](StringRef param, Type tensorType, StringRef which) {
    std::string name = which == "grad" ? gradientName(param)
                       : which == "m"  ? momentName(param, 1)
                                       : momentName(param, 2);
    return global(name, memrefOf(tensorType));
  };
  // The exec global of a parameter, with its type (whole, also under ZeRO-1).
  auto paramMemref = [&](StringRef param) {
    return cast<MemRefType>(
        symbols.lookup<exec::GlobalOp>(param).getType());
  };
  // This rank's chunk on `axis` of the flattened, zero-padded global `name`
  // (a parameter or a gradient accumulator), as `op`'s result.
  auto copyChunk = [&](Operation *op, StringRef name, StringRef axis) {
    MemRefType type = paramMemref(name);
    Value out = alloc(op->getResult(0).getType());
    launch("copy_chunk", {{out, W}, {global(name, type), R}},
           {i64(type.getNumElements()),
            i64(numElements(op->getResult(0).getType())),
            i64(meshAxisIndex(axis))},
           loc);
    bind(op->getResult(0), out);
    return success();
  };
  return TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](AccumulateGradOp acc) {
        launch("axpy",
               {{stateOf(acc.getParam(), acc.getGrad().getType(), "grad"), RW},
                {buffer(acc.getGrad()), R}},
               {f64(acc.getScale().convertToDouble()),
                i64(numElements(acc.getGrad().getType()))},
               loc);
        return success();
      })
      .Case([&](GradRefOp ref) {
        bind(ref, stateOf(ref.getParam(), ref.getType(), "grad"));
        return success();
      })
      .Case([&](ZeroGradOp zero) {
        // The exec global, not the graph.param: both carry the parameter's
        // name while the module is being lowered.
        std::string name = gradientName(zero.getParam());
        auto accumulator = symbols.lookup<exec::GlobalOp>(name);
        fill(global(name, cast<MemRefType>(accumulator.getType())), 0.0);
        return success();
      })
      .Case([&](GlobalNormOp norm) {
        Value sumSquares = scratch({}, builder.getF64Type());
        fill(sumSquares, 0.0);
        for (Value partial : norm.getPartialSquares())
          launch("add_f64", {{sumSquares, RW}, {buffer(partial), R}}, {}, loc);
        for (Value input : norm.getInputs())
          launch("sum_squares_add", {{sumSquares, RW}, {buffer(input), R}},
                 {i64(numElements(input.getType()))}, loc);
        Value out = alloc(norm.getType());
        launch("sqrt_to", {{out, W}, {sumSquares, R}}, {}, loc);
        bind(norm, out);
        return success();
      })
      .Case([&](ParamChunkOp chunk) {
        return copyChunk(chunk, chunk.getParam(), chunk.getShardAxis());
      })
      .Case([&](GradChunkOp chunk) {
        return copyChunk(chunk, gradientName(chunk.getParam()),
                         chunk.getShardAxis());
      })
      .Case([&](SetParamOp set) {
        MemRefType paramType = paramMemref(set.getParam());
        launch("copy",
               {{global(set.getParam(), paramType), W},
                {buffer(set.getValue()), R}},
               {i64(paramType.getNumElements())}, loc);
        return success();
      })
      .Case([&](SumSquaresOp sum) {
        Value out = alloc(sum.getType());
        fill(out, 0.0);
        for (Value input : sum.getInputs())
          launch("sum_squares_add", {{out, RW}, {buffer(input), R}},
                 {i64(numElements(input.getType()))}, loc);
        bind(sum, out);
        return success();
      })
      .Case([&](ClipFactorOp clip) {
        Value out = alloc(clip.getType());
        launch("clip_factor", {{out, W}, {buffer(clip.getNorm()), R}},
               {f64(clip.getMaxNorm().convertToDouble())}, loc);
        bind(clip, out);
        return success();
      })
      .Case([&](LRScheduleOp schedule) {
        Value out = alloc(schedule.getType());
        launch("lr_schedule", {{out, W}, {buffer(schedule.getStep()), R}},
               {i64(scheduleCode(schedule.getSchedule())),
                f64(schedule.getLr().convertToDouble()),
                f64(schedule.getMinLr().convertToDouble()),
                i64(schedule.getWarmupSteps()), i64(schedule.getDecaySteps())},
               loc);
        bind(schedule, out);
        return success();
      })
      .Case([&](AdamWUpdateOp update) {
        Type type = update.getGrad().getType();
        StringRef param = update.getParam();
        MemRefType paramType = paramMemref(param);
        // ZeRO-1 updates this rank's chunk of the flattened parameter: the
        // parameter's size, the chunk's and the axis come first.
        std::optional<StringRef> axis = update.getShardAxis();
        SmallVector<Attribute> args;
        if (axis)
          args = {i64(paramType.getNumElements()), i64(numElements(type)),
                  i64(meshAxisIndex(*axis))};
        else
          args = {i64(numElements(type))};
        args.append({f64(update.getBeta1().convertToDouble()),
                     f64(update.getBeta2().convertToDouble()),
                     f64(update.getEps().convertToDouble()),
                     f64(update.getWeightDecay().convertToDouble())});
        launch(axis ? "adamw_update_chunk" : "adamw_update",
               {{global(param, paramType), RW},
                {stateOf(param, type, "m"), RW},
                {stateOf(param, type, "v"), RW},
                {buffer(update.getGrad()), R},
                {buffer(update.getLr()), R},
                {buffer(update.getGradScale()), R},
                {buffer(update.getStep()), R}},
               args, loc);
        return success();
      })
      .Default([&](Operation *) {
        handled = false;
        return success();
      });
}

} // namespace ptc::lowering

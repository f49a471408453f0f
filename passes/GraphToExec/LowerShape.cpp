//===- LowerShape.cpp - exec lowering of shape and helper ops -------------===//
//
// reshape and same-type casts reuse their operand's buffer (a buffer is
// untyped storage to the kernels; the sizes travel as static arguments);
// transpose, split and concat move data.
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
constexpr int64_t kMaxRank = 6;

/// Sizes of a tensor seen as [outer, axis, inner] around `axis`.
struct AxisView {
  int64_t outer = 1, axis = 1, inner = 1;
};
AxisView viewAround(Type type, int64_t axis) {
  auto shape = cast<ShapedType>(type).getShape();
  AxisView view;
  for (int64_t i = 0; i < static_cast<int64_t>(shape.size()); ++i) {
    if (i < axis)
      view.outer *= shape[i];
    else if (i == axis)
      view.axis = shape[i];
    else
      view.inner *= shape[i];
  }
  return view;
}
} // namespace

LogicalResult Lowering::lowerShape(Operation *op, bool &handled) {
  handled = true;
  Location loc = op->getLoc();
  return TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](ReshapeOp reshape) {
        bind(reshape, buffer(reshape.getInput()));
        return success();
      })
      .Case([&](CastOp cast) {
        if (cast.getInput().getType() == cast.getType()) {
          bind(cast, buffer(cast.getInput()));
          return success();
        }
        Value out = alloc(cast.getType());
        launch("convert", {{out, W}, {buffer(cast.getInput()), R}},
               {i64(numElements(cast.getType()))}, loc);
        bind(cast, out);
        return success();
      })
      .Case([&](TransposeOp transpose) -> LogicalResult {
        auto shape =
            cast<ShapedType>(transpose.getInput().getType()).getShape();
        int64_t rank = shape.size();
        if (rank > kMaxRank)
          return transpose.emitOpError("the kernel library permutes at most ")
                 << kMaxRank << " dimensions";
        SmallVector<Attribute> args = {i64(rank)};
        for (int64_t i = 0; i < kMaxRank; ++i)
          args.push_back(i64(i < rank ? shape[i] : 1));
        for (int64_t i = 0; i < kMaxRank; ++i)
          args.push_back(i64(i < rank ? transpose.getPermutation()[i] : i));
        Value out = alloc(transpose.getType());
        launch("permute", {{out, W}, {buffer(transpose.getInput()), R}}, args,
               loc);
        bind(transpose, out);
        return success();
      })
      .Case([&](SplitOp split) {
        int64_t axis = split.getAxis();
        AxisView whole = viewAround(split.getInput().getType(), axis);
        int64_t offset = 0;
        for (Value piece : split.getResults()) {
          AxisView part = viewAround(piece.getType(), axis);
          Value out = alloc(piece.getType());
          int64_t len = part.axis * part.inner;
          launch("copy_rows", {{out, W}, {buffer(split.getInput()), R}},
                 {i64(whole.outer), i64(len), i64(len), i64(0),
                  i64(whole.axis * whole.inner), i64(offset)},
                 loc);
          offset += len;
          bind(piece, out);
        }
        return success();
      })
      .Case([&](ConcatOp concat) {
        int64_t axis = concat.getAxis();
        AxisView whole = viewAround(concat.getType(), axis);
        Value out = alloc(concat.getType());
        int64_t offset = 0;
        for (Value piece : concat.getInputs()) {
          AxisView part = viewAround(piece.getType(), axis);
          int64_t len = part.axis * part.inner;
          // Each piece writes its own columns: the first write defines the
          // buffer, later ones keep what the others wrote.
          launch("copy_rows", {{out, offset == 0 ? W : RW}, {buffer(piece), R}},
                 {i64(whole.outer), i64(len), i64(whole.axis * whole.inner),
                  i64(offset), i64(len), i64(0)},
                 loc);
          offset += len;
        }
        bind(concat, out);
        return success();
      })
      .Case([&](FillOp constant) {
        Value out = alloc(constant.getType());
        fill(out, constant.getValue().convertToDouble());
        bind(constant, out);
        return success();
      })
      .Case([&](ZerosOp zeros) {
        Value out = alloc(zeros.getType());
        fill(out, 0.0);
        bind(zeros, out);
        return success();
      })
      .Case([&](ScaleOp scale) {
        Value out = alloc(scale.getType());
        launch("scale_forward", {{out, W}, {buffer(scale.getInput()), R}},
               {f64(scale.getFactor().convertToDouble()),
                i64(numElements(scale.getType()))},
               loc);
        bind(scale, out);
        return success();
      })
      .Case([&](ReduceSumOp reduce) {
        int64_t inner = numElements(reduce.getType());
        int64_t outer = numElements(reduce.getInput().getType()) / inner;
        Value out = alloc(reduce.getType());
        launch("reduce_leading", {{out, W}, {buffer(reduce.getInput()), R}},
               {i64(outer), i64(inner)}, loc);
        bind(reduce, out);
        return success();
      })
      .Default([&](Operation *) {
        handled = false;
        return success();
      });
}

} // namespace ptc::lowering

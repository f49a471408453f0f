//===- Fuse.cpp - exec-fuse: fewer passes over memory, fewer buffers ------===//
//
// Peepholes on the straight-line body of each entry point. Each rewrite
// removes a pass over a buffer (a zero fill, a conversion, an add, an axpy)
// and usually the buffer itself; none changes what a kernel computes beyond
// rounding (a product that went through bf16 now stays f32). The matches are
// collected first, then applied one at a time (each re-checks its match, so
// an earlier rewrite cannot invalidate a later one), until nothing matches.
//
//===----------------------------------------------------------------------===//

#include "passes/Exec/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

namespace ptc::exec {
#define GEN_PASS_DEF_EXECFUSE
#include "passes/Exec/Passes.h.inc"
} // namespace ptc::exec

using namespace mlir;
using namespace ptc::exec;

namespace {

bool isZeroFill(Operation *op, Value buffer) {
  auto fill = dyn_cast<FillOp>(op);
  return fill && fill.getBuffer() == buffer &&
         fill.getValue().convertToDouble() == 0.0;
}

/// Kernels named *_backward accumulate into the buffers they read and write
/// (runtime/cpu/kernels.h).
bool accumulatesInto(Operation *op, Value buffer) {
  auto launch = dyn_cast<LaunchOp>(op);
  if (!launch || !launch.getCallee().ends_with("_backward"))
    return false;
  bool found = false;
  for (auto [i, operand] : llvm::enumerate(launch.getBuffers())) {
    if (operand != buffer)
      continue;
    if (launch.getAccessMode(i) != Access::readwrite)
      return false;
    found = true;
  }
  return found;
}

bool sameStorage(Value a, Value b) {
  auto ta = cast<MemRefType>(a.getType()), tb = cast<MemRefType>(b.getType());
  return ta.getElementType() == tb.getElementType() &&
         ta.getNumElements() == tb.getNumElements();
}

/// The users of `value`, in program order (all in one block).
SmallVector<Operation *> usersInOrder(Value value) {
  SmallVector<Operation *> users;
  for (Operation *user : value.getUsers())
    if (!llvm::is_contained(users, user))
      users.push_back(user);
  llvm::sort(users, [](Operation *a, Operation *b) {
    return a->isBeforeInBlock(b);
  });
  return users;
}

bool isTransient(Value value) { return value.getDefiningOp<AllocOp>(); }

/// Whether no op strictly between `from` and `to` uses `value`.
bool untouchedBetween(Value value, Operation *from, Operation *to) {
  for (Operation *user : value.getUsers())
    if (from->isBeforeInBlock(user) && user->isBeforeInBlock(to))
      return false;
  return true;
}

/// Whether `value` has no use after `op`.
bool deadAfter(Value value, Operation *op) {
  for (Operation *user : value.getUsers())
    if (op->isBeforeInBlock(user))
      return false;
  return true;
}

/// The zero fill that opens `buffer`'s life and the accumulating kernels that
/// follow it up to (not including) `last`, which must be the buffer's last
/// user; empty when the buffer is used any other way.
SmallVector<Operation *> zeroedAccumulators(Value buffer, Operation *last,
                                            Operation *&fill) {
  SmallVector<Operation *> users = usersInOrder(buffer);
  if (users.size() < 3 || users.back() != last || !isZeroFill(users[0], buffer))
    return {};
  fill = users[0];
  SmallVector<Operation *> kernels(users.begin() + 1, users.end() - 1);
  for (Operation *k : kernels)
    if (!accumulatesInto(k, buffer))
      return {};
  return kernels;
}

/// Other ops between `from` and `to` that touch global `name` must only add
/// to it (accumulations commute); a plain read or write would see the move.
bool onlyAccumulatedBetween(StringRef name, Operation *from, Operation *to) {
  for (Operation *op = from->getNextNode(); op && op != to;
       op = op->getNextNode()) {
    for (Value operand : op->getOperands()) {
      auto ref = operand.getDefiningOp<GlobalRefOp>();
      if (!ref || ref.getGlobal() != name)
        continue;
      auto launch = dyn_cast<LaunchOp>(op);
      auto gemm = dyn_cast<GemmOp>(op);
      bool adds = (launch && (launch.getCallee() == "axpy" ||
                              accumulatesInto(op, operand))) ||
                  (gemm && gemm.getAccumulate() && gemm.getOut() == operand);
      if (!adds)
        return false;
    }
  }
  return true;
}

/// A reference to the same global as `ref`, valid before `op`.
Value globalBefore(GlobalRefOp ref, Operation *op) {
  if (ref->isBeforeInBlock(op))
    return ref;
  if (ref->hasOneUse()) {
    ref->moveBefore(op);
    return ref;
  }
  OpBuilder builder(op);
  return builder.clone(*ref)->getResult(0);
}

void replaceIn(Operation *op, Value from, Value to) {
  op->replaceUsesOfWith(from, to);
}

void eraseIfUnused(Value value) {
  if (Operation *def = value.getDefiningOp())
    if (def->use_empty())
      def->erase();
}

/// 1. In place: `fill(d, 0); k(d, ..., s, ...)` where k is elementwise in
///    (d, s), s dies at k and has d's storage: k writes over s (the kernels
///    replace rather than add when the two are one buffer).
bool fuseInPlace(LaunchOp launch) {
  unsigned out = 0, src;
  if (launch.getCallee() == "cross_entropy_backward")
    src = 1;
  else if (launch.getCallee() == "gelu_backward")
    src = 2;
  else
    return false;
  Value d = launch.getBuffers()[out], s = launch.getBuffers()[src];
  if (d == s || !isTransient(d) || !isTransient(s) || !sameStorage(d, s) ||
      !deadAfter(s, launch))
    return false;
  for (auto [i, operand] : llvm::enumerate(launch.getBuffers()))
    if (operand == s && i != src)
      return false;
  SmallVector<Operation *> users = usersInOrder(d);
  if (users.size() < 2 || !isZeroFill(users[0], d) || users[1] != launch)
    return false;
  users[0]->erase();
  d.replaceAllUsesWith(s);
  eraseIfUnused(d);
  return true;
}

/// 2. `fill(y, 0); k(y += ...); z = add(x, y)` with x dying at the add: k adds
///    into x, and z is x. Removes the fill, the add and two buffers.
bool fuseAccumulateIntoAddend(LaunchOp add) {
  if (add.getCallee() != "add_forward" || add.getBuffers().size() != 3)
    return false;
  auto args = add.getArgs();
  if (args.size() != 2 || cast<IntegerAttr>(args[0]).getInt() !=
                              cast<IntegerAttr>(args[1]).getInt())
    return false;
  Value z = add.getBuffers()[0];
  // A sum that only feeds a gradient accumulator is split there instead (3c).
  if (SmallVector<Operation *> users = usersInOrder(z); users.size() == 2) {
    auto user = dyn_cast<LaunchOp>(users[1]);
    if (user && user.getCallee() == "axpy" && user.getBuffers()[1] == z)
      return false;
  }
  for (int side : {0, 1}) {
    Value x = add.getBuffers()[1 + side], y = add.getBuffers()[2 - side];
    if (x == y || !isTransient(x) || !isTransient(y) || !isTransient(z) ||
        !sameStorage(x, y) || !sameStorage(x, z) || !deadAfter(x, add))
      continue;
    Operation *fill = nullptr;
    SmallVector<Operation *> kernels = zeroedAccumulators(y, add, fill);
    if (kernels.empty())
      continue;
    Operation *first = kernels.front();
    if (!x.getDefiningOp()->isBeforeInBlock(first) ||
        !untouchedBetween(x, first, add) ||
        llvm::any_of(kernels, [&](Operation *k) {
          return llvm::is_contained(k->getOperands(), x);
        }))
      continue;
    for (Operation *k : kernels)
      replaceIn(k, y, x);
    z.replaceAllUsesWith(x);
    fill->erase();
    add->erase();
    eraseIfUnused(y);
    eraseIfUnused(z);
    return true;
  }
  return false;
}

/// 3a. `f = gemm(...)` or `p = gemm(...); f = convert(p)`, then axpy(g, f).
bool fuseProductIntoAccumulator(LaunchOp axpy, GlobalRefOp ref,
                                Operation *producer) {
  Value g = axpy.getBuffers()[0], f = axpy.getBuffers()[1];
  Operation *convert = nullptr;
  Value product = f;
  if (auto launch = dyn_cast<LaunchOp>(producer);
      launch && launch.getCallee() == "convert" &&
      launch.getBuffers()[0] == f) {
    convert = launch;
    product = launch.getBuffers()[1];
    SmallVector<Operation *> productUsers = usersInOrder(product);
    if (!isTransient(product) || productUsers.size() != 2 ||
        productUsers[1] != convert)
      return false;
    producer = productUsers[0];
  }
  auto gemm = dyn_cast<GemmOp>(producer);
  if (!gemm || gemm.getOut() != product || gemm.getAccumulate() ||
      gemm.getBatch() != 1 || gemm.getEpilogue() != GemmEpilogue::none ||
      gemm.getA() == product || gemm.getB() == product)
    return false;
  // Mixed precision is bf16 operands into f32 only.
  Type operand = gemm.getA().getType().getElementType();
  Type target = cast<MemRefType>(g.getType()).getElementType();
  if (operand != target && !(operand.isBF16() && target.isF32()))
    return false;
  if (!onlyAccumulatedBetween(ref.getGlobal(), gemm, axpy))
    return false;
  Value into = globalBefore(ref, gemm);
  gemm.getOutMutable().assign(into);
  gemm.setAccumulate(true);
  axpy->erase();
  if (convert)
    convert->erase();
  eraseIfUnused(f);
  eraseIfUnused(product);
  return true;
}

/// 3. `axpy(g, f)` (alpha 1) into a global g:
///    a. f = gemm(...) [through a conversion]: the gemm accumulates into g;
///    b. `fill(f, 0); k(f += ...)`: k accumulates into g;
///    c. f = add(x, y) dying at the axpy: axpy(g, x); axpy(g, y).
bool fuseIntoAccumulator(LaunchOp axpy) {
  if (axpy.getCallee() != "axpy" || axpy.getBuffers().size() != 2 ||
      axpy.getArgs().size() != 2 ||
      cast<FloatAttr>(axpy.getArgs()[0]).getValueAsDouble() != 1.0)
    return false;
  Value g = axpy.getBuffers()[0], f = axpy.getBuffers()[1];
  auto ref = g.getDefiningOp<GlobalRefOp>();
  if (!ref || !isTransient(f) || !sameStorage(g, f))
    return false;
  SmallVector<Operation *> users = usersInOrder(f);
  if (users.empty() || users.back() != axpy)
    return false;

  // a. The product, possibly converted.
  if (users.size() == 2 && fuseProductIntoAccumulator(axpy, ref, users[0]))
    return true;

  // b. Accumulating kernels into a zeroed buffer.
  Operation *fill = nullptr;
  SmallVector<Operation *> kernels = zeroedAccumulators(f, axpy, fill);
  if (!kernels.empty()) {
    if (!onlyAccumulatedBetween(ref.getGlobal(), kernels.front(), axpy))
      return false;
    Value into = globalBefore(ref, kernels.front());
    for (Operation *k : kernels)
      replaceIn(k, f, into);
    fill->erase();
    axpy->erase();
    eraseIfUnused(f);
    return true;
  }

  // c. A sum of two contributions.
  if (users.size() == 2) {
    auto add = dyn_cast<LaunchOp>(users[0]);
    if (!add || add.getCallee() != "add_forward" ||
        add.getBuffers().size() != 3 || add.getBuffers()[0] != f)
      return false;
    auto args = add.getArgs();
    if (cast<IntegerAttr>(args[0]).getInt() !=
        cast<IntegerAttr>(args[1]).getInt())
      return false;
    Value x = add.getBuffers()[1], y = add.getBuffers()[2];
    if (!sameStorage(x, f) || !sameStorage(y, f))
      return false;
    OpBuilder builder(axpy);
    for (Value part : {x, y})
      LaunchOp::create(builder, axpy.getLoc(), "axpy", ValueRange{g, part},
                       {Access::readwrite, Access::read},
                       llvm::to_vector(axpy.getArgs()));
    axpy->erase();
    add->erase();
    eraseIfUnused(f);
    return true;
  }
  return false;
}

/// 4. `layernorm_forward(o: f32); b = convert(o: bf16)` with o read by
///    nothing else: the norm writes b (the kernel library's mixed overload).
bool fuseNormCast(LaunchOp norm) {
  if (norm.getCallee() != "layernorm_forward")
    return false;
  Value o = norm.getBuffers()[0];
  SmallVector<Operation *> users = usersInOrder(o);
  if (!isTransient(o) || users.size() != 2 || users[0] != norm)
    return false;
  auto convert = dyn_cast<LaunchOp>(users[1]);
  if (!convert || convert.getCallee() != "convert" ||
      convert.getBuffers()[1] != o)
    return false;
  Value b = convert.getBuffers()[0];
  auto to = cast<MemRefType>(b.getType()).getElementType();
  auto from = cast<MemRefType>(o.getType()).getElementType();
  auto x = cast<MemRefType>(norm.getBuffers()[3].getType()).getElementType();
  if (!isTransient(b) || !to.isBF16() || !from.isF32() || !x.isF32())
    return false;
  b.getDefiningOp()->moveBefore(norm);
  replaceIn(norm, o, b);
  convert->erase();
  eraseIfUnused(o);
  return true;
}

struct ExecFusePass : public ptc::exec::impl::ExecFuseBase<ExecFusePass> {
  void runOnOperation() override {
    getOperation().walk([](func::FuncOp fn) {
      if (!fn->hasAttr("exec.entry") || !fn.getBody().hasOneBlock())
        return;
      // A rewrite may erase or move ops on either side: after each, scan
      // again from the top, until a whole scan changes nothing.
      Block &body = fn.front();
      for (bool changed = true; changed;) {
        changed = false;
        for (Operation &op : body) {
          auto launch = dyn_cast<LaunchOp>(&op);
          if (launch &&
              (fuseInPlace(launch) || fuseAccumulateIntoAddend(launch) ||
               fuseIntoAccumulator(launch) || fuseNormCast(launch))) {
            changed = true;
            break;
          }
        }
      }
    });
  }
};

} // namespace

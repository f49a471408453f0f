//===- Fuse.cpp - exec-fuse: fewer passes over memory, fewer buffers ------===//
//
// Peepholes on the straight-line body of each entry point. Each rewrite
// removes a pass over a buffer (a zero fill, a conversion, an add, an axpy)
// and usually the buffer itself; none changes what a kernel computes beyond
// rounding (a product that went through bf16 now stays f32). Each op is
// tried in program order and rewritten where it matches, in sweeps over the
// function until one changes nothing.
//
//===----------------------------------------------------------------------===//

#include "passes/Exec/BufferUsers.h"
#include "passes/Exec/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

#include <array>

namespace ptc::exec {
#define GEN_PASS_DEF_EXECFUSE
#include "passes/Exec/Passes.h.inc"
} // namespace ptc::exec

using namespace mlir;
using namespace ptc::exec;

namespace {

/// The ops that the rewrites of the current sweep removed. A rewrite may
/// remove ops that the sweep has yet to reach, so they are destroyed only
/// when the sweep ends: until then its list of ops can test them.
thread_local SmallVector<Operation *> *removedOps = nullptr;

/// Takes `op` (whose results are unused) out of its block and drops its
/// operands; destroyed at the end of the sweep. Erasing an op twice (a
/// rewrite's two names for one buffer) erases it once.
void erase(Operation *op) {
  if (!op->getBlock())
    return;
  assert(op->use_empty() && "erasing an op whose results are used");
  op->dropAllReferences();
  op->remove();
  removedOps->push_back(op);
}

bool isZeroFill(Operation *op, Value buffer) {
  auto fill = dyn_cast<FillOp>(op);
  return fill && fill.getBuffer() == buffer &&
         fill.getValue().convertToDouble() == 0.0;
}

/// Kernels named *_backward accumulate into the buffers they read and write
/// (runtime/cpu/kernels.h); so does layernorm_backward_copy (pattern 8),
/// which only adds a write-only copy.
bool accumulatesInto(Operation *op, Value buffer) {
  auto launch = dyn_cast<LaunchOp>(op);
  if (!launch || !(launch.getCallee().ends_with("_backward") ||
                   launch.getCallee() == "layernorm_backward_copy"))
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

bool isTransient(Value value) { return value.getDefiningOp<AllocOp>(); }

/// `add_forward(z, x, y)` of two operands of the same size (no broadcast).
bool isElementwiseAdd(LaunchOp add) {
  if (!add || add.getCallee() != "add_forward" || add.getBuffers().size() != 3)
    return false;
  auto args = add.getArgs();
  return args.size() == 2 && cast<IntegerAttr>(args[0]).getInt() ==
                                 cast<IntegerAttr>(args[1]).getInt();
}

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
    moveBeforeInBlock(ref, op);
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
      erase(def);
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
  erase(users[0]);
  d.replaceAllUsesWith(s);
  eraseIfUnused(d);
  return true;
}

/// 2. `fill(y, 0); k(y += ...); z = add(x, y)` with x dying at the add: k adds
///    into x, and z is x. Removes the fill, the add and two buffers.
bool fuseAccumulateIntoAddend(LaunchOp add) {
  if (!isElementwiseAdd(add))
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
    erase(fill);
    erase(add);
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
  erase(axpy);
  if (convert)
    erase(convert);
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
    erase(fill);
    erase(axpy);
    eraseIfUnused(f);
    return true;
  }

  // c. A sum of two contributions.
  if (users.size() == 2) {
    auto add = dyn_cast<LaunchOp>(users[0]);
    if (!isElementwiseAdd(add) || add.getBuffers()[0] != f)
      return false;
    Value x = add.getBuffers()[1], y = add.getBuffers()[2];
    if (!sameStorage(x, f) || !sameStorage(y, f))
      return false;
    OpBuilder builder(axpy);
    for (Value part : {x, y})
      LaunchOp::create(builder, axpy.getLoc(), "axpy", ValueRange{g, part},
                       {Access::readwrite, Access::read},
                       llvm::to_vector(axpy.getArgs()));
    erase(axpy);
    erase(add);
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
  moveBeforeInBlock(b.getDefiningOp(), norm);
  replaceIn(norm, o, b);
  erase(convert);
  eraseIfUnused(o);
  return true;
}

/// The f32 source of a bf16 buffer that a `convert` made from a global (a
/// parameter's bf16 copy), or null.
Value f32SourceOf(Value bf16) {
  SmallVector<Operation *> users = usersInOrder(bf16);
  if (users.empty())
    return {};
  auto convert = dyn_cast<LaunchOp>(users.front());
  if (!convert || convert.getCallee() != "convert" ||
      convert.getBuffers()[0] != bf16)
    return {};
  Value source = convert.getBuffers()[1];
  auto ref = source.getDefiningOp<GlobalRefOp>();
  if (!ref || !cast<MemRefType>(source.getType()).getElementType().isF32())
    return {};
  return source;
}

/// 5. A residual connection: `t = gemm(a, b, bias): bf16; f = convert(t): f32;
///    z = add_forward(x, f)` becomes one `gemm_bias_add(z, a, b, bias, x)`
///    (`gemm_add` without a bias): the f32 product plus the f32 bias is added
///    to x in the GEMM's epilogue (the bias read from its f32 parameter).
bool fuseResidualGemm(LaunchOp add) {
  if (!isElementwiseAdd(add))
    return false;
  Value z = add.getBuffers()[0];
  if (!isTransient(z) ||
      !cast<MemRefType>(z.getType()).getElementType().isF32())
    return false;
  for (int side : {0, 1}) {
    Value x = add.getBuffers()[1 + side], f = add.getBuffers()[2 - side];
    if (x == f || !isTransient(f) || !sameStorage(x, z) || !sameStorage(f, z))
      continue;
    SmallVector<Operation *> fUsers = usersInOrder(f);
    if (fUsers.size() != 2 || fUsers[1] != add)
      continue;
    auto convert = dyn_cast<LaunchOp>(fUsers[0]);
    if (!convert || convert.getCallee() != "convert" ||
        convert.getBuffers()[0] != f)
      continue;
    Value t = convert.getBuffers()[1];
    SmallVector<Operation *> tUsers = usersInOrder(t);
    if (!isTransient(t) || tUsers.size() != 2 || tUsers[1] != convert)
      continue;
    auto gemm = dyn_cast<GemmOp>(tUsers[0]);
    if (!gemm || gemm.getOut() != t || gemm.getAccumulate() ||
        gemm.getBatch() != 1 ||
        !gemm.getA().getType().getElementType().isBF16() ||
        (gemm.getEpilogue() != GemmEpilogue::none &&
         gemm.getEpilogue() != GemmEpilogue::bias))
      continue;
    int64_t m = gemm.getM(), n = gemm.getN(), k = gemm.getK();
    auto packed = [](int64_t stride, int64_t size) {
      return stride == 0 || stride == size;
    };
    if (!packed(gemm.getStrideA(), m * k) ||
        !packed(gemm.getStrideB(), k * n) ||
        !packed(gemm.getStrideOut(), m * n))
      continue;
    Value bias;
    if (gemm.getBias()) {
      bias = f32SourceOf(gemm.getBias());
      if (!bias)
        continue;
    }
    // x must be complete at the gemm and not change until the add.
    Operation *xDef = x.getDefiningOp();
    if (xDef && !xDef->isBeforeInBlock(gemm))
      continue;
    bool xWritten = false;
    for (Operation *op = gemm->getNextNode(); op && op != add;
         op = op->getNextNode())
      if (llvm::is_contained(op->getOperands(), x) && !isa<LaunchOp>(op))
        xWritten = true;
      else if (auto launch = dyn_cast<LaunchOp>(op))
        for (auto [i, operand] : llvm::enumerate(launch.getBuffers()))
          if (operand == x && launch.getAccessMode(i) != Access::read)
            xWritten = true;
    if (xWritten)
      continue;
    OpBuilder builder(gemm);
    moveBeforeInBlock(z.getDefiningOp(), gemm);
    SmallVector<Value> buffers = {z, gemm.getA(), gemm.getB()};
    if (bias) {
      Value ref = globalBefore(bias.getDefiningOp<GlobalRefOp>(), gemm);
      buffers.push_back(ref);
    }
    buffers.push_back(x);
    SmallVector<Access> access(buffers.size(), Access::read);
    access[0] = Access::write;
    SmallVector<Attribute> launchArgs = {
        builder.getI64IntegerAttr(m), builder.getI64IntegerAttr(n),
        builder.getI64IntegerAttr(k),
        builder.getI64IntegerAttr(gemm.getTransposeA() ? 1 : 0),
        builder.getI64IntegerAttr(gemm.getTransposeB() ? 1 : 0)};
    Value oldBias = gemm.getBias();
    LaunchOp::create(builder, gemm.getLoc(),
                     bias ? "gemm_bias_add" : "gemm_add", buffers, access,
                     launchArgs);
    erase(add);
    erase(convert);
    erase(gemm);
    eraseIfUnused(f);
    eraseIfUnused(t);
    // The bf16 copy of the bias and its conversion, when nothing else
    // reads them.
    if (oldBias) {
      SmallVector<Operation *> users = usersInOrder(oldBias);
      if (users.size() == 1) {
        erase(users[0]);
        eraseIfUnused(oldBias);
      }
    }
    return true;
  }
  return false;
}

/// 6. `f = convert(t)` (bf16 to f32) read only by a `layernorm_backward` as
///    its output gradient: the kernel reads t (its mixed overload).
bool fuseNormBackwardCast(LaunchOp norm) {
  if (norm.getCallee() != "layernorm_backward" || norm.getBuffers().size() != 8)
    return false;
  Value f = norm.getBuffers()[3];
  SmallVector<Operation *> users = usersInOrder(f);
  if (!isTransient(f) || users.size() != 2 || users[1] != norm)
    return false;
  for (auto [i, operand] : llvm::enumerate(norm.getBuffers()))
    if (operand == f && i != 3)
      return false;
  auto convert = dyn_cast<LaunchOp>(users[0]);
  if (!convert || convert.getCallee() != "convert" ||
      convert.getBuffers()[0] != f)
    return false;
  Value t = convert.getBuffers()[1];
  auto elementOf = [](Value v) {
    return cast<MemRefType>(v.getType()).getElementType();
  };
  if (!elementOf(t).isBF16() || !elementOf(f).isF32() ||
      !elementOf(norm.getBuffers()[4]).isF32() ||
      !elementOf(norm.getBuffers()[0]).isF32())
    return false;
  // t must hold the same values at the norm as at the conversion.
  for (Operation *user : t.getUsers()) {
    if (!convert->isBeforeInBlock(user) || !user->isBeforeInBlock(norm))
      continue;
    if (auto launch = dyn_cast<LaunchOp>(user)) {
      for (auto [i, operand] : llvm::enumerate(launch.getBuffers()))
        if (operand == t && launch.getAccessMode(i) != Access::read)
          return false;
    } else if (!isa<GemmOp>(user) || cast<GemmOp>(user).getOut() == t) {
      return false;
    }
  }
  replaceIn(norm, f, t);
  erase(convert);
  eraseIfUnused(f);
  return true;
}

int64_t intArg(LaunchOp launch, unsigned i) {
  return cast<IntegerAttr>(launch.getArgs()[i]).getInt();
}

/// The access of `buffer` in `launch` (its first occurrence).
Access accessOf(LaunchOp launch, Value buffer) {
  for (auto [i, operand] : llvm::enumerate(launch.getBuffers()))
    if (operand == buffer)
      return launch.getAccessMode(i);
  return Access::read;
}

/// Whether an op strictly between `from` and `to` may write `buffer`.
bool writtenBetween(Value buffer, Operation *from, Operation *to) {
  for (Operation *user : buffer.getUsers()) {
    if (!from->isBeforeInBlock(user) || !user->isBeforeInBlock(to))
      continue;
    auto launch = dyn_cast<LaunchOp>(user);
    if (!launch || accessOf(launch, buffer) != Access::read)
      return true;
    for (auto [i, operand] : llvm::enumerate(launch.getBuffers()))
      if (operand == buffer && launch.getAccessMode(i) != Access::read)
        return true;
  }
  return false;
}

/// 7. A permute next to a copy_rows becomes one permute_view:
///    a. `copy_rows(x <- s)` filling all of x, then `permute(y <- x)`, x read
///       by nothing else (a head split out of a fused QKV product);
///    b. `permute(y <- s)`, then `copy_rows(d <- y)` reading all of y, y read
///       by nothing else (head gradients into their slice of the fused
///       gradient).
bool fusePermuteRows(LaunchOp launch) {
  auto isCopyRows = [](LaunchOp op) {
    return op && op.getCallee() == "copy_rows" && op.getBuffers().size() == 2 &&
           op.getArgs().size() == 6;
  };
  auto isPermute = [](LaunchOp op) {
    return op && op.getCallee() == "permute" && op.getBuffers().size() == 2 &&
           op.getArgs().size() == 13;
  };
  auto numel = [](Value v) {
    return cast<MemRefType>(v.getType()).getNumElements();
  };
  auto build = [&](LaunchOp permute, Operation *at, Value out, Value in,
                   Access outAccess, std::array<int64_t, 6> view) {
    OpBuilder builder(at);
    SmallVector<Attribute> args(permute.getArgs().begin(),
                                permute.getArgs().end());
    for (int64_t v : view)
      args.push_back(builder.getI64IntegerAttr(v));
    LaunchOp::create(builder, permute.getLoc(), "permute_view",
                     ValueRange{out, in}, {outAccess, Access::read}, args);
  };
  // a.
  if (isPermute(launch)) {
    Value y = launch.getBuffers()[0], x = launch.getBuffers()[1];
    SmallVector<Operation *> users = usersInOrder(x);
    if (isTransient(x) && users.size() == 2 && users[1] == launch) {
      auto copy = dyn_cast<LaunchOp>(users[0]);
      if (isCopyRows(copy) && copy.getBuffers()[0] == x &&
          accessOf(copy, x) == Access::write) {
        int64_t rows = intArg(copy, 0), len = intArg(copy, 1);
        Value s = copy.getBuffers()[1];
        if (intArg(copy, 2) == len && intArg(copy, 3) == 0 &&
            rows * len == numel(x) && !writtenBetween(s, copy, launch)) {
          build(launch, launch, y, s, Access::write,
                {len, intArg(copy, 4), intArg(copy, 5), numel(y), numel(y), 0});
          erase(launch);
          erase(copy);
          eraseIfUnused(x);
          return true;
        }
      }
    }
  }
  // b.
  if (isCopyRows(launch)) {
    Value d = launch.getBuffers()[0], y = launch.getBuffers()[1];
    SmallVector<Operation *> users = usersInOrder(y);
    if (isTransient(y) && users.size() == 2 && users[1] == launch) {
      auto permute = dyn_cast<LaunchOp>(users[0]);
      if (isPermute(permute) && permute.getBuffers()[0] == y) {
        int64_t rows = intArg(launch, 0), len = intArg(launch, 1);
        Value s = permute.getBuffers()[1];
        if (intArg(launch, 4) == len && intArg(launch, 5) == 0 &&
            rows * len == numel(y) && !writtenBetween(s, permute, launch)) {
          build(permute, launch, d, s, accessOf(launch, d),
                {numel(s), numel(s), 0, len, intArg(launch, 2),
                 intArg(launch, 3)});
          erase(launch);
          erase(permute);
          eraseIfUnused(y);
          return true;
        }
      }
    }
  }
  return false;
}

/// 8. `b = convert(d)` (f32 to bf16) where the last writer of d is a
///    `layernorm_backward` with a bf16 output gradient and nothing writes d
///    in between: the norm's backward writes b too
///    (`layernorm_backward_copy`), which saves the conversion's pass.
bool fuseNormBackwardCopy(LaunchOp convert) {
  if (convert.getCallee() != "convert" || convert.getBuffers().size() != 2)
    return false;
  Value b = convert.getBuffers()[0], d = convert.getBuffers()[1];
  auto elementOf = [](Value v) {
    return cast<MemRefType>(v.getType()).getElementType();
  };
  if (!isTransient(b) || !elementOf(b).isBF16() || !elementOf(d).isF32() ||
      cast<MemRefType>(b.getType()).getNumElements() !=
          cast<MemRefType>(d.getType()).getNumElements())
    return false;
  SmallVector<Operation *> bUsers = usersInOrder(b);
  if (bUsers.empty() || bUsers[0] != convert)
    return false;
  LaunchOp norm;
  SmallVector<Operation *> dUsers = usersInOrder(d);
  for (Operation *user : llvm::reverse(dUsers)) {
    if (!user->isBeforeInBlock(convert))
      continue;
    auto launch = dyn_cast<LaunchOp>(user);
    if (!launch)
      return false;
    if (accessOf(launch, d) == Access::read) {
      bool writes = false;
      for (auto [i, operand] : llvm::enumerate(launch.getBuffers()))
        writes |= operand == d && launch.getAccessMode(i) != Access::read;
      if (!writes)
        continue;
    }
    norm = launch;
    break;
  }
  if (!norm || norm.getCallee() != "layernorm_backward" ||
      norm.getBuffers().size() != 8 || norm.getBuffers()[0] != d ||
      !elementOf(norm.getBuffers()[3]).isBF16())
    return false;
  for (auto [i, operand] : llvm::enumerate(norm.getBuffers()))
    if (operand == d && i != 0)
      return false;
  moveBeforeInBlock(b.getDefiningOp(), norm);
  OpBuilder builder(norm);
  SmallVector<Value> buffers(norm.getBuffers().begin(),
                             norm.getBuffers().end());
  buffers.insert(buffers.begin() + 1, b);
  SmallVector<Access> access;
  for (unsigned i = 0; i < norm.getBuffers().size(); ++i)
    access.push_back(norm.getAccessMode(i));
  access.insert(access.begin() + 1, Access::write);
  LaunchOp::create(builder, norm.getLoc(), "layernorm_backward_copy", buffers,
                   access, llvm::to_vector(norm.getArgs()));
  erase(norm);
  erase(convert);
  return true;
}

bool fuseAt(LaunchOp launch) {
  return fuseInPlace(launch) || fuseAccumulateIntoAddend(launch) ||
         fuseIntoAccumulator(launch) || fuseNormCast(launch) ||
         fuseResidualGemm(launch) || fuseNormBackwardCast(launch) ||
         fusePermuteRows(launch) || fuseNormBackwardCopy(launch);
}

/// One pass over the ops that `body` holds when it starts, in program
/// order; whether anything changed. An op is tried again after each of its
/// rewrites; ops created by a rewrite wait for the next sweep.
bool sweep(Block &body) {
  SmallVector<Operation *> removed;
  removedOps = &removed;
  SmallVector<Operation *> ops =
      llvm::to_vector(llvm::make_pointer_range(body.getOperations()));
  bool changed = false;
  for (Operation *op : ops)
    while (op->getBlock()) {
      auto launch = dyn_cast<LaunchOp>(op);
      if (!launch || !fuseAt(launch))
        break;
      changed = true;
    }
  for (Operation *op : removed)
    op->destroy();
  removedOps = nullptr;
  return changed;
}

struct ExecFusePass : public ptc::exec::impl::ExecFuseBase<ExecFusePass> {
  void runOnOperation() override {
    getOperation().walk([](func::FuncOp fn) {
      if (!fn->hasAttr("exec.entry") || !fn.getBody().hasOneBlock())
        return;
      // Rewrites at different ops commute (each touches only the buffers
      // its match named), so sweeping in program order reaches the fixed
      // point that restarting from the top after every rewrite reached, in
      // time linear in the function rather than quadratic; a rewrite can
      // still enable an op the sweep has passed, so sweeps repeat until one
      // changes nothing.
      Block &body = fn.front();
      while (sweep(body)) {
      }
    });
  }
};

} // namespace

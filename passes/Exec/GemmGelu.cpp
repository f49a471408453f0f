//===- GemmGelu.cpp - exec-gemm-gelu: GELU in the GEMM's epilogue ---------===//
//
// A transformer MLP's GELU sits between two GEMMs, and the lowering gives it
// kernels of its own: in the forward `h = gemm(x, w, bias)` then
// `g = gelu_forward(h)`, in the backward `dh = gemm(dy, w)`, the in-place
// `gelu_backward(dh, h, dh)` and, after the weight gradient's GEMMs,
// `db = reduce_leading(dh)`. cuBLASLt applies GELU (the tanh approximation)
// and its gradient in the GEMM's epilogue, so each group becomes one launch
// of the kernel library at the GEMM's place:
//
//   gemm_bias_gelu_aux(g, h, x, w, bias)   h still read later (the backward)
//   gemm_bias_gelu(g, x, w, bias)          h read by nothing else (eval)
//   gemm_dgelu_bgrad(dh, db, dy, w, h)
//
// Every decision is taken on the IR as it stands: the candidates (GEMMs) are
// gathered first, then each is matched and rewritten in turn, so an earlier
// rewrite is seen by a later match.
//
//===----------------------------------------------------------------------===//

#include "passes/Exec/BufferUsers.h"
#include "passes/Exec/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace ptc::exec {
#define GEN_PASS_DEF_EXECGEMMGELU
#include "passes/Exec/Passes.h.inc"
} // namespace ptc::exec

using namespace mlir;
using namespace ptc::exec;

namespace {

bool isAlloc(Value value) { return value && value.getDefiningOp<AllocOp>(); }

Type elementOf(Value value) {
  return cast<MemRefType>(value.getType()).getElementType();
}

int64_t numel(Value value) {
  return cast<MemRefType>(value.getType()).getNumElements();
}

int64_t intArg(LaunchOp launch, unsigned i) {
  auto attr = dyn_cast<IntegerAttr>(launch.getArgs()[i]);
  return attr ? attr.getInt() : -1;
}

/// Whether `op` may write `buffer`, by its memory effects (which follow a
/// launch's access list); an op that declares none may.
bool writes(Operation *op, Value buffer) {
  auto iface = dyn_cast<MemoryEffectOpInterface>(op);
  if (!iface)
    return true;
  SmallVector<MemoryEffects::EffectInstance> effects;
  iface.getEffectsOnValue(buffer, effects);
  return llvm::any_of(effects, [](const MemoryEffects::EffectInstance &e) {
    return isa<MemoryEffects::Write>(e.getEffect());
  });
}

/// Whether an op strictly between `from` and `to` uses `buffer` at all
/// (`writesOnly`: writes it).
bool usedBetween(Value buffer, Operation *from, Operation *to,
                 bool writesOnly = false) {
  for (Operation *user : buffer.getUsers())
    if (from->isBeforeInBlock(user) && user->isBeforeInBlock(to) &&
        (!writesOnly || writes(user, buffer)))
      return true;
  return false;
}

/// The first user of `buffer` after `op`, or null.
Operation *nextUser(Value buffer, Operation *op) {
  Operation *next = nullptr;
  for (Operation *user : buffer.getUsers())
    if (op->isBeforeInBlock(user) && (!next || user->isBeforeInBlock(next)))
      next = user;
  return next;
}

/// A GEMM the epilogue can take: one packed product, alpha 1, overwriting,
/// on the default stream, operands and output of one element type.
bool isPlainGemm(GemmOp gemm) {
  int64_t m = gemm.getM(), n = gemm.getN(), k = gemm.getK();
  auto packed = [](int64_t stride, int64_t size) {
    return stride == 0 || stride == size;
  };
  Type type = elementOf(gemm.getOut());
  return gemm.getBatch() == 1 && !gemm.getAccumulate() && !gemm.getStream() &&
         gemm.getAlpha().convertToDouble() == 1.0 &&
         packed(gemm.getStrideA(), m * k) && packed(gemm.getStrideB(), k * n) &&
         packed(gemm.getStrideOut(), m * n) && isAlloc(gemm.getOut()) &&
         numel(gemm.getOut()) == m * n && elementOf(gemm.getA()) == type &&
         elementOf(gemm.getB()) == type &&
         (!gemm.getBias() || elementOf(gemm.getBias()) == type);
}

/// `callee`(buffers...) on the default stream whose i-th buffer is `buffer`
/// with access `mode`, and no other buffer is `buffer`'s SSA value unless
/// listed in `alsoAt`.
bool passesAt(LaunchOp launch, Value buffer, unsigned i, Access mode,
              ArrayRef<unsigned> alsoAt = {}) {
  for (auto [j, operand] : llvm::enumerate(launch.getBuffers())) {
    if (operand != buffer)
      continue;
    if (j != i && !llvm::is_contained(alsoAt, j))
      return false;
  }
  return launch.getBuffers().size() > i && launch.getBuffers()[i] == buffer &&
         launch.getAccessMode(i) == mode;
}

/// GELU with the tanh approximation over `count` elements: what cuBLASLt's
/// epilogue computes.
bool isTanhGelu(LaunchOp launch, StringRef callee, size_t buffers,
                int64_t count) {
  return launch && launch.getCallee() == callee && !launch.getStream() &&
         launch.getBuffers().size() == buffers &&
         launch.getArgs().size() == 2 && intArg(launch, 0) == count &&
         intArg(launch, 1) == 1;
}

SmallVector<Attribute> shapeArgs(OpBuilder &builder, GemmOp gemm) {
  return {builder.getI64IntegerAttr(gemm.getM()),
          builder.getI64IntegerAttr(gemm.getN()),
          builder.getI64IntegerAttr(gemm.getK()),
          builder.getI64IntegerAttr(gemm.getTransposeA() ? 1 : 0),
          builder.getI64IntegerAttr(gemm.getTransposeB() ? 1 : 0)};
}

/// The forward: `h = gemm(a, b, bias)` then `gelu_forward(g, h)`, h's next
/// user, with g an alloc of h's size and element type that nothing uses in
/// between and that the GEMM does not read. Becomes `gemm_bias_gelu_aux(g, h,
/// a, b, bias)` at the GEMM, or `gemm_bias_gelu(g, a, b, bias)` when nothing
/// else reads h.
bool fuseForward(GemmOp gemm) {
  if (!isPlainGemm(gemm) || gemm.getEpilogue() != GemmEpilogue::bias ||
      !gemm.getBias())
    return false;
  Value h = gemm.getOut();
  auto gelu = dyn_cast_or_null<LaunchOp>(nextUser(h, gemm));
  if (!isTanhGelu(gelu, "gelu_forward", 2, numel(h)) ||
      !passesAt(gelu, h, 1, Access::read))
    return false;
  Value g = gelu.getBuffers()[0];
  if (!isAlloc(g) || elementOf(g) != elementOf(h) || numel(g) != numel(h) ||
      !passesAt(gelu, g, 0, Access::write) ||
      llvm::is_contained(gemm->getOperands(), g) || usedBetween(g, gemm, gelu))
    return false;

  bool keepAux = llvm::any_of(h.getUsers(), [&](Operation *user) {
    return user != gemm && user != gelu.getOperation();
  });
  Operation *gDef = g.getDefiningOp();
  if (!gDef->isBeforeInBlock(gemm))
    moveBeforeInBlock(gDef, gemm);
  OpBuilder builder(gemm);
  SmallVector<Value> buffers = {g};
  SmallVector<Access> access = {Access::write};
  if (keepAux) {
    buffers.push_back(h);
    access.push_back(Access::write);
  }
  buffers.append({gemm.getA(), gemm.getB(), gemm.getBias()});
  access.append(3, Access::read);
  LaunchOp::create(builder, gemm.getLoc(),
                   keepAux ? "gemm_bias_gelu_aux" : "gemm_bias_gelu", buffers,
                   access, shapeArgs(builder, gemm));
  gelu->erase();
  gemm->erase();
  if (!keepAux && h.use_empty())
    h.getDefiningOp()->erase();
  return true;
}

/// The backward: `dh = gemm(a, b)`, then (dh's next user)
/// `gelu_backward(dh, x, dh)` in place, with x unwritten since the GEMM,
/// then (the next op that writes dh or reads it as anything but a GEMM
/// operand) `reduce_leading(db, dh)` over dh's rows, db an alloc that
/// nothing uses from the GEMM on. Becomes `gemm_dgelu_bgrad(dh, db, a, b, x)`
/// at the GEMM; db's alloc moves before it.
bool fuseBackward(GemmOp gemm) {
  if (!isPlainGemm(gemm) || gemm.getEpilogue() != GemmEpilogue::none ||
      gemm.getBias())
    return false;
  Value dh = gemm.getOut();
  if (dh == gemm.getA() || dh == gemm.getB())
    return false;
  auto gelu = dyn_cast_or_null<LaunchOp>(nextUser(dh, gemm));
  if (!isTanhGelu(gelu, "gelu_backward", 3, numel(dh)) ||
      !passesAt(gelu, dh, 0, Access::readwrite, {2}) ||
      gelu.getBuffers()[2] != dh || gelu.getAccessMode(2) != Access::read)
    return false;
  Value x = gelu.getBuffers()[1];
  if (!isAlloc(x) || x == dh || elementOf(x) != elementOf(dh) ||
      numel(x) != numel(dh) || usedBetween(x, gemm, gelu, /*writesOnly=*/true))
    return false;

  // The column sums: between the gradient and them, dh may only be read.
  LaunchOp reduce;
  for (Operation *user = nextUser(dh, gelu); user; user = nextUser(dh, user)) {
    auto launch = dyn_cast<LaunchOp>(user);
    if (launch && launch.getCallee() == "reduce_leading") {
      reduce = launch;
      break;
    }
    if (writes(user, dh))
      return false;
  }
  if (!reduce || reduce.getStream() || reduce.getBuffers().size() != 2 ||
      !passesAt(reduce, dh, 1, Access::read) || reduce.getArgs().size() != 2 ||
      intArg(reduce, 0) != int64_t(gemm.getM()) ||
      intArg(reduce, 1) != int64_t(gemm.getN()))
    return false;
  Value db = reduce.getBuffers()[0];
  if (!isAlloc(db) || elementOf(db) != elementOf(dh) ||
      numel(db) != int64_t(gemm.getN()) ||
      !passesAt(reduce, db, 0, Access::write) ||
      llvm::is_contained(gemm->getOperands(), db) || db == x ||
      usedBetween(db, gemm, reduce))
    return false;

  Operation *dbDef = db.getDefiningOp();
  if (!dbDef->isBeforeInBlock(gemm))
    moveBeforeInBlock(dbDef, gemm);
  OpBuilder builder(gemm);
  LaunchOp::create(
      builder, gemm.getLoc(), "gemm_dgelu_bgrad",
      ValueRange{dh, db, gemm.getA(), gemm.getB(), x},
      {Access::write, Access::write, Access::read, Access::read, Access::read},
      shapeArgs(builder, gemm));
  reduce->erase();
  gelu->erase();
  gemm->erase();
  return true;
}

struct ExecGemmGeluPass
    : public ptc::exec::impl::ExecGemmGeluBase<ExecGemmGeluPass> {
  void runOnOperation() override {
    getOperation().walk([](func::FuncOp fn) {
      if (!fn->hasAttr("exec.entry") || !fn.getBody().hasOneBlock())
        return;
      SmallVector<GemmOp> gemms;
      fn.walk([&](GemmOp gemm) { gemms.push_back(gemm); });
      for (GemmOp gemm : gemms)
        if (!fuseForward(gemm))
          fuseBackward(gemm);
    });
  }
};

} // namespace

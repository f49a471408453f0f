//===- PersistWeightCopies.cpp - exec-persist-weight-copies ---------------===//
//
// The bf16 copies of the weights as state refreshed once per optimizer step
// instead of conversions in every micro-step; see Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/Exec/Passes.h"
#include "passes/Exec/ZeroOne.h"

#include "dialects/Exec/IR/ExecOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/MapVector.h"

namespace ptc::exec {
#define GEN_PASS_DEF_EXECPERSISTWEIGHTCOPIES
#include "passes/Exec/Passes.h.inc"
} // namespace ptc::exec

using namespace mlir;
using namespace ptc;
using namespace ptc::exec;

namespace {

/// `convert(out, ref)`: `ref` (a read of `param`) converted into a transient
/// buffer of the parameter's shape.
bool isCopyableConvert(LaunchOp launch, GlobalRefOp ref, GlobalOp param) {
  if (launch.getCallee() != "convert" || launch.getBuffers().size() != 2 ||
      launch.getStream() || launch.getBuffers()[1] != ref.getResult())
    return false;
  auto out = launch.getBuffers()[0].getDefiningOp<AllocOp>();
  return out && !out.getArena() &&
         out.getMemRefType().getShape() == param.getMemRefType().getShape();
}

MemRefType launchOutType(LaunchOp launch) {
  return cast<MemRefType>(launch.getBuffers()[0].getType());
}

/// Whether entry point `fn` may write one of `params`: a user of a
/// reference to one declares a write of it, or declares nothing (a view
/// whose writes this cannot follow). The micro-steps, the evaluation step
/// and every pipeline chunk's forward and backward only read the weights;
/// init_params and optimizer_step write them.
bool writesParameters(func::FuncOp fn,
                      const DenseMap<StringAttr, GlobalOp> &params) {
  auto written = fn.walk([&](GlobalRefOp ref) {
    if (!params.count(ref.getGlobalAttr().getAttr()))
      return WalkResult::advance();
    for (Operation *user : ref->getUsers()) {
      auto effects = dyn_cast<MemoryEffectOpInterface>(user);
      if (!effects)
        return WalkResult::interrupt();
      SmallVector<MemoryEffects::EffectInstance> onRef;
      effects.getEffectsOnValue(ref.getResult(), onRef);
      for (const MemoryEffects::EffectInstance &effect : onRef)
        if (isa<MemoryEffects::Write>(effect.getEffect()))
          return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return written.wasInterrupted();
}

struct ExecPersistWeightCopiesPass
    : public ptc::exec::impl::ExecPersistWeightCopiesBase<
          ExecPersistWeightCopiesPass> {
  using ExecPersistWeightCopiesBase::ExecPersistWeightCopiesBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto training = ptc::graph::TrainingAttr::lookup(module);
    // ZeRO-1 shards the f32 masters of the weights the micro-steps read
    // only through copies (exec-shard-master-weights): it needs the copies
    // of those weights, whatever keep_bf16_weights says.
    bool zero = isZeroOneModule(module);
    bool keepAll = force || (training && training.getKeepBf16Weights());
    if (!keepAll && !zero)
      return;
    DenseMap<StringAttr, GlobalOp> params;
    for (auto global : module.getOps<GlobalOp>())
      if (auto arena = module.lookupSymbol<ArenaOp>(global.getArena());
          arena && arena.getKind() == ArenaKind::parameters &&
          !global.getIo() && !global->hasAttr("exec.copy_of"))
        params[global.getSymNameAttr()] = global;

    // Every reference to a parameter in an entry point that only reads the
    // weights: a conversion `convert(out, param)` into a transient buffer
    // of the parameter's shape (replaced by a copy of that element type),
    // or a direct read.
    llvm::MapVector<GlobalOp, SmallVector<LaunchOp>> convertsOf;
    llvm::MapVector<GlobalOp, SmallVector<GlobalRefOp>> directReadsOf;
    for (auto fn : module.getOps<func::FuncOp>()) {
      if (!fn->hasAttr("exec.entry") || writesParameters(fn, params))
        continue;
      fn.walk([&](GlobalRefOp ref) {
        GlobalOp param = params.lookup(ref.getGlobalAttr().getAttr());
        if (!param)
          return;
        bool direct = false;
        for (Operation *user : ref->getUsers()) {
          auto launch = dyn_cast<LaunchOp>(user);
          if (launch && isCopyableConvert(launch, ref, param))
            convertsOf[param].push_back(launch);
          else
            direct = true;
        }
        if (direct)
          directReadsOf[param].push_back(ref);
      });
    }

    // Which parameters get copies: with keep_bf16_weights (or force), every
    // converted one; for ZeRO-1 alone, the ones whose every read can go
    // through a copy (same-type: the direct reads too, through a whole
    // copy of the same element type), since only those can be sharded.
    SmallVector<LaunchOp> converts;
    SmallVector<std::pair<GlobalRefOp, GlobalOp>> redirects; // read, param
    DenseSet<Operation *> redirected;
    llvm::MapVector<std::pair<GlobalOp, Type>, GlobalOp> copies;
    for (auto &[param, launches] : convertsOf) {
      bool sharded = zero && param->hasAttr("dist.zero_chunk") &&
                     (!directReadsOf.count(param) || sameType);
      if (!keepAll && !sharded)
        continue;
      for (LaunchOp launch : launches) {
        converts.push_back(launch);
        copies.insert({{param, launchOutType(launch).getElementType()}, {}});
      }
    }
    if (zero && sameType)
      for (auto &[param, reads] : directReadsOf) {
        if (!param->hasAttr("dist.zero_chunk"))
          continue;
        Type element = param.getMemRefType().getElementType();
        copies.insert({{param, element}, {}});
        for (GlobalRefOp read : reads) {
          redirects.push_back({read, param});
          redirected.insert(read);
        }
      }
    if (copies.empty())
      return;

    // The copies, in the parameters' arena after every other global, in
    // the parameters' order so that exec-coalesce can refresh them in one
    // launch (the emitter leaves them out of the parameter table:
    // exec.copy_of).
    DenseMap<Operation *, unsigned> order;
    for (auto global : module.getOps<GlobalOp>())
      order[global] = order.size();
    auto sorted = copies.takeVector();
    llvm::stable_sort(sorted, [&](const auto &a, const auto &b) {
      return order.lookup(a.first.first) < order.lookup(b.first.first);
    });
    for (auto &entry : sorted)
      copies.insert(entry);
    OpBuilder top(module.getContext());
    GlobalOp last;
    for (auto global : module.getOps<GlobalOp>())
      last = global;
    top.setInsertionPointAfter(last);
    for (auto &[key, copy] : copies) {
      auto [param, element] = key;
      auto type = MemRefType::get(param.getMemRefType().getShape(), element);
      // A whole copy of the same element type stands in for a sharded
      // master; the others are what the products compute with.
      StringRef suffix = element == param.getMemRefType().getElementType()
                             ? ".whole"
                             : ".compute";
      copy = GlobalOp::create(top, param.getLoc(),
                              (param.getSymName() + suffix).str(),
                              param.getArena(), type);
      copy->setAttr("exec.copy_of", FlatSymbolRefAttr::get(param));
    }

    // Every conversion's buffer becomes the copy.
    for (LaunchOp launch : converts) {
      auto out = launch.getBuffers()[0].getDefiningOp<AllocOp>();
      auto param = params.lookup(launch.getBuffers()[1]
                                     .getDefiningOp<GlobalRefOp>()
                                     .getGlobalAttr()
                                     .getAttr());
      GlobalOp copy =
          copies.lookup({param, out.getMemRefType().getElementType()});
      OpBuilder builder(out);
      Value ref = GlobalRefOp::create(builder, out.getLoc(), copy);
      out.getResult().replaceAllUsesWith(ref);
      Operation *read = launch.getBuffers()[1].getDefiningOp();
      launch.erase();
      if (out->use_empty())
        out.erase();
      if (read->use_empty() && !redirected.contains(read))
        read->erase();
    }
    for (auto [read, param] : redirects) {
      GlobalOp copy =
          copies.lookup({param, param.getMemRefType().getElementType()});
      read.setGlobalAttr(FlatSymbolRefAttr::get(copy));
    }

    // The refreshes: at the end of init_params and optimizer_step (after
    // every update of the parameters), and as an entry point of their own
    // for the runtime to call after it has loaded weights from a file.
    for (auto fn : llvm::to_vector(module.getOps<func::FuncOp>())) {
      auto entry = fn->getAttrOfType<StringAttr>("exec.entry");
      if (entry && (entry.getValue() == "init_params" ||
                    entry.getValue() == "optimizer_step"))
        refresh(fn.front().getTerminator(), copies);
    }
    OpBuilder builder = OpBuilder::atBlockEnd(module.getBody());
    auto fn =
        func::FuncOp::create(builder, module.getLoc(), "refresh_weight_copies",
                             builder.getFunctionType({}, {}));
    fn->setAttr("exec.entry", builder.getStringAttr("refresh_weight_copies"));
    OpBuilder body = OpBuilder::atBlockEnd(fn.addEntryBlock());
    refresh(func::ReturnOp::create(body, module.getLoc()), copies);
  }

  /// copy = convert(param) for every copy (a plain copy where the element
  /// types agree), before `before`.
  void
  refresh(Operation *before,
          const llvm::MapVector<std::pair<GlobalOp, Type>, GlobalOp> &copies) {
    OpBuilder builder(before);
    for (auto [key, copy] : copies) {
      GlobalOp param = key.first;
      Value out = GlobalRefOp::create(builder, before->getLoc(), copy);
      Value in = GlobalRefOp::create(builder, before->getLoc(), param);
      bool same = copy.getMemRefType().getElementType() ==
                  param.getMemRefType().getElementType();
      LaunchOp::create(
          builder, before->getLoc(), same ? "copy" : "convert",
          ValueRange{out, in}, {Access::write, Access::read},
          {builder.getI64IntegerAttr(param.getMemRefType().getNumElements())});
    }
  }
};

} // namespace

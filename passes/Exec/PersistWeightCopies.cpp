//===- PersistWeightCopies.cpp - exec-persist-weight-copies ---------------===//
//
// The bf16 copies of the weights as state refreshed once per optimizer step
// instead of conversions in every micro-step; see Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/Exec/Passes.h"

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

/// The entry points that read the weights and never write them.
bool readsWeightsOnly(StringRef entry) {
  return entry == "micro_step" || entry == "last_micro_step" ||
         entry == "eval_step";
}

struct ExecPersistWeightCopiesPass
    : public ptc::exec::impl::ExecPersistWeightCopiesBase<
          ExecPersistWeightCopiesPass> {
  using ExecPersistWeightCopiesBase::ExecPersistWeightCopiesBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto training = module->getAttrOfType<DictionaryAttr>("ptc.training");
    auto keep = training ? training.getAs<BoolAttr>("keep_bf16_weights")
                         : BoolAttr();
    if (!force && !(keep && keep.getValue()))
      return;
    DenseMap<StringAttr, GlobalOp> params;
    for (auto global : module.getOps<GlobalOp>())
      if (auto arena = module.lookupSymbol<ArenaOp>(global.getArena());
          arena && arena.getKind() == ArenaKind::parameters && !global.getIo())
        params[global.getSymNameAttr()] = global;

    // The conversions to replace: `convert(out, param)` into a transient
    // buffer of the parameter's shape, in an entry point that only reads
    // the weights. Copies are made for every (parameter, element type).
    SmallVector<LaunchOp> converts;
    llvm::MapVector<std::pair<GlobalOp, Type>, GlobalOp> copies;
    for (auto fn : module.getOps<func::FuncOp>()) {
      auto entry = fn->getAttrOfType<StringAttr>("exec.entry");
      if (!entry || !readsWeightsOnly(entry.getValue()))
        continue;
      fn.walk([&](LaunchOp launch) {
        if (launch.getCallee() != "convert" || launch.getBuffers().size() != 2 ||
            launch.getStream())
          return;
        auto ref = launch.getBuffers()[1].getDefiningOp<GlobalRefOp>();
        auto out = launch.getBuffers()[0].getDefiningOp<AllocOp>();
        GlobalOp param = ref ? params.lookup(ref.getGlobalAttr().getAttr())
                             : GlobalOp();
        if (!param || !out || out.getArena() ||
            out.getMemRefType().getShape() != param.getMemRefType().getShape())
          return;
        converts.push_back(launch);
        copies.insert({{param, out.getMemRefType().getElementType()}, {}});
      });
    }
    if (converts.empty())
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
      copy = GlobalOp::create(top, param.getLoc(),
                              (param.getSymName() + ".compute").str(),
                              param.getArena(), type);
      copy->setAttr("exec.copy_of", FlatSymbolRefAttr::get(param));
    }

    // Every conversion's buffer becomes the copy.
    for (LaunchOp launch : converts) {
      auto out = launch.getBuffers()[0].getDefiningOp<AllocOp>();
      auto param = params.lookup(
          launch.getBuffers()[1].getDefiningOp<GlobalRefOp>().getGlobalAttr()
              .getAttr());
      GlobalOp copy = copies.lookup({param, out.getMemRefType().getElementType()});
      OpBuilder builder(out);
      Value ref = GlobalRefOp::create(builder, out.getLoc(), copy);
      out.getResult().replaceAllUsesWith(ref);
      launch.erase();
      if (out->use_empty())
        out.erase();
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
    auto fn = func::FuncOp::create(builder, module.getLoc(),
                                   "refresh_weight_copies",
                                   builder.getFunctionType({}, {}));
    fn->setAttr("exec.entry", builder.getStringAttr("refresh_weight_copies"));
    OpBuilder body = OpBuilder::atBlockEnd(fn.addEntryBlock());
    refresh(func::ReturnOp::create(body, module.getLoc()), copies);
  }

  /// copy = convert(param) for every copy, before `before`.
  void refresh(Operation *before,
               const llvm::MapVector<std::pair<GlobalOp, Type>, GlobalOp>
                   &copies) {
    OpBuilder builder(before);
    for (auto &[key, copy] : copies) {
      GlobalOp param = key.first;
      Value out = GlobalRefOp::create(builder, before->getLoc(), copy);
      Value in = GlobalRefOp::create(builder, before->getLoc(), param);
      LaunchOp::create(builder, before->getLoc(), "convert",
                       ValueRange{out, in}, {Access::write, Access::read},
                       {builder.getI64IntegerAttr(
                           param.getMemRefType().getNumElements())});
    }
  }
};

} // namespace

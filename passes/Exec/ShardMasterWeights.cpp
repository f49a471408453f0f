//===- ShardMasterWeights.cpp - exec-shard-master-weights -----------------===//
//
// ZeRO-1's master weights: each data-parallel rank keeps only its chunk of
// the f32 weights the micro-steps read through copies; see Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/Exec/Passes.h"
#include "passes/Exec/ZeroOne.h"

#include "dialects/Dist/IR/DistOps.h"
#include "dialects/Exec/IR/ExecOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"

namespace ptc::exec {
#define GEN_PASS_DEF_EXECSHARDMASTERWEIGHTS
#include "passes/Exec/Passes.h.inc"
} // namespace ptc::exec

using namespace mlir;
using namespace ptc;
using namespace ptc::exec;

namespace {

StringRef entryOf(Operation *op) {
  auto fn = op->getParentOfType<func::FuncOp>();
  auto entry = fn ? fn->getAttrOfType<StringAttr>("exec.entry") : StringAttr();
  return entry ? entry.getValue() : StringRef();
}

GlobalOp referencedGlobal(SymbolTableCollection &symbols, ModuleOp module,
                          Value buffer) {
  auto ref = buffer.getDefiningOp<GlobalRefOp>();
  return ref ? symbols.lookupSymbolIn<GlobalOp>(module, ref.getGlobalAttr())
             : GlobalOp();
}

struct ExecShardMasterWeightsPass
    : public ptc::exec::impl::ExecShardMasterWeightsBase<
          ExecShardMasterWeightsPass> {
  void runOnOperation() override {
    module = getOperation();
    SymbolTableCollection table;
    symbols = &table;
    if (!isZeroOneModule(module))
      return;
    dpAxis = dist::getMeshAxisIndex(module, "dp");
    dist::MeshOp mesh = dist::getModuleMesh(module);
    dpComm = dpCommunicator();
    if (dpAxis < 0 || !mesh || dpComm < 0)
      return;
    dp = mesh.getShape()[dpAxis];

    // The parameters with copies, and every reference that is read (an
    // unused one, e.g. what the conversions to copies left, is swept below).
    llvm::SetVector<GlobalOp> copied;
    for (auto global : module.getOps<GlobalOp>())
      if (auto of = global->getAttrOfType<FlatSymbolRefAttr>("exec.copy_of"))
        copied.insert(symbols->lookupSymbolIn<GlobalOp>(module, of));
    DenseMap<GlobalOp, SmallVector<GlobalRefOp>> refsOf;
    module.walk([&](GlobalRefOp ref) {
      if (!ref->use_empty())
        refsOf[symbols->lookupSymbolIn<GlobalOp>(module, ref.getGlobalAttr())]
            .push_back(ref);
    });
    for (GlobalOp param : copied)
      if (param && param->hasAttr("dist.zero_chunk") &&
          llvm::all_of(refsOf[param],
                       [&](GlobalRefOp ref) { return isShardableUse(ref); }))
        shard(param, refsOf[param]);
    llvm::MapVector<Block *, SmallVector<Refresh>> byBlock;
    for (Refresh &r : refreshes)
      byBlock[r.launch->getBlock()].push_back(r);
    for (auto &[block, list] : byBlock)
      expandRefreshes(list);
    gatherWholeMastersInPlace();
    // The references that nothing reads any more.
    SmallVector<GlobalRefOp> unused;
    module.walk([&](GlobalRefOp ref) {
      if (ref->use_empty())
        unused.push_back(ref);
    });
    for (GlobalRefOp ref : unused)
      ref.erase();
  }

  /// The parameters whose masters stay whole still gather their updated
  /// chunks back: `copy_chunk(t, p)`, `all_gather(g, t)`, `copy(p, g)`.
  /// Where dp divides the parameter, the rank's chunk already sits at its
  /// place in p, so one in-place all-gather does it; those of an entry
  /// point go into one NCCL group after its last update.
  void gatherWholeMastersInPlace() {
    llvm::MapVector<Block *, SmallVector<std::pair<LaunchOp, GlobalOp>>>
        byBlock;
    module.walk([&](LaunchOp copy) {
      if (copy.getCallee() != "copy" || copy.getBuffers().size() != 2 ||
          copy.getStream())
        return;
      GlobalOp param = referencedGlobal(*symbols, module, copy.getBuffers()[0]);
      auto chunkAttr = param ? param->getAttrOfType<IntegerAttr>(
                                   "dist.zero_chunk")
                             : IntegerAttr();
      if (!chunkAttr || param->hasAttr("exec.zero_master") ||
          chunkAttr.getInt() * dp != param.getMemRefType().getNumElements())
        return;
      LaunchOp gather = onlyWriter(copy.getBuffers()[1]);
      if (!gather || gather.getCallee() != "all_gather" ||
          gather.getBuffers().size() != 2)
        return;
      LaunchOp chunk = onlyWriter(gather.getBuffers()[1]);
      if (!chunk || chunk.getCallee() != "copy_chunk" ||
          referencedGlobal(*symbols, module, chunk.getBuffers()[1]) != param)
        return;
      byBlock[copy->getBlock()].push_back({copy, param});
    });
    for (auto &[block, gathers] : byBlock) {
      Operation *last = gathers.front().first;
      for (auto &[copy, param] : gathers)
        if (last->isBeforeInBlock(copy))
          last = copy;
      OpBuilder builder(last);
      Location loc = last->getLoc();
      LaunchOp::create(builder, loc, "group_start", ValueRange{}, {});
      for (auto &[copy, param] : gathers) {
        Value whole = GlobalRefOp::create(builder, loc, param);
        LaunchOp::create(
            builder, loc, "all_gather_inplace", ValueRange{whole},
            {Access::readwrite},
            {param->getAttr("dist.zero_chunk"),
             builder.getI64IntegerAttr(dpComm)});
      }
      LaunchOp::create(builder, loc, "group_end", ValueRange{}, {});
      for (auto &[copy, param] : gathers)
        eraseWithDeadProducers(copy);
    }
  }

  /// The launch that writes `buffer`, a transient buffer that nothing else
  /// writes; null otherwise.
  static LaunchOp onlyWriter(Value buffer) {
    if (!buffer.getDefiningOp<AllocOp>())
      return {};
    LaunchOp writer;
    for (OpOperand &use : buffer.getUses()) {
      auto launch = dyn_cast<LaunchOp>(use.getOwner());
      if (!launch)
        return {};
      if (launch.getAccessMode(use.getOperandNumber()) == Access::read)
        continue;
      if (writer)
        return {};
      writer = launch;
    }
    return writer;
  }

  /// The index of the `[dp]` communicator in the module's `ptc.comms`.
  int64_t dpCommunicator() {
    auto comms = module->getAttrOfType<ArrayAttr>("ptc.comms");
    if (!comms)
      return -1;
    Builder builder(module.getContext());
    ArrayAttr dpOnly = builder.getStrArrayAttr({"dp"});
    for (auto [index, comm] : llvm::enumerate(comms))
      if (comm == dpOnly)
        return index;
    return -1;
  }

  /// A refresh of one of the parameter's copies: `convert(copy, param)` or
  /// `copy(copy, param)`.
  bool isRefresh(LaunchOp launch, GlobalOp param) {
    if ((launch.getCallee() != "convert" && launch.getCallee() != "copy") ||
        launch.getBuffers().size() != 2 ||
        referencedGlobal(*symbols, module, launch.getBuffers()[1]) != param)
      return false;
    GlobalOp copy = referencedGlobal(*symbols, module, launch.getBuffers()[0]);
    auto of = copy ? copy->getAttrOfType<FlatSymbolRefAttr>("exec.copy_of")
                   : FlatSymbolRefAttr();
    return of && of.getValue() == param.getSymName();
  }

  /// Whether the master can be a chunk at this reference: init_params may
  /// do anything with it (it gets a transient whole tensor), optimizer_step
  /// only ZeRO-1's chunk update, the gather after it and the refreshes,
  /// refresh_weight_copies only refreshes; the entry points that compute
  /// must not read it (they read the copies).
  bool isShardableUse(GlobalRefOp ref) {
    StringRef entry = entryOf(ref);
    if (entry == "init_params")
      return true;
    if (entry != "optimizer_step" && entry != "refresh_weight_copies")
      return false;
    GlobalOp param =
        symbols->lookupSymbolIn<GlobalOp>(module, ref.getGlobalAttr());
    for (OpOperand &use : ref->getUses()) {
      auto launch = dyn_cast<LaunchOp>(use.getOwner());
      if (!launch)
        return false;
      unsigned index = use.getOperandNumber();
      StringRef callee = launch.getCallee();
      bool ok = isRefresh(launch, param) ||
                (entry == "optimizer_step" &&
                 ((callee == "adamw_update_chunk" && index == 0) ||
                  (callee == "copy_chunk" && index == 1) ||
                  (callee == "copy" && index == 0 &&
                   launch.getBuffers()[1].getDefiningOp<AllocOp>())));
      if (!ok)
        return false;
    }
    return true;
  }

  void shard(GlobalOp param, ArrayRef<GlobalRefOp> refs) {
    MemRefType whole = param.getMemRefType();
    int64_t chunk =
        param->getAttrOfType<IntegerAttr>("dist.zero_chunk").getInt();
    auto chunkType = MemRefType::get({chunk}, whole.getElementType());
    param.setType(chunkType);
    param->setAttr("exec.zero_master", TypeAttr::get(whole));

    SmallVector<GlobalRefOp> initRefs, others;
    for (GlobalRefOp ref : refs)
      (entryOf(ref) == "init_params" ? initRefs : others).push_back(ref);
    // First the f32 all-gathers that wrote the updated chunks back (the
    // copies now carry the gather), then the updates and refreshes.
    for (GlobalRefOp ref : others) {
      ref.getResult().setType(chunkType);
      for (OpOperand &use : llvm::make_early_inc_range(ref->getUses()))
        if (auto launch = dyn_cast<LaunchOp>(use.getOwner());
            launch.getCallee() == "copy" && use.getOperandNumber() == 0 &&
            !isRefresh(launch, param))
          eraseWithDeadProducers(launch);
    }
    for (GlobalRefOp ref : others) {
      for (Operation *user : llvm::to_vector(ref->getUsers())) {
        auto launch = cast<LaunchOp>(user);
        if (isRefresh(launch, param))
          refreshes.push_back({launch, ref, whole.getNumElements(), chunk});
        else if (launch.getCallee() == "adamw_update_chunk")
          updateWholeChunk(launch, chunk);
      }
      if (ref->use_empty())
        ref.erase();
    }
    if (!initRefs.empty())
      initializeChunk(param, initRefs, whole, chunk);
  }

  /// adamw_update_chunk(param, ...) [n, chunk, axis, ...] on a parameter
  /// that is the chunk: a plain update of all of it (the padding past the
  /// parameter's end has zero gradients and moments and stays zero).
  void updateWholeChunk(LaunchOp launch, int64_t chunk) {
    OpBuilder builder(launch);
    SmallVector<Attribute> args{builder.getI64IntegerAttr(chunk)};
    llvm::append_range(args, launch.getArgs().getValue().drop_front(3));
    SmallVector<Access> access;
    for (unsigned i = 0; i < launch.getBuffers().size(); ++i)
      access.push_back(launch.getAccessMode(i));
    LaunchOp::create(builder, launch.getLoc(), "adamw_update",
                     launch.getBuffers(), access, args);
    launch.erase();
  }

  /// A refresh `copy = param` whose param is now a chunk.
  struct Refresh {
    LaunchOp launch;
    Value master;
    int64_t n, chunk;
  };

  /// The refreshes of one entry point, where the last one was: each rank
  /// converts its chunks to the copies' element type, one NCCL group
  /// all-gathers them over dp (in that type: bf16 halves the traffic of
  /// gathering the f32 masters) straight into the copies, or into a
  /// zero-padded buffer whose first n elements are then copied where dp
  /// does not divide the parameter.
  void expandRefreshes(MutableArrayRef<Refresh> refreshes) {
    Operation *last = refreshes.front().launch;
    for (Refresh &r : refreshes)
      if (last->isBeforeInBlock(r.launch))
        last = r.launch;
    OpBuilder builder(last);
    Location loc = last->getLoc();
    SmallVector<Value> sources;
    for (Refresh &r : refreshes) {
      Value copy = r.launch.getBuffers()[0];
      Type element = cast<MemRefType>(copy.getType()).getElementType();
      Value source = r.master;
      if (element != cast<MemRefType>(r.master.getType()).getElementType()) {
        source =
            AllocOp::create(builder, loc, MemRefType::get({r.chunk}, element));
        LaunchOp::create(builder, loc, "convert", ValueRange{source, r.master},
                         {Access::write, Access::read},
                         {builder.getI64IntegerAttr(r.chunk)});
      }
      sources.push_back(source);
    }
    LaunchOp::create(builder, loc, "group_start", ValueRange{}, {});
    SmallVector<std::pair<Value, Value>> padded; // copy, gathered
    for (auto [r, source] : llvm::zip(refreshes, sources)) {
      Value copy = r.launch.getBuffers()[0];
      Value gathered = copy;
      if (r.chunk * dp != r.n) {
        gathered = AllocOp::create(
            builder, loc,
            MemRefType::get({r.chunk * dp},
                            cast<MemRefType>(copy.getType()).getElementType()));
        padded.push_back({copy, gathered});
      }
      LaunchOp::create(builder, loc, "all_gather", ValueRange{gathered, source},
                       {Access::write, Access::read},
                       {builder.getI64IntegerAttr(r.chunk),
                        builder.getI64IntegerAttr(dpComm)});
    }
    LaunchOp::create(builder, loc, "group_end", ValueRange{}, {});
    for (auto [copy, gathered] : padded)
      LaunchOp::create(
          builder, loc, "copy", ValueRange{copy, gathered},
          {Access::write, Access::read},
          {builder.getI64IntegerAttr(
              cast<MemRefType>(copy.getType()).getNumElements())});
    for (Refresh &r : refreshes)
      r.launch.erase();
  }

  /// Erases `launch`, then every transient buffer that nothing reads any
  /// more together with the launches that only wrote it.
  void eraseWithDeadProducers(LaunchOp launch) {
    llvm::SetVector<Operation *> worklist;
    auto push = [&](ValueRange buffers) {
      for (Value buffer : buffers)
        if (auto alloc = buffer.getDefiningOp<AllocOp>())
          worklist.insert(alloc);
    };
    push(launch.getBuffers());
    launch.erase();
    while (!worklist.empty()) {
      auto alloc = cast<AllocOp>(worklist.pop_back_val());
      // Dead: every user is a launch that only writes it, and writes
      // nothing else.
      SmallVector<LaunchOp> writers;
      bool live = false;
      for (OpOperand &use : alloc->getUses()) {
        auto writer = dyn_cast<LaunchOp>(use.getOwner());
        live |= !writer;
        if (!writer)
          break;
        for (auto [i, buffer] : llvm::enumerate(writer.getBuffers()))
          live |= buffer == alloc.getResult()
                      ? writer.getAccessMode(i) != Access::write
                      : writer.getAccessMode(i) != Access::read;
        if (!llvm::is_contained(writers, writer))
          writers.push_back(writer);
      }
      if (live)
        continue;
      for (LaunchOp writer : writers) {
        SmallVector<Value> buffers(writer.getBuffers());
        writer.erase();
        push(buffers);
      }
      worklist.remove(alloc);
      alloc.erase();
    }
  }

  /// init_params fills the whole parameter (the same on every rank: the
  /// initializers are seeded per parameter) into a transient buffer; right
  /// after its last write the rank keeps its chunk and the copies are
  /// refreshed from the whole tensor, so no gather is needed and the
  /// buffer dies there.
  void initializeChunk(GlobalOp param, ArrayRef<GlobalRefOp> refs,
                       MemRefType whole, int64_t chunk) {
    Operation *first = refs.front();
    for (GlobalRefOp ref : refs)
      if (ref->isBeforeInBlock(first))
        first = ref;
    OpBuilder builder(first);
    Value buffer = AllocOp::create(builder, first->getLoc(), whole);
    SmallVector<LaunchOp> refreshes;
    Operation *last = nullptr;
    for (GlobalRefOp ref : refs) {
      for (Operation *user : ref->getUsers()) {
        auto launch = dyn_cast<LaunchOp>(user);
        if (launch && isRefresh(launch, param))
          refreshes.push_back(launch);
        else if (!last || last->isBeforeInBlock(user))
          last = user;
      }
    }
    for (GlobalRefOp ref : refs) {
      ref.getResult().replaceAllUsesWith(buffer);
      ref.erase();
    }
    builder.setInsertionPointAfter(last ? last : buffer.getDefiningOp());
    Location loc = param.getLoc();
    Value master = GlobalRefOp::create(builder, loc, param);
    LaunchOp::create(builder, loc, "copy_chunk", ValueRange{master, buffer},
                     {Access::write, Access::read},
                     {builder.getI64IntegerAttr(whole.getNumElements()),
                      builder.getI64IntegerAttr(chunk),
                      builder.getI64IntegerAttr(dpAxis)});
    // The refreshes move up to here, with references to their copies.
    for (LaunchOp refresh : refreshes) {
      auto copyRef = refresh.getBuffers()[0].getDefiningOp<GlobalRefOp>();
      Value copy = GlobalRefOp::create(
          builder, loc,
          symbols->lookupSymbolIn<GlobalOp>(module, copyRef.getGlobalAttr()));
      LaunchOp::create(builder, refresh.getLoc(), refresh.getCallee(),
                       ValueRange{copy, buffer},
                       {Access::write, Access::read},
                       refresh.getArgs().getValue());
      refresh.erase();
      if (copyRef->use_empty())
        copyRef.erase();
    }
  }

  ModuleOp module;
  // The module's symbols, read once: module.lookupSymbol scans the module,
  // and the pass looks up the global of every reference (quadratic in the
  // layers). The pass adds and renames no symbol.
  SymbolTableCollection *symbols = nullptr;
  int64_t dpAxis = -1, dpComm = -1, dp = 1;
  SmallVector<Refresh> refreshes; // expanded per entry point at the end
};

} // namespace

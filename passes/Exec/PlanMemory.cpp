//===- PlanMemory.cpp - exec-plan-memory: the static memory plan ----------===//
//
// Places globals (packed in declaration order) and allocs (liveness-based
// reuse, greedy by size) at offsets in their arenas and sizes the arenas.
// The whole plan is computed first, then written to the IR.
//
//===----------------------------------------------------------------------===//

#include "passes/Exec/GreedyBySize.h"
#include "passes/Exec/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <map>

namespace ptc::exec {
#define GEN_PASS_DEF_EXECPLANMEMORY
#include "passes/Exec/Passes.h.inc"
} // namespace ptc::exec

using namespace mlir;
using namespace ptc::exec;

namespace {

int64_t alignUp(int64_t value, int64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

/// A transient buffer: its alloc and its placement.
struct Buffer : LiveBuffer {
  AllocOp op;
};

/// The ops that use `value`, directly or through views of it.
void collectUsers(Value value, SmallVectorImpl<Operation *> &users) {
  for (Operation *user : value.getUsers()) {
    users.push_back(user);
    if (auto view = dyn_cast<ViewLikeOpInterface>(user))
      if (view.getViewSource() == value)
        for (Value result : user->getResults())
          collectUsers(result, users);
  }
}

/// Where an arena's allocs may start, and its running end.
struct ArenaPlan {
  ArenaOp op; // null for an arena the pass creates
  ArenaKind kind;
  int64_t alignment;
  int64_t globalsEnd = 0;
  int64_t end = 0;
};

struct ExecPlanMemoryPass
    : public ptc::exec::impl::ExecPlanMemoryBase<ExecPlanMemoryPass> {
  using ExecPlanMemoryBase::ExecPlanMemoryBase;

  void runOnOperation() override;

private:
  /// Numbers the ops of `func` and appends its allocs with their live
  /// intervals; fails with a diagnostic when the body is not straight-line.
  LogicalResult collectBuffers(func::FuncOp func,
                               SmallVectorImpl<Buffer> &buffers);
};

LogicalResult
ExecPlanMemoryPass::collectBuffers(func::FuncOp func,
                                   SmallVectorImpl<Buffer> &buffers) {
  bool hasAllocs = false;
  func.walk([&](AllocOp) { hasAllocs = true; });
  if (!hasAllocs)
    return success();
  if (!func.getBody().hasOneBlock())
    return func.emitOpError("has ")
           << func.getBody().getBlocks().size()
           << " blocks; exec-plan-memory plans straight-line functions only "
              "(one block, no region ops)";
  Block &block = func.getBody().front();
  DenseMap<Operation *, int64_t> positions;
  int64_t position = 0;
  for (Operation &op : block) {
    if (op.getNumRegions() != 0)
      return op.emitOpError("has regions; exec-plan-memory plans "
                            "straight-line functions only (in @")
             << func.getSymName() << ")";
    positions[&op] = position++;
  }
  SmallVector<Operation *> users;
  for (auto alloc : block.getOps<AllocOp>()) {
    int64_t at = positions[alloc];
    Buffer buffer;
    buffer.op = alloc;
    buffer.bytes = getBufferBytes(alloc.getMemRefType());
    buffer.position = buffer.first = buffer.last = at;
    users.clear();
    collectUsers(alloc.getResult(), users);
    for (auto [i, user] : llvm::enumerate(users)) {
      int64_t use = positions.lookup(block.findAncestorOpInBlock(*user));
      buffer.first = i == 0 ? use : std::min(buffer.first, use);
      buffer.last = i == 0 ? use : std::max(buffer.last, use);
    }
    buffers.push_back(buffer);
  }
  return success();
}

void ExecPlanMemoryPass::runOnOperation() {
  ModuleOp module = getOperation();
  if (alignment <= 0 || !llvm::isPowerOf2_64(alignment)) {
    module.emitError("exec-plan-memory: alignment must be a power of two, "
                     "got ")
        << alignment;
    return signalPassFailure();
  }

  // Analyse: arenas, then globals, then the allocs of every function.
  llvm::MapVector<Operation *, ArenaPlan> arenas;
  DenseMap<ArenaKind, ArenaPlan *> transientArena;
  for (auto arena : module.getOps<ArenaOp>())
    arenas[arena] =
        ArenaPlan{arena, arena.getKind(),
                  std::max<int64_t>(
                      alignment, static_cast<int64_t>(arena.getAlignment()))};
  for (auto &[op, plan] : arenas)
    transientArena.try_emplace(plan.kind, &plan);

  SymbolTable symbols(module);
  SmallVector<std::pair<GlobalOp, int64_t>> globalOffsets;
  for (auto global : module.getOps<GlobalOp>()) {
    auto arena = symbols.lookup<ArenaOp>(global.getArena());
    if (!arena) {
      global.emitOpError("'")
          << global.getArena() << "' does not name an exec.arena";
      return signalPassFailure();
    }
    ArenaPlan &plan = arenas[arena];
    int64_t offset = alignUp(plan.globalsEnd, plan.alignment);
    globalOffsets.push_back({global, offset});
    plan.globalsEnd = offset + getBufferBytes(global.getMemRefType());
    plan.end = plan.globalsEnd;
  }

  WalkResult outside = module.walk([&](AllocOp alloc) {
    if (alloc->getParentOfType<func::FuncOp>())
      return WalkResult::advance();
    alloc.emitOpError("must be inside a func.func to be planned");
    return WalkResult::interrupt();
  });
  if (outside.wasInterrupted())
    return signalPassFailure();

  // Arenas the pass creates live here, apart from the map of existing ones.
  std::map<ArenaKind, ArenaPlan> created;
  SmallVector<Buffer> buffers;
  for (auto func : module.getOps<func::FuncOp>()) {
    SmallVector<Buffer> funcBuffers;
    if (failed(collectBuffers(func, funcBuffers)))
      return signalPassFailure();
    for (ArenaKind kind : {ArenaKind::activations, ArenaKind::workspace}) {
      SmallVector<Buffer> ofKind;
      for (Buffer &buffer : funcBuffers)
        if (buffer.op.getKind() == kind)
          ofKind.push_back(buffer);
      if (ofKind.empty())
        continue;
      ArenaPlan *plan = transientArena.lookup(kind);
      if (!plan) {
        plan = &created.try_emplace(kind, ArenaPlan{nullptr, kind, alignment})
                    .first->second;
        transientArena[kind] = plan;
      }
      int64_t base = alignUp(plan->globalsEnd, plan->alignment);
      SmallVector<LiveBuffer *> live;
      for (Buffer &buffer : ofKind)
        live.push_back(&buffer);
      plan->end =
          std::max(plan->end, placeGreedyBySize(live, base, plan->alignment));
      buffers.append(ofKind.begin(), ofKind.end());
    }
  }

  // Rewrite: create the missing arenas, then write offsets and sizes.
  OpBuilder builder(module.getContext());
  builder.setInsertionPointToStart(module.getBody());
  for (auto arena : module.getOps<ArenaOp>())
    builder.setInsertionPointAfter(arena);
  for (auto &[kind, plan] : created) {
    auto arena = ArenaOp::create(builder, module.getLoc(),
                                 stringifyArenaKind(kind), kind,
                                 /*size=*/0, plan.alignment);
    symbols.insert(arena, builder.getInsertionPoint());
    builder.setInsertionPointAfter(arena);
    plan.op = arena;
  }
  for (auto &[op, plan] : arenas)
    plan.op.setSize(alignUp(plan.end, plan.alignment));
  for (auto &[kind, plan] : created)
    plan.op.setSize(alignUp(plan.end, plan.alignment));
  for (auto [global, offset] : globalOffsets)
    global.setOffsetAttr(builder.getI64IntegerAttr(offset));
  for (Buffer &buffer : buffers) {
    ArenaOp arena = transientArena.lookup(buffer.op.getKind())->op;
    buffer.op.setArenaAttr(FlatSymbolRefAttr::get(arena.getSymNameAttr()));
    buffer.op.setOffsetAttr(builder.getI64IntegerAttr(buffer.offset));
  }
}

} // namespace

//===- Coalesce.cpp - exec-coalesce ---------------------------------------===//
//
// One launch over many tensors that the memory plan packed back to back; see
// Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/Exec/Passes.h"

#include "dialects/Exec/IR/ExecOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/STLExtras.h"

namespace ptc::exec {
#define GEN_PASS_DEF_EXECCOALESCE
#include "passes/Exec/Passes.h.inc"
} // namespace ptc::exec

using namespace mlir;
using namespace ptc;
using namespace ptc::exec;

namespace {

/// How one kind of work coalesces: which operands are per-tensor (they
/// must be placed globals, back to back across the chain), which are shared
/// (the same buffer in every member), and which static argument is the
/// element count (summed). Every other argument must be equal, except
/// `segmentArg` (AdamW's weight decay), which may differ: the merged launch
/// then takes a table of (count, value) rows.
struct Kind {
  StringRef callee;
  SmallVector<unsigned> spanned;
  SmallVector<unsigned> shared;
  unsigned countArg;
  std::optional<unsigned> segmentArg;
  StringRef segmentedCallee;
};

const Kind kKinds[] = {
    // adamw_update(p, m, v, g, lr, clip, step) [n, b1, b2, eps, wd]
    {"adamw_update", {0, 1, 2, 3}, {4, 5, 6}, 0, 4, "adamw_update_segments"},
    // sum_squares_add(acc, x) [n]: acc += sum(x^2), in any order.
    {"sum_squares_add", {1}, {0}, 0, std::nullopt, ""},
    // convert(out, in) [n]: the refreshes of the weights' bf16 copies.
    {"convert", {0, 1}, {}, 0, std::nullopt, ""},
};

/// One op of a window: its kind's view of the operands.
struct Item {
  Operation *op;
  SmallVector<GlobalOp> spans; // per spanned operand
};

struct ExecCoalescePass
    : public ptc::exec::impl::ExecCoalesceBase<ExecCoalescePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto global : module.getOps<GlobalOp>())
      globals[global.getSymNameAttr()] = global;
    for (auto fn : module.getOps<func::FuncOp>()) {
      if (!fn->hasAttr("exec.entry") || !fn.getBody().hasOneBlock())
        continue;
      coalesceBlock(fn.front());
      // The refs of the globals that merged launches now reach via spans.
      for (Operation &op : llvm::make_early_inc_range(fn.front()))
        if (isa<GlobalRefOp>(op) && op.use_empty())
          op.erase();
    }
  }

  /// The placed global behind a buffer, if it is an exec.global_ref.
  GlobalOp globalOf(Value buffer) {
    auto ref = buffer.getDefiningOp<GlobalRefOp>();
    if (!ref)
      return nullptr;
    GlobalOp global = globals.lookup(ref.getGlobalAttr().getAttr());
    return global && global.getOffset() ? global : nullptr;
  }

  /// Two buffers are the same memory: one value, or refs of one global.
  bool sameBuffer(Value a, Value b) {
    if (a == b)
      return true;
    auto ra = a.getDefiningOp<GlobalRefOp>(), rb = b.getDefiningOp<GlobalRefOp>();
    return ra && rb && ra.getGlobal() == rb.getGlobal();
  }

  /// The work of `op` as an item of `kind`, if every per-tensor operand is
  /// a placed global.
  std::optional<Item> itemOf(Operation *op, const Kind *kind) {
    Item item{op, {}};
    SmallVector<Value> spanned;
    if (auto fill = dyn_cast<FillOp>(op))
      spanned.push_back(fill.getBuffer());
    else
      for (unsigned i : kind->spanned)
        spanned.push_back(cast<LaunchOp>(op).getBuffers()[i]);
    for (Value buffer : spanned) {
      GlobalOp global = globalOf(buffer);
      if (!global)
        return std::nullopt;
      item.spans.push_back(global);
    }
    return item;
  }

  /// The kind of `op` (nullptr: not coalesced). Fills have no Kind entry:
  /// `fillKind` stands for them.
  const Kind *kindOf(Operation *op) {
    if (isa<FillOp>(op))
      return &fillKind;
    auto launch = dyn_cast<LaunchOp>(op);
    if (!launch || launch.getStream())
      return nullptr;
    for (const Kind &kind : kKinds)
      if (launch.getCallee() == kind.callee)
        return &kind;
    return nullptr;
  }

  void coalesceBlock(Block &block) {
    // Windows: maximal runs of one kind of work, where only global_refs
    // (which do no work) may sit between its ops. The ops of a window touch
    // disjoint buffers apart from the shared ones, so any order of them
    // computes the same (sums of squares add into one f64 in another
    // order).
    SmallVector<Operation *> window;
    const Kind *windowKind = nullptr;
    auto flush = [&]() {
      if (window.size() > 1)
        coalesceWindow(window, windowKind);
      window.clear();
      windowKind = nullptr;
    };
    for (Operation &op : llvm::make_early_inc_range(block)) {
      if (isa<GlobalRefOp>(op))
        continue;
      const Kind *kind = kindOf(&op);
      if (!kind || kind != windowKind)
        flush();
      if (kind) {
        windowKind = kind;
        window.push_back(&op);
      }
    }
    flush();
  }

  /// Whether `next` continues `prev` in a chain: every per-tensor global
  /// starts where prev's ends, in the same arena, with the same element
  /// type; shared buffers and the other arguments agree.
  bool continues(const Item &prev, const Item &next, const Kind *kind) {
    for (auto [prevSpan, nextSpan] : llvm::zip(prev.spans, next.spans)) {
      GlobalOp a = prevSpan, b = nextSpan;
      if (a.getArena() != b.getArena() ||
          a.getMemRefType().getElementType() !=
              b.getMemRefType().getElementType() ||
          static_cast<int64_t>(*a.getOffset()) +
                  getBufferBytes(a.getMemRefType()) !=
              static_cast<int64_t>(*b.getOffset()))
        return false;
    }
    if (auto fa = dyn_cast<FillOp>(prev.op))
      return fa.getValue() == cast<FillOp>(next.op).getValue();
    auto la = cast<LaunchOp>(prev.op), lb = cast<LaunchOp>(next.op);
    for (unsigned i : kind->shared)
      if (!sameBuffer(la.getBuffers()[i], lb.getBuffers()[i]))
        return false;
    if (la.getArgs().size() != lb.getArgs().size())
      return false;
    for (auto [i, pair] : llvm::enumerate(llvm::zip(la.getArgs(), lb.getArgs())))
      if (i != kind->countArg && i != kind->segmentArg &&
          std::get<0>(pair) != std::get<1>(pair))
        return false;
    return true;
  }

  void coalesceWindow(ArrayRef<Operation *> window, const Kind *kind) {
    SmallVector<Item> items;
    for (Operation *op : window)
      if (std::optional<Item> item = itemOf(op, kind))
        items.push_back(std::move(*item));
    llvm::sort(items, [](const Item &a, const Item &b) {
      GlobalOp x = a.spans[0], y = b.spans[0];
      return *x.getOffset() < *y.getOffset();
    });
    for (size_t begin = 0; begin < items.size();) {
      size_t end = begin + 1;
      while (end < items.size() &&
             continues(items[end - 1], items[end], kind))
        ++end;
      if (end - begin > 1)
        merge(ArrayRef<Item>(items).slice(begin, end - begin), kind);
      begin = end;
    }
  }

  /// One launch (or fill) over the chain's spans, where its last op in
  /// program order was: every operand it reads is defined by then.
  void merge(ArrayRef<Item> chain, const Kind *kind) {
    Operation *latest = chain.front().op;
    for (const Item &item : chain)
      if (latest->isBeforeInBlock(item.op))
        latest = item.op;
    OpBuilder builder(latest);
    Location loc = latest->getLoc();
    SmallVector<Value> spans;
    int64_t count = 0;
    auto elementsOf = [](GlobalOp global) {
      return global.getMemRefType().getNumElements();
    };
    for (const Item &item : chain)
      count += elementsOf(item.spans[0]);
    for (unsigned k = 0; k < chain.front().spans.size(); ++k) {
      GlobalOp first = chain.front().spans[k], last = chain.back().spans[k];
      int64_t elements = 0;
      for (const Item &item : chain)
        elements += elementsOf(item.spans[k]);
      auto type = MemRefType::get(
          {elements}, first.getMemRefType().getElementType());
      spans.push_back(GlobalSpanOp::create(builder, loc, type,
                                           first.getSymName(),
                                           last.getSymName()));
    }
    if (auto fill = dyn_cast<FillOp>(latest)) {
      FillOp::create(builder, loc, spans[0], fill.getValueAttr());
    } else {
      auto model = cast<LaunchOp>(latest);
      SmallVector<Value> buffers(model.getBuffers());
      for (auto [k, i] : llvm::enumerate(kind->spanned))
        buffers[i] = spans[k];
      SmallVector<Attribute> args(model.getArgs().getValue());
      args[kind->countArg] = builder.getI64IntegerAttr(count);
      StringRef callee = model.getCallee();
      if (kind->segmentArg) {
        // Rows of (count, value) where the value changes along the chain.
        SmallVector<Attribute> rows;
        bool uniform = true;
        Attribute value =
            cast<LaunchOp>(chain.front().op).getArgs()[*kind->segmentArg];
        SmallVector<std::pair<int64_t, Attribute>> runs;
        for (const Item &item : chain) {
          Attribute v = cast<LaunchOp>(item.op).getArgs()[*kind->segmentArg];
          uniform &= v == value;
          if (!runs.empty() && runs.back().second == v)
            runs.back().first += elementsOf(item.spans[0]);
          else
            runs.push_back({elementsOf(item.spans[0]), v});
        }
        for (auto [elements, v] : runs)
          rows.push_back(
              builder.getArrayAttr({builder.getI64IntegerAttr(elements), v}));
        if (!uniform) {
          callee = kind->segmentedCallee;
          args[*kind->segmentArg] = builder.getArrayAttr(rows);
        }
      }
      auto merged = LaunchOp::create(builder, loc, TypeRange{}, buffers,
                                     model->getAttrs());
      merged.setCallee(callee);
      merged.setArgsAttr(builder.getArrayAttr(args));
    }
    for (const Item &item : chain)
      item.op->erase();
  }

  DenseMap<StringAttr, GlobalOp> globals;
  // Fills: exec.fill ops, the buffer their one per-tensor operand.
  const Kind fillKind{"", {0}, {}, 0, std::nullopt, ""};
};

} // namespace

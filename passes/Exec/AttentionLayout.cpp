//===- AttentionLayout.cpp - exec-attention-layout: attention on views ----===//
//
// Attention's kernels take [B, H, T, Dh] operands; the projections around
// them are [B, T, H*Dh] rows. The lowering copies between the two with
// head-split and head-merge permutes (`permute`, or `permute_view` out of
// and into a column block of a wider row after exec-fuse). The strided
// kernels read and write any (offset, batch, head, row) view with Dh
// contiguous, so this pass points them at the permutes' other sides and
// drops the copies:
//
//   a. a buffer that a head split writes and only attention launches read
//      (q, k, v, dout) is read where the split read it;
//   b. attention_forward's out, read only by head merges and by
//      attention_backward (as out), is written where the first merge wrote;
//      later merges of it (the recomputed copy the weight gradient reads)
//      are that buffer;
//   c. attention_backward's dq, dk, dv, zero-filled for it alone: the kernel
//      overwrites (accumulate = 0) instead of adding to zeros, and writes
//      a gradient that only a head merge reads into the merge's target.
//
// Decisions are made for the whole function first (each names the exact
// users it relies on), then applied. Anything that does not match exactly
// is left as it is.
//
//===----------------------------------------------------------------------===//

#include "passes/Exec/BufferUsers.h"
#include "passes/Exec/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"

#include <array>
#include <optional>

namespace ptc::exec {
#define GEN_PASS_DEF_EXECATTENTIONLAYOUT
#include "passes/Exec/Passes.h.inc"
} // namespace ptc::exec

using namespace mlir;
using namespace ptc::exec;

namespace {

//===--- Buffers and their users -------------------------------------------===//

int64_t intArg(LaunchOp launch, unsigned i) {
  return cast<IntegerAttr>(launch.getArgs()[i]).getInt();
}

int64_t numel(Value v) { return cast<MemRefType>(v.getType()).getNumElements(); }

bool isAlloc(Value v) { return v.getDefiningOp<AllocOp>() != nullptr; }

/// Whether `op` may write `buffer` (unknown ops may).
bool writes(Operation *op, Value buffer) {
  if (auto launch = dyn_cast<LaunchOp>(op)) {
    for (auto [i, operand] : llvm::enumerate(launch.getBuffers()))
      if (operand == buffer && launch.getAccessMode(i) != Access::read)
        return true;
    return false;
  }
  if (auto gemm = dyn_cast<GemmOp>(op))
    return gemm.getOut() == buffer;
  if (auto copy = dyn_cast<CopyOp>(op))
    return copy.getTarget() == buffer;
  return true;
}

/// The positions at which `launch` passes `buffer`.
SmallVector<unsigned> slotsOf(LaunchOp launch, Value buffer) {
  SmallVector<unsigned> slots;
  for (auto [i, operand] : llvm::enumerate(launch.getBuffers()))
    if (operand == buffer)
      slots.push_back(i);
  return slots;
}

//===--- Views -------------------------------------------------------------===//

/// Element (b, h, t, d) of a [B, H, T, Dh] operand is at
/// buffer[offset + b*batch + h*head + t*row + d].
struct View {
  Value buffer;
  int64_t offset, batch, head, row;
};

View contiguous(Value buffer, int64_t H, int64_t T, int64_t Dh) {
  return {buffer, 0, H * T * Dh, T * Dh, Dh};
}

/// The [B, T, H, Dh] tensor whose element l = ((b*T + t)*H + h)*Dh + d is
/// at buffer[l / len * stride + offset + l % len] (permute_view's rows), as
/// a view; none when that address is not affine in (b, h, t).
std::optional<View> rowsView(Value buffer, int64_t len, int64_t stride,
                             int64_t offset, int64_t B, int64_t T, int64_t H,
                             int64_t Dh) {
  const int64_t n = B * T * H * Dh;
  if (len <= 0 || n % len != 0 || offset < 0)
    return std::nullopt;
  if (len == stride || len == n) // packed rows: address l + offset
    return View{buffer, offset, T * H * Dh, Dh, H * Dh};
  if (len == H * Dh) // one row per (b, t)
    return View{buffer, offset, T * stride, Dh, stride};
  if (len == T * H * Dh) // one row per b
    return View{buffer, offset, stride, Dh, H * Dh};
  return std::nullopt;
}

/// A head split or merge: `permute` or `permute_view` of rank 4 with
/// perm [0, 2, 1, 3] on the default stream, reading `in` and writing `out`
/// (two distinct buffers of one element type). shape is the input's.
struct HeadPermute {
  mutable LaunchOp op;
  Value out, in;
  std::array<int64_t, 4> shape;
  int64_t inLen, inStride, inOffset, outLen, outStride, outOffset;

  /// Whether the input side reads all of `in`, packed.
  bool readsAllOf(Value buffer) const {
    return in == buffer && inOffset == 0 &&
           (inLen == inStride || inLen == numel(buffer)) &&
           numel(buffer) == shape[0] * shape[1] * shape[2] * shape[3];
  }
  /// Whether the output side writes all of `buffer`, packed.
  bool writesAllOf(Value buffer) const {
    return out == buffer && outOffset == 0 &&
           (outLen == outStride || outLen == numel(buffer)) &&
           numel(buffer) == shape[0] * shape[1] * shape[2] * shape[3];
  }
};

std::optional<HeadPermute> asHeadPermute(Operation *op) {
  auto launch = dyn_cast_or_null<LaunchOp>(op);
  if (!launch || launch.getStream() || launch.getBuffers().size() != 2)
    return std::nullopt;
  bool view = launch.getCallee() == "permute_view";
  if (!(launch.getCallee() == "permute" || view) ||
      launch.getArgs().size() != (view ? 19u : 13u) ||
      !llvm::all_of(launch.getArgs(), llvm::IsaPred<IntegerAttr>))
    return std::nullopt;
  HeadPermute p;
  p.op = launch;
  p.out = launch.getBuffers()[0];
  p.in = launch.getBuffers()[1];
  if (p.out == p.in || launch.getAccessMode(1) != Access::read ||
      launch.getAccessMode(0) == Access::read ||
      cast<MemRefType>(p.out.getType()).getElementType() !=
          cast<MemRefType>(p.in.getType()).getElementType())
    return std::nullopt;
  if (intArg(launch, 0) != 4 || intArg(launch, 7) != 0 ||
      intArg(launch, 8) != 2 || intArg(launch, 9) != 1 ||
      intArg(launch, 10) != 3)
    return std::nullopt;
  for (unsigned d = 0; d < 4; ++d)
    p.shape[d] = intArg(launch, 1 + d);
  const int64_t n = p.shape[0] * p.shape[1] * p.shape[2] * p.shape[3];
  if (view) {
    p.inLen = intArg(launch, 13), p.inStride = intArg(launch, 14);
    p.inOffset = intArg(launch, 15), p.outLen = intArg(launch, 16);
    p.outStride = intArg(launch, 17), p.outOffset = intArg(launch, 18);
  } else {
    p.inLen = p.inStride = p.outLen = p.outStride = n;
    p.inOffset = p.outOffset = 0;
  }
  return p;
}

//===--- Attention launches ------------------------------------------------===//

enum class Kind { forward, backward };

/// A plain (contiguous) attention launch on the default stream.
/// forward: (out, lse, q, k, v); backward: (dq, dk, dv, dout, q, k, v, out,
/// lse); args (B, Hq, Hkv, T, Dh, scale).
struct Attention {
  mutable LaunchOp op;
  Kind kind;
  int64_t B, Hq, Hkv, T, Dh;

  unsigned size() const { return kind == Kind::forward ? 5 : 9; }
  Value buffer(unsigned i) const { return op.getBuffers()[i]; }
  /// The head count of [B, H, T, Dh] operand i; 0 for lse.
  int64_t heads(unsigned i) const {
    static const char fwd[] = "qlqkk", bwd[] = "qkkqqkkql";
    char c = (kind == Kind::forward ? fwd : bwd)[i];
    return c == 'q' ? Hq : c == 'k' ? Hkv : 0;
  }
  bool isRead(unsigned i) const {
    return kind == Kind::forward ? i >= 2 : i >= 3;
  }
  unsigned outSlot() const { return kind == Kind::forward ? 0 : 7; }
};

std::optional<Attention> asAttention(Operation *op) {
  auto launch = dyn_cast_or_null<LaunchOp>(op);
  if (!launch || launch.getStream() || launch.getArgs().size() != 6 ||
      !llvm::all_of(launch.getArgs().getValue().take_front(5),
                    llvm::IsaPred<IntegerAttr>))
    return std::nullopt;
  Attention a;
  a.op = launch;
  if (launch.getCallee() == "attention_forward" &&
      launch.getBuffers().size() == 5)
    a.kind = Kind::forward;
  else if (launch.getCallee() == "attention_backward" &&
           launch.getBuffers().size() == 9)
    a.kind = Kind::backward;
  else
    return std::nullopt;
  a.B = intArg(launch, 0), a.Hq = intArg(launch, 1), a.Hkv = intArg(launch, 2);
  a.T = intArg(launch, 3), a.Dh = intArg(launch, 4);
  return a;
}

//===--- The decisions -----------------------------------------------------===//

/// b. attention_forward's out written into the first merge's target; the
///    merge, and later whole copies of the same target, go.
struct OutFusion {
  mutable LaunchOp merge;
  mutable SmallVector<LaunchOp> copies; // their targets become the merge's
};

/// c. attention_backward overwriting its gradients; some written into their
///    merges' targets.
struct GradFusion {
  SmallVector<FillOp, 3> fills;
  std::array<std::optional<HeadPermute>, 3> merges;
};

class Planner {
public:
  explicit Planner(Block &body) : body(body) {}
  void run();

private:
  Block &body;
  SmallVector<Attention> launches;
  llvm::DenseMap<Operation *, unsigned> indexOf; // launch op -> launches[i]
  /// The view an intermediate [B, H, T, Dh] buffer is replaced by.
  llvm::DenseMap<Value, View> views;
  llvm::DenseMap<Value, LaunchOp> splitOf; // a. the split that goes
  llvm::DenseMap<Operation *, OutFusion> outFusions;   // by forward op
  llvm::DenseMap<Operation *, GradFusion> gradFusions; // by backward op

  void planSplit(Value x);
  void planOut(const Attention &a);
  void planGrads(const Attention &a);
  Value resolve(Value v) const;
  void rewrite();
};

/// a. x is written by a head split (its first user) and read only by
///    attention launches, as q, k, v or dout, with the split's shape; the
///    split's source is not written until the last of them.
void Planner::planSplit(Value x) {
  if (views.count(x) || !isAlloc(x))
    return;
  SmallVector<Operation *> users = usersInOrder(x);
  std::optional<HeadPermute> split = asHeadPermute(users.front());
  // The source stays as it is: not itself a buffer that goes.
  if (!split || !split->writesAllOf(x) || !isAlloc(split->in) ||
      views.count(split->in))
    return;
  auto [B, T, H, Dh] = split->shape;
  for (Operation *user : llvm::drop_begin(users)) {
    auto it = indexOf.find(user);
    if (it == indexOf.end())
      return;
    const Attention &a = launches[it->second];
    for (unsigned slot : slotsOf(a.op, x))
      if (!a.isRead(slot) || slot == a.outSlot() || a.B != B || a.T != T ||
          a.heads(slot) != H || a.Dh != Dh)
        return;
  }
  Operation *last = users.back();
  for (Operation *user : split->in.getUsers())
    if (split->op->isBeforeInBlock(user) && !last->isBeforeInBlock(user) &&
        writes(user, split->in))
      return;
  std::optional<View> view =
      rowsView(split->in, split->inLen, split->inStride, split->inOffset, B, T,
               H, Dh);
  if (!view)
    return;
  views[x] = *view;
  splitOf[x] = split->op;
}

/// b. out is written by `a` (its first user) and read only by head merges
///    that read all of it and by attention_backward as out. The first
///    merge's target y is written by nothing else before it; later merges
///    are whole copies of y in buffers of y's type, read only. y is not
///    written again until every read of out, y and the copies is done.
void Planner::planOut(const Attention &a) {
  Value x = a.buffer(0);
  if (!isAlloc(x) || slotsOf(a.op, x).size() != 1)
    return;
  SmallVector<Operation *> users = usersInOrder(x);
  if (users.front() != a.op)
    return;
  SmallVector<HeadPermute> merges;
  Operation *lastRead = users.back();
  for (Operation *user : llvm::drop_begin(users)) {
    if (std::optional<HeadPermute> merge = asHeadPermute(user)) {
      if (!merge->readsAllOf(x) || merge->shape[0] != a.B ||
          merge->shape[1] != a.Hq || merge->shape[2] != a.T ||
          merge->shape[3] != a.Dh)
        return;
      merges.push_back(*merge);
      continue;
    }
    auto it = indexOf.find(user);
    if (it == indexOf.end())
      return;
    const Attention &reader = launches[it->second];
    if (reader.kind != Kind::backward || reader.B != a.B ||
        reader.Hq != a.Hq || reader.T != a.T || reader.Dh != a.Dh ||
        slotsOf(reader.op, x) != SmallVector<unsigned>{7})
      return;
  }
  if (merges.empty())
    return;
  const HeadPermute &first = merges.front();
  Value y = first.out;
  if (!isAlloc(y) || usersInOrder(y).front() != first.op)
    return;
  OutFusion fusion;
  fusion.merge = first.op;
  for (const HeadPermute &copy : llvm::drop_begin(merges)) {
    Value z = copy.out;
    SmallVector<Operation *> zUsers = usersInOrder(z);
    if (!first.writesAllOf(y) || !copy.writesAllOf(z) || !isAlloc(z) ||
        z.getType() != y.getType() || zUsers.front() != copy.op ||
        llvm::any_of(llvm::drop_begin(zUsers),
                     [&](Operation *u) { return writes(u, z); }))
      return;
    if (lastRead->isBeforeInBlock(zUsers.back()))
      lastRead = zUsers.back();
    fusion.copies.push_back(copy.op);
  }
  for (Operation *user : y.getUsers())
    if (user != first.op && !lastRead->isBeforeInBlock(user) &&
        writes(user, y))
      return;
  std::optional<View> view = rowsView(y, first.outLen, first.outStride,
                                      first.outOffset, a.B, a.T, a.Hq, a.Dh);
  if (!view)
    return;
  views[x] = *view;
  outFusions[a.op] = std::move(fusion);
}

/// The buffer that reads of `v` reach after the rewrite.
Value Planner::resolve(Value v) const {
  auto it = views.find(v);
  if (it != views.end())
    return it->second.buffer;
  for (const auto &entry : outFusions)
    for (LaunchOp copy : entry.second.copies)
      if (copy.getBuffers()[0] == v)
        return entry.second.merge.getBuffers()[0];
  return v;
}

/// Whether two merges write disjoint elements of their common target.
bool disjoint(const HeadPermute &p, const HeadPermute &q) {
  auto extent = [](const HeadPermute &m) {
    int64_t n = m.shape[0] * m.shape[1] * m.shape[2] * m.shape[3];
    int64_t rows = n / m.outLen;
    return std::pair<int64_t, int64_t>(
        m.outOffset, m.outOffset + (rows - 1) * m.outStride + m.outLen);
  };
  auto [p0, p1] = extent(p);
  auto [q0, q1] = extent(q);
  if (p1 <= q0 || q1 <= p0)
    return true;
  // Column blocks of the same rows.
  if (p.outStride != q.outStride || p.outLen > p.outStride ||
      q.outLen > q.outStride)
    return false;
  int64_t s = p.outStride, pc = p.outOffset % s, qc = q.outOffset % s;
  return pc + p.outLen <= s && qc + q.outLen <= s &&
         (pc + p.outLen <= qc || qc + q.outLen <= pc);
}

/// c. dq, dk, dv are each zero-filled with nothing else using them before
///    `a`: the kernel overwrites them. One that only a head merge reads
///    after `a` is written into the merge's target instead, when nothing
///    else uses that target between `a` and the merge and the merges into
///    it write disjoint elements.
void Planner::planGrads(const Attention &a) {
  GradFusion fusion;
  for (unsigned i = 0; i < 3; ++i) {
    Value d = a.buffer(i);
    SmallVector<Operation *> users = usersInOrder(d);
    auto fill = dyn_cast<FillOp>(users.front());
    if (!isAlloc(d) || slotsOf(a.op, d).size() != 1 || !fill ||
        fill.getValue().convertToDouble() != 0.0 || users.size() < 2 ||
        users[1] != a.op || a.op.getAccessMode(i) != Access::readwrite)
      return;
    fusion.fills.push_back(fill);
    std::optional<HeadPermute> merge;
    if (users.size() == 3)
      merge = asHeadPermute(users[2]);
    if (merge && merge->readsAllOf(d) && !views.count(merge->out) &&
        merge->shape[0] == a.B &&
        merge->shape[1] == a.heads(i) && merge->shape[2] == a.T &&
        merge->shape[3] == a.Dh &&
        rowsView(merge->out, merge->outLen, merge->outStride,
                 merge->outOffset, a.B, a.T, a.heads(i), a.Dh))
      fusion.merges[i] = merge;
  }
  // Per target: the merges into it, checked together.
  llvm::SmallDenseSet<Value, 4> targets;
  for (auto &merge : fusion.merges)
    if (merge)
      targets.insert(merge->out);
  for (Value g : targets) {
    SmallVector<unsigned> mine;
    Operation *last = a.op;
    for (unsigned i = 0; i < 3; ++i)
      if (fusion.merges[i] && fusion.merges[i]->out == g) {
        mine.push_back(i);
        if (last->isBeforeInBlock(fusion.merges[i]->op))
          last = fusion.merges[i]->op;
      }
    auto isMine = [&](Operation *op) {
      return llvm::any_of(mine,
                          [&](unsigned i) { return fusion.merges[i]->op == op; });
    };
    bool ok = isAlloc(g);
    for (unsigned i : mine)
      for (unsigned j : mine)
        ok &= i >= j || disjoint(*fusion.merges[i], *fusion.merges[j]);
    // Nothing between the kernel and the last merge may reach g, counting
    // the reads that views and copies redirect (the kernel's own inputs
    // included).
    for (Operation *op = a.op; ok && op != last->getNextNode();
         op = op->getNextNode()) {
      if (isMine(op))
        continue;
      for (Value operand : op->getOperands())
        if (resolve(operand) == g)
          ok = false;
    }
    if (!ok)
      for (unsigned i : mine)
        fusion.merges[i].reset();
  }
  gradFusions[a.op] = std::move(fusion);
}

void Planner::run() {
  for (Operation &op : body)
    if (std::optional<Attention> a = asAttention(&op)) {
      indexOf[&op] = launches.size();
      launches.push_back(*a);
    }
  if (launches.empty())
    return;
  for (const Attention &a : launches)
    if (a.kind == Kind::forward)
      planOut(a);
  for (const Attention &a : launches)
    for (unsigned i = 0; i < a.size(); ++i)
      if (a.isRead(i) && i != a.outSlot() && a.heads(i))
        planSplit(a.buffer(i));
  for (const Attention &a : launches)
    if (a.kind == Kind::backward)
      planGrads(a);
  rewrite();
}

//===--- The rewrite -------------------------------------------------------===//

void Planner::rewrite() {
  auto moveDefBefore = [](Value v, Operation *op) {
    Operation *def = v.getDefiningOp();
    if (def && op->isBeforeInBlock(def))
      moveBeforeInBlock(def, op);
  };
  SmallVector<Operation *> dead;
  for (const Attention &a : launches) {
    auto grads = gradFusions.find(a.op);
    bool fused = grads != gradFusions.end() &&
                 llvm::any_of(grads->second.merges,
                              [](const auto &m) { return m.has_value(); });
    bool changed = fused || outFusions.count(a.op);
    for (unsigned i = 0; i < a.size(); ++i)
      changed |= a.heads(i) && views.count(a.buffer(i)) && a.isRead(i);
    if (!changed)
      continue;
    // The operands' views, in the kernel's order.
    SmallVector<View, 9> operand;
    for (unsigned i = 0; i < a.size(); ++i) {
      Value b = a.buffer(i);
      auto it = views.find(b);
      bool viewed = it != views.end() &&
                    (a.isRead(i) || (a.kind == Kind::forward && i == 0));
      operand.push_back(viewed ? it->second
                               : contiguous(b, a.heads(i), a.T, a.Dh));
    }
    SmallVector<Access, 9> access;
    for (unsigned i = 0; i < a.size(); ++i)
      access.push_back(a.op.getAccessMode(i));
    // The forward writes what the merge wrote (part of a wider row: the
    // rest of it kept).
    if (auto out = outFusions.find(a.op); out != outFusions.end())
      access[0] = out->second.merge.getAccessMode(0);
    bool overwrite = grads != gradFusions.end();
    if (overwrite) {
      for (unsigned i = 0; i < 3; ++i) {
        const std::optional<HeadPermute> &merge = grads->second.merges[i];
        access[i] = Access::write;
        if (!merge)
          continue;
        operand[i] = *rowsView(merge->out, merge->outLen, merge->outStride,
                               merge->outOffset, a.B, a.T, a.heads(i), a.Dh);
        access[i] = merge->op.getAccessMode(0);
        dead.push_back(merge->op);
      }
      for (FillOp fill : grads->second.fills)
        dead.push_back(fill);
    }
    OpBuilder builder(a.op);
    SmallVector<Attribute> args(a.op.getArgs().begin(), a.op.getArgs().end());
    if (a.kind == Kind::backward)
      args.push_back(builder.getI64IntegerAttr(overwrite ? 0 : 1));
    // The kernels' view order: forward q, k, v, out; backward dq, dk, dv,
    // dout, q, k, v, out.
    SmallVector<unsigned> order = a.kind == Kind::forward
                                      ? SmallVector<unsigned>{2, 3, 4, 0}
                                      : SmallVector<unsigned>{0, 1, 2, 3,
                                                              4, 5, 6, 7};
    for (unsigned i : order)
      for (int64_t v : {operand[i].offset, operand[i].batch, operand[i].head,
                        operand[i].row})
        args.push_back(builder.getI64IntegerAttr(v));
    SmallVector<Value, 9> buffers;
    for (unsigned i = 0; i < a.size(); ++i) {
      Value b = i == 1 && a.kind == Kind::forward ? a.buffer(1)
                : i == 8                          ? a.buffer(8)
                                                  : operand[i].buffer;
      moveDefBefore(b, a.op);
      buffers.push_back(b);
    }
    LaunchOp::create(builder, a.op.getLoc(),
                     a.kind == Kind::forward ? "attention_forward_strided"
                                             : "attention_backward_strided",
                     buffers, access, args);
    dead.push_back(a.op);
  }
  for (auto &entry : splitOf)
    dead.push_back(entry.second);
  for (auto &entry : outFusions) {
    Value y = entry.second.merge.getBuffers()[0];
    dead.push_back(entry.second.merge);
    for (LaunchOp copy : entry.second.copies) {
      Value z = copy.getBuffers()[0];
      dead.push_back(copy);
      z.replaceUsesWithIf(y, [&](OpOperand &use) {
        return use.getOwner() != copy.getOperation();
      });
    }
  }
  // Erase the replaced ops, then every buffer left without a user.
  llvm::SetVector<Operation *> erase(dead.begin(), dead.end());
  llvm::SetVector<Operation *> allocs;
  for (Operation *op : erase)
    for (Value v : op->getOperands())
      if (auto alloc = v.getDefiningOp<AllocOp>())
        allocs.insert(alloc);
  for (Operation *op : erase)
    op->erase();
  for (Operation *alloc : allocs)
    if (alloc->use_empty())
      alloc->erase();
}

struct ExecAttentionLayoutPass
    : public ptc::exec::impl::ExecAttentionLayoutBase<
          ExecAttentionLayoutPass> {
  void runOnOperation() override {
    getOperation().walk([](func::FuncOp fn) {
      if (fn->hasAttr("exec.entry") && fn.getBody().hasOneBlock())
        Planner(fn.front()).run();
    });
  }
};

} // namespace

//===- LowerForward.cpp - exec lowering of the forward ops ---------------===//

#include "passes/GraphToExec/Lowering.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace ptc;
using namespace ptc::graph;
using exec::Access;

namespace ptc::lowering {

namespace {
constexpr Access R = Access::read, W = Access::write;

int64_t product(ArrayRef<int64_t> dims) {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  return n;
}
} // namespace

/// Static sizes of a (batched) matrix product, shared with the backward.
struct GemmShape {
  int64_t batch, m, n, k, strideA, strideB, strideOut;
};

static GemmShape gemmShape(Type lhs, Type rhs, bool ta, bool tb) {
  auto a = cast<ShapedType>(lhs), b = cast<ShapedType>(rhs);
  int64_t rank = a.getRank();
  int64_t m = a.getShape()[rank - 2], k = a.getShape()[rank - 1];
  if (ta)
    std::swap(m, k);
  int64_t n = b.getShape()[rank - 1];
  if (tb)
    n = b.getShape()[rank - 2];
  int64_t batch = product(a.getShape().drop_back(2));
  return {batch, m, n, k, m * k, k * n, m * n};
}

LogicalResult Lowering::lowerForward(Operation *op, bool &handled) {
  handled = true;
  Location loc = op->getLoc();
  return TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](ParamRefOp ref) {
        bind(ref, global(ref.getParam(), memrefOf(ref.getType())));
        return success();
      })
      .Case([&](EmbeddingOp emb) {
        auto [vocab, dim] = rowsAndCols(emb.getTable().getType());
        Value out = alloc(emb.getType());
        SmallVector<Attribute> args = {i64(numElements(emb.getIds().getType())),
                                       i64(vocab), i64(dim)};
        // A vocabulary shard: the rank's rows start at coordinate * vocab.
        if (auto axis = emb.getVocabShardAxis())
          args.push_back(i64(meshAxisIndex(*axis)));
        launch(emb.getVocabShardAxis() ? "embedding_shard_forward"
                                       : "embedding_forward",
               {{out, W}, {buffer(emb.getIds()), R}, {buffer(emb.getTable()), R}},
               args, loc);
        bind(emb, out);
        return success();
      })
      .Case([&](PositionEmbeddingOp pos) {
        Value out = alloc(pos.getType());
        launch("copy", {{out, W}, {buffer(pos.getTable()), R}},
               {i64(numElements(pos.getType()))}, loc);
        bind(pos, out);
        return success();
      })
      .Case([&](LayerNormOp norm) {
        auto [rows, cols] = rowsAndCols(norm.getType());
        Type element = norm.getType().getElementType();
        Value out = alloc(norm.getType());
        Value mean = scratch({rows}, element), rstd = scratch({rows}, element);
        SmallVector<Use> uses = {{out, W},
                                 {mean, W},
                                 {rstd, W},
                                 {buffer(norm.getInput()), R},
                                 {buffer(norm.getScale()), R}};
        if (norm.getBias())
          uses.push_back({buffer(norm.getBias()), R});
        launch(norm.getBias() ? "layernorm_forward"
                              : "layernorm_forward_nobias",
               uses,
               {i64(rows), i64(cols), f64(norm.getEpsilon().convertToDouble())},
               loc);
        recordStats("layer_norm",
                    {buffer(norm.getInput()), buffer(norm.getScale())},
                    {mean, rstd});
        bind(norm, out);
        return success();
      })
      .Case([&](RMSNormOp norm) {
        auto [rows, cols] = rowsAndCols(norm.getType());
        Value out = alloc(norm.getType());
        Value rstd = scratch({rows}, norm.getType().getElementType());
        launch("rmsnorm_forward",
               {{out, W},
                {rstd, W},
                {buffer(norm.getInput()), R},
                {buffer(norm.getScale()), R}},
               {i64(rows), i64(cols), f64(norm.getEpsilon().convertToDouble())},
               loc);
        recordStats("rms_norm",
                    {buffer(norm.getInput()), buffer(norm.getScale())}, {rstd});
        bind(norm, out);
        return success();
      })
      .Case([&](LinearOp linear) {
        auto [rows, k] = rowsAndCols(linear.getInput().getType());
        int64_t n =
            cast<ShapedType>(linear.getWeight().getType()).getShape()[0];
        Value out = alloc(linear.getType());
        SmallVector<Value> operands = {out, buffer(linear.getInput()),
                                       buffer(linear.getWeight())};
        SmallVector<NamedAttribute> attrs = {
            builder.getNamedAttr("m", i64(rows)),
            builder.getNamedAttr("n", i64(n)),
            builder.getNamedAttr("k", i64(k)),
            builder.getNamedAttr("transpose_b", builder.getUnitAttr())};
        if (linear.getBias()) {
          operands.push_back(buffer(linear.getBias()));
          attrs.push_back(builder.getNamedAttr(
              "epilogue", exec::GemmEpilogueAttr::get(
                              builder.getContext(), exec::GemmEpilogue::bias)));
        }
        exec::GemmOp::create(builder, loc, TypeRange{}, operands, attrs);
        bind(linear, out);
        return success();
      })
      .Case([&](MatmulOp matmul) {
        GemmShape s =
            gemmShape(matmul.getLhs().getType(), matmul.getRhs().getType(),
                      matmul.getTransposeLhs(), matmul.getTransposeRhs());
        Value out = alloc(matmul.getType());
        SmallVector<NamedAttribute> attrs = {
            builder.getNamedAttr("m", i64(s.m)),
            builder.getNamedAttr("n", i64(s.n)),
            builder.getNamedAttr("k", i64(s.k)),
            builder.getNamedAttr("batch", i64(s.batch)),
            builder.getNamedAttr("stride_a", i64(s.strideA)),
            builder.getNamedAttr("stride_b", i64(s.strideB)),
            builder.getNamedAttr("stride_out", i64(s.strideOut))};
        if (matmul.getTransposeLhs())
          attrs.push_back(
              builder.getNamedAttr("transpose_a", builder.getUnitAttr()));
        if (matmul.getTransposeRhs())
          attrs.push_back(
              builder.getNamedAttr("transpose_b", builder.getUnitAttr()));
        exec::GemmOp::create(
            builder, loc, TypeRange{},
            ValueRange{out, buffer(matmul.getLhs()), buffer(matmul.getRhs())},
            attrs);
        bind(matmul, out);
        return success();
      })
      .Case([&](AttentionOp attn) -> LogicalResult {
        FailureOr<SmallVector<Attribute>> args = attentionArgs(attn);
        if (failed(args))
          return failure();
        auto q = cast<ShapedType>(attn.getQuery().getType());
        Value out = alloc(attn.getType());
        Value lse = attentionLse(q);
        launch("attention_forward",
               {{out, W},
                {lse, W},
                {buffer(attn.getQuery()), R},
                {buffer(attn.getKey()), R},
                {buffer(attn.getValue()), R}},
               *args, loc);
        recordStats("attention",
                    {buffer(attn.getQuery()), buffer(attn.getKey()),
                     buffer(attn.getValue())},
                    {out, lse});
        bind(attn, out);
        return success();
      })
      .Case([&](RopeOp rope) {
        auto shape = cast<ShapedType>(rope.getType()).getShape();
        Value out = alloc(rope.getType());
        launch("rope_forward", {{out, W}, {buffer(rope.getInput()), R}},
               {i64(shape[0]), i64(shape[1]), i64(shape[2]), i64(shape[3]),
                f64(rope.getTheta().convertToDouble())},
               loc);
        bind(rope, out);
        return success();
      })
      .Case<AddOp, MulOp>([&](auto binary) {
        Value out = alloc(binary.getType());
        launch(isa<AddOp>(op) ? "add_forward" : "mul_forward",
               {{out, W},
                {buffer(binary.getLhs()), R},
                {buffer(binary.getRhs()), R}},
               {i64(numElements(binary.getLhs().getType())),
                i64(numElements(binary.getRhs().getType()))},
               loc);
        bind(binary, out);
        return success();
      })
      .Case([&](GeluOp gelu) {
        Value out = alloc(gelu.getType());
        launch("gelu_forward", {{out, W}, {buffer(gelu.getInput()), R}},
               {i64(numElements(gelu.getType())),
                i64(gelu.getApproximation() == GeluApproximation::tanh)},
               loc);
        bind(gelu, out);
        return success();
      })
      .Case([&](SiluOp silu) {
        Value out = alloc(silu.getType());
        launch("silu_forward", {{out, W}, {buffer(silu.getInput()), R}},
               {i64(numElements(silu.getType()))}, loc);
        bind(silu, out);
        return success();
      })
      .Case([&](SwigluOp swiglu) {
        Value out = alloc(swiglu.getType());
        launch("swiglu_forward",
               {{out, W},
                {buffer(swiglu.getGate()), R},
                {buffer(swiglu.getUp()), R}},
               {i64(numElements(swiglu.getType()))}, loc);
        bind(swiglu, out);
        return success();
      })
      .Case([&](DropoutOp dropout) {
        Value out = alloc(dropout.getType());
        launch("dropout_forward",
               {{out, W},
                {buffer(dropout.getInput()), R},
                {io("seed"), R},
                {io("step"), R},
                {io("micro"), R}},
               {i64(numElements(dropout.getType())),
                f64(dropout.getP().convertToDouble()),
                i64(dropout.getStream())},
               loc);
        bind(dropout, out);
        return success();
      })
      .Case([&](CrossEntropyOp ce) {
        auto [rows, padded] = rowsAndCols(ce.getLogits().getType());
        // The statistics have the loss's type (f32 for bf16 logits).
        Value loss = alloc(ce.getType());
        Value lse = scratch({rows}, ce.getType().getElementType());
        launch("cross_entropy_forward",
               {{loss, W},
                {lse, W},
                {buffer(ce.getLogits()), R},
                {buffer(ce.getTargets()), R}},
               {i64(rows), i64(ce.getNumClasses()), i64(padded)}, loc);
        recordStats("cross_entropy",
                    {buffer(ce.getLogits()), buffer(ce.getTargets())}, {lse});
        bind(ce, loss);
        return success();
      })
      .Default([&](Operation *) {
        handled = false;
        return success();
      });
}

} // namespace ptc::lowering

//===- GraphBuilder.cpp - Spec -> graph dialect ---------------------------===//
//
// Parameter names follow Hugging Face where the model maps one-to-one (GPT-2:
// `wte`, `h.3.attn.c_attn.weight`, ...; Llama: `embed_tokens`,
// `layers.3.self_attn.q_proj.weight`, ...), so that weights can be exchanged
// by name. Linear weights use the nn.Linear layout [out, in].
//
//===----------------------------------------------------------------------===//

#include "frontend/GraphBuilder.h"

#include "dialects/Dist/IR/DistOps.h"
#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

#include <cmath>

using namespace mlir;
using namespace ptc::graph;

namespace ptc {
namespace {

/// Names of the model's tensors in one naming family.
struct ParamNames {
  bool llama;
  std::string block(int64_t i) const {
    return (llama ? "layers." : "h.") + std::to_string(i) + ".";
  }
  std::string tokenEmbedding() const {
    return llama ? "embed_tokens.weight" : "wte.weight";
  }
  std::string positionEmbedding() const { return "wpe.weight"; }
  std::string norm1() const { return llama ? "input_layernorm" : "ln_1"; }
  std::string norm2() const {
    return llama ? "post_attention_layernorm" : "ln_2";
  }
  std::string finalNorm() const { return llama ? "norm" : "ln_f"; }
  std::string attnOut() const {
    return llama ? "self_attn.o_proj" : "attn.c_proj";
  }
  std::string mlpUp() const { return llama ? "mlp.up_proj" : "mlp.c_fc"; }
  std::string mlpGate() const { return "mlp.gate_proj"; }
  std::string mlpDown() const { return llama ? "mlp.down_proj" : "mlp.c_proj"; }
};

class GraphBuilder {
public:
  GraphBuilder(MLIRContext &context, const Spec &spec)
      : spec(spec), m(spec.model), builder(&context),
        loc(FileLineColLoc::get(&context, spec.name, 0, 0)),
        names{spec.model.family == ModelFamily::Llama} {}

  OwningOpRef<ModuleOp> build();

private:
  // Types.
  /// The element type of parameters and activations: f64 in the fp64
  /// verification mode, else f32 (bf16 compute copies are made by a pass).
  Type realType() {
    return spec.training.precision == Precision::FP64
               ? Type(builder.getF64Type())
               : Type(builder.getF32Type());
  }
  RankedTensorType real(ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, realType());
  }
  RankedTensorType i32(ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, builder.getI32Type());
  }

  // Parameters: declared at module level, read in the current layer.
  Value param(const std::string &name, ArrayRef<int64_t> shape, ParamRole role,
              InitAttr init);
  Value weight(const std::string &name, int64_t out, int64_t in,
               double scale = 1.0);
  Value bias(const std::string &name, int64_t size);

  // Building blocks.
  Value linear(Value x, const std::string &name, int64_t out,
               double initScale = 1.0);
  Value norm(Value x, const std::string &name);
  Value dropout(Value x, double p);
  Value toHeads(Value x, int64_t heads);
  Value fromHeads(Value x);
  Value attention(Value x, int64_t layer);
  Value mlp(Value x, int64_t layer);

  /// Opens a layer unit, sets the insertion point inside it and returns it.
  LayerOp beginLayer(TypeRange results, ValueRange inputs, LayerKind kind,
                     int64_t index);
  void endLayer(LayerOp layer, ValueRange results);

  void attachConfiguration(ModuleOp module);

  const Spec &spec;
  const ModelSpec &m;
  OpBuilder builder;
  Location loc;
  ParamNames names;
  ModuleOp module;
  // The forward function once created (parameters go before it); kept, not
  // looked up per parameter: a lookup scans the module's parameters.
  func::FuncOp forward;
  int64_t dropoutStreams = 0;
  int64_t batch = 0;
  double residualScale = 1.0;
};

Value GraphBuilder::param(const std::string &name, ArrayRef<int64_t> shape,
                          ParamRole role, InitAttr init) {
  RankedTensorType type = real(shape);
  {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToEnd(module.getBody());
    // Parameters go before the function, in declaration order.
    if (forward)
      builder.setInsertionPoint(forward);
    ParamOp::create(builder, loc, builder.getStringAttr(name),
                    TypeAttr::get(type),
                    ParamRoleAttr::get(builder.getContext(), role), init);
  }
  return ParamRefOp::create(builder, loc, type,
                            FlatSymbolRefAttr::get(builder.getContext(), name));
}

Value GraphBuilder::weight(const std::string &name, int64_t out, int64_t in,
                           double scale) {
  auto init =
      InitAttr::get(builder.getContext(), InitKind::normal, m.initStd, scale);
  return param(name, {out, in}, ParamRole::weight, init);
}

Value GraphBuilder::bias(const std::string &name, int64_t size) {
  return param(name, {size}, ParamRole::bias,
               InitAttr::get(builder.getContext(), InitKind::zeros));
}

Value GraphBuilder::linear(Value x, const std::string &name, int64_t out,
                           double initScale) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t in = type.getShape().back();
  Value w = weight(name + ".weight", out, in, initScale);
  Value b = m.bias ? bias(name + ".bias", out) : Value();
  SmallVector<int64_t> shape(type.getShape());
  shape.back() = out;
  return LinearOp::create(builder, loc, real(shape), x, w, b);
}

Value GraphBuilder::norm(Value x, const std::string &name) {
  MLIRContext *ctx = builder.getContext();
  Value scale = param(name + ".weight", {m.hidden}, ParamRole::norm_scale,
                      InitAttr::get(ctx, InitKind::ones));
  FloatAttr eps = builder.getF64FloatAttr(m.normEps);
  if (m.norm == NormKind::RMSNorm)
    return RMSNormOp::create(builder, loc, x, scale, eps);
  Value shift = m.bias ? param(name + ".bias", {m.hidden}, ParamRole::norm_bias,
                               InitAttr::get(ctx, InitKind::zeros))
                       : Value();
  return LayerNormOp::create(builder, loc, x, scale, shift, eps);
}

Value GraphBuilder::dropout(Value x, double p) {
  if (p == 0.0)
    return x;
  return DropoutOp::create(builder, loc, x, builder.getF64FloatAttr(p),
                           builder.getI64IntegerAttr(dropoutStreams++));
}

/// [B, T, H*Dh] -> [B, H, T, Dh]
Value GraphBuilder::toHeads(Value x, int64_t heads) {
  Value split = ReshapeOp::create(builder, loc,
                                  real({batch, m.seqLen, heads, m.headDim}), x);
  return TransposeOp::create(builder, loc,
                             real({batch, heads, m.seqLen, m.headDim}), split,
                             builder.getDenseI64ArrayAttr({0, 2, 1, 3}));
}

/// [B, H, T, Dh] -> [B, T, H*Dh]
Value GraphBuilder::fromHeads(Value x) {
  Value swapped = TransposeOp::create(
      builder, loc, real({batch, m.seqLen, m.heads, m.headDim}), x,
      builder.getDenseI64ArrayAttr({0, 2, 1, 3}));
  return ReshapeOp::create(builder, loc, real({batch, m.seqLen, m.hidden}),
                           swapped);
}

Value GraphBuilder::attention(Value x, int64_t layer) {
  std::string prefix = names.block(layer);
  int64_t kvWidth = m.kvHeads * m.headDim;
  Value q, k, v;
  if (names.llama) {
    q = linear(x, prefix + "self_attn.q_proj", m.hidden);
    k = linear(x, prefix + "self_attn.k_proj", kvWidth);
    v = linear(x, prefix + "self_attn.v_proj", kvWidth);
  } else {
    // GPT-2's fused projection: [q; k; v] rows of one weight.
    Value qkv = linear(x, prefix + "attn.c_attn", m.hidden + 2 * kvWidth);
    auto parts = SplitOp::create(builder, loc,
                                 TypeRange{real({batch, m.seqLen, m.hidden}),
                                           real({batch, m.seqLen, kvWidth}),
                                           real({batch, m.seqLen, kvWidth})},
                                 qkv, builder.getI64IntegerAttr(2));
    q = parts.getResult(0);
    k = parts.getResult(1);
    v = parts.getResult(2);
  }
  q = toHeads(q, m.heads);
  k = toHeads(k, m.kvHeads);
  v = toHeads(v, m.kvHeads);
  if (m.positions == PositionKind::Rope) {
    FloatAttr theta = builder.getF64FloatAttr(m.ropeTheta);
    q = RopeOp::create(builder, loc, q, theta);
    k = RopeOp::create(builder, loc, k, theta);
  }
  Value o = AttentionOp::create(
      builder, loc, q.getType(), q, k, v, builder.getUnitAttr(),
      /*scale=*/FloatAttr(), builder.getF64FloatAttr(m.attentionDropout));
  return linear(fromHeads(o), prefix + names.attnOut(), m.hidden,
                residualScale);
}

Value GraphBuilder::mlp(Value x, int64_t layer) {
  std::string prefix = names.block(layer);
  Value h;
  if (m.activation == ActivationKind::SwiGLU) {
    Value gate = linear(x, prefix + names.mlpGate(), m.ffnHidden);
    Value up = linear(x, prefix + names.mlpUp(), m.ffnHidden);
    h = SwigluOp::create(builder, loc, gate, up);
  } else {
    auto approximation = m.activation == ActivationKind::GeluTanh
                             ? GeluApproximation::tanh
                             : GeluApproximation::erf;
    h = GeluOp::create(
        builder, loc, linear(x, prefix + names.mlpUp(), m.ffnHidden),
        GeluApproximationAttr::get(builder.getContext(), approximation));
  }
  return linear(h, prefix + names.mlpDown(), m.hidden, residualScale);
}

LayerOp GraphBuilder::beginLayer(TypeRange results, ValueRange inputs,
                                 LayerKind kind, int64_t index) {
  auto layer = LayerOp::create(builder, loc, results, inputs, kind, index);
  builder.setInsertionPointToStart(&layer.getBodyBlock());
  return layer;
}

void GraphBuilder::endLayer(LayerOp layer, ValueRange results) {
  YieldOp::create(builder, loc, results);
  builder.setInsertionPointAfter(layer);
}

OwningOpRef<ModuleOp> GraphBuilder::build() {
  OwningOpRef<ModuleOp> owned = ModuleOp::create(loc, spec.name);
  module = *owned;
  attachConfiguration(module);
  batch = spec.training.microBatchSize;
  residualScale = 1.0 / std::sqrt(2.0 * double(m.layers));

  RankedTensorType idsType = i32({batch, m.seqLen});
  RankedTensorType activation = real({batch, m.seqLen, m.hidden});
  RankedTensorType loss = RankedTensorType::get({}, realType());
  builder.setInsertionPointToEnd(module.getBody());
  auto func =
      func::FuncOp::create(builder, loc, "forward",
                           builder.getFunctionType({idsType, idsType}, {loss}));
  forward = func;
  func.setArgAttr(0, "ptc.input", builder.getStringAttr("tokens"));
  func.setArgAttr(1, "ptc.input", builder.getStringAttr("targets"));
  Block *entry = func.addEntryBlock();
  builder.setInsertionPointToStart(entry);
  Value ids = entry->getArgument(0), targets = entry->getArgument(1);
  MLIRContext *ctx = builder.getContext();
  auto normalInit = InitAttr::get(ctx, InitKind::normal, m.initStd);

  // The embedding unit: token (+ learned position) embeddings.
  LayerOp embed = beginLayer(activation, ids, LayerKind::embedding, 0);
  Value wte = param(names.tokenEmbedding(), {m.paddedVocab, m.hidden},
                    ParamRole::token_embedding, normalInit);
  Value x = EmbeddingOp::create(builder, loc, activation, wte,
                                embed.getBodyBlock().getArgument(0),
                                /*vocab_shard_axis=*/nullptr);
  if (m.positions == PositionKind::Learned) {
    Value wpe = param(names.positionEmbedding(), {m.seqLen, m.hidden},
                      ParamRole::position_embedding, normalInit);
    Value positions = PositionEmbeddingOp::create(
        builder, loc, real({m.seqLen, m.hidden}), wpe);
    x = AddOp::create(builder, loc, x, positions);
  }
  endLayer(embed, dropout(x, m.dropout));
  x = embed.getResult(0);

  // The transformer blocks: pre-norm attention and MLP with residuals.
  for (int64_t i = 0; i < m.layers; ++i) {
    LayerOp block = beginLayer(activation, x, LayerKind::block, i);
    Value h = block.getBodyBlock().getArgument(0);
    std::string prefix = names.block(i);
    Value a = attention(norm(h, prefix + names.norm1()), i);
    h = AddOp::create(builder, loc, h, dropout(a, m.dropout));
    Value f = mlp(norm(h, prefix + names.norm2()), i);
    h = AddOp::create(builder, loc, h, dropout(f, m.dropout));
    endLayer(block, h);
    x = block.getResult(0);
  }

  // The head: final norm, output projection (tied or not) and the loss.
  LayerOp head = beginLayer(loss, ValueRange{x, targets}, LayerKind::head, 0);
  Value y = norm(head.getBodyBlock().getArgument(0), names.finalNorm());
  Value outWeight =
      m.tiedEmbeddings
          ? ParamRefOp::create(
                builder, loc, real({m.paddedVocab, m.hidden}),
                FlatSymbolRefAttr::get(ctx, names.tokenEmbedding()))
                .getResult()
          : param("lm_head.weight", {m.paddedVocab, m.hidden},
                  ParamRole::output_weight, normalInit);
  Value logits =
      LinearOp::create(builder, loc, real({batch, m.seqLen, m.paddedVocab}), y,
                       outWeight, Value());
  Value l = CrossEntropyOp::create(builder, loc, loss, logits,
                                   head.getBodyBlock().getArgument(1),
                                   builder.getI64IntegerAttr(m.vocabSize));
  endLayer(head, l);
  func::ReturnOp::create(builder, loc, head.getResult(0));
  return owned;
}

void GraphBuilder::attachConfiguration(ModuleOp module) {
  MLIRContext *ctx = builder.getContext();
  const TrainingSpec &t = spec.training;
  const ParallelSpec &p = spec.parallel;
  // The spec's enums and the attributes' enums share their spellings.
  auto family = symbolizeModelFamily(toString(m.family));
  auto schedule = symbolizeLRSchedule(toString(t.lrSchedule.kind));
  auto precision = symbolizePrecision(toString(t.precision));
  auto pipeline = dist::symbolizePipelineSchedule(toString(p.schedule));
  auto recompute = dist::symbolizeRecomputePolicy(toString(p.recompute));
  assert(family && schedule && precision && pipeline && recompute &&
         "a spec enum without its attribute case");
  module->setAttr(ModelAttr::kModuleAttrName,
                  ModelAttr::get(ctx, *family, m.layers, m.hidden, m.heads,
                                 m.kvHeads, m.ffnHidden, m.seqLen, m.vocabSize,
                                 m.paddedVocab, m.vocabPadMultiple,
                                 m.tiedEmbeddings));
  module->setAttr(
      TrainingAttr::kModuleAttrName,
      TrainingAttr::get(
          ctx, Optimizer::adamw, t.optimizer.lr, t.optimizer.beta1,
          t.optimizer.beta2, t.optimizer.eps, t.optimizer.weightDecay,
          t.optimizer.decayEmbeddings, *schedule, t.lrSchedule.warmupSteps,
          t.lrSchedule.decaySteps, t.lrSchedule.minLr, t.globalBatchSize,
          t.microBatchSize, t.steps, *precision, t.keepBF16Weights, t.seed,
          t.gradClip, t.evalEvery, t.evalSteps, t.rampup.startBatch,
          t.rampup.increment, t.rampup.samples, t.checkpointEvery,
          t.checkpointKeep, t.checkpointDir));
  module->setAttr(dist::ParallelAttr::kModuleAttrName,
                  dist::ParallelAttr::get(ctx, p.automatic, p.tp, p.pp, p.dp,
                                          *pipeline, p.virtualStages,
                                          p.sequenceParallel, p.zeroStage,
                                          p.gradBucketMb, *recompute,
                                          p.pipelineLayout, p.scheduleFile));
}

} // namespace

OwningOpRef<ModuleOp> buildGraphModule(MLIRContext &context, const Spec &spec) {
  context.getOrLoadDialect<GraphDialect>();
  context.getOrLoadDialect<dist::DistDialect>();
  context.getOrLoadDialect<func::FuncDialect>();
  return GraphBuilder(context, spec).build();
}

} // namespace ptc

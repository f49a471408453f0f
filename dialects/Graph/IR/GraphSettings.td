//===- GraphSettings.td - The model and training settings ---*- tablegen -*-===//
//
// The spec's `model` and `training` sections as typed attributes, carried by
// the module as `ptc.model` and `ptc.training`. Each verifies what the spec
// reader checks of its own fields; the checks across sections (tp divides
// heads, micro_batch_size x dp divides global_batch_size) are the `ptc`
// dialect's, on the module (dialects/Ptc/IR/ModuleSettings.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef PTC_GRAPH_SETTINGS_TD
#define PTC_GRAPH_SETTINGS_TD

include "dialects/Graph/IR/GraphBase.td"
include "dialects/SettingsParameters.td"

def Graph_ModelFamily : I32EnumAttr<"ModelFamily", "architecture family", [
    I32EnumAttrCase<"gpt", 0>,
    I32EnumAttrCase<"llama", 1>]> {
  let cppNamespace = "::ptc::graph";
  let genSpecializedAttr = 0;
}

def Graph_Optimizer : I32EnumAttr<"Optimizer", "optimizer", [
    I32EnumAttrCase<"adamw", 0>]> {
  let cppNamespace = "::ptc::graph";
  let genSpecializedAttr = 0;
}

def Graph_LRSchedule : I32EnumAttr<"LRSchedule", "learning-rate schedule", [
    I32EnumAttrCase<"cosine", 0>,
    I32EnumAttrCase<"linear", 1>,
    I32EnumAttrCase<"constant", 2>]> {
  let cppNamespace = "::ptc::graph";
  let genSpecializedAttr = 0;
}

def Graph_Precision : I32EnumAttr<"Precision", "training precision", [
    I32EnumAttrCase<"bf16", 0>,
    I32EnumAttrCase<"fp32", 1>,
    I32EnumAttrCase<"fp64", 2>]> {
  let cppNamespace = "::ptc::graph";
  let genSpecializedAttr = 0;
}

def Graph_ModelAttr : Graph_Attr<"Model", "model"> {
  let summary = "The model settings of a spec (module attribute ptc.model)";
  let description = [{
    The architecture numbers that passes, the emitter and `ptc plan` read:
    the spec's `model` section after defaults and derivations (`kv_heads`,
    `ffn_hidden` and the padded vocabulary are always written out). The
    verifier checks what the spec reader checks: every size in its range,
    `heads` divides `hidden`, `kv_heads` divides `heads`, and `padded_vocab`
    is `vocab_size` rounded up to a multiple of `vocab_pad_multiple`.

    ```mlir
    module attributes {ptc.model = #graph.model<layers = 2, hidden = 64,
        heads = 4, kv_heads = 4, ffn_hidden = 256, seq_len = 32,
        vocab_size = 100, padded_vocab = 128, vocab_pad_multiple = 64>} {}
    ```
  }];
  let parameters = (ins
    Setting_Enum<Graph_ModelFamily, "gpt">:$family,
    Setting_I64<"transformer blocks">:$layers,
    Setting_I64<"model width">:$hidden,
    Setting_I64<"attention heads">:$heads,
    Setting_I64<"key/value heads (grouped-query attention)">:$kv_heads,
    Setting_I64<"width of the FFN">:$ffn_hidden,
    Setting_I64<"sequence length">:$seq_len,
    Setting_I64<"the tokenizer's vocabulary">:$vocab_size,
    Setting_I64<"vocabulary rows of the embedding and head">:$padded_vocab,
    Setting_I64<"the padded vocabulary is a multiple of this x tp",
                "1">:$vocab_pad_multiple,
    Setting_Bool<"the head reuses the token embedding", "true">
        :$tied_embeddings);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The module attribute that holds these settings.
    static constexpr ::llvm::StringLiteral kModuleAttrName = "ptc.model";
    /// The model settings of `module`, or null where it has none.
    static ModelAttr lookup(::mlir::Operation *module);
  }];
}

def Graph_TrainingAttr : Graph_Attr<"Training", "training"> {
  let summary = "The training settings of a spec (module attribute ptc.training)";
  let description = [{
    The optimizer, learning-rate schedule, batch sizes, steps, precision,
    evaluation cadence and checkpoints (`checkpoint_every`,
    `checkpoint_keep`, `checkpoint_dir`: the compiled program's defaults of
    its checkpoint flags, docs/checkpoints.md) of the spec's `training`
    section. A setting left out
    takes the spec's default; the batch sizes, `steps` and `decay_steps`
    (whose spec defaults depend on other fields) are required. The verifier
    checks what the spec reader checks: ranges, finite reals,
    `min_lr <= lr`, `warmup_steps <= decay_steps` (except for a constant
    schedule) and that `micro_batch_size` divides `global_batch_size` (the
    data-parallel degree joins that check on the module).

    ```mlir
    module attributes {ptc.training = #graph.training<lr = 1.000000e-03,
        decay_steps = 100, global_batch_size = 8, micro_batch_size = 4,
        steps = 100, precision = fp32>} {}
    ```
  }];
  let parameters = (ins
    Setting_Enum<Graph_Optimizer, "adamw">:$optimizer,
    Setting_F64<"peak learning rate", "6e-4">:$lr,
    Setting_F64<"AdamW beta1", "0.9">:$beta1,
    Setting_F64<"AdamW beta2", "0.95">:$beta2,
    Setting_F64<"AdamW epsilon", "1e-8">:$eps,
    Setting_F64<"decoupled weight decay", "0.1">:$weight_decay,
    Setting_Bool<"embeddings decay too", "true">:$decay_embeddings,
    Setting_Enum<Graph_LRSchedule, "cosine">:$lr_schedule,
    Setting_I64<"linear warm-up steps", "0">:$warmup_steps,
    Setting_I64<"steps of the decay">:$decay_steps,
    Setting_F64<"learning rate at the end of the decay", "0.0">:$min_lr,
    Setting_I64<"sequences per optimizer step, all replicas">
        :$global_batch_size,
    Setting_I64<"sequences per forward/backward on one rank">
        :$micro_batch_size,
    Setting_I64<"optimizer steps">:$steps,
    Setting_Enum<Graph_Precision, "bf16">:$precision,
    Setting_Bool<"bf16 weight copies persist between steps", "false">
        :$keep_bf16_weights,
    Setting_U64<"random seed", "1234">:$seed,
    Setting_F64<"global gradient-norm clip (0: off)", "1.0">:$grad_clip,
    Setting_I64<"steps between evaluations (0: none)", "0">:$eval_every,
    Setting_I64<"batches per evaluation", "20">:$eval_steps,
    Setting_I64<"batch-size ramp-up: the first global batch (0: none)", "0">
        :$rampup_start,
    Setting_I64<"batch-size ramp-up: the growth of the global batch", "0">
        :$rampup_increment,
    Setting_I64<"batch-size ramp-up: the samples over which it grows", "0">
        :$rampup_samples,
    Setting_I64<"checkpoint every N steps (0: never)", "0">:$checkpoint_every,
    Setting_I64<"complete checkpoints kept (0: all)", "0">:$checkpoint_keep,
    StringRefParameter<"checkpoint directory (empty: none unless given on "
                       "the command line)", "\"\"">:$checkpoint_dir);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The module attribute that holds these settings.
    static constexpr ::llvm::StringLiteral kModuleAttrName = "ptc.training";
    /// The training settings of `module`, or null where it has none.
    static TrainingAttr lookup(::mlir::Operation *module);
  }];
}

#endif // PTC_GRAPH_SETTINGS_TD

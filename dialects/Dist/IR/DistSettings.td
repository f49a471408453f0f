//===- DistSettings.td - The parallel settings --------------*- tablegen -*-===//
//
// The spec's `parallel` section as a typed attribute, carried by the module
// as `ptc.parallel`. It verifies its own fields as the spec reader does; the
// checks against the model and training settings (tp divides heads,
// micro_batch_size x dp divides global_batch_size, ...) are the `ptc`
// dialect's, on the module (dialects/Ptc/IR/ModuleSettings.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef PTC_DIST_SETTINGS_TD
#define PTC_DIST_SETTINGS_TD

include "dialects/Dist/IR/DistBase.td"
include "dialects/SettingsParameters.td"

def Dist_PipelineSchedule : I32EnumAttr<"PipelineSchedule",
    "pipeline schedule", [
    I32EnumAttrCase<"gpipe", 0>,
    I32EnumAttrCase<"one_f_one_b", 1, "1f1b">,
    I32EnumAttrCase<"interleaved_1f1b", 2>,
    I32EnumAttrCase<"zero_bubble", 3>]> {
  let cppNamespace = "::ptc::dist";
  let genSpecializedAttr = 0;
}

def Dist_RecomputePolicy : I32EnumAttr<"RecomputePolicy",
    "activation recomputation policy", [
    I32EnumAttrCase<"none", 0>,
    I32EnumAttrCase<"selective", 1>,
    I32EnumAttrCase<"full", 2>]> {
  let cppNamespace = "::ptc::dist";
  let genSpecializedAttr = 0;
}

def Dist_ParallelAttr : AttrDef<Dist_Dialect, "Parallel"> {
  let mnemonic = "parallel";
  let summary = "The parallel settings of a spec (module attribute ptc.parallel)";
  let description = [{
    The parallel plan of the spec's `parallel` section: the degrees `tp`,
    `pp` and `dp`, the pipeline `schedule` and its `virtual_stages`,
    `sequence_parallel`, the ZeRO stage, the size of the gradient buckets of
    the overlapped data-parallel reduction (MiB, 0: off) and the recompute
    policy; `automatic` is true where the spec said `"parallel": "auto"`.
    Every setting is optional with the spec's default, and the printer
    leaves out those equal to it. The verifier checks what the spec reader
    checks of these fields: degrees in [1, 2^20] and at most 2^24 ranks,
    ZeRO stage 0 or 1, a bucket size in [0, 65536] MiB, and virtual stages
    only with `interleaved_1f1b` (which needs `pp >= 2`). The checks against
    the model and training settings run on the module, among them that
    `pipeline_layout` (e.g. `"Et*3|(t*3|)*33t*2L"`, passes/Dist/Schedule/
    StageLayout.h) has `pp x virtual_stages` chunks and the model's layers.

    ```mlir
    module attributes {ptc.parallel = #dist.parallel<tp = 2, dp = 2,
        zero_stage = 1, recompute = selective>} {}
    ```
  }];
  let parameters = (ins
    Setting_Bool<"the plan search chooses the degrees", "false">:$automatic,
    Setting_I64<"tensor-parallel degree", "1">:$tp,
    Setting_I64<"pipeline-parallel degree", "1">:$pp,
    Setting_I64<"data-parallel degree", "1">:$dp,
    Setting_Enum<Dist_PipelineSchedule, "one_f_one_b">:$schedule,
    Setting_I64<"model chunks per pipeline rank", "1">:$virtual_stages,
    Setting_Bool<"activations split along the sequence over tp", "false">
        :$sequence_parallel,
    Setting_I64<"ZeRO stage (0 or 1)", "0">:$zero_stage,
    Setting_F64<"gradient bucket size in MiB (0: no overlap)", "25.0">
        :$grad_bucket_mb,
    Setting_Enum<Dist_RecomputePolicy, "none">:$recompute,
    StringRefParameter<"explicit blocks per model chunk (Megatron's "
                       "pipeline_model_parallel_layout; empty: balanced)",
                       "\"\"">:$pipeline_layout,
    StringRefParameter<"a user schedule file (docs/schedules.md) in place "
                       "of the generator of `schedule`; empty: the "
                       "generator", "\"\"">:$schedule_file);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The module attribute that holds these settings.
    static constexpr ::llvm::StringLiteral kModuleAttrName = "ptc.parallel";
    /// The parallel settings of `module`, or null where it has none.
    static ParallelAttr lookup(::mlir::Operation *module);
    /// tp * pp * dp.
    int64_t getWorldSize() const { return getTp() * getPp() * getDp(); }
  }];
}

#endif // PTC_DIST_SETTINGS_TD

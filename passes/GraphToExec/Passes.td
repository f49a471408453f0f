//===- Passes.td - lowering from graph to exec ---------------*- tablegen -*-===//
#ifndef PTC_PASSES_GRAPHTOEXEC_PASSES_TD
#define PTC_PASSES_GRAPHTOEXEC_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertGraphToExec : Pass<"convert-graph-to-exec", "mlir::ModuleOp"> {
  let summary = "Lowers the training step from tensors to buffers and launches";
  let description = [{
    Turns every function marked with `ptc.entry` (micro_step, optimizer_step,
    eval_step, from `graph-optimizer`) into an exec entry point without
    arguments, and adds `init_params`:

    - parameters become `exec.global`s in the `parameters` arena; their
      gradient accumulators (`<name>.grad`) go to `gradients`, AdamW's moments
      (`<name>.adam_m`, `<name>.adam_v`) to `optimizer_state`;
    - the runtime's input and output slots (tokens, targets, loss, seed, step,
      micro, lr, grad_norm; runtime/train/model_abi.h) are globals of the `io`
      arena, read and written by the entry points;
    - every graph value gets an `exec.alloc` (reshapes share their operand's
      buffer), placed later by `exec-plan-memory`;
    - every op becomes `exec.gemm` (linear, matmul) or `exec.launch`es of the
      kernel library (runtime/cpu/kernels.h documents each launch).

    Layer units are flattened. Graph functions and parameters are removed.
  }];
  let dependentDialects = ["::ptc::exec::ExecDialect",
                           "::mlir::func::FuncDialect"];
}

#endif // PTC_PASSES_GRAPHTOEXEC_PASSES_TD

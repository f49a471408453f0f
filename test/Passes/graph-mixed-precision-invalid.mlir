// RUN: %ptc-opt %s -graph-mixed-precision -split-input-file -verify-diagnostics

// Tests that the option's value is one of bf16, fp32 and fp64. (The module's
// ptc.training precision is a #graph.training enum, checked when the module
// is parsed: test/Dialect/Graph/invalid-settings.mlir.)
// RUN: not %ptc-opt %s -graph-mixed-precision=precision=fp16 -split-input-file 2>&1 | FileCheck %s --check-prefix=OPTION
// OPTION: error: graph-mixed-precision: precision 'fp16' is not one of bf16, fp32, fp64

// Tests that a bf16 module without the function to rewrite is an error.

// expected-error @+1 {{graph-mixed-precision: no function @forward to rewrite}}
module @negative_no_forward attributes {ptc.training = #graph.training<decay_steps = 1, global_batch_size = 1, micro_batch_size = 1, steps = 1, precision = bf16>} {
  func.func @step(%x: tensor<4xf32>) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }
}

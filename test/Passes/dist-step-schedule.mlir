// RUN: %ptc-opt %s -dist-step-schedule -split-input-file | FileCheck %s

// Tests gradient accumulation as a schedule: each of the micro-batches that
// graph-optimizer decided (ptc.micro_steps) is loaded, then run through
// @micro_step; then @optimizer_step.

// CHECK-LABEL: module @accumulate
// CHECK: dist.schedule "accumulate" micro_batches(3) data_parallel(1) {
// CHECK-NEXT: dist.pipeline_rank 0 {
// CHECK-NEXT: dist.load_micro_batch 0
// CHECK-NEXT: dist.forward_backward chunk 0 micro 0 calls @micro_step
// CHECK-NEXT: dist.load_micro_batch 1
// CHECK-NEXT: dist.forward_backward chunk 0 micro 1 calls @micro_step
// CHECK-NEXT: dist.load_micro_batch 2
// CHECK-NEXT: dist.forward_backward chunk 0 micro 2 calls @micro_step
// CHECK-NEXT: dist.optimizer_step calls @optimizer_step
// CHECK-NEXT: }
// CHECK-NEXT: }
module @accumulate attributes {ptc.parallel = #dist.parallel<dp = 1, pp = 1, tp = 1>} {
  func.func @micro_step() attributes {ptc.entry = "micro_step", ptc.micro_steps = 3 : i64} { return }
  func.func @optimizer_step() attributes {ptc.entry = "optimizer_step"} { return }
}

// -----

// Tests that with data parallelism the last micro-batch runs through
// @last_micro_step (its backward reduces the gradients over dp), and that
// the schedule records the data-parallel degree its data layout assumes.

// CHECK-LABEL: module @data_parallel
// CHECK: dist.schedule "accumulate" micro_batches(2) data_parallel(4) {
// CHECK: dist.forward_backward chunk 0 micro 0 calls @micro_step
// CHECK: dist.forward_backward chunk 0 micro 1 calls @last_micro_step
// CHECK-NEXT: dist.optimizer_step calls @optimizer_step
module @data_parallel attributes {ptc.parallel = #dist.parallel<dp = 4, pp = 1, tp = 1>} {
  func.func @micro_step() attributes {ptc.entry = "micro_step", ptc.micro_steps = 2 : i64} { return }
  func.func @last_micro_step() attributes {ptc.entry = "last_micro_step"} { return }
  func.func @optimizer_step() attributes {ptc.entry = "optimizer_step"} { return }
}

// -----

// Tests that a pipeline-parallel module gets no schedule yet (no stages
// exist; ptc compile stops such specs at the graph level).

// CHECK-LABEL: module @negative_pipeline
// CHECK-NOT: dist.schedule
module @negative_pipeline attributes {ptc.parallel = #dist.parallel<dp = 1, pp = 2, tp = 1>} {
  func.func @micro_step() attributes {ptc.entry = "micro_step", ptc.micro_steps = 2 : i64} { return }
  func.func @optimizer_step() attributes {ptc.entry = "optimizer_step"} { return }
}

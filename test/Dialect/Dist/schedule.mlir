// RUN: ptc-opt %s | ptc-opt | FileCheck %s

// Tests that a dist.schedule and its actions print and parse back.

// CHECK-LABEL: module @accumulate
// CHECK: dist.schedule "accumulate" micro_batches(2) data_parallel(2) {
// CHECK-NEXT: dist.pipeline_rank 0 {
// CHECK-NEXT: dist.load_micro_batch 0
// CHECK-NEXT: dist.forward_backward chunk 0 micro 0 calls @micro_step
// CHECK-NEXT: dist.load_micro_batch 1
// CHECK-NEXT: dist.forward_backward chunk 0 micro 1 calls @last_micro_step
// CHECK-NEXT: dist.optimizer_step calls @optimizer_step
module @accumulate {
  func.func @micro_step() { return }
  func.func @last_micro_step() { return }
  func.func @optimizer_step() { return }
  dist.schedule "accumulate" micro_batches(2) data_parallel(2) {
    dist.pipeline_rank 0 {
      dist.load_micro_batch 0
      dist.forward_backward chunk 0 micro 0 calls @micro_step
      dist.load_micro_batch 1
      dist.forward_backward chunk 0 micro 1 calls @last_micro_step
      dist.optimizer_step calls @optimizer_step
    }
  }
}

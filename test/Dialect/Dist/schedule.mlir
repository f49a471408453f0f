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

// The two halves of a backward run apart (zero_bubble), the carried values
// of micro-batch 0 in stash slot 1 while micro-batch 1's are computed.
// CHECK-LABEL: module @split_backward
// CHECK: dist.backward_input stage 1 micro 0 stash 0 carry 3 stash 1 calls @pipeline_rank1::@stage1_backward_input loss
// CHECK: dist.backward_input stage 1 micro 1 stash 1 carry 3 stash 0 calls @pipeline_rank1::@stage1_backward_input loss
// CHECK-NEXT: dist.backward_weight stage 1 micro 0 carry 3 stash 1 calls @pipeline_rank1::@stage1_backward_weight
// CHECK-NEXT: dist.backward_weight stage 1 micro 1 carry 3 calls @pipeline_rank1::@stage1_backward_weight
module @split_backward {
  module @pipeline_rank1 {
    func.func @stage1_backward_input() { return }
    func.func @stage1_backward_weight() { return }
    func.func @optimizer_step() { return }
  }
  dist.schedule "zero_bubble" micro_batches(2) data_parallel(1) {
    dist.pipeline_rank 0 {
      dist.load_micro_batch 0
      dist.forward stage 1 micro 0 stash 0
      dist.forward stage 1 micro 1 stash 1
      dist.backward_input stage 1 micro 0 stash 0 carry 3 stash 1 calls @pipeline_rank1::@stage1_backward_input loss
      dist.backward_input stage 1 micro 1 stash 1 carry 3 stash 0 calls @pipeline_rank1::@stage1_backward_input loss
      dist.backward_weight stage 1 micro 0 carry 3 stash 1 calls @pipeline_rank1::@stage1_backward_weight
      dist.backward_weight stage 1 micro 1 carry 3 calls @pipeline_rank1::@stage1_backward_weight
      dist.optimizer_step calls @pipeline_rank1::@optimizer_step
    }
  }
}

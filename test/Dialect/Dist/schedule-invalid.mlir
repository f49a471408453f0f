// RUN: ptc-opt %s -split-input-file -verify-diagnostics

// Tests that each rule of dist.schedule and its actions reports its error.

func.func @micro_step() { return }
func.func @optimizer_step() { return }
// expected-error @+1 {{lists no pipeline rank}}
dist.schedule "accumulate" micro_batches(1) data_parallel(1) {
}

// -----

func.func @micro_step() { return }
func.func @optimizer_step() { return }
dist.schedule "accumulate" micro_batches(1) data_parallel(1) {
  // expected-error @+1 {{is pipeline rank 1, expected 0}}
  dist.pipeline_rank 1 {
    dist.load_micro_batch 0
    dist.forward_backward chunk 0 micro 0 calls @micro_step
    dist.optimizer_step calls @optimizer_step
  }
}

// -----

func.func @micro_step() { return }
func.func @optimizer_step() { return }
dist.schedule "accumulate" micro_batches(1) data_parallel(1) {
  dist.pipeline_rank 0 {
    // expected-error @+1 {{computes micro-batch 0 before a dist.load_micro_batch of it}}
    dist.forward_backward chunk 0 micro 0 calls @micro_step
    dist.load_micro_batch 0
    dist.optimizer_step calls @optimizer_step
  }
}

// -----

func.func @micro_step() { return }
func.func @optimizer_step() { return }
dist.schedule "accumulate" micro_batches(2) data_parallel(1) {
  // expected-error @+1 {{never computes micro-batch 1}}
  dist.pipeline_rank 0 {
    dist.load_micro_batch 0
    dist.forward_backward chunk 0 micro 0 calls @micro_step
    dist.load_micro_batch 1
    dist.optimizer_step calls @optimizer_step
  }
}

// -----

func.func @micro_step() { return }
func.func @optimizer_step() { return }
dist.schedule "accumulate" micro_batches(1) data_parallel(1) {
  dist.pipeline_rank 0 {
    dist.load_micro_batch 0
    dist.forward_backward chunk 0 micro 0 calls @micro_step
    // expected-error @+1 {{computes micro-batch 0 a second time}}
    dist.forward_backward chunk 0 micro 0 calls @micro_step
    dist.optimizer_step calls @optimizer_step
  }
}

// -----

func.func @micro_step() { return }
func.func @optimizer_step() { return }
dist.schedule "accumulate" micro_batches(1) data_parallel(1) {
  dist.pipeline_rank 0 {
    // expected-error @+1 {{names micro-batch 3, but the step has 1 per data-parallel rank}}
    dist.load_micro_batch 3
  }
}

// -----

func.func @micro_step() { return }
func.func @optimizer_step() { return }
dist.schedule "accumulate" micro_batches(1) data_parallel(1) {
  dist.pipeline_rank 0 {
    dist.load_micro_batch 0
    dist.forward_backward chunk 0 micro 0 calls @micro_step
    dist.optimizer_step calls @optimizer_step
    // expected-error @+1 {{follows the step's dist.optimizer_step}}
    dist.load_micro_batch 0
  }
}

// -----

func.func @micro_step() { return }
func.func @optimizer_step() { return }
dist.schedule "accumulate" micro_batches(1) data_parallel(1) {
  // expected-error @+1 {{does not end with a dist.optimizer_step}}
  dist.pipeline_rank 0 {
    dist.load_micro_batch 0
    dist.forward_backward chunk 0 micro 0 calls @micro_step
  }
}

// -----

func.func @optimizer_step() { return }
dist.schedule "accumulate" micro_batches(1) data_parallel(1) {
  dist.pipeline_rank 0 {
    dist.load_micro_batch 0
    // expected-error @+1 {{calls @micro_step, which is no function of the module}}
    dist.forward_backward chunk 0 micro 0 calls @micro_step
    dist.optimizer_step calls @optimizer_step
  }
}

// -----

func.func @micro_step() { return }
func.func @optimizer_step() { return }
dist.schedule "accumulate" micro_batches(1) data_parallel(1) {
  dist.pipeline_rank 0 {
    // expected-error @+1 {{'dist.mesh' op is not a schedule action}}
    dist.mesh @inner axes [dp = 1]
  }
}

// -----

func.func @f() {
  // expected-error @+1 {{expects parent op 'builtin.module'}}
  dist.schedule "accumulate" micro_batches(1) data_parallel(1) {
  }
  return
}

// -----

// A pipeline list: a weight-gradient half before its input-gradient half.
func.func @f() { return }
func.func @i() { return }
func.func @w() { return }
func.func @optimizer_step() { return }
dist.schedule "file" micro_batches(1) data_parallel(1) {
  dist.pipeline_rank 0 {
    dist.load_micro_batch 0
    dist.forward stage 0 micro 0 calls @f
    // expected-error @+1 {{runs the weight gradient of stage 0 for micro-batch 0 before its input gradient}}
    dist.backward_weight stage 0 micro 0 carry 1 calls @w
    dist.optimizer_step calls @optimizer_step
  }
}

// -----

func.func @f() { return }
func.func @i() { return }
func.func @optimizer_step() { return }
dist.schedule "file" micro_batches(1) data_parallel(1) {
  // expected-error @+1 {{never runs the weight gradient of stage 0 for micro-batch 0}}
  dist.pipeline_rank 0 {
    dist.load_micro_batch 0
    dist.forward stage 0 micro 0 calls @f
    dist.backward_input stage 0 micro 0 carry 1 calls @i
    dist.optimizer_step calls @optimizer_step
  }
}

// -----

func.func @f() { return }
func.func @i() { return }
func.func @optimizer_step() { return }
dist.schedule "file" micro_batches(1) data_parallel(1) {
  dist.pipeline_rank 0 {
    dist.load_micro_batch 0
    // expected-error @+1 {{runs the input gradient of stage 0 for micro-batch 0 before its forward}}
    dist.backward_input stage 0 micro 0 carry 1 calls @i
    dist.optimizer_step calls @optimizer_step
  }
}

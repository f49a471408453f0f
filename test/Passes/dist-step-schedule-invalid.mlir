// RUN: %ptc-opt %s -dist-step-schedule -split-input-file -verify-diagnostics

// Tests that a step without the count graph-optimizer decides is refused.

module attributes {ptc.parallel = #dist.parallel<dp = 1, pp = 1, tp = 1>} {
  // expected-error @+1 {{@micro_step has no positive ptc.micro_steps (set by graph-optimizer)}}
  func.func @micro_step() attributes {ptc.entry = "micro_step"} { return }
  func.func @optimizer_step() attributes {ptc.entry = "optimizer_step"} { return }
}

// -----

// Tests that a module without the step's entry points is refused.

// expected-error @+1 {{no @micro_step and @optimizer_step entry points (run graph-optimizer first)}}
module attributes {ptc.parallel = #dist.parallel<dp = 1, pp = 1, tp = 1>} {
  func.func @micro_step() attributes {ptc.entry = "micro_step", ptc.micro_steps = 1 : i64} { return }
}

// -----

// Tests that the pass does not schedule a step twice.

// expected-error @+1 {{the module already has a dist.schedule}}
module attributes {ptc.parallel = #dist.parallel<dp = 1, pp = 1, tp = 1>} {
  func.func @micro_step() attributes {ptc.entry = "micro_step", ptc.micro_steps = 1 : i64} { return }
  func.func @optimizer_step() attributes {ptc.entry = "optimizer_step"} { return }
  dist.schedule "accumulate" micro_batches(1) data_parallel(1) {
    dist.pipeline_rank 0 {
      dist.load_micro_batch 0
      dist.forward_backward chunk 0 micro 0 calls @micro_step
      dist.optimizer_step calls @optimizer_step
    }
  }
}

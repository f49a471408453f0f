// RUN: %ptc-opt %s -graph-autodiff -split-input-file -verify-diagnostics -allow-unregistered-dialect

// Tests that an op without a VJP on the path to the loss is an error that
// names it.

module @negative_no_vjp {
  func.func @forward(%dy: tensor<2x5x8xf32>, %x: tensor<2x5x8xf32>) -> tensor<2x5x8xf32> {
    // expected-error @+1 {{'graph.gelu_grad' op has no vector-Jacobian product (it does not implement DifferentiableOpInterface), so the loss cannot be differentiated through it}}
    %0 = graph.gelu_grad %dy, %x tanh : tensor<2x5x8xf32>
    return %0 : tensor<2x5x8xf32>
  }
}

// -----

// Tests that a call in the forward is an error (autodiff does not look into
// callees).

module @negative_call {
  func.func private @helper(tensor<4xf32>) -> tensor<4xf32>
  func.func @forward(%x: tensor<4xf32>) -> tensor<4xf32> {
    // expected-error @+1 {{'func.call' op has no vector-Jacobian product}}
    %0 = func.call @helper(%x) : (tensor<4xf32>) -> tensor<4xf32>
    %1 = graph.gelu %0 tanh : tensor<4xf32>
    return %1 : tensor<4xf32>
  }
}

// -----

// Tests that an op without a VJP inside a layer unit is reported too.

module @negative_no_vjp_in_layer {
  func.func @forward(%x: tensor<4xf32>) -> tensor<4xf32> {
    %y = graph.layer block 0 (%a = %x : tensor<4xf32>) -> tensor<4xf32> {
      // expected-error @+1 {{'test.opaque' op has no vector-Jacobian product}}
      %0 = "test.opaque"(%a) : (tensor<4xf32>) -> tensor<4xf32>
      graph.yield %0 : tensor<4xf32>
    }
    return %y : tensor<4xf32>
  }
}

// -----

// Tests that a module without the source function is an error.

// expected-error @+1 {{graph-autodiff: no function @forward to differentiate}}
module @negative_no_forward {
  func.func @model(%x: tensor<4xf32>) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }
}

// -----

// Tests that the target function must not exist yet.

module @negative_target_exists {
  // expected-error @+1 {{graph-autodiff: the module already has a @train_step}}
  func.func @forward(%x: tensor<4xf32>) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }
  func.func @train_step() {
    return
  }
}

// -----

// Tests that a function of several blocks is an error.

module @negative_multi_block {
  // expected-error @+1 {{graph-autodiff: the function must have a single block}}
  func.func @forward(%x: tensor<4xf32>) -> tensor<4xf32> {
    "test.br"()[^bb1] : () -> ()
  ^bb1:
    return %x : tensor<4xf32>
  }
}

// -----

// Tests that a max all-reduce that a gradient flows through is an error: only
// sums are differentiable (vocabulary-parallel cross-entropy's maximum passes
// no gradient by construction).

module @negative_all_reduce_max {
  dist.mesh @mesh axes [pp = 1, dp = 1, tp = 2]
  func.func @forward(%x: tensor<4xf32>) -> tensor<4xf32> {
    // expected-error @+1 {{'dist.all_reduce' op with reduction max is not differentiable; only sum is (use it where a gradient flows, or make sure none does)}}
    %m = dist.all_reduce %x on @mesh axes [tp] reduction max : tensor<4xf32>
    return %m : tensor<4xf32>
  }
}

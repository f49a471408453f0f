// RUN: %ptc-opt %s -split-input-file -graph-optimizer -verify-diagnostics

// Tests that a module without @train_step (graph-autodiff not run) and not
// a pipeline rank's is an error that says what to run first.

// expected-error @+1 {{graph-optimizer: no @train_step (run graph-autodiff first)}}
module @negative_no_train_step attributes {ptc.training = #graph.training<decay_steps = 10, global_batch_size = 8, micro_batch_size = 2, steps = 10>} {
  func.func @forward(%loss: tensor<f32>) -> tensor<f32> {
    return %loss : tensor<f32>
  }
}

// -----

// Tests that a module without training settings (the micro-steps, the
// optimizer's hyper-parameters) is an error.

// expected-error @+1 {{graph-optimizer: the module has no ptc.training settings}}
module @negative_no_training {
  graph.param @w : tensor<8x8xf32> weight init #graph.init<normal, std = 0.02>
  func.func @train_step(%loss: tensor<f32>, %dw: tensor<8x8xf32>) -> (tensor<f32>, tensor<8x8xf32>) attributes {ptc.gradients = [@w], ptc.input_gradients = array<i64>} {
    return %loss, %dw : tensor<f32>, tensor<8x8xf32>
  }
}

// -----

// Tests that a @train_step without graph-autodiff's attributes (which
// results are gradients, of which parameters) is an error.

module @negative_no_gradients attributes {ptc.training = #graph.training<decay_steps = 10, global_batch_size = 8, micro_batch_size = 2, steps = 10>} {
  // expected-error @+1 {{graph-optimizer: @train_step lacks the ptc.gradients attributes of graph-autodiff}}
  func.func @train_step(%loss: tensor<f32>) -> tensor<f32> {
    return %loss : tensor<f32>
  }
}

// -----

// Tests that a @train_step whose results besides the gradients are not the
// loss alone is an error that counts them.

module @negative_two_outputs attributes {ptc.training = #graph.training<decay_steps = 10, global_batch_size = 8, micro_batch_size = 2, steps = 10>} {
  graph.param @w : tensor<8x8xf32> weight init #graph.init<normal, std = 0.02>
  // expected-error @+1 {{graph-optimizer: @train_step must compute one loss, found 2 results besides the gradients}}
  func.func @train_step(%loss: tensor<f32>, %y: tensor<4xf32>, %dw: tensor<8x8xf32>) -> (tensor<f32>, tensor<4xf32>, tensor<8x8xf32>) attributes {ptc.gradients = [@w], ptc.input_gradients = array<i64>} {
    return %loss, %y, %dw : tensor<f32>, tensor<4xf32>, tensor<8x8xf32>
  }
}

// -----

// Tests that a pipeline chunk's backward without ptc.input_gradients (which
// results are the gradients of its inputs) is an error.

module @negative_stage_no_input_gradients attributes {ptc.pipeline_rank = 0 : i64, ptc.training = #graph.training<decay_steps = 10, global_batch_size = 8, micro_batch_size = 2, steps = 10>} {
  graph.param @w : tensor<8x8xf32> weight init #graph.init<normal, std = 0.02>
  // expected-error @+1 {{graph-optimizer: a chunk's backward lacks the ptc.gradients (array), ptc.input_gradients and ptc.stage (integer) attributes of graph-autodiff}}
  func.func @stage0_backward(%y: tensor<2x8xf32>, %dw: tensor<8x8xf32>) -> (tensor<2x8xf32>, tensor<8x8xf32>) attributes {ptc.gradients = [@w], ptc.stage = 0 : i64} {
    return %y, %dw : tensor<2x8xf32>, tensor<8x8xf32>
  }
}

// -----

// Tests that a pipeline chunk's backward that returns more than the
// recomputed forward's one output, its input gradients and its parameter
// gradients is an error.

module @negative_stage_results attributes {ptc.pipeline_rank = 0 : i64, ptc.training = #graph.training<decay_steps = 10, global_batch_size = 8, micro_batch_size = 2, steps = 10>} {
  graph.param @w : tensor<8x8xf32> weight init #graph.init<normal, std = 0.02>
  // expected-error @+1 {{graph-optimizer: a chunk's backward must return its forward's one value, 0 input gradients and 1 parameter gradients, found 3 results}}
  func.func @stage0_backward(%y: tensor<2x8xf32>, %z: tensor<2x8xf32>, %dw: tensor<8x8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>, tensor<8x8xf32>) attributes {ptc.gradients = [@w], ptc.input_gradients = array<i64>, ptc.stage = 0 : i64} {
    return %y, %z, %dw : tensor<2x8xf32>, tensor<2x8xf32>, tensor<8x8xf32>
  }
}

// -----

// Tests that a chunk's backward whose ptc.gradients is no array is an error,
// not a crash.

module @negative_stage_gradients_not_array attributes {ptc.pipeline_rank = 0 : i64, ptc.training = #graph.training<decay_steps = 10, global_batch_size = 8, micro_batch_size = 2, steps = 10>} {
  graph.param @w : tensor<8x8xf32> weight init #graph.init<normal, std = 0.02>
  // expected-error @+1 {{graph-optimizer: a chunk's backward lacks the ptc.gradients (array), ptc.input_gradients and ptc.stage (integer) attributes of graph-autodiff}}
  func.func @stage0_backward(%y: tensor<2x8xf32>, %dw: tensor<8x8xf32>) -> (tensor<2x8xf32>, tensor<8x8xf32>) attributes {ptc.gradients = "w", ptc.input_gradients = array<i64>, ptc.stage = 0 : i64} {
    return %y, %dw : tensor<2x8xf32>, tensor<8x8xf32>
  }
}

// -----

// Tests that a @train_step listing more gradients than it returns counts
// its results right (no unsigned wrap-around).

module @negative_more_gradients_than_results attributes {ptc.training = #graph.training<decay_steps = 10, global_batch_size = 8, micro_batch_size = 2, steps = 10>} {
  graph.param @w : tensor<8x8xf32> weight init #graph.init<normal, std = 0.02>
  graph.param @v : tensor<8x8xf32> weight init #graph.init<normal, std = 0.02>
  // expected-error @+1 {{graph-optimizer: @train_step returns 1 results, fewer than its 2 gradients}}
  func.func @train_step(%dw: tensor<8x8xf32>) -> tensor<8x8xf32> attributes {ptc.gradients = [@w, @v], ptc.input_gradients = array<i64>} {
    return %dw : tensor<8x8xf32>
  }
}

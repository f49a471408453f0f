//===- Passes.td - graph-level passes ------------------------*- tablegen -*-===//
//
// Passes on the graph dialect: from the forward model to the whole training
// step (mixed precision, autodiff, activation recomputation, optimizer),
// before sharding.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_PASSES_GRAPH_PASSES_TD
#define PTC_PASSES_GRAPH_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Mixed precision
//===----------------------------------------------------------------------===//

def GraphMixedPrecision : Pass<"graph-mixed-precision", "mlir::ModuleOp"> {
  let summary = "Rewrites the forward to bf16 autocast: bf16 matrix products, "
                "f32 norms, loss and residual stream";
  let description = [{
    Runs on the forward function before `graph-autodiff`, which then
    differentiates through the casts: the VJP of `graph.cast` casts the
    gradient back, so every parameter gradient arrives in f32, the type of
    the master weights. With precision `bf16` the forward follows the
    semantics of PyTorch's `torch.autocast(dtype=torch.bfloat16)`:

    - parameters stay f32 (the master weights); where a `graph.param_ref`
      feeds a bf16 op, one `graph.cast` to bf16 right after it is the compute
      copy;
    - `graph.linear`, `graph.matmul` and `graph.attention` compute in bf16:
      their float operands are cast to bf16, their results are bf16
      (attention's log-sum-exp, which the graph level does not show, stays
      f32: `convert-graph-to-exec` gives 16-bit attention an f32 one, as
      FlashAttention keeps it);
    - `graph.layer_norm` and `graph.rms_norm` compute in f32: their float
      operands are cast to f32;
    - `graph.cross_entropy` reads the logits in their own type (bf16 from
      the head) and gives an f32 loss: the kernel computes in f32 inside, and
      the logits, the largest activation of the model, are not copied to f32
      (PyTorch's autocast casts them, at 3.3 GB for gpt2-124m's batch);
    - the elementwise and shape ops (`add`, `mul`, `gelu`, `silu`, `swiglu`,
      `dropout`, `rope`, `reshape`, `transpose`, `split`, `concat`,
      `embedding`, `position_embedding`, `scale`) follow their operands; when
      these disagree, the narrower ones are cast to the wider type (torch's
      type promotion), so a bf16 projection added to the f32 residual gives
      f32 and the residual stream stays f32;
    - layer units are retyped in place: body arguments take the types of the
      unit's inputs, results the types of the yield;
    - any other op keeps its types (its operands are cast back when needed),
      and so does the function: its results (the loss) keep their f32 type.

    Each value is cast at most once to each type, right after its
    definition. With precision `fp32` or `fp64` the pass changes nothing.

    The precision comes from the `precision` option or, when it is empty,
    from the `precision` of the module's `ptc.training` settings (the
    spec's `training.precision`); `fp32` when the module has none. The cpu
    target has no bf16 kernels: it runs bf16 specs in fp32, the driver passing
    `precision=fp32` for `--target=cpu`.

    ```mlir
    // before
    %w = graph.param_ref @fc.w : tensor<32x8xf32>
    %n = graph.layer_norm %x, %g : tensor<1x4x8xf32>, tensor<8xf32>
    %y = graph.linear %n, %w : (tensor<1x4x8xf32>, tensor<32x8xf32>) -> tensor<1x4x32xf32>
    // after
    %w = graph.param_ref @fc.w : tensor<32x8xf32>
    %wc = graph.cast %w : tensor<32x8xf32> to tensor<32x8xbf16>
    %n = graph.layer_norm %x, %g : tensor<1x4x8xf32>, tensor<8xf32>
    %nc = graph.cast %n : tensor<1x4x8xf32> to tensor<1x4x8xbf16>
    %y = graph.linear %nc, %wc : (tensor<1x4x8xbf16>, tensor<32x8xbf16>) -> tensor<1x4x32xbf16>
    ```
  }];
  let options = [
    Option<"function", "function", "std::string", "\"forward\"",
           "The function to rewrite">,
    Option<"precision", "precision", "std::string", "\"\"",
           "bf16, fp32 or fp64; empty: the module's ptc.training.precision "
           "(fp32 if unset)">
  ];
  let dependentDialects = ["::ptc::graph::GraphDialect"];
}

//===----------------------------------------------------------------------===//
// Differentiation
//===----------------------------------------------------------------------===//

def GraphAutodiff : Pass<"graph-autodiff", "mlir::ModuleOp"> {
  let summary = "Builds the training step: forward, loss and the backward of every parameter";
  let description = [{
    Reverse-mode differentiation of a function of the graph dialect. The
    source function (`@forward`) is kept; a new function (`@train_step`)
    computes the same results followed by the gradient of every float
    argument and of every `graph.param` of the module, in declaration order.
    Its `ptc.gradients` attribute lists the parameters, `ptc.input_gradients`
    the argument numbers, in the order of the results.

    A scalar (0-d) result is differentiated with the seed 1.0; otherwise the
    function gets one more argument per float result, the cotangent
    (`ptc.cotangent`), and computes the vector-Jacobian product.

    Every op builds its own VJP through `DifferentiableOpInterface`; an op
    without it is an error that names the op. Integer operands (token ids,
    targets) get no gradient. Layer units survive: the backward of `layer
    block i` is `layer block_backward i`, which takes the gradients of the
    unit's results and the forward values its VJPs read (the forward unit
    yields them: everything is saved, `graph-recompute` may change that) and
    yields the gradients of the unit's float inputs and of each parameter it
    reads. A parameter read in several places (a tied embedding) gets the sum
    of its gradients.

    ```mlir
    %y = graph.layer block 0 (%a = %x : T) -> T { ... }
    // becomes
    %y, %s0, %s1 = graph.layer block 0 (%a = %x : T) -> (T, S0, S1) { ... }
    %dx, %dw = graph.layer block_backward 0 (%a = %dy : T, %b = %s0 : S0, ...)
        -> (T, W) { ... }
    ```
  }];
  let options = [
    Option<"source", "source", "std::string", "\"forward\"",
           "The function to differentiate">,
    Option<"target", "target", "std::string", "\"train_step\"",
           "The name of the function to create">
  ];
  let dependentDialects = ["::ptc::graph::GraphDialect"];
}

//===----------------------------------------------------------------------===//
// Activation recomputation
//===----------------------------------------------------------------------===//

def GraphRecompute : Pass<"graph-recompute", "mlir::ModuleOp"> {
  let summary = "Trades activation memory for compute: recomputes saved values in backward units";
  let description = [{
    Runs after `graph-autodiff`. Each backward unit (`layer *_backward i`)
    reads, besides the gradients, the forward values its VJPs need, which its
    forward unit (`layer * i`) yields as extra results (the saved values).
    This pass decides which of them stay saved and which the backward unit
    recomputes from the forward unit's inputs, by cloning their producers
    from the forward body to the top of the backward body, in the forward's
    program order, each producer once per backward unit:

    - `none`: no checkpointing. Only what is free to recompute is: the
      casts of parameters (mixed precision's bf16 weights), `graph.gelu`
      (its input stays saved for `gelu_grad`) and the transposes and
      reshapes of an attention output (it stays saved for
      `attention_grad`), as PyTorch's min-cut partitioner does; everything
      else stays saved.
    - `full`: only the forward unit's inputs (the layer input) are kept; every
      saved value is recomputed.
    - `selective` (Korthikanti et al. 2022, "Reducing Activation
      Recomputation in Large Transformer Models"): a saved value is
      recomputed when its producer is one of `graph.attention`, `gelu`,
      `silu`, `swiglu`, `dropout`, `add`, `mul`, `reshape`, `transpose`,
      `split`, `rope` or `cast`; the clones follow the operands back until a
      value that stays saved (the result of any other op: `graph.linear`,
      `graph.matmul`, the norms, the embeddings) or a forward unit's input.
      So the attention core and the cheap elementwise and shape ops are
      recomputed, the outputs of the matrix products and norms are saved.

    In both, `graph.param_ref` is cloned (parameters are never saved) and
    a forward unit's input that a clone reads becomes an input of the
    backward unit. Saved results that nothing reads any more are dropped from
    the forward unit. Recomputed ops carry the unit attribute
    `ptc.recompute`, so that cost models can tell them from the backward's
    own ops. Dropout recomputes the same mask (its `stream` is kept).

    The policy comes from the `policy` option or, when the option is empty,
    from the `recompute` of the module's `ptc.parallel` settings (the
    spec's `parallel.recompute`), `none` when neither is set.

    ```mlir
    // full: before
    %y, %h = graph.layer block 0 (%a = %x : T) -> (T, H) { ... }
    %dx = graph.layer block_backward 0 (%g = %dy : T, %s = %h : H) -> T {...}
    // after
    %y = graph.layer block 0 (%a = %x : T) -> T { ... }
    %dx = graph.layer block_backward 0 (%g = %dy : T, %b = %x : T) -> T {
      %h = ... {ptc.recompute}   // cloned from block 0
      ...
    }
    ```
  }];
  let options = [
    Option<"policy", "policy", "std::string", "\"\"",
           "none, selective or full; empty: the module's "
           "ptc.parallel.recompute (none if unset)">
  ];
  let dependentDialects = ["::ptc::graph::GraphDialect"];
}

//===----------------------------------------------------------------------===//
// The optimizer step
//===----------------------------------------------------------------------===//

def GraphOptimizer : Pass<"graph-optimizer", "mlir::ModuleOp"> {
  let summary = "Turns the training step into micro-steps and an AdamW step";
  let description = [{
    Completes the training step of `graph-autodiff` with what the module's
    `ptc.training` settings say:

    - `@train_step` becomes `@micro_step(tokens, targets) -> loss`, which adds
      each gradient, scaled by 1 / (micro-batches per step), into the
      parameter's gradient accumulator (`graph.accumulate_grad`);
    - `@optimizer_step(step) -> (lr, grad_norm)` reads the accumulators,
      computes the global gradient norm and the clipping factor, the learning
      rate of the schedule at `step` (linear warm-up, then cosine or linear
      decay to the floor, or constant), applies AdamW with bias correction
      and decoupled weight decay (on matrices only: weights, output weights
      and, when `decay_embeddings`, the embedding tables; never on biases
      and norms), and zeroes the accumulators;
    - `@forward` is the evaluation step.

    Each function is marked with its entry point (`ptc.entry`).
  }];
  let dependentDialects = ["::ptc::graph::GraphDialect"];
}

#endif // PTC_PASSES_GRAPH_PASSES_TD

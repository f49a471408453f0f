//===- GraphTrainOps.td - the optimizer step in the graph dialect -*- tablegen -*-===//
//
// Ops of the optimizer step that `graph-optimizer` builds around the
// gradients of `graph-autodiff`: per-parameter state (the gradient
// accumulator and AdamW's moments, owned by the parameter's symbol, placed by
// the exec lowering) and the scalar math of clipping and the LR schedule.
// Included at the end of GraphOps.td; verifiers are in GraphTrainOps.cpp.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_GRAPH_TRAIN_OPS_TD
#define PTC_GRAPH_TRAIN_OPS_TD

def Graph_StepTensor : 0DTensorOf<[I64]>;

class Graph_ParamStateOp<string mnemonic, list<Trait> traits = []>
    : Graph_Op<mnemonic, !listconcat(traits,
                                     [DeclareOpInterfaceMethods<SymbolUserOpInterface>])>;

def Graph_AccumulateGradOp : Graph_ParamStateOp<"accumulate_grad",
    [MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "Adds a scaled gradient into a parameter's gradient accumulator";
  let description = [{
    `accumulator(@p) += scale * grad`. The accumulator has the parameter's
    type and lives across micro-batches until `graph.zero_grad`.

    ```mlir
    graph.accumulate_grad @wte.weight, %g {scale = 0.5} : tensor<50304x768xf32>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$param, Graph_Tensor:$grad,
                       DefaultValuedAttr<F64Attr, "1.0">:$scale);
  let assemblyFormat = "$param `,` $grad attr-dict `:` type($grad)";
}

def Graph_GradRefOp : Graph_ParamStateOp<"grad_ref",
    [MemoryEffects<[MemRead]>]> {
  let summary = "Reads a parameter's gradient accumulator";
  let description = [{
    ```mlir
    %g = graph.grad_ref @wte.weight : tensor<50304x768xf32>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$param);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$param attr-dict `:` type($result)";
}

def Graph_ZeroGradOp : Graph_ParamStateOp<"zero_grad",
    [MemoryEffects<[MemWrite]>]> {
  let summary = "Zeroes a parameter's gradient accumulator";
  let description = [{
    ```mlir
    graph.zero_grad @wte.weight
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$param);
  let assemblyFormat = "$param attr-dict";
}

def Graph_AdamWUpdateOp : Graph_ParamStateOp<"adamw_update",
    [MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "One AdamW update of a parameter, in place";
  let description = [{
    With g = grad * grad_scale (the clipping factor) and t = step (from 1):
    m = beta1 m + (1 - beta1) g; v = beta2 v + (1 - beta2) g²;
    p -= lr (m / (1 - beta1^t) / (sqrt(v / (1 - beta2^t)) + eps)
    + weight_decay p). The moments m and v belong to the parameter and start
    at zero; weight decay is decoupled (Loshchilov & Hutter).

    With `shard_axis` (ZeRO-1, set by `dist-data-parallel`), `grad` is this
    rank's chunk of the flattened gradient, zero-padded to a multiple of the
    axis size: the update touches only elements `[c*K, (c+1)*K)` of the
    flattened parameter (`K` the chunk size, `c` the rank's coordinate), and
    the moments hold `K` elements.

    ```mlir
    graph.adamw_update @h.0.mlp.c_fc.weight, %g, %lr, %clip, %step
        {beta1 = 0.9, beta2 = 0.95, eps = 1.0e-8, weight_decay = 0.1}
        : tensor<3072x768xf32>, tensor<f32>, tensor<f32>, tensor<i64>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$param, Graph_Tensor:$grad,
                       Graph_Scalar:$lr, Graph_Scalar:$grad_scale,
                       Graph_StepTensor:$step, F64Attr:$beta1, F64Attr:$beta2,
                       F64Attr:$eps, F64Attr:$weight_decay,
                       OptionalAttr<StrAttr>:$shard_axis);
  let assemblyFormat = [{
    $param `,` $grad `,` $lr `,` $grad_scale `,` $step attr-dict `:`
    type($grad) `,` type($lr) `,` type($grad_scale) `,` type($step)
  }];
  let hasVerifier = 1;
}

def Graph_ParamChunkOp : Graph_ParamStateOp<"param_chunk",
    [MemoryEffects<[MemRead]>]> {
  let summary = "This rank's chunk of a flattened, zero-padded parameter";
  let description = [{
    Elements `[c*K, (c+1)*K)` of the parameter flattened and padded with
    zeros to `K` times the size of `shard_axis` (`K` the result's size, `c`
    the rank's coordinate on the axis): the piece a ZeRO-1 rank updated,
    which a `dist.all_gather` then makes whole.

    ```mlir
    %c = graph.param_chunk @wpe.weight {shard_axis = "dp"} : tensor<6144xf32>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$param, StrAttr:$shard_axis);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$param attr-dict `:` type($result)";
}

def Graph_GradChunkOp : Graph_ParamStateOp<"grad_chunk",
    [MemoryEffects<[MemRead]>]> {
  let summary = "This rank's chunk of a flattened gradient accumulator";
  let description = [{
    Elements `[c*K, (c+1)*K)` of the parameter's gradient accumulator
    flattened (and padded with zeros), `K` the result's size and `c` the
    rank's coordinate on `shard_axis`: under ZeRO-1 with the overlapped
    reduction, `dist.reduce_scatter_grads` has left there the reduction of
    every rank's chunk.

    ```mlir
    %g = graph.grad_chunk @wpe.weight {shard_axis = "dp"} : tensor<6144xf32>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$param, StrAttr:$shard_axis);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$param attr-dict `:` type($result)";
}

def Graph_SetParamOp : Graph_ParamStateOp<"set_param",
    [MemoryEffects<[MemWrite]>]> {
  let summary = "Overwrites a parameter with the leading elements of a vector";
  let description = [{
    The parameter (flattened) becomes the first elements of `value` (1-d,
    at least as long as the parameter: a gathered, padded ZeRO-1 vector).

    ```mlir
    graph.set_param @wpe.weight, %full : tensor<12288xf32>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$param, Graph_Tensor:$value);
  let assemblyFormat = "$param `,` $value attr-dict `:` type($value)";
}

def Graph_GlobalNormOp : Graph_Op<"global_norm", [Pure,
    AttrSizedOperandSegments]> {
  let summary = "The L2 norm of all its operands together";
  let description = [{
    sqrt(sum over every operand of the sum of its squared elements, plus the
    `partial_squares`), the quantity that gradient clipping compares with
    its threshold. `partial_squares` are sums of squares computed by
    `graph.sum_squares` and reduced over a mesh axis: the part of the norm
    that comes from gradients split over ranks.

    ```mlir
    %n = graph.global_norm %g0, %g1 : tensor<64x64xf32>, tensor<64xf32> -> tensor<f32>
    %m = graph.global_norm %g1 plus_squares(%s : tensor<f64>)
        : tensor<64xf32> -> tensor<f32>
    ```
  }];
  let arguments = (ins Variadic<Graph_Tensor>:$inputs,
                       Variadic<0DTensorOf<[F64]>>:$partial_squares);
  let results = (outs Graph_Scalar:$result);
  let assemblyFormat = [{
    $inputs (`plus_squares` `(` $partial_squares^ `:` type($partial_squares) `)`)?
    attr-dict (`:` type($inputs)^)? `->` type($result)
  }];
  let hasVerifier = 1;
}

def Graph_SumSquaresOp : Graph_Op<"sum_squares", [Pure]> {
  let summary = "The sum of the squared elements of all its operands, in f64";
  let description = [{
    One rank's part of a global norm over tensors split across ranks; a
    `dist.all_reduce` sums the parts before `graph.global_norm` takes the
    square root.

    ```mlir
    %s = graph.sum_squares %g0, %g1 : tensor<32x64xf32>, tensor<32xf32> -> tensor<f64>
    ```
  }];
  let arguments = (ins Variadic<Graph_Tensor>:$inputs);
  let results = (outs 0DTensorOf<[F64]>:$result);
  let assemblyFormat = "$inputs attr-dict `:` type($inputs) `->` type($result)";
  let hasVerifier = 1;
}

def Graph_ClipFactorOp : Graph_Op<"clip_factor", [Pure,
    SameOperandsAndResultType]> {
  let summary = "The factor that scales gradients to a maximum global norm";
  let description = [{
    `min(1, max_norm / (norm + 1e-6))`, or 1 when `max_norm` is 0 (no
    clipping).

    ```mlir
    %c = graph.clip_factor %norm {max_norm = 1.0} : tensor<f32>
    ```
  }];
  let arguments = (ins Graph_Scalar:$norm, F64Attr:$max_norm);
  let results = (outs Graph_Scalar:$result);
  let assemblyFormat = "$norm attr-dict `:` type($norm)";
  let hasVerifier = 1;
}

def Graph_LRScheduleOp : Graph_Op<"lr_schedule", [Pure]> {
  let summary = "The learning rate at an optimizer step";
  let description = [{
    For step t (from 1): linear warm-up `lr * t / warmup_steps` while
    t <= warmup_steps; then, with progress p = (t - warmup_steps) /
    (decay_steps - warmup_steps) clamped to [0, 1], `cosine`:
    min_lr + (lr - min_lr) (1 + cos(pi p)) / 2, `linear`:
    lr - (lr - min_lr) p, `constant`: lr.

    ```mlir
    %lr = graph.lr_schedule %step {schedule = "cosine", lr = 6.0e-4,
        min_lr = 6.0e-5, warmup_steps = 700, decay_steps = 19073}
        : tensor<i64> -> tensor<f32>
    ```
  }];
  let arguments = (ins Graph_StepTensor:$step, StrAttr:$schedule, F64Attr:$lr,
                       F64Attr:$min_lr, I64Attr:$warmup_steps,
                       I64Attr:$decay_steps);
  let results = (outs Graph_Scalar:$result);
  let assemblyFormat = "$step attr-dict `:` type($step) `->` type($result)";
  let hasVerifier = 1;
}

#endif // PTC_GRAPH_TRAIN_OPS_TD

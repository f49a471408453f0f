//===- GraphGradOps.td - graph dialect gradient ops ---------*- tablegen -*-===//
//
// The backward (vector-Jacobian product) ops of the forward ops in
// GraphOps.td, and the few helper ops that autodiff needs beside them.
// Included at the end of GraphOps.td; verifiers are in GraphGradOps.cpp.
//
// Every gradient op is a pure function of the forward op's inputs and the
// incoming gradient `dout`: no saved statistics (mean, rstd, lse, dropout
// masks) appear at this level. The exec lowering decides what the forward
// saves for the backward and what the backward recomputes; the runtime
// kernels accumulate (`+=`) where these ops return fresh values.
//
// How `graph-autodiff` builds the VJP of each forward op (dy is the gradient
// of the op's result; integer operands get no gradient):
//
//   forward op                  gradients
//   -------------------------   ---------------------------------------------
//   embedding %w[%ids]          dw = embedding_grad dy, ids
//   position_embedding %w       dw = position_embedding_grad dy
//   layer_norm x, g[, b]        dx, dg[, db] = layer_norm_grad dy, x, g
//   rms_norm x, g               dx, dg = rms_norm_grad dy, x, g
//   linear x, W[, b]            with x2 = reshape x to [R, K], dy2 = reshape dy
//     x [..., K], W [N, K]        to [R, N] (R = product of the leading dims):
//                               dx = reshape (matmul dy2, W) to x's shape
//                               dW = matmul dy2, x2 {transpose_lhs}
//                               db = reduce_sum dy dims [0, .., rank-2]
//   matmul A, B  (C = A B)      dA = matmul dC, B {transpose_rhs}
//                               dB = matmul A, dC {transpose_lhs}
//     {transpose_lhs}           dA = matmul B, dC {transpose_rhs}
//                               dB = matmul A, dC
//     {transpose_rhs}           dA = matmul dC, B
//                               dB = matmul dC, A {transpose_lhs}
//     {both}                    dA = matmul B, dC {transpose_lhs, transpose_rhs}
//                               dB = matmul dC, A {transpose_lhs, transpose_rhs}
//   attention q, k, v           dq, dk, dv = attention_grad dy, q, k, v
//   rope x                      dx = rope_grad dy
//   add lhs, rhs                dlhs = dy; drhs = dy, or reduce_sum dy over
//                               the leading dims that rhs lacks
//   mul lhs, rhs                dlhs = mul dy, rhs;
//                               drhs = (reduce_sum of) mul dy, lhs
//   gelu x                      dx = gelu_grad dy, x
//   silu x                      dx = silu_grad dy, x
//   swiglu gate, up             dgate, dup = swiglu_grad dy, gate, up
//   dropout x                   dx = dropout_grad dy (same p and stream)
//   cast x                      dx = cast dy back to x's element type
//   reshape x                   dx = reshape dy to x's shape
//   transpose x [perm]          dx = transpose dy [inverse of perm]
//   split x                     dx = concat dy0, dy1, ... (zeros for a piece
//                               without a gradient)
//   cross_entropy logits, t     dlogits = cross_entropy_grad dloss, logits, t
//   param_ref @p                dp = sum (graph.add) over all uses of @p
//   unused result               zeros
//   micro-batch accumulation    scale by 1 / num_micro_batches
//
//===----------------------------------------------------------------------===//
#ifndef PTC_GRAPH_GRAD_OPS_TD
#define PTC_GRAPH_GRAD_OPS_TD

//===----------------------------------------------------------------------===//
// Embeddings
//===----------------------------------------------------------------------===//

def Graph_EmbeddingGradOp : Graph_Op<"embedding_grad", [Pure]> {
  let summary = "Gradient of graph.embedding with respect to the table";
  let description = [{
    Scatter-adds the rows of `dout` (shape `[..., D]`) into a zero table of
    the result's shape `[V, D]`: `result[ids[i...], :] += dout[i..., :]`.
    Repeated ids add up. With `vocab_shard_axis` the result is this rank's
    rows of a vocabulary-parallel table (see `graph.embedding`): only the ids
    this rank owns contribute.

    ```mlir
    %dw = graph.embedding_grad %dy, %ids
        : (tensor<16x1024x768xf32>, tensor<16x1024xi32>) -> tensor<50304x768xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$dout, Graph_IndexTensor:$ids,
                       OptionalAttr<StrAttr>:$vocab_shard_axis);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $dout `,` $ids attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Graph_PositionEmbeddingGradOp : Graph_Op<"position_embedding_grad",
    [Pure]> {
  let summary = "Gradient of graph.position_embedding";
  let description = [{
    `dout` has shape `[T, D]` and the result the table's shape `[S, D]`
    with `T <= S`: rows `[0, T)` are `dout`, rows `>= T` are zero. The
    gradient of the broadcasting add that follows the forward op is a
    `graph.reduce_sum` over the batch dimension first.

    ```mlir
    %dwpe = graph.position_embedding_grad %dp : tensor<256x768xf32> -> tensor<1024x768xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$dout);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$dout attr-dict `:` type($dout) `->` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Normalisation
//===----------------------------------------------------------------------===//

def Graph_LayerNormGradOp : Graph_Op<"layer_norm_grad", [Pure,
    AllTypesMatch<["dout", "input", "input_grad"]>,
    AllTypesMatch<["scale", "scale_grad"]>]> {
  let summary = "Gradient of graph.layer_norm";
  let description = [{
    Given the forward's `input` `[..., D]` and `scale` `[D]` and the
    incoming gradient `dout`, returns `dinput`, `dscale` and, when the
    forward had a bias, `dbias` (the optional third result; the bias value
    itself does not enter the gradient). The statistics are recomputed from
    `input` with the forward's `epsilon`.

    ```mlir
    %dx, %dg, %db = graph.layer_norm_grad %dy, %x, %g {epsilon = 1.0e-05 : f64}
        : tensor<8x64x128xf32>, tensor<128xf32>
        -> tensor<8x64x128xf32>, tensor<128xf32>, tensor<128xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$dout, Graph_Tensor:$input,
                       Graph_Tensor:$scale,
                       DefaultValuedAttr<F64Attr, "1.0e-5">:$epsilon);
  let results = (outs Graph_Tensor:$input_grad, Graph_Tensor:$scale_grad,
                      Optional<Graph_Tensor>:$bias_grad);
  let assemblyFormat = [{
    $dout `,` $input `,` $scale attr-dict `:` type($input) `,` type($scale)
    `->` type(results)
  }];
  let hasVerifier = 1;
}

def Graph_RMSNormGradOp : Graph_Op<"rms_norm_grad", [Pure,
    AllTypesMatch<["dout", "input", "input_grad"]>,
    AllTypesMatch<["scale", "scale_grad"]>]> {
  let summary = "Gradient of graph.rms_norm";
  let description = [{
    Returns `dinput` and `dscale`; the root mean square is recomputed from
    `input` with the forward's `epsilon`.

    ```mlir
    %dx, %dg = graph.rms_norm_grad %dy, %x, %g {epsilon = 1.0e-05 : f64}
        : tensor<8x64x128xf32>, tensor<128xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$dout, Graph_Tensor:$input,
                       Graph_Tensor:$scale,
                       DefaultValuedAttr<F64Attr, "1.0e-5">:$epsilon);
  let results = (outs Graph_Tensor:$input_grad, Graph_Tensor:$scale_grad);
  let assemblyFormat = [{
    $dout `,` $input `,` $scale attr-dict `:` type($input) `,` type($scale)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Attention and positions
//===----------------------------------------------------------------------===//

def Graph_AttentionGradOp : Graph_Op<"attention_grad", [Pure,
    AllTypesMatch<["dout", "query", "query_grad"]>,
    AllTypesMatch<["key", "key_grad"]>,
    AllTypesMatch<["value", "value_grad"]>]> {
  let summary = "Gradient of graph.attention";
  let description = [{
    Returns `dq`, `dk` and `dv` of the forward `graph.attention` with the
    same operands and attributes (the same shape rules, grouped-query
    attention included: `dk` and `dv` sum over the query heads of a group).
    The scores and their softmax are recomputed from `q` and `k`.

    ```mlir
    %dq, %dk, %dv = graph.attention_grad %dy, %q, %k, %v {causal}
        : tensor<8x12x64x64xf32>, tensor<8x4x64x64xf32>, tensor<8x4x64x64xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$dout, Graph_Tensor:$query,
                       Graph_Tensor:$key, Graph_Tensor:$value,
                       UnitAttr:$causal, OptionalAttr<F64Attr>:$scale,
                       DefaultValuedAttr<F64Attr, "0.0">:$dropout);
  let results = (outs Graph_Tensor:$query_grad, Graph_Tensor:$key_grad,
                      Graph_Tensor:$value_grad);
  let assemblyFormat = [{
    $dout `,` $query `,` $key `,` $value attr-dict `:` type($query) `,`
    type($key) `,` type($value)
  }];
  let hasVerifier = 1;
}

def Graph_RopeGradOp : Graph_Op<"rope_grad", [Pure,
    SameOperandsAndResultType]> {
  let summary = "Gradient of graph.rope: the inverse rotation";
  let description = [{
    Rotates each pair of `dout` by the negated angle of the forward
    `graph.rope` with the same `theta` (a rotation's transpose is its
    inverse). Needs no forward value.

    ```mlir
    %dx = graph.rope_grad %dy {theta = 1.0e+04 : f64} : tensor<8x8x64x64xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$dout,
                       DefaultValuedAttr<F64Attr, "10000.0">:$theta);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$dout attr-dict `:` type($dout)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

def Graph_GeluGradOp : Graph_Op<"gelu_grad", [Pure,
    SameOperandsAndResultType]> {
  let summary = "Gradient of graph.gelu";
  let description = [{
    `dout * gelu'(input)` with the forward's approximation.

    ```mlir
    %dx = graph.gelu_grad %dy, %x tanh : tensor<8x64x512xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$dout, Graph_Tensor:$input,
                       Graph_GeluApproximation:$approximation);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $dout `,` $input $approximation attr-dict `:` type($result)
  }];
  let hasVerifier = 1;
}

def Graph_SiluGradOp : Graph_Op<"silu_grad", [Pure,
    SameOperandsAndResultType]> {
  let summary = "Gradient of graph.silu";
  let description = [{
    `dout * s * (1 + x * (1 - s))` with `s = sigmoid(x)`.

    ```mlir
    %dx = graph.silu_grad %dy, %x : tensor<8x64x512xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$dout, Graph_Tensor:$input);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$dout `,` $input attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Graph_SwigluGradOp : Graph_Op<"swiglu_grad", [Pure,
    AllTypesMatch<["dout", "gate", "up", "gate_grad", "up_grad"]>]> {
  let summary = "Gradient of graph.swiglu";
  let description = [{
    `dgate = dout * up * silu'(gate)` and `dup = dout * silu(gate)`.

    ```mlir
    %dgate, %dup = graph.swiglu_grad %dy, %gate, %up : tensor<8x64x1408xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$dout, Graph_Tensor:$gate,
                       Graph_Tensor:$up);
  let results = (outs Graph_Tensor:$gate_grad, Graph_Tensor:$up_grad);
  let assemblyFormat = "$dout `,` $gate `,` $up attr-dict `:` type($dout)";
  let hasVerifier = 1;
}

def Graph_DropoutGradOp : Graph_Op<"dropout_grad", [Pure,
    SameOperandsAndResultType]> {
  let summary = "Gradient of graph.dropout";
  let description = [{
    `dout * mask / (1 - p)`, where the mask is the one the forward
    `graph.dropout` with the same `p` and `stream` drew in this step (the
    mask is regenerated from the run's seed and the stream, never stored).

    ```mlir
    %dx = graph.dropout_grad %dy {p = 1.0e-01 : f64, stream = 3 : i64} : tensor<8x64x128xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$dout, F64Attr:$p, I64Attr:$stream);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$dout attr-dict `:` type($dout)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Loss
//===----------------------------------------------------------------------===//

def Graph_CrossEntropyGradOp : Graph_Op<"cross_entropy_grad", [Pure,
    AllTypesMatch<["logits", "result"]>]> {
  let summary = "Gradient of graph.cross_entropy with respect to the logits";
  let description = [{
    `dlogits[n, c] = dloss / N * (softmax(logits[n, :num_classes])[c] -
    [c == targets[n]])` for the `N` positions and `c < num_classes`; the
    padded columns `c >= num_classes` get zero. `dloss` is the 0-d gradient
    of the loss (1 for the loss itself).

    ```mlir
    %dlogits = graph.cross_entropy_grad %dloss, %logits, %targets
        {num_classes = 50257 : i64}
        : tensor<f32>, tensor<16x1024x50304xf32>, tensor<16x1024xi32>
    ```
  }];
  let arguments = (ins Graph_Scalar:$dloss, Graph_Tensor:$logits,
                       Graph_IndexTensor:$targets, I64Attr:$num_classes);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $dloss `,` $logits `,` $targets attr-dict `:` type($dloss) `,`
    type($logits) `,` type($targets)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Helpers of autodiff
//===----------------------------------------------------------------------===//

def Graph_ReduceSumOp : Graph_Op<"reduce_sum", [Pure,
    DeclareOpInterfaceMethods<Graph_DifferentiableOpInterface>]> {
  let summary = "Sums over the leading dimensions";
  let description = [{
    Sums `input` over the dimensions `dims`, which must be the leading ones,
    `[0, 1, ..., k-1]` with `k >= 1`; the result has the input's shape
    without them. Leading dimensions are all that autodiff needs: the bias
    gradient of `graph.linear` and the gradient of a broadcasting
    `graph.add`/`graph.mul`, whose `rhs` is a suffix of `lhs`. (`dims` is a
    list so that the syntax survives a later generalisation.)

    ```mlir
    %db = graph.reduce_sum %dy [0, 1] : tensor<8x64x768xf32> -> tensor<768xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input, DenseI64ArrayAttr:$dims);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $input $dims attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Graph_ConcatOp : Graph_Op<"concat", [Pure,
    DeclareOpInterfaceMethods<Graph_DifferentiableOpInterface>]> {
  let summary = "Concatenates tensors along one axis (the inverse of split)";
  let description = [{
    The inputs' sizes along `axis` add up to the result's; all other
    dimensions and the element type equal the result's. The gradient of
    `graph.split` concatenates the gradients of its pieces.

    ```mlir
    %dqkv = graph.concat %dq, %dk, %dv {axis = 2 : i64}
        : tensor<8x64x768xf32>, tensor<8x64x768xf32>, tensor<8x64x768xf32>
        -> tensor<8x64x2304xf32>
    ```
  }];
  let arguments = (ins Variadic<Graph_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $inputs attr-dict `:` type($inputs) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Graph_ZerosOp : Graph_Op<"zeros", [Pure]> {
  let summary = "A tensor of zeros";
  let description = [{
    The gradient where it is structurally zero, for instance of a result
    that nothing uses, or of a `graph.split` piece without a gradient.

    ```mlir
    %z = graph.zeros : tensor<8x64x768xf32>
    ```
  }];
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Graph_FillOp : Graph_Op<"fill", [Pure]> {
  let summary = "A tensor with every element equal to one constant";
  let description = [{
    The seed of reverse-mode differentiation (`1.0` for a scalar loss) and
    other constants of the training step.

    ```mlir
    %one = graph.fill 1.0 : tensor<f32>
    ```
  }];
  let arguments = (ins F64Attr:$value);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$value attr-dict `:` type($result)";
}

def Graph_ScaleOp : Graph_Op<"scale", [Pure,
    DeclareOpInterfaceMethods<Graph_DifferentiableOpInterface>, SameOperandsAndResultType]> {
  let summary = "Multiplies by a compile-time constant";
  let description = [{
    `input * factor`, for instance `1 / num_micro_batches` on the loss
    gradient of gradient accumulation. `factor` must be finite.

    ```mlir
    %s = graph.scale %dloss {factor = 2.500000e-01 : f64} : tensor<f32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input, F64Attr:$factor);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

#endif // PTC_GRAPH_GRAD_OPS_TD

//===- GraphParallelOps.td - vocabulary-parallel cross-entropy -*- tablegen -*-===//
//
// Cross-entropy over logits split along the vocabulary (Megatron-LM's
// vocab_parallel_cross_entropy), as three local ops around two explicit
// dist.all_reduce ops, so that the communication stays visible in the IR:
//
//   %m  = graph.vocab_parallel_max %logits            (row maxima, local)
//   %M  = dist.all_reduce %m ... reduction max
//   %p  = graph.vocab_parallel_partials %logits, %targets, %M
//   %P  = dist.all_reduce %p ... reduction sum
//   %l  = graph.cross_entropy_from_partials %P
//
// The full logits are never gathered: per position, only the maximum, the
// sum of exponentials and the target's logit cross the ranks.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_GRAPH_PARALLEL_OPS_TD
#define PTC_GRAPH_PARALLEL_OPS_TD

def Graph_VocabParallelMaxOp : Graph_Op<"vocab_parallel_max",
    [Pure, Graph_Differentiable]> {
  let summary = "Row maxima of this rank's slice of the logits";
  let description = [{
    `logits` has shape `[..., Vl]`: columns `[c*Vl, (c+1)*Vl)` of the full
    logits on the rank with coordinate `c` on `shard_axis`. The result
    (shape `[...]`, the element type of the loss) holds the maximum over the
    columns that are classes (global column below `num_classes`), or the
    lowest finite value when this rank holds none. Its gradient is zero by
    construction (the loss does not depend on the shift it provides), so it
    passes no gradient.
  }];
  let arguments = (ins Graph_Tensor:$logits, StrAttr:$shard_axis,
                       I64Attr:$num_classes);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $logits attr-dict `:` type($logits) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Graph_VocabParallelPartialsOp : Graph_Op<"vocab_parallel_partials",
    [Pure, Graph_Differentiable]> {
  let summary = "This rank's sums of exponentials and target logits";
  let description = [{
    With `max` the global row maxima, the result has shape `[2, ...]`:
    `result[0][n] = sum over this rank's class columns j of
    exp(logits[n, j] - max[n])`, and `result[1][n] = logits[n, t] - max[n]`
    when this rank holds the target column `t = targets[n]`, else 0. Summed
    over the ranks of `shard_axis`, they give the softmax denominator and
    the target logit of the full vocabulary.

    ```mlir
    %p = graph.vocab_parallel_partials %logits, %targets, %max
        {shard_axis = "tp", num_classes = 50257 : i64}
        : (tensor<4x1024x25152xbf16>, tensor<4x1024xi32>, tensor<4x1024xf32>)
        -> tensor<2x4x1024xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$logits, Graph_IndexTensor:$targets,
                       Graph_Tensor:$max, StrAttr:$shard_axis,
                       I64Attr:$num_classes);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $logits `,` $targets `,` $max attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Graph_VocabParallelPartialsGradOp : Graph_Op<
    "vocab_parallel_partials_grad", [Pure]> {
  let summary = "Gradient of graph.vocab_parallel_partials (logits)";
  let description = [{
    `dlogits[n, j] = dpartials[0][n] * exp(logits[n, j] - max[n]) +
    dpartials[1][n] * [j is the target column]` for this rank's class
    columns; 0 for padding columns.
  }];
  let arguments = (ins Graph_Tensor:$dpartials, Graph_Tensor:$logits,
                       Graph_IndexTensor:$targets, Graph_Tensor:$max,
                       StrAttr:$shard_axis, I64Attr:$num_classes);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $dpartials `,` $logits `,` $targets `,` $max attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Graph_CrossEntropyFromPartialsOp : Graph_Op<"cross_entropy_from_partials",
    [Pure, Graph_Differentiable]> {
  let summary = "Mean cross-entropy from reduced vocabulary partials";
  let description = [{
    `mean over n of log(partials[0][n]) - partials[1][n]`: with the partials
    of `graph.vocab_parallel_partials` summed over the vocabulary shards,
    the mean of `-log softmax(logits)[target]`, as `graph.cross_entropy`.
  }];
  let arguments = (ins Graph_Tensor:$partials);
  let results = (outs Graph_Scalar:$result);
  let assemblyFormat = "$partials attr-dict `:` type($partials) `->` type($result)";
  let hasVerifier = 1;
}

def Graph_CrossEntropyFromPartialsGradOp : Graph_Op<
    "cross_entropy_from_partials_grad", [Pure]> {
  let summary = "Gradient of graph.cross_entropy_from_partials";
  let description = [{
    `result[0][n] = dloss / (N * partials[0][n])`, `result[1][n] = -dloss / N`
    for the `N` positions.
  }];
  let arguments = (ins Graph_Scalar:$dloss, Graph_Tensor:$partials);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $dloss `,` $partials attr-dict `:` type($dloss) `,` type($partials)
    `->` type($result)
  }];
  let hasVerifier = 1;
}

#endif // PTC_GRAPH_PARALLEL_OPS_TD

//===- GraphOps.td - graph dialect operations ---------------*- tablegen -*-===//
//
// Ops of transformer forward graphs. Every op works on statically shaped
// ranked tensors; verifiers state the shape and element-type rules that the
// traits cannot.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_GRAPH_OPS_TD
#define PTC_GRAPH_OPS_TD

include "dialects/Graph/IR/GraphBase.td"
include "dialects/Graph/IR/GraphInterfaces.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/IR/RegionKindInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

def Graph_Tensor : RankedTensorOf<[AnyFloat]>;
defvar Graph_Differentiable =
    DeclareOpInterfaceMethods<Graph_DifferentiableOpInterface>;
def Graph_IndexTensor : RankedTensorOf<[I32, I64]>;
def Graph_Scalar : 0DTensorOf<[F32, F64]>;

class Graph_SameTypeUnaryOp<string mnemonic, list<Trait> traits = []>
    : Graph_Op<mnemonic, !listconcat(traits, [Pure, SameOperandsAndResultType,
                                         Graph_Differentiable])> {
  let arguments = (ins Graph_Tensor:$input);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

//===----------------------------------------------------------------------===//
// Parameters and layer units
//===----------------------------------------------------------------------===//

def Graph_ParamOp : Graph_Op<"param", [Symbol, HasParent<"::mlir::ModuleOp">]> {
  let summary = "A trainable tensor of the model, declared once per module";
  let description = [{
    Declares a parameter: its name, static shape and element type (the fp32
    master copy), its role (which decides, for instance, whether weight decay
    applies) and how it is initialised. Uses read it with `graph.param_ref`.

    ```mlir
    graph.param @h.0.attn.qkv.weight : tensor<2304x768xf32> weight
        init #graph.init<normal, std = 2.000000e-02>
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       TypeAttrOf<Graph_Tensor>:$type,
                       Graph_ParamRole:$role,
                       Graph_InitAttr:$init);
  let assemblyFormat = "$sym_name `:` $type $role `init` $init attr-dict";
  let extraClassDeclaration = [{
    ::mlir::RankedTensorType getTensorType() {
      return ::llvm::cast<::mlir::RankedTensorType>(getType());
    }
    /// Number of scalar elements of the parameter.
    int64_t getNumElements() { return getTensorType().getNumElements(); }
  }];
  let hasVerifier = 1;
}

def Graph_ParamRefOp : Graph_Op<"param_ref", [Pure,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "Reads a parameter declared by `graph.param`";
  let description = [{
    ```mlir
    %w = graph.param_ref @wte : tensor<50304x768xf32>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$param);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$param attr-dict `:` type($result)";
}

def Graph_LayerOp : Graph_Op<"layer", [IsolatedFromAbove,
    SingleBlockImplicitTerminator<"YieldOp">, RecursiveMemoryEffects]> {
  let summary = "A unit of the model: the embedding, a transformer block or the head";
  let description = [{
    An isolated region that holds one layer of the model. Its values come in
    through the region arguments and leave through `graph.yield`; parameters
    are read inside with `graph.param_ref`. Because the region captures
    nothing from above, a whole layer can be moved, cloned or assigned to a
    pipeline stage as one unit. `index` counts blocks from 0; the embedding
    and head units carry index 0.

    ```mlir
    %y = graph.layer block 3 (%arg0 = %x : tensor<8x64x128xf32>)
        -> tensor<8x64x128xf32> {
      ...
      graph.yield %r : tensor<8x64x128xf32>
    }
    ```
  }];
  let arguments = (ins Variadic<AnyType>:$inputs,
                       Graph_LayerKind:$kind,
                       I64Attr:$index);
  let results = (outs Variadic<AnyType>:$results);
  let regions = (region SizedRegion<1>:$body);
  let hasCustomAssemblyFormat = 1;
  let hasRegionVerifier = 1;
  let skipDefaultBuilders = 1;
  let builders = [
    OpBuilder<(ins "::mlir::TypeRange":$resultTypes,
                   "::mlir::ValueRange":$inputs,
                   "LayerKind":$kind, "int64_t":$index)>
  ];
  let extraClassDeclaration = [{
    ::mlir::Block &getBodyBlock() { return getBody().front(); }
  }];
}

def Graph_YieldOp : Graph_Op<"yield", [Pure, Terminator, ReturnLike,
    HasParent<"LayerOp">]> {
  let summary = "Returns the results of a layer unit";
  let arguments = (ins Variadic<AnyType>:$values);
  let builders = [OpBuilder<(ins), [{ /* nothing to yield */ }]>];
  let assemblyFormat = "attr-dict ($values^ `:` type($values))?";
}

//===----------------------------------------------------------------------===//
// Embeddings
//===----------------------------------------------------------------------===//

def Graph_EmbeddingOp : Graph_Op<"embedding", [Pure, Graph_Differentiable]> {
  let summary = "Looks up rows of an embedding table";
  let description = [{
    `result[i..., :] = table[ids[i...], :]` for a table of shape `[V, D]`.
    The result has the shape of `ids` with `D` appended.

    With `vocab_shard_axis` the table is this rank's rows of a
    vocabulary-parallel embedding: rank `c` on that mesh axis holds rows
    `[c*V, (c+1)*V)` of the full table, looks up the ids in that range and
    gives zeros for the others; a `dist.all_reduce` sums the pieces.

    ```mlir
    %x = graph.embedding %wte[%ids]
        : (tensor<50304x768xf32>, tensor<16x1024xi32>) -> tensor<16x1024x768xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$table, Graph_IndexTensor:$ids,
                       OptionalAttr<StrAttr>:$vocab_shard_axis);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $table `[` $ids `]` attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Graph_PositionEmbeddingOp : Graph_Op<"position_embedding", [Pure, Graph_Differentiable]> {
  let summary = "The learned position embeddings of the first T positions";
  let description = [{
    Returns rows `[0, T)` of a position table of shape `[S, D]`, where `T`
    is the result's leading dimension and `T <= S`. The result is added to
    the token embeddings with a broadcasting `graph.add`.

    ```mlir
    %p = graph.position_embedding %wpe : tensor<1024x768xf32> -> tensor<256x768xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$table);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$table attr-dict `:` type($table) `->` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Normalisation
//===----------------------------------------------------------------------===//

def Graph_LayerNormOp : Graph_Op<"layer_norm", [Pure, Graph_Differentiable,
    AllTypesMatch<["input", "result"]>]> {
  let summary = "Layer normalisation over the last dimension";
  let description = [{
    `(x - mean) / sqrt(var + epsilon) * scale + bias`, with the statistics
    taken over the last dimension `D`; `scale` and the optional `bias` have
    shape `[D]`.

    ```mlir
    %y = graph.layer_norm %x, %g, %b {epsilon = 1.0e-05 : f64}
        : tensor<8x64x128xf32>, tensor<128xf32>, tensor<128xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input, Graph_Tensor:$scale,
                       Optional<Graph_Tensor>:$bias,
                       DefaultValuedAttr<F64Attr, "1.0e-5">:$epsilon);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $scale (`,` $bias^)? attr-dict `:` type($input) `,` type($scale)
    (`,` type($bias)^)?
  }];
  let hasVerifier = 1;
}

def Graph_RMSNormOp : Graph_Op<"rms_norm", [Pure, Graph_Differentiable,
    AllTypesMatch<["input", "result"]>]> {
  let summary = "Root-mean-square normalisation over the last dimension";
  let description = [{
    `x / sqrt(mean(x^2) + epsilon) * scale`, over the last dimension `D`.

    ```mlir
    %y = graph.rms_norm %x, %g {epsilon = 1.0e-05 : f64}
        : tensor<8x64x128xf32>, tensor<128xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input, Graph_Tensor:$scale,
                       DefaultValuedAttr<F64Attr, "1.0e-5">:$epsilon);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input `,` $scale attr-dict `:` type($input) `,` type($scale)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Matrix products
//===----------------------------------------------------------------------===//

def Graph_LinearOp : Graph_Op<"linear", [Pure, Graph_Differentiable]> {
  let summary = "A fully connected layer, y = x Wᵀ + b";
  let description = [{
    `input` has shape `[..., K]`, `weight` has the PyTorch `nn.Linear`
    layout `[N, K]`, the optional `bias` has shape `[N]`; the result has
    shape `[..., N]`.

    ```mlir
    %y = graph.linear %x, %w, %b
        : (tensor<8x64x128xf32>, tensor<384x128xf32>, tensor<384xf32>)
        -> tensor<8x64x384xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input, Graph_Tensor:$weight,
                       Optional<Graph_Tensor>:$bias);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Graph_MatmulOp : Graph_Op<"matmul", [Pure, Graph_Differentiable]> {
  let summary = "Batched matrix product with optional operand transposes";
  let description = [{
    `result[b..., m, n] = sum_k op(lhs)[b..., m, k] * op(rhs)[b..., k, n]`,
    where `op` transposes the last two dimensions when the matching
    `transpose_*` flag is set. Both operands have the same rank (at least 2)
    and the same leading batch dimensions.

    ```mlir
    %s = graph.matmul %q, %k {transpose_rhs}
        : (tensor<8x12x64x64xf32>, tensor<8x12x64x64xf32>) -> tensor<8x12x64x64xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$lhs, Graph_Tensor:$rhs,
                       UnitAttr:$transpose_lhs, UnitAttr:$transpose_rhs);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// Attention and positions
//===----------------------------------------------------------------------===//

def Graph_AttentionOp : Graph_Op<"attention", [Pure, Graph_Differentiable,
    AllTypesMatch<["query", "result"]>]> {
  let summary = "Scaled dot-product multi-head attention";
  let description = [{
    `softmax(scale * Q Kᵀ + mask) V` per head. `query` has shape
    `[B, Hq, T, Dh]`; `key` and `value` have shape `[B, Hkv, S, Dh]` where
    `Hkv` divides `Hq` (grouped-query attention: query head `h` reads
    key/value head `h / (Hq / Hkv)`). With `causal`, `T == S` and position
    `t` attends to positions `<= t`. `scale` defaults to `1/sqrt(Dh)`;
    `dropout` is the attention-probability dropout rate.

    ```mlir
    %o = graph.attention %q, %k, %v {causal}
        : tensor<8x12x64x64xf32>, tensor<8x12x64x64xf32>, tensor<8x12x64x64xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$query, Graph_Tensor:$key,
                       Graph_Tensor:$value, UnitAttr:$causal,
                       OptionalAttr<F64Attr>:$scale,
                       DefaultValuedAttr<F64Attr, "0.0">:$dropout);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $query `,` $key `,` $value attr-dict `:` type($query) `,` type($key) `,`
    type($value)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The softmax scale, `1/sqrt(Dh)` unless set explicitly.
    double getEffectiveScale();
  }];
}

def Graph_RopeOp : Graph_Op<"rope", [Pure, Graph_Differentiable, SameOperandsAndResultType]> {
  let summary = "Rotary position embedding";
  let description = [{
    Rotates pairs `(x[i], x[i + Dh/2])` of each head of `[B, H, T, Dh]` by
    the angle `t * theta^(-2i/Dh)` (the rotate-half convention of Llama and
    Hugging Face). `Dh` must be even.

    ```mlir
    %r = graph.rope %q {theta = 1.0e+04 : f64} : tensor<8x8x64x64xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input,
                       DefaultValuedAttr<F64Attr, "10000.0">:$theta);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

class Graph_BroadcastBinaryOp<string mnemonic, string what>
    : Graph_Op<mnemonic, [Pure, Graph_Differentiable,
        TypesMatchWith<"result has the type of lhs", "lhs", "result", "$_self">]> {
  let summary = "Elementwise " # what # ", rhs broadcast over leading dimensions";
  let description = [{
    `rhs` has the shape of `lhs` or of a suffix of it (`[T, D]` against
    `[B, T, D]`), and is broadcast over the missing leading dimensions. The
    element types match; the result has the type of `lhs`.
  }];
  let arguments = (ins Graph_Tensor:$lhs, Graph_Tensor:$rhs);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs)";
  let hasVerifier = 1;
}

def Graph_AddOp : Graph_BroadcastBinaryOp<"add", "sum">;
def Graph_MulOp : Graph_BroadcastBinaryOp<"mul", "product">;

def Graph_GeluOp : Graph_SameTypeUnaryOp<"gelu"> {
  let summary = "Gaussian error linear unit";
  let description = [{
    `x * Phi(x)`, computed exactly with `erf` or with the tanh approximation
    of GPT-2.

    ```mlir
    %y = graph.gelu %x tanh : tensor<8x64x512xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input,
                       Graph_GeluApproximation:$approximation);
  let assemblyFormat = "$input $approximation attr-dict `:` type($input)";
}

def Graph_SiluOp : Graph_SameTypeUnaryOp<"silu"> {
  let summary = "Sigmoid linear unit, x * sigmoid(x)";
}

def Graph_SwigluOp : Graph_Op<"swiglu", [Pure, Graph_Differentiable, SameOperandsAndResultType]> {
  let summary = "Gated SiLU: silu(gate) * up";
  let description = [{
    The gated feed-forward activation of Llama.

    ```mlir
    %h = graph.swiglu %gate, %up : tensor<8x64x1408xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$gate, Graph_Tensor:$up);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$gate `,` $up attr-dict `:` type($result)";
}

def Graph_DropoutOp : Graph_Op<"dropout", [Pure, Graph_Differentiable, SameOperandsAndResultType]> {
  let summary = "Inverted dropout with rate p";
  let description = [{
    Zeroes each element with probability `p` and scales the rest by
    `1/(1-p)`. `stream` numbers the op so that each dropout draws its own
    random numbers from the run's seed (and the backward can regenerate the
    mask).

    ```mlir
    %y = graph.dropout %x {p = 1.0e-01 : f64, stream = 3 : i64} : tensor<8x64x128xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input, F64Attr:$p, I64Attr:$stream);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Graph_CastOp : Graph_Op<"cast", [Pure, Graph_Differentiable]> {
  let summary = "Converts the element type (for mixed precision)";
  let arguments = (ins Graph_Tensor:$input);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

def Graph_ReshapeOp : Graph_Op<"reshape", [Pure, Graph_Differentiable]> {
  let summary = "Reinterprets a tensor with another shape of the same size";
  let description = [{
    ```mlir
    %y = graph.reshape %x : tensor<8x64x768xf32> to tensor<8x64x12x64xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Graph_TransposeOp : Graph_Op<"transpose", [Pure, Graph_Differentiable]> {
  let summary = "Permutes the dimensions of a tensor";
  let description = [{
    `result.shape[i] = input.shape[permutation[i]]`.

    ```mlir
    %y = graph.transpose %x [0, 2, 1, 3]
        : tensor<8x64x12x64xf32> to tensor<8x12x64x64xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $input $permutation attr-dict `:` type($input) `to` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Graph_SplitOp : Graph_Op<"split", [Pure, Graph_Differentiable]> {
  let summary = "Splits a tensor into consecutive pieces along one axis";
  let description = [{
    The results' sizes along `axis` add up to the input's; all other
    dimensions equal the input's. Pieces may differ in size (the q, k and v
    of grouped-query attention).

    ```mlir
    %q, %k, %v = graph.split %qkv {axis = 2 : i64}
        : tensor<8x64x2304xf32> -> tensor<8x64x768xf32>, tensor<8x64x768xf32>,
          tensor<8x64x768xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input, I64Attr:$axis);
  let results = (outs Variadic<Graph_Tensor>:$results);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Loss
//===----------------------------------------------------------------------===//

def Graph_CrossEntropyOp : Graph_Op<"cross_entropy", [Pure, Graph_Differentiable]> {
  let summary = "Mean softmax cross-entropy over the positions";
  let description = [{
    `logits` has shape `[..., Vp]` and `targets` the leading shape `[...]`.
    Only the first `num_classes` columns are classes: the rest is vocabulary
    padding, excluded from the softmax and never trained. The result is the
    mean over all positions of `-log softmax(logits)[target]`.

    ```mlir
    %loss = graph.cross_entropy %logits, %targets {num_classes = 50257 : i64}
        : (tensor<16x1024x50304xf32>, tensor<16x1024xi32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$logits, Graph_IndexTensor:$targets,
                       I64Attr:$num_classes);
  let results = (outs Graph_Scalar:$result);
  let assemblyFormat = [{
    $logits `,` $targets attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

// Vocabulary-parallel cross-entropy.
include "dialects/Graph/IR/GraphParallelOps.td"
// Gradient ops and the helpers of autodiff.
include "dialects/Graph/IR/GraphGradOps.td"
// The optimizer step.
include "dialects/Graph/IR/GraphTrainOps.td"
// The spec's model and training settings (module attributes).
include "dialects/Graph/IR/GraphSettings.td"

#endif // PTC_GRAPH_OPS_TD

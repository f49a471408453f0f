//===- DistOps.td - dist dialect operations -----------------*- tablegen -*-===//
//
// The mesh, the shard annotation, and collectives along mesh axes. Checks
// that need the mesh (axis names, sizes, divisibility) live in
// verifySymbolUses; the rest in verify().
//
//===----------------------------------------------------------------------===//
#ifndef PTC_DIST_OPS_TD
#define PTC_DIST_OPS_TD

include "dialects/Dist/IR/DistBase.td"
include "dialects/Graph/IR/GraphInterfaces.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// The mesh
//===----------------------------------------------------------------------===//

def Dist_MeshOp : Dist_Op<"mesh", [Symbol, HasParent<"::mlir::ModuleOp">]> {
  let summary = "The device mesh: named axes with sizes";
  let description = [{
    Global rank `r` has one coordinate per axis; the last axis varies
    fastest (row-major over the listed sizes). With `[dp = 2, pp = 1,
    tp = 4]`, ranks 0-3 form one tp group (one node's GPUs), ranks 0 and 4
    one dp group: tensor parallelism stays inside a node, as in MT-NLG.
    Axis names are identifiers, unique, and sizes are at least 1; the
    product of the sizes is the world size the executable expects.

    ```mlir
    dist.mesh @mesh axes [dp = 2, pp = 1, tp = 4]
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       StrArrayAttr:$axis_names,
                       DenseI64ArrayAttr:$shape);
  let assemblyFormat = [{
    $sym_name `axes` custom<MeshShape>($axis_names, $shape) attr-dict
  }];
  let extraClassDeclaration = [{
    /// The number of axes.
    unsigned getRank() { return getShape().size(); }
    /// The position of axis `name`, if the mesh has one.
    std::optional<unsigned> getAxisIndex(::llvm::StringRef name);
    /// The size of axis `name` (which must exist).
    int64_t getAxisSize(::llvm::StringRef name);
    /// The number of ranks in a group spanned by `axes` (which must exist).
    int64_t getGroupSize(::llvm::ArrayRef<::llvm::StringRef> axes);
    /// The world size: the product of all axis sizes.
    int64_t getNumRanks();
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Shardings
//===----------------------------------------------------------------------===//

def Dist_ShardOp : Dist_Op<"shard", [Pure,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>,
    DeclareOpInterfaceMethods<Graph_DifferentiableOpInterface>]> {
  let summary = "A global tensor's per-rank shard";
  let description = [{
    `input` is the logical (global) tensor; `result` is the piece that one
    rank holds under `sharding`: each dimension divided by the product of
    the sizes of the axes that split it. Partial axes do not change the
    shape. The sharding's mesh must exist, its axes must be axes of the mesh
    and must divide the dimensions they split.

    ```mlir
    %y = dist.shard %x to <@mesh, [[], [], [tp]]>
        : tensor<16x1024x768xf32> -> tensor<16x1024x192xf32>
    ```

    The sharding is printed without its `#dist.sharding` prefix, as
    upstream's `mesh.shard` did: a dialect attribute in full form would take
    the op's `: type` as its own.
  }];
  let arguments = (ins AnyStaticShapeTensor:$input,
                       Dist_ShardingAttr:$sharding);
  let results = (outs AnyStaticShapeTensor:$result);
  let assemblyFormat = [{
    $input `to` $sharding attr-dict
    `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Collectives
//===----------------------------------------------------------------------===//

// A collective over the groups of ranks that `mesh_axes` span: ranks that
// agree on every other axis form one group. Operands and results are the
// per-rank (local) tensors.
class Dist_CollectiveOp<string mnemonic, list<Trait> traits = []>
    : Dist_Op<mnemonic, !listconcat(traits, [Pure,
          DeclareOpInterfaceMethods<SymbolUserOpInterface>])> {
  dag commonArgs = (ins FlatSymbolRefAttr:$mesh, Dist_MeshAxes:$mesh_axes);
  let hasVerifier = 1;
}

def Dist_AllReduceOp : Dist_CollectiveOp<"all_reduce", [
    AllTypesMatch<["input", "result"]>,
    DeclareOpInterfaceMethods<Graph_DifferentiableOpInterface>]> {
  let summary = "Reduce within each group; every member gets the result";
  let description = [{
    ```mlir
    %y = dist.all_reduce %x on @mesh axes [tp] reduction sum
        : tensor<16x1024x768xf32>
    ```

    `members` (with one axis) restricts the group to those coordinates of
    the axis, e.g. the first and the last pipeline rank that both hold the
    tied embedding; only ranks with such a coordinate run the op.

    ```mlir
    %y = dist.all_reduce %g on @mesh axes [pp] reduction sum
        {members = array<i64: 0, 3>} : tensor<50304x768xf32>
    ```
  }];
  let arguments = !con(commonArgs, (ins Dist_Tensor:$input,
                                        Dist_ReductionKindAttr:$reduction,
                                        OptionalAttr<DenseI64ArrayAttr>:$members));
  let builders = [
    OpBuilder<(ins "::mlir::Type":$type, "::mlir::FlatSymbolRefAttr":$mesh,
                   "::mlir::ArrayAttr":$axes, "::mlir::Value":$input,
                   "ReductionKindAttr":$reduction), [{
      build($_builder, $_state, type, mesh, axes, input, reduction,
            ::mlir::DenseI64ArrayAttr());
    }]>
  ];
  let results = (outs Dist_Tensor:$result);
  let assemblyFormat = [{
    $input `on` $mesh `axes` custom<AxisList>($mesh_axes)
    `reduction` `` $reduction attr-dict `:` type($input)
  }];
}

def Dist_AllGatherOp : Dist_CollectiveOp<"all_gather", [
    SameOperandsAndResultElementType, SameOperandsAndResultRank,
    DeclareOpInterfaceMethods<Graph_DifferentiableOpInterface>]> {
  let summary = "Concatenate the group's tensors along one dimension";
  let description = [{
    The members' tensors are concatenated along `gather_axis` in group order;
    that dimension of the result is the group size times the input's.

    ```mlir
    %y = dist.all_gather %x on @mesh axes [tp] gather_axis 2
        : tensor<16x1024x192xf32> -> tensor<16x1024x768xf32>
    ```
  }];
  let arguments = !con(commonArgs, (ins Dist_Tensor:$input,
      ConfinedAttr<I64Attr, [IntNonNegative]>:$gather_axis));
  let results = (outs Dist_Tensor:$result);
  let assemblyFormat = [{
    $input `on` $mesh `axes` custom<AxisList>($mesh_axes)
    `gather_axis` $gather_axis attr-dict `:` type($input) `->` type($result)
  }];
}

def Dist_ReduceScatterOp : Dist_CollectiveOp<"reduce_scatter", [
    SameOperandsAndResultElementType, SameOperandsAndResultRank,
    DeclareOpInterfaceMethods<Graph_DifferentiableOpInterface>]> {
  let summary = "Reduce within each group, each member keeps one slice";
  let description = [{
    The reduced tensor is split along `scatter_axis` into group-size equal
    slices; member `i` of the group keeps slice `i`. The dimension must be
    divisible by the group size.

    ```mlir
    %y = dist.reduce_scatter %x on @mesh axes [tp] scatter_axis 1
        reduction sum : tensor<16x1024x768xf32> -> tensor<16x256x768xf32>
    ```
  }];
  let arguments = !con(commonArgs, (ins Dist_Tensor:$input,
      ConfinedAttr<I64Attr, [IntNonNegative]>:$scatter_axis,
      Dist_ReductionKindAttr:$reduction));
  let results = (outs Dist_Tensor:$result);
  let assemblyFormat = [{
    $input `on` $mesh `axes` custom<AxisList>($mesh_axes)
    `scatter_axis` $scatter_axis `reduction` `` $reduction attr-dict
    `:` type($input) `->` type($result)
  }];
}

def Dist_AllReduceGradOp : Dist_CollectiveOp<"all_reduce_grad", [
    AllTypesMatch<["input", "result"]>,
    DeclareOpInterfaceMethods<Graph_DifferentiableOpInterface>]> {
  let summary = "Identity forward; the gradient is summed over the group";
  let description = [{
    Marks a value that is replicated over `mesh_axes` where it enters
    computations split over those axes: the forward is the identity (no
    communication), and `graph-autodiff` turns its VJP into a
    `dist.all_reduce ... reduction sum` of the gradient, because each rank's
    split computation contributes only part of it. This is Megatron-LM's `f`
    operator (`copy_to_tensor_model_parallel_region`), in front of every
    column-parallel projection; `dist.all_reduce` with `sum` is its
    conjugate `g`, whose VJP is the identity.

    ```mlir
    %xr = dist.all_reduce_grad %x on @mesh axes [tp] : tensor<4x64x64xf32>
    ```
  }];
  let arguments = !con(commonArgs, (ins Dist_Tensor:$input));
  let results = (outs Dist_Tensor:$result);
  let assemblyFormat = [{
    $input `on` $mesh `axes` custom<AxisList>($mesh_axes) attr-dict
    `:` type($input)
  }];
}

def Dist_ReduceGradsOp : Dist_Op<"reduce_grads", [
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "Reduce parameters' gradient accumulators in place, as one "
                "bucket";
  let description = [{
    Reduces the gradient accumulator of every parameter in `params` (each a
    `graph.param`) over the groups that `mesh_axes` span and writes the
    result back into the accumulator. `dist-data-parallel` puts one after
    the last gradient of each bucket that the backward of a step's last
    micro-batch accumulates, so the bucket is reduced while the backward
    goes on; `bucket` numbers them in issue order. The exec lowering runs
    the bucket on a communication stream, behind an event recorded on the
    compute stream, as one group of collectives.

    ```mlir
    dist.reduce_grads [@h.11.mlp.c_proj.weight, @h.11.mlp.c_proj.bias]
        on @mesh axes [dp] reduction avg bucket 0
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$mesh, Dist_MeshAxes:$mesh_axes,
                       SymbolRefArrayAttr:$params,
                       Dist_ReductionKindAttr:$reduction,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$bucket);
  let assemblyFormat = [{
    $params `on` $mesh `axes` custom<AxisList>($mesh_axes)
    `reduction` `` $reduction `bucket` $bucket attr-dict
  }];
  let hasVerifier = 1;
}

def Dist_ReduceScatterGradsOp : Dist_Op<"reduce_scatter_grads", [
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "Reduce-scatter gradient accumulators in place, as one bucket";
  let description = [{
    ZeRO-1's `dist.reduce_grads`: every parameter's accumulator, flattened,
    is cut into as many chunks as the group has members, and the chunk of
    this rank's coordinate receives the reduction of that chunk over the
    group (the other chunks keep this rank's own values). The group size
    must divide each accumulator. `graph.grad_chunk` reads the chunk.

    ```mlir
    dist.reduce_scatter_grads [@h.11.mlp.c_proj.weight]
        on @mesh axes [dp] reduction avg bucket 0
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$mesh, Dist_MeshAxes:$mesh_axes,
                       SymbolRefArrayAttr:$params,
                       Dist_ReductionKindAttr:$reduction,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$bucket);
  let assemblyFormat = [{
    $params `on` $mesh `axes` custom<AxisList>($mesh_axes)
    `reduction` `` $reduction `bucket` $bucket attr-dict
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Point to point
//===----------------------------------------------------------------------===//

// A transfer to or from one peer along one mesh axis: the peer agrees with
// this rank on every other axis. The peer is relative (`next`, `prev`,
// cyclic along the axis) or an absolute coordinate on the axis.
class Dist_P2POp<string mnemonic, list<Trait> traits = []>
    : Dist_Op<mnemonic, !listconcat(traits, [
          DeclareOpInterfaceMethods<SymbolUserOpInterface>])> {
  dag commonArgs = (ins FlatSymbolRefAttr:$mesh, StrAttr:$axis,
                        OptionalAttr<Dist_RelativePeerAttr>:$relative,
                        OptionalAttr<I64Attr>:$coordinate);
  let hasVerifier = 1;
}

def Dist_SendOp : Dist_P2POp<"send"> {
  let summary = "Send a tensor to one peer along a mesh axis";
  let description = [{
    Matched by a `dist.recv` of the same type on the peer.

    ```mlir
    dist.send %x on @mesh axis pp to next : tensor<4x1024x768xf32>
    ```
  }];
  let arguments = !con(commonArgs, (ins Dist_Tensor:$input));
  let assemblyFormat = [{
    $input `on` $mesh `axis` custom<AxisName>($axis)
    `to` custom<Peer>($relative, $coordinate) attr-dict `:` type($input)
  }];
}

def Dist_RecvOp : Dist_P2POp<"recv"> {
  let summary = "Receive a tensor from one peer along a mesh axis";
  let description = [{
    Matched by a `dist.send` of the same type on the peer.

    ```mlir
    %y = dist.recv on @mesh axis pp from prev : tensor<4x1024x768xf32>
    ```
  }];
  let arguments = commonArgs;
  let results = (outs Dist_Tensor:$result);
  let assemblyFormat = [{
    `on` $mesh `axis` custom<AxisName>($axis)
    `from` custom<Peer>($relative, $coordinate) attr-dict `:` type($result)
  }];
}

include "dialects/Dist/IR/DistScheduleOps.td"
// The spec's parallel settings (a module attribute).
include "dialects/Dist/IR/DistSettings.td"

#endif // PTC_DIST_OPS_TD

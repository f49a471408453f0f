//===- DistBase.td - The dist dialect -----------------------*- tablegen -*-===//
//
// The device mesh with named axes, sharding attributes, and explicit
// collectives along mesh axes. Modelled on upstream MLIR's `shard` dialect
// (formerly `mesh`), with axes named instead of numbered.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_DIST_BASE_TD
#define PTC_DIST_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/CommonTypeConstraints.td"

def Dist_Dialect : Dialect {
  let name = "dist";
  let cppNamespace = "::ptc::dist";
  let summary = "Device mesh, shardings and collectives along mesh axes";
  let description = [{
    The `dist` dialect describes how a training step is spread over ranks.
    `dist.mesh` declares the device mesh: named axes (`dp`, `pp`, `tp`, ...)
    with sizes, the last axis varying fastest over global ranks.
    `#dist.sharding` says, per tensor dimension, which mesh axes split it,
    and which axes still hold partial sums. `dist.shard` takes a global
    tensor to its per-rank shard. Collectives (`dist.all_reduce`,
    `dist.all_gather`, `dist.reduce_scatter`) and point-to-point transfers (`dist.send`, `dist.recv`) act on per-rank
    tensors within the groups that a list of mesh axes defines; passes insert
    them explicitly.

    See docs/Dialects/Dist.md for the rationale.
  }];
  let useDefaultAttributePrinterParser = 1;
}

class Dist_Op<string mnemonic, list<Trait> traits = []>
    : Op<Dist_Dialect, mnemonic, traits>;

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

// What collectives move: a statically shaped tensor of floats, one rank's
// local piece.
def Dist_Tensor : StaticShapeTensorOf<[AnyFloat]>;

// A list of mesh axis names, printed `[dp, tp]`.
def Dist_MeshAxes : TypedArrayAttrBase<StrAttr, "mesh axis names">;

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def Dist_ReductionKind : I32EnumAttr<"ReductionKind",
    "how a collective combines the values of a group", [
    I32EnumAttrCase<"sum", 0>,
    I32EnumAttrCase<"max", 1>,
    I32EnumAttrCase<"min", 2>,
    I32EnumAttrCase<"avg", 3>]> {
  let cppNamespace = "::ptc::dist";
  let genSpecializedAttr = 0;
}

def Dist_ReductionKindAttr
    : EnumAttr<Dist_Dialect, Dist_ReductionKind, "reduction"> {
  let assemblyFormat = "$value";
}

def Dist_RelativePeer : I32EnumAttr<"RelativePeer",
    "the neighbour along one mesh axis (cyclic)", [
    I32EnumAttrCase<"next", 0>,
    I32EnumAttrCase<"prev", 1>]> {
  let cppNamespace = "::ptc::dist";
  let genSpecializedAttr = 0;
}

def Dist_RelativePeerAttr
    : EnumAttr<Dist_Dialect, Dist_RelativePeer, "peer"> {
  let assemblyFormat = "$value";
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

def Dist_ShardingAttr : AttrDef<Dist_Dialect, "Sharding"> {
  let mnemonic = "sharding";
  let summary = "How a tensor is split over the axes of a mesh";
  let description = [{
    `split_axes` holds, for each tensor dimension, the list of mesh axes that
    split it (outermost first); an empty list means the dimension is
    replicated. Trailing dimensions left out are replicated. `partial` lists
    the axes over which the values are partial sums still to be reduced (the
    output of a row-parallel matmul before its all-reduce). An axis appears
    at most once in the whole attribute. Whether the axes exist in the mesh
    and divide the dimensions is checked by the op that applies the sharding
    to a tensor (`dist.shard`).

    ```mlir
    // The hidden dimension split over tp, replicated over dp.
    #dist.sharding<@mesh, [[], [], [tp]]>
    // Batch over dp, and partial sums over tp.
    #dist.sharding<@mesh, [[dp], [], []], partial = [tp]>
    ```
  }];
  let parameters = (ins "::mlir::FlatSymbolRefAttr":$mesh,
                        "::mlir::ArrayAttr":$split_axes,
                        "::mlir::ArrayAttr":$partial_axes);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The mesh axes that split dimension `dim` (none past the listed ones).
    ::llvm::SmallVector<::llvm::StringRef> getDimAxes(unsigned dim) const;
    /// The mesh axes that hold partial sums.
    ::llvm::SmallVector<::llvm::StringRef> getPartialAxisNames() const;
  }];
}

#endif // PTC_DIST_BASE_TD

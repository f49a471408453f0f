//===- GraphBase.td - The graph dialect ---------------------*- tablegen -*-===//
//
// The tensor-level dialect of ptc: the differentiable ops of transformer
// models, on statically shaped tensors, with parameters as module-level
// symbols and explicit layer units.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_GRAPH_BASE_TD
#define PTC_GRAPH_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Graph_Dialect : Dialect {
  let name = "graph";
  let cppNamespace = "::ptc::graph";
  let summary = "Tensor-level ops of transformer training graphs";
  let description = [{
    The `graph` dialect is where a ptc model starts: the JSON spec is lowered
    into one `func.func @forward` over `graph` ops, with every trainable
    tensor declared once as a module-level `graph.param` symbol that records
    its shape and its initialisation recipe.

    Shapes are static: every tensor type is fully known at compile time, so
    later passes can split, fuse and plan memory exactly. Each transformer
    block (and the embedding and the head) is an isolated `graph.layer`
    region, the unit that pipeline partitioning moves between stages.

    See docs/Dialects/Graph.md for the rationale.
  }];
  let useDefaultAttributePrinterParser = 1;
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

class Graph_Op<string mnemonic, list<Trait> traits = []>
    : Op<Graph_Dialect, mnemonic, traits>;

class Graph_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Graph_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def Graph_InitKind : I32EnumAttr<"InitKind", "parameter initialisation", [
    I32EnumAttrCase<"zeros", 0>,
    I32EnumAttrCase<"ones", 1>,
    I32EnumAttrCase<"normal", 2>]> {
  let cppNamespace = "::ptc::graph";
  let genSpecializedAttr = 0;
}

def Graph_ParamRole : I32EnumAttr<"ParamRole", "what a parameter is for", [
    I32EnumAttrCase<"token_embedding", 0>,
    I32EnumAttrCase<"position_embedding", 1>,
    I32EnumAttrCase<"weight", 2>,
    I32EnumAttrCase<"bias", 3>,
    I32EnumAttrCase<"norm_scale", 4>,
    I32EnumAttrCase<"norm_bias", 5>,
    I32EnumAttrCase<"output_weight", 6>]> {
  let cppNamespace = "::ptc::graph";
}

def Graph_LayerKind : I32EnumAttr<"LayerKind", "kind of layer unit", [
    I32EnumAttrCase<"embedding", 0>,
    I32EnumAttrCase<"block", 1>,
    I32EnumAttrCase<"head", 2>,
    I32EnumAttrCase<"embedding_backward", 3>,
    I32EnumAttrCase<"block_backward", 4>,
    I32EnumAttrCase<"head_backward", 5>]> {
  let cppNamespace = "::ptc::graph";
}

def Graph_GeluApproximation : I32EnumAttr<"GeluApproximation",
    "how GELU is computed", [
    I32EnumAttrCase<"erf", 0>,
    I32EnumAttrCase<"tanh", 1>]> {
  let cppNamespace = "::ptc::graph";
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

def Graph_InitAttr : Graph_Attr<"Init", "init"> {
  let summary = "How a parameter is initialised";
  let description = [{
    `zeros`, `ones`, or `normal` with mean 0 and standard deviation
    `std * scale`. The scale is kept apart from the base `std` so that the
    scaled init of residual projections (GPT-2: `1/sqrt(2 * layers)`) stays
    visible in the IR.

    ```mlir
    #graph.init<normal, std = 2.000000e-02, scale = 0.20412414523193154>
    #graph.init<zeros>
    ```
  }];
  let parameters = (ins
    EnumParameter<Graph_InitKind>:$kind,
    APFloatParameter<"standard deviation before scaling (normal only)">:$std,
    APFloatParameter<"factor on std (the scaled residual init)">:$scale);
  let builders = [
    AttrBuilder<(ins "InitKind":$kind, CArg<"double", "0.0">:$std,
                     CArg<"double", "1.0">:$scale), [{
      return $_get($_ctxt, kind, ::llvm::APFloat(std), ::llvm::APFloat(scale));
    }]>
  ];
  let extraClassDeclaration = [{
    /// The standard deviation actually drawn from: std * scale.
    double getEffectiveStd() const {
      return getStd().convertToDouble() * getScale().convertToDouble();
    }
  }];
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

#endif // PTC_GRAPH_BASE_TD

//===- ExecBase.td - The exec dialect -----------------------*- tablegen -*-===//
//
// What runs: buffers placed in arenas, kernel launches with static sizes,
// library calls, streams and events. The level that the memory planner and
// the emitters read.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_EXEC_BASE_TD
#define PTC_EXEC_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/CommonTypeConstraints.td"

def Exec_Dialect : Dialect {
  let name = "exec";
  let cppNamespace = "::ptc::exec";
  let summary = "Buffers, kernel launches, library calls, streams and events";
  let description = [{
    The `exec` dialect says what runs. Buffers are builtin, statically shaped
    `memref` values: persistent tensors are `exec.global` symbols placed in an
    `exec.arena`, transient ones are `exec.alloc`s that the `exec-plan-memory`
    pass places at offsets in the activations or workspace arena. Work is
    `exec.launch` (a kernel or runtime call with per-buffer access modes and
    static scalar arguments), `exec.gemm` (a library GEMM), `exec.fill` and
    `exec.copy`; `exec.stream`, `exec.event`, `exec.event_record` and
    `exec.stream_wait` order work across streams.

    Entry points are `func.func` ops with no arguments and no results that
    carry `exec.entry = "<name>"` (for instance `"micro_step"`): every buffer
    they touch is reached through a symbol or allocated inside.

    See docs/Dialects/Exec.md for the rationale.
  }];
  let useDefaultAttributePrinterParser = 1;
  let hasOperationAttrVerify = 1;
  let dependentDialects = ["::mlir::func::FuncDialect"];
  let extraClassDeclaration = [{
    /// The discardable attribute that marks a func.func as an entry point.
    static ::llvm::StringRef getEntryAttrName() { return "exec.entry"; }
  }];
}

class Exec_Op<string mnemonic, list<Trait> traits = []>
    : Op<Exec_Dialect, mnemonic, traits>;

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

// A buffer: a statically shaped memref with the identity layout.
def Exec_Buffer : Type<And<[
    StaticShapeMemRefOf<[F32, F64, BF16, F16, I32, I64]>.predicate,
    CPred<"::llvm::cast<::mlir::MemRefType>($_self).getLayout().isIdentity()">]>,
    "statically shaped identity-layout memref of f32, f64, bf16, f16, i32 "
    "or i64", "::mlir::MemRefType">;

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

// The order of the cases is the runtime ABI numbering: do not reorder.
def Exec_ArenaKind : I32EnumAttr<"ArenaKind", "what an arena holds", [
    I32EnumAttrCase<"parameters", 0>,
    I32EnumAttrCase<"master_weights", 1>,
    I32EnumAttrCase<"gradients", 2>,
    I32EnumAttrCase<"optimizer_state", 3>,
    I32EnumAttrCase<"activations", 4>,
    I32EnumAttrCase<"workspace", 5>,
    I32EnumAttrCase<"io", 6>]> {
  let cppNamespace = "::ptc::exec";
}

def Exec_Access : I32EnumAttr<"Access", "how a launch uses a buffer", [
    I32EnumAttrCase<"read", 0>,
    I32EnumAttrCase<"write", 1>,
    I32EnumAttrCase<"readwrite", 2>]> {
  let cppNamespace = "::ptc::exec";
  let genSpecializedAttr = 0;
}

def Exec_AccessAttr : EnumAttr<Exec_Dialect, Exec_Access, "access"> {
  let assemblyFormat = "`<` $value `>`";
}

def Exec_AccessArrayAttr
    : TypedArrayAttrBase<Exec_AccessAttr, "access modes, one per buffer">;

def Exec_GemmEpilogue : I32EnumAttr<"GemmEpilogue",
    "what a GEMM applies to its product", [
    I32EnumAttrCase<"none", 0>,
    I32EnumAttrCase<"bias", 1>,
    I32EnumAttrCase<"gelu", 2>,
    I32EnumAttrCase<"bias_gelu", 3>]> {
  let cppNamespace = "::ptc::exec";
}

#endif // PTC_EXEC_BASE_TD

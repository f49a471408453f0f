//===- ExecOps.td - exec dialect operations -----------------*- tablegen -*-===//
//
// Arenas and the buffers placed in them, launches and library calls, streams
// and events. Verifiers state the size, placement and symbol rules that the
// traits cannot.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_EXEC_OPS_TD
#define PTC_EXEC_OPS_TD

include "dialects/Exec/IR/ExecBase.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Arenas and persistent buffers
//===----------------------------------------------------------------------===//

def Exec_ArenaOp : Exec_Op<"arena", [Symbol, HasParent<"::mlir::ModuleOp">]> {
  let summary = "A contiguous block of memory that buffers are placed in";
  let description = [{
    One allocation made by the runtime at start-up. `kind` says what it holds
    (its numbering is the runtime ABI); `size` is in bytes and is set by
    `exec-plan-memory` (0 before planning); every offset into the arena is a
    multiple of `align`.

    ```mlir
    exec.arena @parameters parameters size 65536 align 256
    exec.arena @activations activations size 0 align 256
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       Exec_ArenaKind:$kind,
                       DefaultValuedAttr<I64Attr, "0">:$size,
                       DefaultValuedAttr<I64Attr, "256">:$alignment);
  let assemblyFormat = [{
    $sym_name $kind `size` $size `align` $alignment attr-dict
  }];
  let hasVerifier = 1;
}

def Exec_GlobalOp : Exec_Op<"global", [Symbol, HasParent<"::mlir::ModuleOp">,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "A persistent buffer that lives across entry-point calls";
  let description = [{
    Parameters, gradients, optimizer moments, master weights and the I/O slots
    (tokens, targets, loss) the runtime fills or reads. The buffer lives in
    `arena` at `offset` bytes, which `exec-plan-memory` sets; `io` names the
    slot the runtime exchanges with the outside world.

    ```mlir
    exec.global @wte.weight in @parameters [offset 1024] : memref<256x64xf32>
    exec.global @tokens in @io : memref<4x64xi32> {io = "tokens"}
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       FlatSymbolRefAttr:$arena,
                       TypeAttrOf<Exec_Buffer>:$type,
                       OptionalAttr<I64Attr>:$offset,
                       OptionalAttr<StrAttr>:$io);
  let assemblyFormat = [{
    $sym_name `in` $arena (` ` `[` `offset` $offset^ `]`)? `:` $type attr-dict
  }];
  let builders = [
    OpBuilder<(ins "::llvm::StringRef":$name, "::llvm::StringRef":$arena,
                   "::mlir::MemRefType":$type), [{
      build($_builder, $_state, name, arena, type, nullptr, nullptr);
    }]>
  ];
  let extraClassDeclaration = [{
    ::mlir::MemRefType getMemRefType() {
      return ::llvm::cast<::mlir::MemRefType>(getType());
    }
  }];
  let hasVerifier = 1;
}

def Exec_GlobalRefOp : Exec_Op<"global_ref", [Pure,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "The buffer of an `exec.global`";
  let description = [{
    ```mlir
    %w = exec.global_ref @wte.weight : memref<256x64xf32>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$global);
  let results = (outs Exec_Buffer:$result);
  let assemblyFormat = "$global attr-dict `:` type($result)";
  let builders = [
    OpBuilder<(ins "GlobalOp":$global), [{
      build($_builder, $_state, global.getType(), global.getSymName());
    }]>
  ];
}

def Exec_GlobalSpanOp : Exec_Op<"global_span", [Pure,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "One buffer over globals placed back to back";
  let description = [{
    The bytes from the start of `first` to the end of `last`, as one flat
    buffer: `exec-coalesce` runs one launch over the parameters, gradients or
    moments of many tensors where `exec-plan-memory` packed them without a
    gap. Both globals are placed in the same arena and have the span's
    element type; the span's size is exactly the bytes they cover.

    ```mlir
    %g = exec.global_span @h.0.ln_1.weight.grad to @h.0.ln_1.bias.grad
        : memref<1536xf32>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$first, FlatSymbolRefAttr:$last);
  let results = (outs Exec_Buffer:$result);
  let assemblyFormat = "$first `to` $last attr-dict `:` type($result)";
}

//===----------------------------------------------------------------------===//
// Transient buffers
//===----------------------------------------------------------------------===//

def Exec_AllocOp : Exec_Op<"alloc", [
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "A transient buffer of one function, placed by the planner";
  let description = [{
    A buffer that lives from its first to its last use inside one function.
    `kind` is `activations` (the default) or `workspace`. `exec-plan-memory`
    sets `arena` and `offset`; buffers whose lifetimes do not overlap may
    share memory.

    ```mlir
    %a = exec.alloc : memref<4x64x64xf32>
    %w = exec.alloc workspace : memref<1024xf32>
    %p = exec.alloc in @activations [offset 4096] : memref<4x64x64xf32>
    ```
  }];
  let arguments = (ins
      DefaultValuedAttr<Exec_ArenaKind, "::ptc::exec::ArenaKind::activations">:$kind,
      OptionalAttr<FlatSymbolRefAttr>:$arena,
      OptionalAttr<I64Attr>:$offset);
  let results = (outs Res<Exec_Buffer, "", [MemAlloc]>:$result);
  let assemblyFormat = [{
    ($kind^)? (`in` $arena^ ` ` `[` `offset` $offset `]`)? attr-dict
    `:` type($result)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::MemRefType":$type,
                   CArg<"ArenaKind", "ArenaKind::activations">:$kind), [{
      build($_builder, $_state, type, kind, nullptr, nullptr);
    }]>
  ];
  let extraClassDeclaration = [{
    ::mlir::MemRefType getMemRefType() { return getResult().getType(); }
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Work
//===----------------------------------------------------------------------===//

def Exec_LaunchOp : Exec_Op<"launch", [
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "A kernel launch or runtime call with static sizes";
  let description = [{
    Calls the runtime's kernel or library function `ptc::kernels::<callee>`
    (runtime/cpu/kernels.h, runtime/cuda/kernels.cuh) with the buffers,
    then the static scalar `args` (integers, floats, booleans; a list of
    them, or of lists of them, is a table that the emitter passes as a
    braced initializer list). `access` says, per buffer, whether the call
    reads, writes or does both; the op's memory effects follow it.
    `stream` names an `exec.stream`; without it the call runs on the default
    stream.

    ```mlir
    exec.launch "layernorm_forward"(%y, %mean, %rstd, %x, %g, %b)
        access [write, write, write, read, read, read]
        args [256, 64, 1.000000e-05]
        : memref<256x64xf32>, memref<256xf32>, memref<256xf32>,
          memref<256x64xf32>, memref<64xf32>, memref<64xf32>
    ```
  }];
  let arguments = (ins StrAttr:$callee,
                       Variadic<Exec_Buffer>:$buffers,
                       Exec_AccessArrayAttr:$access,
                       DefaultValuedAttr<ArrayAttr, "{}">:$args,
                       OptionalAttr<FlatSymbolRefAttr>:$stream);
  let assemblyFormat = [{
    $callee `(` $buffers `)` `access` custom<AccessList>($access)
    (`args` $args^)? (`on` $stream^)? attr-dict (`:` type($buffers)^)?
  }];
  let builders = [
    OpBuilder<(ins "::llvm::StringRef":$callee, "::mlir::ValueRange":$buffers,
                   "::llvm::ArrayRef<Access>":$access,
                   CArg<"::llvm::ArrayRef<::mlir::Attribute>", "{}">:$args,
                   CArg<"::mlir::FlatSymbolRefAttr", "nullptr">:$stream)>
  ];
  let extraClassDeclaration = [{
    /// The access mode of buffer `i`.
    Access getAccessMode(unsigned i) {
      return ::llvm::cast<AccessAttr>(getAccess()[i]).getValue();
    }
  }];
  let hasVerifier = 1;
}

def Exec_GemmOp : Exec_Op<"gemm", [
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "A batched, strided GEMM with an epilogue (cuBLASLt)";
  let description = [{
    `out = alpha * op(a) * op(b) (+ bias) (gelu) (+ out if accumulate)`,
    row-major, for `batch` independent products. `a` is `[m, k]` (`[k, m]`
    with `transpose_a`), `b` is `[k, n]` (`[n, k]` with `transpose_b`, the
    `nn.Linear` weight layout), `out` is `[m, n]`. Strides are in elements
    between consecutive batch entries; 0 means packed (`m*k`, `k*n`, `m*n`).
    `bias` (n elements) is added to every row when the epilogue is `bias` or
    `bias_gelu`; `accumulate` adds the product to `out` (beta = 1) instead of
    overwriting it (beta = 0).

    ```mlir
    exec.gemm %y, %x, %w, %bias m 256 n 192 k 64 epilogue bias transpose_b
        : memref<4x64x192xf32>, memref<4x64x64xf32>, memref<192x64xf32>,
          memref<192xf32>
    ```
  }];
  let arguments = (ins Exec_Buffer:$out, Exec_Buffer:$a, Exec_Buffer:$b,
                       Optional<Exec_Buffer>:$bias,
                       I64Attr:$m, I64Attr:$n, I64Attr:$k,
                       DefaultValuedAttr<I64Attr, "1">:$batch,
                       DefaultValuedAttr<I64Attr, "0">:$stride_a,
                       DefaultValuedAttr<I64Attr, "0">:$stride_b,
                       DefaultValuedAttr<I64Attr, "0">:$stride_out,
                       UnitAttr:$transpose_a,
                       UnitAttr:$transpose_b,
                       UnitAttr:$accumulate,
                       DefaultValuedAttr<F64Attr, "1.0">:$alpha,
                       DefaultValuedAttr<Exec_GemmEpilogue,
                           "::ptc::exec::GemmEpilogue::none">:$epilogue,
                       OptionalAttr<FlatSymbolRefAttr>:$stream);
  let assemblyFormat = [{
    $out `,` $a `,` $b (`,` $bias^)? `m` $m `n` $n `k` $k
    (`batch` $batch^)? (`epilogue` $epilogue^)?
    (`transpose_a` $transpose_a^)? (`transpose_b` $transpose_b^)?
    (`accumulate` $accumulate^)? (`on` $stream^)? attr-dict
    `:` type($out) `,` type($a) `,` type($b) (`,` type($bias)^)?
  }];
  let builders = [
    // The common case: one product, packed, alpha = 1, overwriting `out`;
    // the epilogue is `bias` when a bias is given.
    OpBuilder<(ins "::mlir::Value":$out, "::mlir::Value":$a,
                   "::mlir::Value":$b, "::mlir::Value":$bias,
                   "int64_t":$m, "int64_t":$n, "int64_t":$k,
                   CArg<"bool", "false">:$transposeA,
                   CArg<"bool", "false">:$transposeB), [{
      build($_builder, $_state, out, a, b, bias, m, n, k, /*batch=*/1,
            /*stride_a=*/0, /*stride_b=*/0, /*stride_out=*/0, transposeA,
            transposeB, /*accumulate=*/false, ::llvm::APFloat(1.0),
            bias ? GemmEpilogue::bias : GemmEpilogue::none, nullptr);
    }]>
  ];
  let hasVerifier = 1;
}

def Exec_FillOp : Exec_Op<"fill", [
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "Sets every element of a buffer to a constant";
  let description = [{
    ```mlir
    exec.fill %dw, 0.000000e+00 : memref<256x64xf32>
    ```
  }];
  let arguments = (ins Exec_Buffer:$buffer, F64Attr:$value);
  let assemblyFormat = "$buffer `,` $value attr-dict `:` type($buffer)";
  let builders = [
    OpBuilder<(ins "::mlir::Value":$buffer, "double":$value), [{
      build($_builder, $_state, buffer, $_builder.getF64FloatAttr(value));
    }]>
  ];
}

def Exec_CopyOp : Exec_Op<"copy", [
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "Copies one buffer into another of the same size";
  let description = [{
    Element-wise copy in row-major order; the shapes may differ, the number
    of elements and the element type may not.

    ```mlir
    exec.copy %dst, %src : memref<4x64xf32>, memref<256xf32>
    ```
  }];
  let arguments = (ins Exec_Buffer:$target, Exec_Buffer:$source);
  let assemblyFormat = [{
    $target `,` $source attr-dict `:` type($target) `,` type($source)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Streams and events
//===----------------------------------------------------------------------===//

def Exec_StreamOp : Exec_Op<"stream", [Symbol, HasParent<"::mlir::ModuleOp">]> {
  let summary = "A named stream of work besides the implicit default stream";
  let description = [{
    ```mlir
    exec.stream @comm
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name);
  let assemblyFormat = "$sym_name attr-dict";
}

def Exec_EventOp : Exec_Op<"event", [Symbol, HasParent<"::mlir::ModuleOp">]> {
  let summary = "A named event that orders work across streams";
  let description = [{
    ```mlir
    exec.event @grads_ready
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name);
  let assemblyFormat = "$sym_name attr-dict";
}

def Exec_EventRecordOp : Exec_Op<"event_record", [
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "Records an event after the work queued so far on a stream";
  let description = [{
    Without `on`, records on the default stream. On the CPU target this is an
    ordered no-op.

    ```mlir
    exec.event_record @grads_ready
    exec.event_record @sent on @comm
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$event,
                       OptionalAttr<FlatSymbolRefAttr>:$stream);
  let assemblyFormat = "$event (`on` $stream^)? attr-dict";
}

def Exec_StreamWaitOp : Exec_Op<"stream_wait", [
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "Makes a stream wait for an event before its later work";
  let description = [{
    Without a stream, the default stream waits. On the CPU target this is an
    ordered no-op.

    ```mlir
    exec.stream_wait @comm for @grads_ready
    exec.stream_wait for @sent
    ```
  }];
  let arguments = (ins OptionalAttr<FlatSymbolRefAttr>:$stream,
                       FlatSymbolRefAttr:$event);
  let assemblyFormat = "($stream^)? `for` $event attr-dict";
}

#endif // PTC_EXEC_OPS_TD

//===- ExecOps.h - exec dialect --------------------------------*- C++ -*-===//
#ifndef PTC_DIALECTS_EXEC_IR_EXECOPS_H
#define PTC_DIALECTS_EXEC_IR_EXECOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/Exec/IR/ExecDialect.h.inc"
#include "dialects/Exec/IR/ExecEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Exec/IR/ExecAttrs.h.inc"

#define GET_OP_CLASSES
#include "dialects/Exec/IR/ExecOps.h.inc"

namespace ptc::exec {

/// Bytes of one element of `type` (2 for bf16 and f16).
int64_t getElementBytes(mlir::Type type);

/// Bytes of a statically shaped buffer: elements times element bytes.
int64_t getBufferBytes(mlir::MemRefType type);

} // namespace ptc::exec

#endif // PTC_DIALECTS_EXEC_IR_EXECOPS_H

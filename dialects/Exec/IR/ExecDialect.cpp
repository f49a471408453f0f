//===- ExecDialect.cpp - exec dialect registration and attributes --------===//

#include "dialects/Exec/IR/ExecOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace ptc::exec;

#include "dialects/Exec/IR/ExecDialect.cpp.inc"
#include "dialects/Exec/IR/ExecEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Exec/IR/ExecAttrs.cpp.inc"

void ExecDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/Exec/IR/ExecAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "dialects/Exec/IR/ExecOps.cpp.inc"
      >();
}

/// `exec.entry = "micro_step"` marks an entry point: a func.func that the
/// runtime calls with nothing and that returns nothing. Other `exec.*`
/// discardable attributes are left to the passes that set them.
LogicalResult ExecDialect::verifyOperationAttribute(Operation *op,
                                                    NamedAttribute attr) {
  if (attr.getName() != getEntryAttrName())
    return success();
  if (!isa<StringAttr>(attr.getValue()))
    return op->emitOpError("'")
           << getEntryAttrName() << "' must be a string naming the entry point";
  auto func = dyn_cast<func::FuncOp>(op);
  if (!func)
    return op->emitOpError("'")
           << getEntryAttrName() << "' may only mark a func.func";
  if (func.getNumArguments() != 0 || func.getNumResults() != 0)
    return op->emitOpError("entry point must take no arguments and return "
                           "nothing, got ")
           << func.getFunctionType();
  return success();
}

int64_t ptc::exec::getElementBytes(Type type) {
  return (type.getIntOrFloatBitWidth() + 7) / 8;
}

int64_t ptc::exec::getBufferBytes(MemRefType type) {
  return type.getNumElements() * getElementBytes(type.getElementType());
}

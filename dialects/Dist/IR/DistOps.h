//===- DistOps.h - dist dialect --------------------------------*- C++ -*-===//
#ifndef PTC_DIALECTS_DIST_IR_DISTOPS_H
#define PTC_DIALECTS_DIST_IR_DISTOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/Graph/IR/GraphOps.h"

#include "dialects/SettingsParameters.h"

#include "dialects/Dist/IR/DistDialect.h.inc"
#include "dialects/Dist/IR/DistEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Dist/IR/DistAttrs.h.inc"

#define GET_OP_CLASSES
#include "dialects/Dist/IR/DistOps.h.inc"

namespace ptc::dist {

/// The `dist.mesh` that `op` names with `mesh`, or an error on `op`.
mlir::FailureOr<MeshOp> lookupMesh(mlir::Operation *op,
                                   mlir::FlatSymbolRefAttr mesh,
                                   mlir::SymbolTableCollection &symbolTable);

/// The device mesh of a program: the last `dist.mesh` of `module`, or null
/// for a single-device program.
MeshOp getModuleMesh(mlir::ModuleOp module);

/// The position of `axis` in the module's mesh, or -1 when there is no mesh
/// or no such axis.
int64_t getMeshAxisIndex(mlir::ModuleOp module, llvm::StringRef axis);

class ScheduleOp;
/// The module's training schedules in order (one per phase of a batch-size
/// ramp-up), without the validation one (kind "evaluate").
llvm::SmallVector<ScheduleOp> getTrainingSchedules(mlir::ModuleOp module);

/// Checks that `axes` are axes of `mesh`; reports on `op`.
mlir::LogicalResult verifyMeshAxes(mlir::Operation *op, MeshOp mesh,
                                   llvm::ArrayRef<llvm::StringRef> axes);

/// The per-rank shape of a tensor of `globalShape` under `sharding` on
/// `mesh`, or an error on `op` when an axis is missing from the mesh, the
/// sharding has more dimensions than the tensor, or a dimension is not
/// divisible by the product of the sizes of the axes that split it.
mlir::FailureOr<llvm::SmallVector<int64_t>>
getLocalShape(mlir::Operation *op, ShardingAttr sharding, MeshOp mesh,
              llvm::ArrayRef<int64_t> globalShape);

} // namespace ptc::dist

#endif // PTC_DIALECTS_DIST_IR_DISTOPS_H

//===- BufferUsers.h - A buffer's users in program order -------*- C++ -*-===//
//
// The exec peepholes (exec-fuse, exec-attention-layout) reason about the
// straight-line body of an entry point: who touches a buffer, and in which
// order.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_PASSES_EXEC_BUFFERUSERS_H
#define PTC_PASSES_EXEC_BUFFERUSERS_H

#include "mlir/IR/Operation.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <algorithm>

namespace ptc::exec {

/// The users of `value`, each once, in program order (all in one block).
/// Sorted, then deduplicated (an op that passes the value twice is next to
/// itself): a containment test per user was quadratic in the users, and
/// some buffers (the optimizer's norm accumulators) have one per parameter.
inline llvm::SmallVector<mlir::Operation *> usersInOrder(mlir::Value value) {
  llvm::SmallVector<mlir::Operation *> users(value.getUsers().begin(),
                                             value.getUsers().end());
  llvm::sort(users, [](mlir::Operation *a, mlir::Operation *b) {
    return a->isBeforeInBlock(b);
  });
  users.erase(std::unique(users.begin(), users.end()), users.end());
  return users;
}

/// `op->moveBefore(before)` within one block, keeping the block's op order
/// valid. A splice (Operation::moveBefore) invalidates the order of the whole
/// block, so the next isBeforeInBlock renumbers every op: a pass that moves
/// an op per layer and then compares positions was quadratic in the layers.
/// Removing and inserting invalidates the moved op's index alone, which the
/// next comparison places between its neighbours'.
inline void moveBeforeInBlock(mlir::Operation *op, mlir::Operation *before) {
  assert(op->getBlock() == before->getBlock() && "moves within one block");
  if (op == before)
    return;
  op->remove();
  before->getBlock()->getOperations().insert(before->getIterator(), op);
}

} // namespace ptc::exec

#endif // PTC_PASSES_EXEC_BUFFERUSERS_H

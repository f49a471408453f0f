//===- Passes.td - exec-level passes -------------------------*- tablegen -*-===//
//
// Passes on the exec dialect: what runs, where its buffers live.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_PASSES_EXEC_PASSES_TD
#define PTC_PASSES_EXEC_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Memory
//===----------------------------------------------------------------------===//

def ExecPlanMemory : Pass<"exec-plan-memory", "mlir::ModuleOp"> {
  let summary = "Places every buffer at an offset in its arena and sizes the arenas";
  let description = [{
    The static memory plan of a module of the exec dialect.

    1. `exec.global`s are packed into their arena in declaration order, each
       at an offset aligned to max(`alignment`, the arena's alignment).
    2. `exec.alloc`s are placed per function. Each function body must be one
       straight-line block; an alloc lives from the first to the last op that
       uses it (an unused alloc lives at its own position). Allocs whose
       lifetimes overlap get disjoint memory; the others may share it. The
       placement is greedy by size (TensorFlow Lite's "greedy by size"
       planner): largest first, each at the lowest aligned offset that does
       not collide with an already placed alloc it overlaps in time. Ties
       are broken by position, so the plan is deterministic. Entry points run
       one at a time, so every function is planned from the start of the
       arena (after any globals placed there) and the arena is as large as
       the largest function needs. `activations` allocs go to the first
       `activations` arena, `workspace` allocs to the first `workspace`
       arena; a missing arena is created, named after its kind.
    3. Every arena's `size` becomes the end of its last buffer, rounded up
       to the alignment.

    The pass recomputes everything on each run, so it is idempotent.

    ```mlir
    %a = exec.alloc : memref<64xf32>
    // becomes
    %a = exec.alloc in @activations [offset 0] : memref<64xf32>
    ```
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", "256",
           "Minimum alignment in bytes of every buffer (a power of two)">
  ];
  let dependentDialects = ["::ptc::exec::ExecDialect"];
}

#endif // PTC_PASSES_EXEC_PASSES_TD

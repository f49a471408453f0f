// RUN: not %ptc-opt %s --pass-pipeline='builtin.module(ptc-graph-pipeline{precision=bf17})' 2>&1 | FileCheck %s --check-prefix=PRECISION
// RUN: not %ptc-opt %s --pass-pipeline='builtin.module(ptc-exec-pipeline{zero-whole-copies=maybe})' 2>&1 | FileCheck %s --check-prefix=BOOL
// RUN: not %ptc-opt %s --pass-pipeline='builtin.module(ptc-pipeline-parallel{stages=2})' 2>&1 | FileCheck %s --check-prefix=NAME

// Tests that the pipelines' options are parsed as MLIR parses any pass
// option: an unknown precision, a flag that is not a boolean and an option
// the pipeline does not have are each MLIR's error, and nothing runs.

// PRECISION: for the --precision option: Cannot find option named 'bf17'!
// PRECISION: error: failed to add `ptc-graph-pipeline` with options `precision=bf17`
// BOOL: for the --zero-whole-copies option: 'maybe' is invalid value for boolean argument!
// BOOL: error: failed to add `ptc-exec-pipeline` with options `zero-whole-copies=maybe`
// NAME: no such option stages
// NAME: error: failed to add `ptc-pipeline-parallel` with options `stages=2`
module @options {
}

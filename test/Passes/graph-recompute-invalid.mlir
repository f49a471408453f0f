// RUN: not %ptc-opt %s -graph-recompute=policy=some 2>&1 | FileCheck %s --check-prefix=OPTION

// Tests that an unknown policy given as the option is an error that lists the
// allowed values. (A policy in the module's ptc.parallel is a
// #dist.parallel<recompute = ...> enum, checked when the module is parsed:
// test/Dialect/Dist/invalid-settings.mlir.)

// OPTION: error: graph-recompute: unknown policy 'some' (allowed: none, selective, full)
module @negative_option {
}

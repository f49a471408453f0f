// RUN: %ptc-opt %s -split-input-file -verify-diagnostics -graph-recompute
// RUN: not %ptc-opt %s -split-input-file -graph-recompute=policy=some 2>&1 | FileCheck %s --check-prefix=OPTION

// OPTION: error: graph-recompute: unknown policy 'some' (allowed: none, selective, full)

// Tests that an unknown policy in the module's ptc.parallel is an error that
// lists the allowed values.

// expected-error @+1 {{graph-recompute: ptc.parallel.recompute = "attention" is not a policy (allowed: none, selective, full)}}
module @negative_bad_spec_policy attributes {ptc.parallel = {recompute = "attention"}} {
}

// -----

// Tests that a policy that is not a string is an error too.

// expected-error @+1 {{graph-recompute: ptc.parallel.recompute = true is not a policy (allowed: none, selective, full)}}
module @negative_policy_not_string attributes {ptc.parallel = {recompute = true}} {
}

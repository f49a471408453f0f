// RUN: ptc-opt %s -split-input-file -verify-diagnostics

// Tests that each verifier rule of the exec dialect reports its error.

// expected-error @+1 {{alignment must be a power of two, got 48}}
exec.arena @a activations size 0 align 48

// -----

// expected-error @+1 {{size must be >= 0, got -256}}
exec.arena @a activations size -256 align 256

// -----

func.func @negative_arena_in_func() {
  // expected-error @+1 {{expects parent op 'builtin.module'}}
  exec.arena @a activations size 0 align 256
  return
}

// -----

// expected-error @+1 {{'missing' does not name an exec.arena}}
exec.global @w in @missing : memref<4xf32>

// -----

exec.stream @s
// expected-error @+1 {{'s' does not name an exec.arena}}
exec.global @w in @s : memref<4xf32>

// -----

exec.arena @p parameters size 0 align 256
// expected-error @+1 {{offset must be >= 0, got -256}}
exec.global @w in @p [offset -256] : memref<4xf32>

// -----

exec.arena @p parameters size 0 align 256
// expected-error @+1 {{offset 128 is not a multiple of the alignment 256 of arena 'p'}}
exec.global @w in @p [offset 128] : memref<4xf32>

// -----

exec.arena @p parameters size 512 align 256
// expected-error @+1 {{buffer [256, 1280) does not fit arena 'p' of 512 bytes}}
exec.global @w in @p [offset 256] : memref<256xf32>

// -----

exec.arena @io io size 0 align 256
// expected-error @+1 {{io slot name must not be empty}}
exec.global @w in @io : memref<4xi32> {io = ""}

// -----

exec.arena @p parameters size 0 align 256
// expected-error @+1 {{statically shaped identity-layout memref}}
exec.global @w in @p : memref<?xf32>

// -----

func.func @negative_global_ref_missing() {
  // expected-error @+1 {{'w' does not name an exec.global in the module}}
  %0 = exec.global_ref @w : memref<4xf32>
  return
}

// -----

exec.arena @p parameters size 0 align 256
exec.global @w in @p : memref<4xf32>
func.func @negative_global_ref_type() {
  // expected-error @+1 {{type 'memref<4xf16>' differs from the global's 'memref<4xf32>'}}
  %0 = exec.global_ref @w : memref<4xf16>
  return
}

// -----

func.func @negative_alloc_kind() {
  // expected-error @+1 {{kind must be activations or workspace, got gradients}}
  %0 = exec.alloc gradients : memref<4xf32>
  return
}

// -----

exec.arena @act activations size 0 align 256
func.func @negative_alloc_arena_without_offset() {
  // expected-error @+1 {{'arena' and 'offset' must be set together}}
  %0 = "exec.alloc"() <{arena = @act, kind = 4 : i32}> : () -> memref<4xf32>
  return
}

// -----

exec.arena @act activations size 0 align 256
func.func @negative_alloc_negative_offset() {
  // expected-error @+1 {{offset must be >= 0, got -512}}
  %0 = exec.alloc in @act [offset -512] : memref<4xf32>
  return
}

// -----

exec.arena @ws workspace size 0 align 256
func.func @negative_alloc_arena_kind() {
  // expected-error @+1 {{placed in arena 'ws' of kind workspace, expected activations}}
  %0 = exec.alloc in @ws [offset 0] : memref<4xf32>
  return
}

// -----

exec.arena @act activations size 0 align 256
func.func @negative_alloc_unaligned() {
  // expected-error @+1 {{offset 64 is not a multiple of the alignment 256 of arena 'act'}}
  %0 = exec.alloc in @act [offset 64] : memref<4xf32>
  return
}

// -----

exec.arena @act activations size 256 align 256
func.func @negative_alloc_too_big() {
  // expected-error @+1 {{buffer [0, 400) does not fit arena 'act' of 256 bytes}}
  %0 = exec.alloc in @act [offset 0] : memref<100xf32>
  return
}

// -----

func.func @negative_alloc_layout() {
  // expected-error @+1 {{statically shaped identity-layout memref}}
  %0 = exec.alloc : memref<4xf32, strided<[2]>>
  return
}

// -----

func.func @negative_launch_callee(%x: memref<4xf32>) {
  // expected-error @+1 {{callee must not be empty}}
  exec.launch ""(%x) access [read] : memref<4xf32>
  return
}

// -----

func.func @negative_launch_access_count(%x: memref<4xf32>) {
  // expected-error @+1 {{has 1 buffers but 2 access modes}}
  exec.launch "k"(%x) access [read, write] : memref<4xf32>
  return
}

// -----

func.func @negative_launch_access_keyword(%x: memref<4xf32>) {
  // expected-error @+1 {{unknown access mode 'modify' (allowed: read, write, readwrite)}}
  exec.launch "k"(%x) access [modify] : memref<4xf32>
  return
}

// -----

func.func @negative_launch_arg(%x: memref<4xf32>) {
  // expected-error @+1 {{argument #1 must be an integer, float or boolean, or a list of them or of lists of them, got "eps"}}
  exec.launch "k"(%x) access [read] args [4, "eps"] : memref<4xf32>
  return
}

// -----

func.func @negative_launch_stream(%x: memref<4xf32>) {
  // expected-error @+1 {{'comm' does not name an exec.stream}}
  exec.launch "k"(%x) access [read] on @comm : memref<4xf32>
  return
}

// -----

func.func @negative_gemm_sizes(%x: memref<16xf32>) {
  // expected-error @+1 {{m, n, k and batch must be > 0, got m = 0, n = 4, k = 4, batch = 1}}
  exec.gemm %x, %x, %x m 0 n 4 k 4 : memref<16xf32>, memref<16xf32>, memref<16xf32>
  return
}

// -----

func.func @negative_gemm_stride(%x: memref<16xf32>) {
  // expected-error @+1 {{strides must be >= 0 (0 means packed)}}
  exec.gemm %x, %x, %x m 2 n 2 k 2 {stride_b = -4 : i64} : memref<16xf32>, memref<16xf32>, memref<16xf32>
  return
}

// -----

func.func @negative_gemm_too_small(%c: memref<4x4xf32>, %a: memref<4x3xf32>, %b: memref<4x4xf32>) {
  // expected-error @+1 {{'a' has 12 elements, the sizes need 16}}
  exec.gemm %c, %a, %b m 4 n 4 k 4 : memref<4x4xf32>, memref<4x3xf32>, memref<4x4xf32>
  return
}

// -----

func.func @negative_gemm_batch_stride(%c: memref<2x4x4xf32>, %a: memref<2x4x4xf32>, %b: memref<4x4xf32>) {
  // expected-error @+1 {{'b' has 16 elements, the sizes need 32}}
  exec.gemm %c, %a, %b m 4 n 4 k 4 batch 2 : memref<2x4x4xf32>, memref<2x4x4xf32>, memref<4x4xf32>
  return
}

// -----

func.func @negative_gemm_element_types(%c: memref<16xf32>, %a: memref<16xbf16>, %b: memref<16xf32>) {
  // expected-error @+1 {{element types of 'a' and 'b' differ: 'bf16' vs 'f32'}}
  exec.gemm %c, %a, %b m 4 n 4 k 4 : memref<16xf32>, memref<16xbf16>, memref<16xf32>
  return
}

// -----

func.func @negative_gemm_integer(%x: memref<16xi32>) {
  // expected-error @+1 {{operands must have float element types}}
  exec.gemm %x, %x, %x m 4 n 4 k 4 : memref<16xi32>, memref<16xi32>, memref<16xi32>
  return
}

// -----

func.func @negative_gemm_missing_bias(%x: memref<16xf32>) {
  // expected-error @+1 {{epilogue bias needs a bias operand}}
  exec.gemm %x, %x, %x m 4 n 4 k 4 epilogue bias : memref<16xf32>, memref<16xf32>, memref<16xf32>
  return
}

// -----

func.func @negative_gemm_unused_bias(%x: memref<16xf32>, %b: memref<4xf32>) {
  // expected-error @+1 {{epilogue gelu takes no bias operand}}
  exec.gemm %x, %x, %x, %b m 4 n 4 k 4 epilogue gelu : memref<16xf32>, memref<16xf32>, memref<16xf32>, memref<4xf32>
  return
}

// -----

func.func @negative_gemm_bias_size(%x: memref<16xf32>, %b: memref<8xf32>) {
  // expected-error @+1 {{bias must have n = 4 elements, got 8}}
  exec.gemm %x, %x, %x, %b m 4 n 4 k 4 epilogue bias_gelu : memref<16xf32>, memref<16xf32>, memref<16xf32>, memref<8xf32>
  return
}

// -----

func.func @negative_copy_elements(%a: memref<4xf32>, %b: memref<8xf32>) {
  // expected-error @+1 {{target has 4 elements, source has 8}}
  exec.copy %a, %b : memref<4xf32>, memref<8xf32>
  return
}

// -----

func.func @negative_copy_element_type(%a: memref<4xf32>, %b: memref<2x2xf16>) {
  // expected-error @+1 {{element types differ: 'f32' vs 'f16'}}
  exec.copy %a, %b : memref<4xf32>, memref<2x2xf16>
  return
}

// -----

func.func @negative_event_record() {
  // expected-error @+1 {{'e' does not name an exec.event}}
  exec.event_record @e
  return
}

// -----

exec.event @e
func.func @negative_event_record_stream() {
  // expected-error @+1 {{'comm' does not name an exec.stream}}
  exec.event_record @e on @comm
  return
}

// -----

exec.event @e
func.func @negative_stream_wait() {
  // expected-error @+1 {{'e' does not name an exec.stream}}
  exec.stream_wait @e for @e
  return
}

// -----

exec.stream @s
func.func @negative_stream_wait_event() {
  // expected-error @+1 {{'s' does not name an exec.event}}
  exec.stream_wait @s for @s
  return
}

// -----

// expected-error @+1 {{'exec.entry' must be a string naming the entry point}}
func.func @negative_entry_type() attributes {exec.entry = 1 : i64} {
  return
}

// -----

// expected-error @+1 {{'exec.entry' may only mark a func.func}}
exec.stream @s {exec.entry = "micro_step"}

// -----

// expected-error @+1 {{entry point must take no arguments and return nothing, got '(memref<4xf32>) -> ()'}}
func.func @negative_entry_arguments(%x: memref<4xf32>) attributes {exec.entry = "micro_step"} {
  return
}

// -----

exec.arena @gradients gradients size 512 align 64
exec.global @a in @gradients [offset 0] : memref<32xf32>
exec.global @b in @gradients [offset 192] : memref<16xf32>
func.func @negative_span_gap() {
  // expected-error @+1 {{covers 192 bytes, but @a to @b span 256}}
  %0 = exec.global_span @a to @b : memref<48xf32>
  return
}

// -----

exec.arena @gradients gradients size 512 align 64
exec.arena @parameters parameters size 512 align 64
exec.global @a in @gradients [offset 0] : memref<32xf32>
exec.global @b in @parameters [offset 128] : memref<16xf32>
func.func @negative_span_arenas() {
  // expected-error @+1 {{spans globals of two arenas, @gradients and @parameters}}
  %0 = exec.global_span @a to @b : memref<48xf32>
  return
}

// -----

exec.arena @gradients gradients size 512 align 64
exec.global @a in @gradients [offset 0] : memref<32xf32>
func.func @negative_span_type() {
  // expected-error @+1 {{element type 'f64' differs from @a's 'f32'}}
  %0 = exec.global_span @a to @a : memref<16xf64>
  return
}

// -----

func.func @negative_span_missing() {
  // expected-error @+1 {{'nope' does not name an exec.global in the module}}
  %0 = exec.global_span @nope to @nope : memref<16xf32>
  return
}

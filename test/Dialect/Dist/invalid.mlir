// RUN: ptc-opt %s -split-input-file -verify-diagnostics

// Tests that each verifier rule of the dist dialect reports its error.

// expected-error @+1 {{axis 'tp' is declared twice}}
dist.mesh @mesh axes [tp = 2, tp = 4]

// -----

// expected-error @+1 {{axis 'tp' has size 0; sizes must be >= 1}}
dist.mesh @mesh axes [dp = 2, tp = 0]

// -----

// expected-error @+1 {{needs at least one axis}}
dist.mesh @mesh axes []

// -----

// expected-error @+1 {{axis name '1x' is not an identifier}}
dist.mesh @mesh axes ["1x" = 2]

// -----

// expected-error @+1 {{has 2 axis names but 1 sizes}}
"dist.mesh"() <{axis_names = ["dp", "tp"], shape = array<i64: 2>, sym_name = "mesh"}> : () -> ()

// -----

func.func @negative_mesh_in_func() {
  // expected-error @+1 {{expects parent op 'builtin.module'}}
  dist.mesh @mesh axes [tp = 2]
  return
}

// -----

dist.mesh @mesh axes [dp = 2, tp = 4]
// expected-error @+1 {{mesh axis 'tp' is used more than once in a sharding}}
func.func @negative_axis_twice() attributes {s = #dist.sharding<@mesh, [[tp], [tp]]>} {
  return
}

// -----

dist.mesh @mesh axes [dp = 2, tp = 4]
// expected-error @+1 {{mesh axis 'tp' is used more than once in a sharding}}
func.func @negative_split_and_partial() attributes {s = #dist.sharding<@mesh, [[tp]], partial = [tp]>} {
  return
}

// -----

func.func @negative_no_mesh(%x: tensor<8xf32>) {
  // expected-error @+1 {{'mesh' does not name a dist.mesh}}
  %0 = dist.shard %x to <@mesh, [[tp]]> : tensor<8xf32> -> tensor<2xf32>
  return
}

// -----

dist.mesh @mesh axes [dp = 2, pp = 1, tp = 4]
func.func @negative_unknown_axis(%x: tensor<8xf32>) {
  // expected-error @+1 {{'xp' is not an axis of @mesh (axes: dp, pp, tp)}}
  %0 = dist.shard %x to <@mesh, [[xp]]> : tensor<8xf32> -> tensor<2xf32>
  return
}

// -----

dist.mesh @mesh axes [dp = 2, tp = 4]
func.func @negative_unknown_partial_axis(%x: tensor<8xf32>) {
  // expected-error @+1 {{'pp' is not an axis of @mesh (axes: dp, tp)}}
  %0 = dist.shard %x to <@mesh, [], partial = [pp]> : tensor<8xf32> -> tensor<8xf32>
  return
}

// -----

dist.mesh @mesh axes [dp = 2, tp = 4]
func.func @negative_not_divisible(%x: tensor<16x1024x770xf32>) {
  // expected-error @+1 {{dimension 2 of size 770 is not divisible by 4, the number of shards along its mesh axes}}
  %0 = dist.shard %x to <@mesh, [[], [], [tp]]>
      : tensor<16x1024x770xf32> -> tensor<16x1024x192xf32>
  return
}

// -----

dist.mesh @mesh axes [dp = 2, tp = 4]
func.func @negative_sharding_rank(%x: tensor<8xf32>) {
  // expected-error @+1 {{sharding has 2 dimensions but the tensor has rank 1}}
  %0 = dist.shard %x to <@mesh, [[dp], [tp]]> : tensor<8xf32> -> tensor<4xf32>
  return
}

// -----

dist.mesh @mesh axes [dp = 2, tp = 4]
func.func @negative_shard_shape(%x: tensor<16x1024x768xf32>) {
  // expected-error @+1 {{result shape 16x1024x200 is not the shard shape 16x1024x192 of 'tensor<16x1024x768xf32>'}}
  %0 = dist.shard %x to <@mesh, [[], [], [tp]]>
      : tensor<16x1024x768xf32> -> tensor<16x1024x200xf32>
  return
}

// -----

dist.mesh @mesh axes [dp = 2, tp = 4]
func.func @negative_shard_element_type(%x: tensor<8xf32>) {
  // expected-error @+1 {{result 'tensor<2xbf16>' must have the rank and element type of 'tensor<8xf32>'}}
  %0 = dist.shard %x to <@mesh, [[tp]]> : tensor<8xf32> -> tensor<2xbf16>
  return
}

// -----

dist.mesh @mesh axes [dp = 2, tp = 4]
func.func @negative_no_axes(%x: tensor<8xf32>) {
  // expected-error @+1 {{needs at least one mesh axis}}
  %0 = dist.all_reduce %x on @mesh axes [] reduction sum : tensor<8xf32>
  return
}

// -----

dist.mesh @mesh axes [dp = 2, tp = 4]
func.func @negative_axis_listed_twice(%x: tensor<8xf32>) {
  // expected-error @+1 {{mesh axis 'tp' is listed twice}}
  %0 = dist.all_reduce %x on @mesh axes [tp, tp] reduction sum : tensor<8xf32>
  return
}

// -----

dist.mesh @mesh axes [dp = 2, tp = 4]
func.func @negative_collective_unknown_axis(%x: tensor<8xf32>) {
  // expected-error @+1 {{'pp' is not an axis of @mesh (axes: dp, tp)}}
  %0 = dist.all_reduce %x on @mesh axes [pp] reduction sum : tensor<8xf32>
  return
}

// -----

func.func @negative_collective_no_mesh(%x: tensor<8xf32>) {
  // expected-error @+1 {{'grid' does not name a dist.mesh}}
  %0 = dist.all_reduce %x on @grid axes [dp] reduction sum : tensor<8xf32>
  return
}

// -----

dist.mesh @mesh axes [dp = 2, tp = 4]
func.func @negative_all_reduce_types(%x: tensor<8xf32>) {
  // expected-error @+1 {{all of {input, result} have same type}}
  %0 = "dist.all_reduce"(%x) <{mesh = @mesh, mesh_axes = ["tp"], reduction = #dist<reduction sum>}> : (tensor<8xf32>) -> tensor<4xf32>
  return
}

// -----

dist.mesh @mesh axes [dp = 2, tp = 4]
func.func @negative_integer_tensor(%x: tensor<8xi32>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of floating-point values}}
  %0 = dist.all_reduce %x on @mesh axes [tp] reduction sum : tensor<8xi32>
  return
}

// -----

dist.mesh @mesh axes [dp = 2, tp = 4]
func.func @negative_unknown_reduction(%x: tensor<8xf32>) {
  // expected-error @+2 {{expected ::ptc::dist::ReductionKind to be one of: sum, max, min, avg}}
  // expected-error @+1 {{failed to parse Dist_ReductionKindAttr parameter 'value'}}
  %0 = dist.all_reduce %x on @mesh axes [tp] reduction prod : tensor<8xf32>
  return
}

// -----

dist.mesh @mesh axes [dp = 2, tp = 4]
func.func @negative_all_gather_size(%x: tensor<16x192xf32>) {
  // expected-error @+1 {{gathered dimension 1 must be 768 (192 times the group size 4), got 700}}
  %0 = dist.all_gather %x on @mesh axes [tp] gather_axis 1
      : tensor<16x192xf32> -> tensor<16x700xf32>
  return
}

// -----

dist.mesh @mesh axes [dp = 2, tp = 4]
func.func @negative_all_gather_axis(%x: tensor<16x192xf32>) {
  // expected-error @+1 {{gather_axis 2 is out of range for rank 2}}
  %0 = dist.all_gather %x on @mesh axes [tp] gather_axis 2
      : tensor<16x192xf32> -> tensor<16x768xf32>
  return
}

// -----

dist.mesh @mesh axes [dp = 2, tp = 4]
func.func @negative_all_gather_other_dim(%x: tensor<16x192xf32>) {
  // expected-error @+1 {{dimension 0 differs between input 'tensor<16x192xf32>' and result 'tensor<8x768xf32>'; only the gather_axis may}}
  %0 = dist.all_gather %x on @mesh axes [tp] gather_axis 1
      : tensor<16x192xf32> -> tensor<8x768xf32>
  return
}

// -----

dist.mesh @mesh axes [dp = 2, tp = 4]
func.func @negative_all_gather_rank(%x: tensor<16x192xf32>) {
  // expected-error @+1 {{result type has different rank than operands}}
  %0 = dist.all_gather %x on @mesh axes [tp] gather_axis 1
      : tensor<16x192xf32> -> tensor<3072xf32>
  return
}

// -----

dist.mesh @mesh axes [dp = 2, tp = 4]
func.func @negative_reduce_scatter_divisible(%x: tensor<16x1022xf32>) {
  // expected-error @+1 {{scattered dimension 1 of size 1022 is not divisible by the group size 4}}
  %0 = dist.reduce_scatter %x on @mesh axes [tp] scatter_axis 1 reduction sum
      : tensor<16x1022xf32> -> tensor<16x255xf32>
  return
}

// -----

dist.mesh @mesh axes [dp = 2, tp = 4]
func.func @negative_reduce_scatter_size(%x: tensor<16x1024xf32>) {
  // expected-error @+1 {{scattered dimension 1 must be 256 (1024 divided by the group size 4), got 512}}
  %0 = dist.reduce_scatter %x on @mesh axes [tp] scatter_axis 1 reduction sum
      : tensor<16x1024xf32> -> tensor<16x512xf32>
  return
}

// -----

dist.mesh @mesh axes [dp = 2, tp = 4]
func.func @negative_reduce_scatter_axis(%x: tensor<16x1024xf32>) {
  // expected-error @+1 {{scatter_axis 5 is out of range for rank 2}}
  %0 = dist.reduce_scatter %x on @mesh axes [tp] scatter_axis 5 reduction sum
      : tensor<16x1024xf32> -> tensor<16x1024xf32>
  return
}

// -----

dist.mesh @mesh axes [pp = 4]
func.func @negative_peer_coordinate(%x: tensor<8xf32>) {
  // expected-error @+1 {{peer coordinate 4 is out of range for axis 'pp' of size 4}}
  dist.send %x on @mesh axis pp to 4 : tensor<8xf32>
  return
}

// -----

dist.mesh @mesh axes [pp = 4]
func.func @negative_peer_negative() {
  // expected-error @+1 {{peer coordinate must be >= 0, got -1}}
  %0 = dist.recv on @mesh axis pp from -1 : tensor<8xf32>
  return
}

// -----

dist.mesh @mesh axes [pp = 4]
func.func @negative_peer_keyword(%x: tensor<8xf32>) {
  // expected-error @+1 {{expected 'next', 'prev' or a coordinate, got 'up'}}
  dist.send %x on @mesh axis pp to up : tensor<8xf32>
  return
}

// -----

dist.mesh @mesh axes [pp = 4]
func.func @negative_two_peers(%x: tensor<8xf32>) {
  // expected-error @+1 {{needs exactly one peer: next, prev or a coordinate}}
  "dist.send"(%x) <{axis = "pp", coordinate = 1 : i64, mesh = @mesh, relative = #dist<peer next>}> : (tensor<8xf32>) -> ()
  return
}

// -----

dist.mesh @mesh axes [dp = 2, tp = 4]
func.func @negative_p2p_unknown_axis() {
  // expected-error @+1 {{'pp' is not an axis of @mesh (axes: dp, tp)}}
  %0 = dist.recv on @mesh axis pp from prev : tensor<8xf32>
  return
}

// -----

graph.param @w : tensor<4xf32> bias init <zeros>
dist.mesh @mesh axes [dp = 2]
func.func @reduce_grads_twice() {
  // expected-error @+1 {{lists @w twice}}
  dist.reduce_grads [@w, @w] on @mesh axes [dp] reduction avg bucket 0
  return
}

// -----

dist.mesh @mesh axes [dp = 2]
func.func @reduce_grads_none() {
  // expected-error @+1 {{reduces no parameters}}
  dist.reduce_grads [] on @mesh axes [dp] reduction avg bucket 0
  return
}

// -----

dist.mesh @mesh axes [dp = 2]
func.func @reduce_grads_unknown() {
  // expected-error @+1 {{names @nope, which is not a symbol}}
  dist.reduce_grads [@nope] on @mesh axes [dp] reduction avg bucket 0
  return
}

// -----

graph.param @w : tensor<4xf32> bias init <zeros>
dist.mesh @mesh axes [dp = 2]
func.func @reduce_grads_axis() {
  // expected-error @+1 {{tp}}
  dist.reduce_grads [@w] on @mesh axes [tp] reduction avg bucket 0
  return
}

// -----

graph.param @w : tensor<3xf32> bias init <zeros>
dist.mesh @mesh axes [dp = 2]
func.func @reduce_scatter_grads_divide() {
  // expected-error @+1 {{group of 2 does not divide the 3 elements of @w}}
  dist.reduce_scatter_grads [@w] on @mesh axes [dp] reduction avg bucket 0
  return
}

//===- model_abi.h - What a compiled ptc program gives the runtime -*- C++ -*-===//
//
// The contract between code that ptc emits and the runtime's training loop.
// The compiler owns every decision (shapes, memory offsets, the step's math);
// the emitted translation unit describes them in one `ptc::abi::Model` table
// and the runtime (runtime/train) only executes it: it allocates the arenas,
// fills the input slots, calls the compiled entry points in order, reads the
// output slots and logs.
//
// Memory: one allocation per arena (`Model::arenas`), sized by the memory
// plan. Every named tensor the runtime touches (parameters, inputs, outputs)
// is a `TensorSlot`: an arena index, a byte offset in it, an element type and
// a shape. Entry points receive the arena base pointers and address
// everything else themselves (offsets are compile-time constants).
//
// Slots the runtime reads or writes by name (`Model::io`):
//   "tokens"    int32 [micro_batch, seq_len]   written before micro_step / eval_step
//   "targets"   int32 [micro_batch, seq_len]   written before micro_step / eval_step
//   "loss"      f32   []                       read after micro_step / eval_step (f64 in
//                                              the fp64 verification mode)
//   "seed"      i64   []                       written once, before init_params (the --seed
//                                              flag, else Model::seed: its 64 bits, so
//                                              seeds >= 2^63 read negative); dropout reads it
//   "step"      i64   []                       1-based optimizer step, written before the step's
//                                              micro_steps and optimizer_step
//   "micro"     i64   []                       micro-batch index in the step, written before
//                                              each micro_step (dropout streams use it)
//   "lr"        f32   []                       read after optimizer_step
//   "grad_norm" f32   []                       read after optimizer_step (before clipping)
//
// Parallel programs (Model::mesh has more than one rank) are SPMD: every
// rank runs the same entry points on its own shards. The runtime reads the
// rank from the launcher, checks the world size against the mesh, creates
// the communicators (MPI on the cpu target, NCCL on cuda) and runs the step
// function of its pipeline coordinate. "loss" and "grad_norm" are already
// reduced over the mesh by the program.
//
// Start: write "seed", init_params() (or load parameters from a file, then
// refresh_weight_copies() when the program has it).
// One optimizer step: write "step", then call steps[pipeline coordinate]
// once. The step function is the compiler's schedule of the step
// (dist.schedule): it asks the runtime, through StepHost, for the
// micro-batches it trains on and to run the entry points in its order
// (micro_step, last_micro_step, optimizer_step, ...), and returns the
// step's mean loss. micro_step accumulates gradients (already scaled by
// 1 / grad_accum_steps); last_micro_step also reduces them over the
// data-parallel ranks, bucket by bucket while its backward runs;
// optimizer_step clips, updates, and zeroes the gradients for the next
// step. Data: a step consumes grad_accum_steps x dp micro-batches of the
// training stream; the step function names each one it trains on by its
// index among them.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_TRAIN_MODEL_ABI_H
#define PTC_RUNTIME_TRAIN_MODEL_ABI_H

#include <cstdint>

namespace ptc::abi {

/// Bumped whenever the layout of these structs changes; the runtime refuses
/// a program compiled against another version.
constexpr int32_t kVersion = 9;

enum class DType : int32_t { F32 = 0, F64 = 1, BF16 = 2, F16 = 3, I32 = 4, I64 = 5 };

/// Size in bytes of one element of `type`.
inline int64_t byteWidth(DType type) {
  switch (type) {
  case DType::F64:
  case DType::I64:
    return 8;
  case DType::F32:
  case DType::I32:
    return 4;
  case DType::BF16:
  case DType::F16:
    return 2;
  }
  return 0;
}

/// What an arena holds; the runtime reports memory by these kinds.
enum class ArenaKind : int32_t {
  Parameters = 0,     ///< weights the step computes with
  MasterWeights = 1,  ///< fp32 masters in mixed precision
  Gradients = 2,
  OptimizerState = 3, ///< AdamW's m and v
  Activations = 4,
  Workspace = 5,
  IO = 6,             ///< input and output slots (tokens, loss, ...)
};

struct Arena {
  const char *name;
  ArenaKind kind;
  int64_t bytes;
};

constexpr int32_t kMaxRank = 8;

struct TensorSlot {
  const char *name;
  int32_t arena;  ///< index into Model::arenas
  int64_t offset; ///< bytes from the arena's base
  DType type;
  int32_t rank;
  int64_t shape[kMaxRank];
};

enum class Target : int32_t { CPU = 0, CUDA = 1 };

//===----------------------------------------------------------------------===//
// Parallelism (see docs/Dialects/Dist.md)
//===----------------------------------------------------------------------===//

constexpr int32_t kMaxMeshAxes = 4;
constexpr int32_t kMaxSegments = 4;

/// One axis of the device mesh. Model::mesh lists the axes in rank order:
/// global ranks are numbered row-major over the sizes, the last axis fastest
/// (ptc emits [pp, dp, tp]: tp innermost). The world size is the product.
struct MeshAxis {
  const char *name; ///< "pp", "dp", "tp"
  int64_t size;
};

constexpr int32_t kMaxMembers = 8;

/// A communicator: the ranks that share every mesh coordinate outside
/// `axes`, ordered by their coordinates on `axes` (the last fastest).
/// Emitted code names communicators by their index in Model::comms.
///
/// `numMembers` > 0 (with exactly one axis): only the ranks whose
/// coordinate on axes[0] is one of `members` belong to it, in the order of
/// `members` (their index there is their place in the group). Pipeline
/// parallelism uses such groups: a neighbour pair {r, r + 1 mod pp} per
/// direction for point-to-point sends, and {0, pp - 1} for the tied
/// embedding's gradient. A rank outside it never calls it.
struct Communicator {
  const char *name; ///< e.g. "tp", "dp", "dp_tp", "pp_fwd0"
  int32_t numAxes;
  int32_t axes[kMaxMeshAxes]; ///< indices into Model::mesh
  int32_t numMembers;         ///< 0: every coordinate of the axes
  int64_t members[kMaxMembers];
};

/// How the local tensor of params[i] relates to the full tensor that
/// checkpoints hold (safetensors files always hold full tensors).
///
/// Tensor-parallel split (`splitAxis` >= 0): dimension `splitDim` of the full
/// tensor is the concatenation of `numSegments` segments (their sizes in
/// `segments`, summing to globalShape[splitDim]); each segment is split
/// evenly over mesh axis `splitAxis`, and the rank with coordinate c on that
/// axis holds piece c of every segment, concatenated in segment order. A
/// plain split is one segment. A fused QKV projection is three segments, so
/// every rank holds its own heads of Q, K and V.
///
/// `splitAxis` = -1: the parameter is replicated (the local shape is the
/// full shape).
///
/// `checkpointRows`: the rows of dimension 0 that checkpoints hold. For the
/// token embedding and the output projection it is the vocabulary size:
/// the rows past it pad the vocabulary to a multiple of vocab_pad_multiple
/// x tp (a plan's choice, never trained), so checkpoints are the same for
/// every plan and match other tools' vocabulary-sized tables; loading
/// zeroes the padding rows. 0 (or globalShape[0]): all rows.
///
/// `zeroChunk` > 0: a ZeRO-1 master (exec-shard-master-weights). The slot
/// holds `zeroChunk` elements: chunk c (the rank's coordinate on mesh axis
/// `zeroAxis`, dp) of the rank's tensor (its tensor-parallel piece, or the
/// full tensor) flattened and zero-padded to zeroChunk x the axis size.
/// Checkpoints gather the chunks; loading keeps the rank's chunk.
///
/// `momentChunk` > 0: AdamW's moments of the parameter (Model::adamM,
/// adamV) are ZeRO-1 chunks of that many elements over mesh axis
/// `zeroAxis`, cut like a ZeRO-1 master; ZeRO-1 chunks the moments even
/// where the master stays whole (zeroChunk 0). 0: the moments have the
/// shape of the rank's parameter. `zeroAxis` is set when either is > 0.
///
/// `checkpointIndex`: the parameter's place in checkpoint files, which list
/// the whole model's parameters in spec order whatever the plan (with
/// pipeline parallelism each rank's program holds a subset). -1: a copy
/// that another pipeline rank saves (the tied embedding's copy on the last
/// stage); loading fills it like the original.
struct ParamLayout {
  int32_t rank;
  int64_t globalShape[kMaxRank];
  int32_t splitAxis;
  int32_t splitDim;
  int32_t numSegments;
  int64_t segments[kMaxSegments];
  int64_t checkpointRows;
  int64_t zeroChunk;
  int32_t zeroAxis;
  int32_t checkpointIndex;
  int64_t momentChunk;
};

/// Arena base pointers (device pointers on the cuda target), indexed like
/// Model::arenas.
using EntryPoint = void (*)(uint8_t *const *arenas);

/// What a step function may ask of the runtime. Each call returns false on
/// failure (the runtime keeps the reason); the step function then returns
/// false at once.
///
/// Point-to-point (pipeline parallelism): `comm` indexes Model::comms (a
/// two-member group), `peer` is the peer's place in it, and `slot` indexes
/// Model::io. A send returns at once: the runtime owns a copy of the bytes
/// from then on (the slot may be overwritten by the next entry point), and
/// every send has completed before the runtime acts on the step function's
/// return. A recv returns when the slot holds the bytes, as far as later
/// calls of this rank can tell (cuda: ordered before later runs on the
/// compute stream). Messages on one communicator arrive in the order sent;
/// the compiler proves every rank's sends and recvs match (dist.schedule).
struct StepHost {
  /// This rank's coordinate on the "dp" mesh axis (0 without one).
  int64_t dpRank;
  /// Writes micro-batch `index` of the step (of its grad_accum_steps x dp,
  /// in stream order) into "tokens" and "targets", and `micro` (its place
  /// in this rank's share) into "micro".
  bool (*load)(StepHost *host, int64_t index, int64_t micro);
  /// Runs an entry point on the arenas.
  bool (*run)(StepHost *host, EntryPoint entry);
  /// Reads "loss" after the forward of micro-batch `micro` (the runtime
  /// stops the step when it is not finite).
  bool (*readLoss)(StepHost *host, int64_t micro, double *loss);
  /// Reads "loss" without judging it: a pipeline's last stage may not stop
  /// alone mid-step (its peers would wait for it); the step's loss is
  /// shared with broadcastLoss and judged by every rank after the step.
  bool (*peekLoss)(StepHost *host, double *loss);
  /// Writes `micro` into "micro" (stages that load no data).
  bool (*setMicro)(StepHost *host, int64_t micro);
  bool (*send)(StepHost *host, int32_t comm, int32_t peer, int32_t slot);
  bool (*recv)(StepHost *host, int32_t comm, int32_t peer, int32_t slot);
  /// Copies io slot `source` into io slot `target` (same type and size).
  bool (*copy)(StepHost *host, int32_t target, int32_t source);
  /// `*loss` of the group member `root` of `comm`, on every member.
  bool (*broadcastLoss)(StepHost *host, int32_t comm, int32_t root,
                        double *loss);
};

/// One optimizer step of one pipeline rank, in the compiler's order; sets
/// `*loss` to the step's mean loss (on the rank that computes it).
using StepFunction = bool (*)(StepHost *host, double *loss);

/// A phase of a batch-size ramp-up (the spec's training.batch_size_rampup):
/// from optimizer step `firstStep` (1-based) on, each data-parallel rank
/// trains `microBatches` micro-batches per step with `stepFunctions` (one
/// per pipeline rank). Before its step function the runtime writes the
/// "grad_scale" slot with `gradScale` (the full batch's micro-batches over
/// this phase's: the accumulators are scaled for the full batch) and the
/// "samples" slot with the samples trained on through this step (the LR
/// schedule's position). The compiler decided every number.
struct RampPhase {
  int64_t firstStep;
  int64_t microBatches;
  double gradScale;
  const StepFunction *stepFunctions;
};

struct Model {
  int32_t abiVersion; ///< kVersion of the compiler that emitted the program
  const char *name;   ///< the spec's model name
  Target target;

  // Shapes and training settings the loop needs (all from the spec).
  int64_t microBatch;
  int64_t seqLen;
  int64_t vocabSize;      ///< token ids in the data must be below this
  int64_t gradAccumSteps; ///< micro-batches per optimizer step per dp rank
                          ///< (the schedule's micro_batches)
  int64_t steps;          ///< default number of optimizer steps
  uint64_t seed;          ///< any 64-bit value (the spec's training.seed)
  int64_t evalEvery;      ///< validate every N steps (0: never), default
  int64_t evalSteps;      ///< micro-batches per validation, default
  double flopsPerToken;   ///< training FLOPs per token (forward + backward)

  int32_t numArenas;
  const Arena *arenas;
  int32_t numParams; ///< the trainable parameters, in spec order; their
  const TensorSlot *params; ///< names are the safetensors names
  const TensorSlot *gradients; ///< their gradient accumulators, same order
  int32_t numIO;
  const TensorSlot *io;

  EntryPoint initParams;    ///< fills parameters from "seed", zeroes the rest
  EntryPoint microStep;     ///< forward + backward of one micro-batch
  EntryPoint optimizerStep; ///< clip + AdamW + LR schedule, zero gradients
  EntryPoint evalStep;      ///< forward only: "loss" of one micro-batch
  /// The step functions, one per pipeline rank (the "pp" mesh axis; one
  /// without it).
  int32_t numStepFunctions;
  const StepFunction *stepFunctions;
  /// Converts the weights into the copies the micro-steps compute with
  /// (bf16 in mixed precision); the runtime calls it after loading weights
  /// from a file (init_params and optimizer_step refresh them themselves).
  /// Null where the program keeps no copies.
  EntryPoint refreshWeightCopies;

  // The parallel plan. A single-device program has one mesh axis per
  // parallel dimension, all of size 1, and no communicators.
  int32_t numMeshAxes;
  const MeshAxis *mesh;
  int32_t numComms;
  const Communicator *comms;
  const ParamLayout *paramLayouts; ///< numParams entries, like params

  // Pipeline parallelism (MPMD): the program holds one Model per pipeline
  // rank, each with its own arenas, parameters, io slots and entry points,
  // and the same mesh and communicators. `pipelineModels` lists them by
  // pipeline coordinate (this one among them); the runtime runs
  // pipelineModels[its pp coordinate]. 0 / nullptr without a "pp" axis
  // larger than one.
  int32_t pipelineRank;
  int32_t numPipelineModels;
  const Model *const *pipelineModels;
  /// Parameters in checkpoint files: the whole model's count (each
  /// ParamLayout::checkpointIndex is below it).
  int32_t numCheckpointParams;

  /// A batch-size ramp-up: its phases in step order (the last one runs to
  /// the end: gradAccumSteps and stepFunctions are its); 0 / nullptr
  /// without one.
  int32_t numRampPhases;
  const RampPhase *rampPhases;

  /// Pipeline parallelism: validation, one function per pipeline rank
  /// (like stepFunctions). Each runs the forward of one validation
  /// micro-batch through the stages in the compiler's order (the first and
  /// last stages load it, with index 0, from the validation stream) and
  /// sets `*loss` to its loss on every pipeline rank. Null without
  /// pipeline stages (evalStep runs instead).
  const StepFunction *evalFunctions;

  // Checkpoints of the whole training state (ABI 9; docs/checkpoints.md).
  /// AdamW's first and second moments of params[i] (`<name>.adam_m`,
  /// `<name>.adam_v`), numParams entries each, in params order; under
  /// ZeRO-1 the rank's chunk (ParamLayout::momentChunk).
  const TensorSlot *adamM;
  const TensorSlot *adamV;
  /// The spec's training.checkpoint: save every N steps (0: never), keep
  /// the newest `keep` complete checkpoints (0: all), in `dir` ("": none
  /// unless --checkpoint-dir). The flags' defaults, like `steps`.
  int64_t checkpointEvery;
  int64_t checkpointKeep;
  const char *checkpointDir;
  /// The compiler's settings of this program as MLIR prints them
  /// (#graph.model, #graph.training, #dist.parallel; one per line):
  /// checkpoints record them, and resuming compares the model's.
  const char *settings;
};

} // namespace ptc::abi

#endif // PTC_RUNTIME_TRAIN_MODEL_ABI_H

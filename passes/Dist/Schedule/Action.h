//===- Action.h - A pipeline schedule as data -------------------*- C++ -*-===//
//
// A pipeline schedule is, for each pipeline rank, an ordered list of actions
// (docs/schedules.md). Generators (Generate.h) produce the compute actions,
// insertCommunication (Communication.h) adds loads, sends, receives, the
// gradient reductions and the optimizer step, check (Check.h) proves the
// lists deadlock-free, simulate (Simulate.h) times them. The library has no
// MLIR dependency so that passes, `ptc schedule` and tests share it.
//
// Layout: rank r holds the model chunks c = 0..virtual_stages-1; local chunk
// c of rank r is global stage c * pp + r (Megatron's interleaved layout), so
// stage 0 (embedding) is on rank 0 and the last stage (head and loss) on
// rank pp - 1.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_PASSES_DIST_SCHEDULE_ACTION_H
#define PTC_PASSES_DIST_SCHEDULE_ACTION_H

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ptc::schedule {

/// What one action does. The text form of each (TextFormat.h) is given.
enum class ActionKind {
  LoadMicroBatch,  ///< `L3`: rank 0 reads tokens, rank pp-1 targets of m.
  Forward,         ///< `F0.3`: forward of chunk 0 for micro-batch 3.
  BackwardInput,   ///< `I0.3`: input gradient (what the previous stage needs).
  BackwardWeight,  ///< `W0.3`: weight gradient (after its BackwardInput).
  Backward,        ///< `B0.3`: input and weight gradient fused.
  SendActivation,  ///< `SA0.3>1`: chunk 0's output for m = 3 to rank 1.
  RecvActivation,  ///< `RA0.3<0`: chunk 0's input for m = 3 from rank 0.
  SendGradient,    ///< `SG0.3>0`: gradient of chunk 0's input to rank 0.
  RecvGradient,    ///< `RG0.3<2`: gradient of chunk 0's output from rank 2.
  ReduceGradients, ///< `DP0`: chunk 0's data-parallel gradient reduction.
  SyncTiedGradients, ///< `TIED`: sum the tied embedding's gradient, rank 0
                     ///< with rank pp-1.
  OptimizerStep,     ///< `OPT`: the optimizer step, last.
};

/// One action. `chunk` is rank-local; `micro` is unused by DP/TIED/OPT and
/// `chunk` by L/TIED/OPT (both 0 there); `peer` is the other rank of a
/// send or receive, -1 otherwise.
struct Action {
  ActionKind kind = ActionKind::Forward;
  int chunk = 0;
  int micro = 0;
  int peer = -1;

  bool operator==(const Action &other) const {
    return kind == other.kind && chunk == other.chunk && micro == other.micro &&
           peer == other.peer;
  }
  bool operator!=(const Action &other) const { return !(*this == other); }
};

bool isCompute(ActionKind kind);      ///< F, I, W, B.
bool isPointToPoint(ActionKind kind); ///< SA, RA, SG, RG.
bool isSend(ActionKind kind);         ///< SA, SG.
/// The kinds a generator emits carry a chunk and a micro-batch.
bool hasChunk(ActionKind kind);
bool hasMicro(ActionKind kind);

/// The text form of `action` (docs/schedules.md), e.g. `F0.3`, `RA1.3<1`.
std::string toString(const Action &action);
/// Parses one token of the text form; nullopt if it is not an action.
std::optional<Action> parseAction(std::string_view token);
/// A readable name of the kind, e.g. "BackwardInput" (trace categories).
const char *kindName(ActionKind kind);

/// A pipeline schedule: `ranks[r]` is rank r's list, run in order.
struct Schedule {
  int pp = 1;
  int virtualStages = 1;
  int microBatches = 1;
  /// The generator ("gpipe", "1f1b", ...) or "file".
  std::string kind;
  std::vector<std::vector<Action>> ranks;

  int stages() const { return pp * virtualStages; }
  /// Global stage of local chunk `chunk` on `rank`.
  int stageOf(int rank, int chunk) const { return chunk * pp + rank; }
  int rankOfStage(int stage) const { return stage % pp; }
  int chunkOfStage(int stage) const { return stage / pp; }
};

/// One line about what is wrong, with where when known: `rank` and
/// `action` (0-based index into ranks[rank], printed 1-based) for an
/// action, `line` (1-based) for a syntax error in a schedule file.
struct ScheduleError {
  std::string message;
  int rank = -1;
  int action = -1;
  std::string actionText;
  int line = 0;

  /// `source: rank 2, action 7 (RA1.3<1): message`, or
  /// `source: line 4: message`, or `source: rank 2: message`.
  std::string format(std::string_view source) const;
};

/// An error about `schedule.ranks[rank][index]`.
ScheduleError actionError(const Schedule &schedule, int rank, int index,
                          std::string message);

} // namespace ptc::schedule

#endif // PTC_PASSES_DIST_SCHEDULE_ACTION_H

//===- StageSlots.h - The io slots between pipeline stages ------*- C++ -*-===//
//
// The names of the io slots through which pipeline stage (model chunk) S
// meets its neighbours, shared by the passes that create them
// (dist-pipeline-split, graph-autodiff, graph-optimizer,
// dist-pipeline-schedule, convert-graph-to-exec) and the code that reads
// them (the emitter, `ptc plan`): "stage<S>.input" (the activation it
// receives), ".output" (the one it sends), ".output_grad" (the gradient it
// receives), ".input_grad" (the one it sends back), ".carry.<I>" (value I
// that the input half of a split backward leaves for its weight half,
// dist-split-backward), and stash slot K of one of them, "<slot>.stash<K>"
// (docs/Dialects/Dist.md).
//
//===----------------------------------------------------------------------===//
#ifndef PTC_DIALECTS_DIST_IR_STAGESLOTS_H
#define PTC_DIALECTS_DIST_IR_STAGESLOTS_H

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>

namespace ptc::dist {

enum class StageSlot { Input, Output, InputGrad, OutputGrad };

inline std::string stageSlotName(int64_t stage, StageSlot slot) {
  const char *what = slot == StageSlot::Input       ? "input"
                     : slot == StageSlot::Output    ? "output"
                     : slot == StageSlot::InputGrad ? "input_grad"
                                                    : "output_grad";
  return "stage" + std::to_string(stage) + "." + what;
}

/// Value `index` carried from stage `stage`'s input-gradient half of the
/// backward to its weight-gradient half.
inline std::string carrySlotName(int64_t stage, int64_t index) {
  return "stage" + std::to_string(stage) + ".carry." + std::to_string(index);
}

/// Stash slot `k` of io slot `slot`.
inline std::string stashSlotName(llvm::StringRef slot, int64_t k) {
  return slot.str() + ".stash" + std::to_string(k);
}

/// Whether io slot `name` is one between pipeline stages.
inline bool isStageSlot(llvm::StringRef name) {
  return name.starts_with("stage");
}

} // namespace ptc::dist

#endif // PTC_DIALECTS_DIST_IR_STAGESLOTS_H

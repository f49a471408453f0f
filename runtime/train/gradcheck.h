//===- gradcheck.h - Gradients of a compiled program vs finite differences -*- C++ -*-===//
//
// `--gradcheck N`: the program's own micro_step gives the gradient of the
// loss on one batch; for N elements of every parameter (the largest in
// magnitude and random ones) the check compares it with the fourth-order
// central difference (-L(p+2h) + 8 L(p+h) - 8 L(p-h) + L(p-2h)) / 12h
// computed with eval_step. Meant for
// programs compiled with precision fp64 on the cpu target, where the
// relative error of a correct backward is far below 1e-6.
//
// relative error = |fd - g| / max(|fd|, |g|, floor), where the floor (1e-3
// of the tensor's largest gradient, at least 1e-8) keeps elements whose
// gradient is zero or tiny from reporting the noise of the difference
// quotient as an error.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_TRAIN_GRADCHECK_H
#define PTC_RUNTIME_TRAIN_GRADCHECK_H

#include "runtime/data/status.h"
#include "runtime/train/device.h"
#include "runtime/train/flags.h"
#include "runtime/train/model_check.h"

#include <ostream>

namespace ptc::rt::train {

/// Runs the check; fails when an element's relative error exceeds
/// flags.gradcheckTolerance (the message names the worst tensor).
Status gradientCheck(const abi::Model &model, const IOSlots &io,
                     const Flags &flags, Device &device, std::ostream &out);

} // namespace ptc::rt::train

#endif // PTC_RUNTIME_TRAIN_GRADCHECK_H

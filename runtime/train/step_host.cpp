//===- step_host.cpp - The runtime's side of abi::StepHost ----------------===//

#include "runtime/train/step_host.h"

#include "runtime/dist/p2p.h"

#include <cmath>
#include <sstream>

namespace ptc::rt::train {

namespace {

std::string number(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

} // namespace

Status feedBatch(const abi::Model &model, const IOSlots &io,
                 DeviceArenas &arenas, TokenLoader &loader,
                 std::vector<int32_t> &tokens, std::vector<int32_t> &targets) {
  if (!io.tokens && !io.targets)
    return Status::error(
        "load: this pipeline stage has neither a 'tokens' nor a 'targets' "
        "slot; its step function may not load micro-batches (the program "
        "does not match this runtime; rebuild it with the same ptc)");
  if (Status s = loader.next(model.microBatch, model.seqLen, tokens.data(),
                             targets.data());
      !s)
    return s;
  if (io.tokens)
    if (Status s = arenas.write(*io.tokens, tokens.data()); !s)
      return s;
  if (io.targets)
    return arenas.write(*io.targets, targets.data());
  return Status::ok();
}

RuntimeStepHost::RuntimeStepHost(const StepContext &context, int64_t dpRank,
                                 int64_t step, uint64_t stepStart)
    : abi::StepHost{dpRank,    &load,     &run,  &readLoss,
                    &peekLoss, &setMicro, &send, &recv,
                    &copy,     &broadcastLoss},
      context_(context), step_(step), stepStart_(stepStart) {}

const abi::TensorSlot *RuntimeStepHost::slot(int32_t index, const char *call) {
  if (index >= 0 && index < context_.model.numIO)
    return &context_.model.io[index];
  keep(Status::error(std::string(call) + ": io slot " + std::to_string(index) +
                     " does not exist (this stage has " +
                     std::to_string(context_.model.numIO) + ")"));
  return nullptr;
}

bool RuntimeStepHost::load(abi::StepHost *base, int64_t index, int64_t micro) {
  RuntimeStepHost &h = of(base);
  const StepContext &c = h.context_;
  c.data.seek(h.stepStart_ + uint64_t(index * c.model.microBatch));
  return h.keep(feedBatch(c.model, c.io, c.arenas, c.data, c.tokens,
                          c.targets)) &&
         h.keep(c.arenas.writeI64(*c.io.micro, micro));
}

bool RuntimeStepHost::run(abi::StepHost *base, abi::EntryPoint entry) {
  RuntimeStepHost &h = of(base);
  return h.keep(h.context_.arenas.device().run(entry, h.context_.arenas.bases()));
}

bool RuntimeStepHost::readLoss(abi::StepHost *base, int64_t micro,
                               double *loss) {
  RuntimeStepHost &h = of(base);
  if (!peekLoss(base, loss))
    return false;
  if (std::isfinite(*loss))
    return true;
  return h.keep(Status::error(
      "step " + std::to_string(h.step_) + ", micro-batch " +
      std::to_string(micro) + ": the loss is " + number(*loss) +
      "; training diverged (try a lower learning rate)"));
}

bool RuntimeStepHost::peekLoss(abi::StepHost *base, double *loss) {
  RuntimeStepHost &h = of(base);
  if (!h.context_.io.loss)
    return h.keep(Status::error(
        "reading the loss: this pipeline stage has no 'loss' slot (only the "
        "last one has; the program does not match this runtime)"));
  return h.keep(h.context_.arenas.readReal(*h.context_.io.loss, loss));
}

bool RuntimeStepHost::setMicro(abi::StepHost *base, int64_t micro) {
  RuntimeStepHost &h = of(base);
  return h.keep(h.context_.arenas.writeI64(*h.context_.io.micro, micro));
}

bool RuntimeStepHost::send(abi::StepHost *base, int32_t comm, int32_t peer,
                           int32_t index) {
  RuntimeStepHost &h = of(base);
  const abi::TensorSlot *s = h.slot(index, "send");
  DeviceArenas &a = h.context_.arenas;
  return s && h.keep(a.device().send(comm, peer, a.bases()[s->arena],
                                     s->offset, slotBytes(*s)));
}

bool RuntimeStepHost::recv(abi::StepHost *base, int32_t comm, int32_t peer,
                           int32_t index) {
  RuntimeStepHost &h = of(base);
  const abi::TensorSlot *s = h.slot(index, "recv");
  DeviceArenas &a = h.context_.arenas;
  return s && h.keep(a.device().recv(comm, peer, a.bases()[s->arena],
                                     s->offset, slotBytes(*s)));
}

bool RuntimeStepHost::copy(abi::StepHost *base, int32_t target,
                           int32_t source) {
  RuntimeStepHost &h = of(base);
  const abi::TensorSlot *to = h.slot(target, "copy");
  const abi::TensorSlot *from = to ? h.slot(source, "copy") : nullptr;
  if (!from)
    return false;
  if (slotBytes(*to) != slotBytes(*from))
    return h.keep(Status::error(
        std::string("copy: io slot '") + from->name + "' (" +
        dtypeName(from->type) + " " + shapeString(*from) + ") into '" +
        to->name + "' (" + dtypeName(to->type) + " " + shapeString(*to) +
        "): the byte sizes differ"));
  DeviceArenas &a = h.context_.arenas;
  return h.keep(a.device().copyWithin(a.bases()[to->arena], to->offset,
                                      a.bases()[from->arena], from->offset,
                                      slotBytes(*to)));
}

// MPI on both targets: the loss is one host double per step, already
// copied out of the device by peekLoss, and the MPI world exists in every
// job of several ranks; an NCCL broadcast would need a device buffer and a
// synchronization to bring it back.
bool RuntimeStepHost::broadcastLoss(abi::StepHost *base, int32_t comm,
                                    int32_t root, double *loss) {
  return of(base).keep(dist::broadcastLoss(comm, root, loss));
}

} // namespace ptc::rt::train

//===- loop.cpp - The training loop of a compiled model -------------------===//

#include "runtime/train/loop.h"

#include "runtime/data/token_loader.h"
#include "runtime/dist/world.h"
#include "runtime/train/arenas.h"
#include "runtime/train/loop_checkpoints.h"
#include "runtime/train/metrics.h"
#include "runtime/train/run_clock.h"
#include "runtime/train/start_checks.h"
#include "runtime/train/step_host.h"
#include "runtime/train/stop_signal.h"
#include "runtime/train/weights.h"

#include <chrono>
#include <cmath>
#include <sstream>

namespace ptc::rt::train {

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start)
      .count();
}

std::string formatFixed(double v, int decimals) {
  std::ostringstream os;
  os.setf(std::ios::fixed);
  os.precision(decimals);
  os << v;
  return os.str();
}

std::string number(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

class Trainer {
public:
  Trainer(const abi::Model &program, const IOSlots &io, const Flags &flags,
          Device &device, std::ostream &out, std::ostream &err,
          const RunPlace &place)
      : program_(program), model_(stageModel(program, place.ppRank)), io_(io),
        flags_(flags), place_(place), arenas_(device), out_(out), err_(err),
        checkpoints_(program, model_, flags, place, arenas_, out),
        seed_(flags.seed), tokens_(size_t(model_.microBatch * model_.seqLen)),
        targets_(tokens_.size()) {}

  Status run();
  bool logFailed() const { return logFailed_; }

private:
  Status initialize();
  Status openData();
  Status train(int64_t *lastStep, bool *stopped, StepMetrics *m);
  Status step(int64_t step, StepMetrics *metrics);
  Status validate(int64_t step);
  Status evalPipelined(int64_t step, int64_t batch, double *loss);
  Status save(const std::string &path, int64_t step);
  void record(const nlohmann::ordered_json &r);
  // Feeds the next batch of `loader` into "tokens" and "targets".
  Status feed(TokenLoader &loader);
  // Runs an entry point on the arenas (kept a Status for devices that check
  // for launch errors).
  Status call(abi::EntryPoint entry) {
    return arenas_.device().run(entry, arenas_.bases());
  }

  // The whole program (checkpoints span every pipeline stage) and the
  // table of this rank's stage, which the rest of the run uses.
  const abi::Model &program_;
  const abi::Model &model_;
  const IOSlots &io_;
  const Flags &flags_;
  const RunPlace &place_;
  DeviceArenas arenas_;
  std::ostream &out_, &err_;
  MetricsLog log_;
  bool logFailed_ = false;
  LoopCheckpoints checkpoints_;
  // A resumed run continues a checkpoint's state (its seed, step, samples
  // and data position); else the seed is --seed's and step 1 comes first.
  bool resuming_ = false;
  TrainingState resumed_;
  uint64_t seed_;
  TokenLoader trainData_, valData_;
  // Samples trained on through the current step (every dp rank's), and the
  // current ramp-up phase's gradient scale.
  int64_t samples_ = 0;
  double rampScale_ = 1;
  std::vector<int32_t> tokens_, targets_;
};

Status Trainer::initialize() {
  // The slot holds the seed's 64 bits (a seed >= 2^63 reads negative).
  if (Status s = arenas_.writeI64(*io_.seed, int64_t(seed_)); !s)
    return s;
  if (resuming_) {
    if (Status s = checkpoints_.load(); !s)
      return s;
    if (model_.refreshWeightCopies)
      if (Status s = call(model_.refreshWeightCopies); !s)
        return s;
  } else if (flags_.initFrom.empty()) {
    if (Status s = call(model_.initParams); !s)
      return s;
  } else {
    // A rank stuck reading a file would leave the others waiting in step 1.
    dist::WatchdogPhase phase(place_.watchdog,
                              "loading the weights from '" + flags_.initFrom +
                                  "'");
    if (Status s = loadWeights(flags_.initFrom, program_, arenas_,
                               place_.ppRank);
        !s)
      return s;
    if (model_.refreshWeightCopies)
      if (Status s = call(model_.refreshWeightCopies); !s)
        return s;
  }
  if (flags_.saveInitialWeights.empty())
    return Status::ok();
  if (Status s = save(flags_.saveInitialWeights, 0); !s)
    return s;
  out_ << "saved the initial weights to " << flags_.saveInitialWeights << "\n";
  return Status::ok();
}

// Rank 0 gathers the pieces of every parameter and writes the file while
// the others wait for it: a rank that stops during a save must end the job
// after --comm-timeout like one that stops in a step, not hang it.
Status Trainer::save(const std::string &path, int64_t step) {
  dist::WatchdogPhase phase(place_.watchdog,
                            "saving the weights to '" + path + "'");
  return saveWeights(path, program_, arenas_, step, place_.ppRank);
}

// A --log write that fails mid-run (a full disk) costs the log, not the
// run: one line now, training goes on and saves its weights, and the
// program exits with status 3 (run_main.cpp).
void Trainer::record(const nlohmann::ordered_json &r) {
  if (Status s = log_.write(r); !s) {
    logFailed_ = true;
    err_ << dist::rankPrefix() << "error: " << s.message()
         << "; training goes on without the log (the weights are still "
            "saved; the exit status will be 3)"
         << std::endl;
  }
}

Status Trainer::openData() {
  TokenLoaderOptions options;
  options.seqLen = model_.seqLen;
  options.vocabSize = model_.vocabSize;
  options.seed = seed_;
  options.shuffle = true;
  if (Status s = trainData_.open(flags_.data, options); !s)
    return s;
  if (flags_.valData.empty())
    return Status::ok();
  options.shuffle = false;
  if (Status s = valData_.open(flags_.valData, options); !s)
    return s;
  return checkEvalSteps(model_, flags_, valData_);
}

Status Trainer::feed(TokenLoader &loader) {
  return feedBatch(model_, io_, arenas_, loader, tokens_, targets_);
}

Status Trainer::step(int64_t step, StepMetrics *m) {
  const Clock::time_point start = Clock::now();
  dist::WatchdogPhase phase(place_.watchdog, "step " + std::to_string(step));
  if (Status s = arenas_.writeI64(*io_.step, step); !s)
    return s;
  // The step reads micro-batches of the stream by their index in the step;
  // the next step starts after all of them (every dp rank's). Under a
  // batch-size ramp-up the compiler's phase of this step says how many and
  // which step function runs them.
  const uint64_t stepStart = trainData_.position();
  int64_t microBatches = model_.gradAccumSteps;
  const abi::StepFunction *stepFunctions = model_.stepFunctions;
  for (int32_t i = 0; i < model_.numRampPhases; ++i)
    if (model_.rampPhases[i].firstStep <= step) {
      microBatches = model_.rampPhases[i].microBatches;
      stepFunctions = model_.rampPhases[i].stepFunctions;
      rampScale_ = model_.rampPhases[i].gradScale;
    }
  const int64_t stepBatches = microBatches * place_.dpSize;
  samples_ += stepBatches * model_.microBatch;
  if (io_.samples)
    if (Status s = arenas_.writeI64(*io_.samples, samples_); !s)
      return s;
  if (io_.gradScale)
    if (Status s = arenas_.writeF32(*io_.gradScale, float(rampScale_)); !s)
      return s;
  RuntimeStepHost host({model_, io_, arenas_, trainData_, tokens_, targets_},
                       place_.dpRank, step, stepStart);
  double stepLoss = 0;
  if (!stepFunctions[place_.ppRank](&host, &stepLoss))
    return host.status() ? Status::error("step " + std::to_string(step) +
                                         ": the step function failed")
                         : host.status();
  // The step's sends complete before anything acts on its return. A failed
  // step returns at once: its error ends the job (run_main.cpp's abortAll)
  // and the bytes of pending sends stay the runtime's until then;
  // waiting for a peer that may have stopped could only hang.
  if (Status s = host.finishSends(); !s)
    return s;
  // Every pipeline rank has the shared loss (broadcastLoss), so all stop
  // at this step; without a pipeline readLoss has stopped the step already.
  if (!std::isfinite(stepLoss))
    return Status::error("step " + std::to_string(step) + ": the loss is " +
                         number(stepLoss) +
                         "; training diverged (try a lower learning rate)");
  trainData_.seek(stepStart + uint64_t(stepBatches * model_.microBatch));
  float lr = 0, gradNorm = 0;
  Status s = arenas_.readF32(*io_.lr, &lr);
  if (s)
    s = arenas_.readF32(*io_.gradNorm, &gradNorm);
  if (s)
    s = arenas_.device().synchronize();
  if (!s)
    return s;
  // The norm is reduced over the whole mesh, so every rank stops here
  // together: a NaN gradient must never reach the next step or a save.
  if (!std::isfinite(gradNorm))
    return Status::error("step " + std::to_string(step) +
                         ": the gradient norm is " + number(gradNorm) +
                         "; training diverged (try a lower learning rate "
                         "or grad_clip)");
  m->step = step;
  m->steps = flags_.steps;
  m->loss = stepLoss;
  m->lr = lr;
  m->gradNorm = gradNorm;
  m->ms = msSince(start);
  // The whole global batch: every data-parallel rank's micro-batches.
  const double tokens =
      double(model_.microBatch * model_.seqLen * stepBatches);
  m->tokensPerSecond = m->ms > 0 ? tokens / (m->ms / 1000) : 0;
  m->memBytes = arenas_.device().bytesInUse();
  return Status::ok();
}

// Pipeline stages: the compiler's validation function of this rank runs
// validation micro-batch `batch` through every stage; the loss comes back
// to every rank (broadcast), which judges it after the loop.
Status Trainer::evalPipelined(int64_t step, int64_t batch, double *loss) {
  const uint64_t start = uint64_t(batch * model_.microBatch);
  RuntimeStepHost host({model_, io_, arenas_, valData_, tokens_, targets_},
                       place_.dpRank, step, start);
  if (!model_.evalFunctions[place_.ppRank](&host, loss))
    return host.status() ? Status::error("validation after step " +
                                         std::to_string(step) +
                                         ": the validation function failed")
                         : host.status();
  return host.finishSends();
}

Status Trainer::validate(int64_t step) {
  const Clock::time_point start = Clock::now();
  dist::WatchdogPhase phase(place_.watchdog,
                            "validation after step " + std::to_string(step));
  valData_.seek(0);
  double lossSum = 0;
  for (int64_t i = 0; i < flags_.evalSteps; ++i) {
    double loss = 0;
    Status s = model_.evalFunctions ? evalPipelined(step, i, &loss)
                                    : feed(valData_);
    if (s && !model_.evalFunctions)
      s = call(model_.evalStep);
    if (s && !model_.evalFunctions)
      s = arenas_.readReal(*io_.loss, &loss);
    if (!s)
      return s;
    lossSum += loss;
  }
  ValMetrics m;
  m.step = step;
  m.loss = lossSum / double(flags_.evalSteps);
  m.batches = flags_.evalSteps;
  m.ms = msSince(start);
  if (!std::isfinite(m.loss))
    return Status::error("step " + std::to_string(step) +
                         ": the validation loss is " + number(m.loss));
  out_ << formatValLine(m) << std::endl;
  record(valRecord(m));
  return Status::ok();
}

// Steps after the resumed one (or from 1) through --steps, each followed by
// its validation and checkpoint when due; stops early, with *stopped set,
// when any rank got SIGTERM. *lastStep: the last step trained.
Status Trainer::train(int64_t *lastStep, bool *stopped, StepMetrics *m) {
  const int64_t first = *lastStep + 1;
  // The ETA counts this process's steps (a resumed run's from its first).
  const Clock::time_point start = Clock::now();
  RunClock clock(first, flags_.steps);
  for (int64_t i = first; i <= flags_.steps; ++i) {
    if (Status s = step(i, m); !s)
      return s;
    *lastStep = i;
    clock.stepDone(i, msSince(start) / 1000);
    m->elapsedSeconds = clock.elapsedSeconds();
    m->etaSeconds = clock.etaSeconds();
    if (!flags_.quiet)
      out_ << formatStepLine(*m) << std::endl;
    record(stepRecord(*m));
    const bool due = (flags_.evalEvery > 0 && i % flags_.evalEvery == 0) ||
                     i == flags_.steps;
    if (!flags_.valData.empty() && due)
      if (Status s = validate(i); !s)
        return s;
    TrainingState state;
    state.step = i;
    state.samples = samples_;
    state.dataPosition = trainData_.position();
    state.seed = seed_;
    if (Status s = checkpoints_.afterStep(
            state, i == flags_.steps, stopped,
            [this](const nlohmann::ordered_json &r) { record(r); });
        !s)
      return s;
    if (*stopped)
      break;
  }
  return Status::ok();
}

Status Trainer::run() {
  Device &device = arenas_.device();
  catchStopSignal();
  if (Status s = checkpoints_.resolve(&resuming_, &resumed_); !s)
    return s;
  if (resuming_) {
    seed_ = resumed_.seed;
    samples_ = resumed_.samples;
  }
  if (flags_.checkpointEvery > 0 && flags_.checkpointDir.empty())
    out_ << "note: checkpoints every " << flags_.checkpointEvery
         << " steps need a directory (--checkpoint-dir, or the spec's "
            "training.checkpoint.dir); none will be saved\n";
  out_ << formatBanner(model_, device.name(), flags_.steps, seed_)
       << std::flush;
  // Rank 0 writes every file: all of them are checked before any work.
  if (place_.rank == 0)
    if (Status s = checkOutputFiles(flags_); !s)
      return s;
  if (!flags_.logPath.empty() && place_.rank == 0)
    if (Status s = log_.open(flags_.logPath); !s)
      return s;
  // Before the first step a log that cannot be written is an error.
  if (Status s = log_.write(
          startRecord(model_, device.name(), flags_.steps, seed_));
      !s)
    return s;
  // Data errors show before the (possibly long) initialization.
  if (flags_.steps > 0)
    if (Status s = openData(); !s)
      return s;
  if (Status s = arenas_.allocate(model_); !s)
    return s;
  if (Status s = initialize(); !s)
    return s;
  if (resuming_) {
    trainData_.seek(resumed_.dataPosition);
    record({{"event", "resume"},
            {"step", resumed_.step},
            {"samples", resumed_.samples}});
  }

  const Clock::time_point start = Clock::now();
  StepMetrics m;
  const int64_t first = resuming_ ? resumed_.step + 1 : 1;
  int64_t last = first - 1;
  bool stopped = false;
  if (Status s = train(&last, &stopped, &m); !s)
    return s;
  const double seconds = msSince(start) / 1000;
  if (last >= first)
    out_ << "trained " << (first > 1 ? "steps " + std::to_string(first) +
                                           "-" + std::to_string(last) + ", "
                                     : "")
         << last - first + 1 << " steps in " << formatFixed(seconds, 2)
         << " s; final loss " << formatFixed(m.loss, 4) << "; peak memory "
         << formatBytes(device.peakBytes()) << "\n";
  else if (resuming_ && flags_.steps > 0)
    out_ << "nothing to train: the checkpoint is at step " << resumed_.step
         << ", --steps is " << flags_.steps << "\n";
  // A stopped run did not finish: its final weights are the checkpoint's.
  if (!flags_.saveWeights.empty() && !stopped) {
    if (Status s = save(flags_.saveWeights, flags_.steps); !s)
      return s;
    out_ << "saved the weights to " << flags_.saveWeights << "\n";
  }
  record({{"event", "end"},
          {"steps", last},
          {"stopped", stopped},
          {"seconds", seconds},
          {"peak_mem_bytes", device.peakBytes()}});
  return Status::ok();
}

} // namespace

Status train(const abi::Model &model, const IOSlots &io, const Flags &flags,
             Device &device, std::ostream &out, std::ostream &err,
             const RunPlace &place, TrainOutcome *outcome) {
  Trainer trainer(model, io, flags, device, out, err, place);
  Status s = trainer.run();
  if (outcome)
    outcome->logFailed = trainer.logFailed();
  return s;
}

} // namespace ptc::rt::train

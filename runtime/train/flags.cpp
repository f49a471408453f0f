//===- flags.cpp - Command line of a compiled training program ------------===//

#include "runtime/train/flags.h"

#include "runtime/train/model_check.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace ptc::rt::train {

namespace {

enum class Kind { Count, Positive, Real, Text, Patterns, Switch };

struct FlagSpec {
  const char *name;
  Kind kind;
  const char *value; // the value's name in --help
  const char *help;
};

// Every flag, in --help order.
const FlagSpec kFlags[] = {
    {"--steps", Kind::Count, "N", "optimizer steps to run"},
    {"--data", Kind::Patterns, "PATTERN",
     "training token shards (repeatable; globs allowed)"},
    {"--val-data", Kind::Patterns, "PATTERN",
     "validation token shards (repeatable; globs allowed)"},
    {"--eval-every", Kind::Count, "N",
     "with --val-data: validate every N steps (0: only after the last)"},
    {"--eval-steps", Kind::Positive, "N", "micro-batches per validation"},
    {"--log", Kind::Text, "FILE", "write metrics as JSON lines to FILE"},
    {"--seed", Kind::Count, "N", "seed of initialization and data shuffle"},
    {"--save-weights", Kind::Text, "FILE",
     "save the final weights (safetensors)"},
    {"--save-initial-weights", Kind::Text, "FILE",
     "save the weights before step 1 (safetensors)"},
    {"--init-from", Kind::Text, "FILE",
     "load the weights (safetensors) instead of initializing"},
    {"--checkpoint-dir", Kind::Text, "DIR",
     "save checkpoints of the whole training state in DIR/step_N"},
    {"--checkpoint-every", Kind::Count, "N",
     "with a checkpoint directory: save every N steps (0: after the last "
     "step and at SIGTERM only)"},
    {"--checkpoint-keep", Kind::Count, "N",
     "keep the newest N complete checkpoints (0: all)"},
    {"--resume", Kind::Text, "DIR|auto",
     "continue from checkpoint DIR, or from the newest in the checkpoint "
     "directory (auto); --steps stays the total"},
    {"--quiet", Kind::Switch, nullptr, "no per-step lines on stdout"},
    {"--comm-timeout", Kind::Real, "SECONDS",
     "with several ranks: end every rank when a step, a validation, a "
     "weight load or save, or the final barrier takes longer, instead of "
     "waiting forever for a dead peer (0: no limit)"},
    {"--gradcheck", Kind::Positive, "N",
     "check N gradient elements per parameter against central finite "
     "differences (on one batch, from --data or random tokens) and exit"},
    {"--gradcheck-step", Kind::Real, "H",
     "finite-difference step (5e-4; the stencil is fourth order)"},
    {"--gradcheck-tolerance", Kind::Real, "TOL",
     "largest relative error the check accepts (1e-6)"},
    {"--help", Kind::Switch, nullptr, "this text"},
    {"--version", Kind::Switch, nullptr, "the runtime and ABI versions"},
};

const FlagSpec *findFlag(const std::string &name) {
  for (const FlagSpec &f : kFlags)
    if (name == f.name)
      return &f;
  return nullptr;
}

Status flagError(const std::string &flag, const std::string &what) {
  return Status::error(flag + ": " + what);
}

// A decimal integer >= min (0 or 1), no sign, no trailing characters.
// `what` names the expectation in the error ("a positive integer").
Status parseInteger(const std::string &flag, const std::string &text,
                    int64_t min, int64_t *out, const char *what = nullptr) {
  if (!what)
    what = min > 0 ? "a positive integer" : "a non-negative integer";
  bool digits = !text.empty() &&
                text.find_first_not_of("0123456789") == std::string::npos;
  errno = 0;
  char *end = nullptr;
  long long v = digits ? std::strtoll(text.c_str(), &end, 10) : 0;
  if (!digits || errno == ERANGE || v < min)
    return flagError(flag, std::string("expected ") + what + ", got \"" + text +
                               "\"" + (errno == ERANGE ? " (too large)" : ""));
  *out = v;
  return Status::ok();
}

/// A seed takes any 64-bit value, as the spec's training.seed does.
Status parseSeed(const std::string &flag, const std::string &text,
                 uint64_t *out) {
  bool digits = !text.empty() &&
                text.find_first_not_of("0123456789") == std::string::npos;
  errno = 0;
  unsigned long long v = digits ? std::strtoull(text.c_str(), nullptr, 10) : 0;
  if (!digits || errno == ERANGE)
    return flagError(flag, "expected an integer in [0, 2^64 - 1], got \"" +
                               text + "\"" +
                               (errno == ERANGE ? " (too large)" : ""));
  *out = v;
  return Status::ok();
}

Status setFlag(const FlagSpec &spec, const std::string &value, Flags *flags) {
  const std::string name = spec.name;
  if (spec.kind != Kind::Count && spec.kind != Kind::Positive && value.empty())
    return flagError(name, "expected a " + std::string(spec.value) +
                               ", got an empty value");
  if (name == "--steps")
    // 0 is accepted here and checked against the save flags at the end.
    return parseInteger(name, value, 0, &flags->steps, "a positive integer");
  if (name == "--eval-every")
    return parseInteger(name, value, 0, &flags->evalEvery);
  if (name == "--eval-steps")
    return parseInteger(name, value, 1, &flags->evalSteps);
  if (name == "--seed")
    return parseSeed(name, value, &flags->seed);
  if (name == "--gradcheck")
    return parseInteger(name, value, 1, &flags->gradcheck);
  if (name == "--checkpoint-every")
    return parseInteger(name, value, 0, &flags->checkpointEvery);
  if (name == "--checkpoint-keep")
    return parseInteger(name, value, 0, &flags->checkpointKeep);
  if (spec.kind == Kind::Real) {
    char *end = nullptr;
    errno = 0;
    double v = std::strtod(value.c_str(), &end);
    const bool zeroOk = name == "--comm-timeout";
    if (errno || end == value.c_str() || *end || !std::isfinite(v) ||
        !(zeroOk ? v >= 0 : v > 0))
      return flagError(name, std::string("expected a ") +
                                 (zeroOk ? "non-negative" : "positive") +
                                 " number, got \"" + value + "\"");
    if (zeroOk) {
      flags->commTimeout = v;
      return Status::ok();
    }
    (name == "--gradcheck-step" ? flags->gradcheckStep
                                : flags->gradcheckTolerance) = v;
    return Status::ok();
  }
  if (name == "--data")
    flags->data.push_back(value);
  else if (name == "--val-data")
    flags->valData.push_back(value);
  else if (name == "--log")
    flags->logPath = value;
  else if (name == "--save-weights")
    flags->saveWeights = value;
  else if (name == "--save-initial-weights")
    flags->saveInitialWeights = value;
  else if (name == "--init-from")
    flags->initFrom = value;
  else if (name == "--checkpoint-dir")
    flags->checkpointDir = value;
  else if (name == "--resume")
    flags->resume = value;
  return Status::ok();
}

} // namespace

Status parseFlags(const abi::Model &model, const std::vector<std::string> &args,
                  Flags *flags) {
  *flags = Flags();
  flags->steps = model.steps;
  flags->evalEvery = model.evalEvery;
  flags->evalSteps = model.evalSteps > 0 ? model.evalSteps : 1;
  flags->seed = model.seed;
  flags->checkpointDir = model.checkpointDir ? model.checkpointDir : "";
  flags->checkpointEvery = model.checkpointEvery;
  flags->checkpointKeep = model.checkpointKeep;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &arg = args[i];
    if (arg.rfind("--", 0) != 0)
      return Status::error("unexpected argument \"" + arg +
                           "\" (flags start with --; see --help)");
    const size_t eq = arg.find('=');
    const std::string name = arg.substr(0, eq);
    const FlagSpec *spec = findFlag(name);
    if (!spec)
      return flagError(name, "unknown flag (see --help)");
    if (spec->kind == Kind::Switch) {
      if (eq != std::string::npos)
        return flagError(name, "takes no value");
      if (name == "--quiet")
        flags->quiet = true;
      else if (name == "--help")
        flags->help = true;
      else
        flags->version = true;
      continue;
    }
    std::string value;
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
    } else {
      if (i + 1 >= args.size() || args[i + 1].rfind("--", 0) == 0)
        return flagError(name, std::string("missing value (expected ") + name +
                                   " " + spec->value + ")");
      value = args[++i];
    }
    if (Status s = setFlag(*spec, value, flags); !s)
      return s;
  }
  if (flags->help || flags->version)
    return Status::ok();
  if (flags->gradcheck > 0)
    return Status::ok(); // no training: random tokens unless --data
  if (flags->steps == 0 && flags->saveInitialWeights.empty() &&
      flags->saveWeights.empty())
    return flagError("--steps", "expected a positive integer, got \"0\" (0 "
                                "steps only initializes: use it with "
                                "--save-initial-weights or --save-weights)");
  if (!flags->resume.empty() && !flags->initFrom.empty())
    return flagError("--resume", "cannot be combined with --init-from (a "
                                 "checkpoint holds the weights)");
  if (flags->resume == "auto" && flags->checkpointDir.empty())
    return flagError("--resume", "auto needs a checkpoint directory "
                                 "(--checkpoint-dir DIR, or the spec's "
                                 "training.checkpoint.dir)");
  if (flags->steps > 0 && flags->data.empty())
    return flagError("--data", "no training data given; pass --data "
                               "train_*.bin (token shards; make them from a "
                               "text file with `ptc data FILE.txt -o DIR`)");
  if (!flags->valData.empty() && flags->evalSteps <= 0)
    return flagError("--eval-steps", "must be positive with --val-data");
  return Status::ok();
}

std::string usage(const abi::Model &model, const std::string &program) {
  const int64_t tokensPerStep =
      model.microBatch * model.seqLen * model.gradAccumSteps;
  std::string s = "usage: " + program + " --data PATTERN [options]\n\n";
  s += "Trains the model '" + std::string(model.name ? model.name : "?") +
       "' (target " + targetName(model.target) + ", " +
       std::to_string(parameterCount(model)) + " parameters).\n";
  s += "  micro batch " + std::to_string(model.microBatch) + " x sequence " +
       std::to_string(model.seqLen) + " x " +
       std::to_string(model.gradAccumSteps) +
       " accumulation steps = " + std::to_string(tokensPerStep) +
       " tokens per step; vocabulary " + std::to_string(model.vocabSize) +
       "\n\noptions:\n";
  for (const FlagSpec &f : kFlags) {
    std::string left = std::string("  ") + f.name;
    if (f.value)
      left += std::string(" ") + f.value;
    left.resize(std::max<size_t>(left.size() + 2, 32), ' ');
    std::string def;
    const std::string name = f.name;
    if (name == "--steps")
      def = std::to_string(model.steps);
    else if (name == "--eval-every")
      def = std::to_string(model.evalEvery);
    else if (name == "--eval-steps")
      def = std::to_string(model.evalSteps > 0 ? model.evalSteps : 1);
    else if (name == "--seed")
      def = std::to_string(model.seed);
    else if (name == "--checkpoint-dir" && model.checkpointDir &&
             *model.checkpointDir)
      def = model.checkpointDir;
    else if (name == "--checkpoint-every")
      def = std::to_string(model.checkpointEvery);
    else if (name == "--checkpoint-keep")
      def = std::to_string(model.checkpointKeep);
    else if (name == "--comm-timeout")
      def = std::to_string(int64_t(Flags().commTimeout));
    s += left + f.help + (def.empty() ? "" : " (default " + def + ")") + "\n";
  }
  s += "\nBoth --flag VALUE and --flag=VALUE work. Make token shards from a "
       "text file with\n`ptc data FILE.txt -o DIR`, then pass --data "
       "'DIR/train_*.bin' --val-data 'DIR/val_*.bin'.\n\nExit status: 0 "
       "done; 1 an error; 2 a bad command line; 3 trained and saved, but a\n"
       "--log write failed (the log is incomplete).\n";
  return s;
}

} // namespace ptc::rt::train

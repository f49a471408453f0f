//===- gradcheck.cpp - Gradients of a compiled program vs finite differences
//===//

#include "runtime/train/gradcheck.h"

#include "runtime/data/token_loader.h"
#include "runtime/train/arenas.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <vector>

namespace ptc::rt::train {

namespace {

/// A parameter tensor copied to the host as doubles, and back.
class HostTensor {
public:
  HostTensor(DeviceArenas &arenas, const abi::TensorSlot &slot)
      : arenas_(arenas), slot_(slot), raw_(size_t(slotBytes(slot))) {}

  Status load() {
    if (Status s = arenas_.read(slot_, raw_.data()); !s)
      return s;
    values.resize(size_t(numElements(slot_)));
    for (size_t i = 0; i < values.size(); ++i)
      values[i] = slot_.type == abi::DType::F64
                      ? reinterpret_cast<const double *>(raw_.data())[i]
                      : reinterpret_cast<const float *>(raw_.data())[i];
    return Status::ok();
  }
  Status store() {
    for (size_t i = 0; i < values.size(); ++i) {
      if (slot_.type == abi::DType::F64)
        reinterpret_cast<double *>(raw_.data())[i] = values[i];
      else
        reinterpret_cast<float *>(raw_.data())[i] = float(values[i]);
    }
    return arenas_.write(slot_, raw_.data());
  }

  std::vector<double> values;

private:
  DeviceArenas &arenas_;
  const abi::TensorSlot &slot_;
  std::vector<uint8_t> raw_;
};

uint64_t splitmix(uint64_t &state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/// The indices to check: the n/2 largest |g|, then random distinct ones.
std::vector<size_t> pickElements(const std::vector<double> &grad, int64_t n,
                                 uint64_t &rng) {
  std::vector<size_t> order(grad.size());
  std::iota(order.begin(), order.end(), size_t(0));
  size_t top = std::min(order.size(), size_t((n + 1) / 2));
  std::partial_sort(order.begin(), order.begin() + top, order.end(),
                    [&](size_t a, size_t b) {
                      return std::fabs(grad[a]) > std::fabs(grad[b]);
                    });
  std::vector<size_t> picked(order.begin(), order.begin() + top);
  while (picked.size() < std::min(order.size(), size_t(n))) {
    size_t i = size_t(splitmix(rng) % grad.size());
    if (std::find(picked.begin(), picked.end(), i) == picked.end())
      picked.push_back(i);
  }
  return picked;
}

} // namespace

Status gradientCheck(const abi::Model &model, const IOSlots &io,
                     const Flags &flags, Device &device, std::ostream &out) {
  DeviceArenas arenas(device);
  if (Status s = arenas.allocate(model); !s)
    return s;
  auto call = [&](abi::EntryPoint entry) { entry(arenas.bases()); };
  Status s = arenas.writeI64(*io.seed, int64_t(flags.seed));
  if (s)
    s = arenas.writeI64(*io.step, 1);
  if (s)
    s = arenas.writeI64(*io.micro, 0);
  if (!s)
    return s;
  call(model.initParams);

  // One batch: from the data when given, else random tokens.
  size_t n = size_t(model.microBatch * model.seqLen);
  std::vector<int32_t> tokens(n), targets(n);
  uint64_t rng = uint64_t(flags.seed) ^ 0x6772616463686bULL;
  if (!flags.data.empty()) {
    TokenLoader loader;
    TokenLoaderOptions options;
    options.seqLen = model.seqLen;
    options.vocabSize = model.vocabSize;
    options.seed = uint64_t(flags.seed);
    if (Status d = loader.open(flags.data, options); !d)
      return d;
    if (Status d = loader.next(model.microBatch, model.seqLen, tokens.data(),
                               targets.data());
        !d)
      return d;
  } else {
    for (size_t i = 0; i < n; ++i) {
      tokens[i] = int32_t(splitmix(rng) % uint64_t(model.vocabSize));
      targets[i] = int32_t(splitmix(rng) % uint64_t(model.vocabSize));
    }
  }
  if (!(s = arenas.write(*io.tokens, tokens.data())) ||
      !(s = arenas.write(*io.targets, targets.data())))
    return s;

  // The analytic gradient: micro_step accumulates it scaled by
  // 1 / gradAccumSteps into freshly zeroed accumulators.
  call(model.microStep);
  double loss = 0;
  if (!(s = arenas.readReal(*io.loss, &loss)))
    return s;
  out << "gradient check of '" << model.name << "' on one batch (loss " << loss
      << "), step " << flags.gradcheckStep << ", " << flags.gradcheck
      << " elements per tensor\n";
  const double h = flags.gradcheckStep;
  double worst = 0;
  std::string worstName;
  int64_t checked = 0;
  for (int32_t p = 0; p < model.numParams; ++p) {
    HostTensor param(arenas, model.params[p]), grad(arenas, model.gradients[p]);
    if (!(s = param.load()) || !(s = grad.load()))
      return s;
    double largest = 0;
    for (double &g : grad.values) {
      g *= double(model.gradAccumSteps);
      largest = std::max(largest, std::fabs(g));
    }
    double floor = std::max(1e-3 * largest, 1e-8), tensorWorst = 0;
    for (size_t i : pickElements(grad.values, flags.gradcheck, rng)) {
      // The fourth-order central stencil: truncation error O(h^4), so h can
      // be large enough that rounding in the loss does not matter.
      double original = param.values[i], losses[4] = {};
      const double offsets[4] = {2 * h, h, -h, -2 * h};
      for (int k = 0; k < 4; ++k) {
        param.values[i] = original + offsets[k];
        if (!(s = param.store()))
          return s;
        call(model.evalStep);
        if (!(s = arenas.readReal(*io.loss, &losses[k])))
          return s;
      }
      param.values[i] = original;
      if (!(s = param.store()))
        return s;
      double fd = (-losses[0] + 8 * losses[1] - 8 * losses[2] + losses[3]) /
                  (12 * h),
             g = grad.values[i];
      double error =
          std::fabs(fd - g) / std::max({std::fabs(fd), std::fabs(g), floor});
      tensorWorst = std::max(tensorWorst, error);
      ++checked;
    }
    char line[160];
    std::snprintf(line, sizeof(line),
                  "  %-40s max |g| %.3e  max rel. error %.3e\n",
                  model.params[p].name, largest, tensorWorst);
    out << line;
    if (tensorWorst > worst) {
      worst = tensorWorst;
      worstName = model.params[p].name;
    }
  }
  char summary[160];
  std::snprintf(summary, sizeof(summary),
                "checked %lld elements of %d tensors: max relative error %.3e "
                "(tolerance %.1e)\n",
                (long long)checked, model.numParams, worst,
                flags.gradcheckTolerance);
  out << summary;
  if (!(worst <= flags.gradcheckTolerance))
    return Status::error("gradient check failed: " + worstName +
                         " has relative error " + std::to_string(worst) +
                         " > " + std::to_string(flags.gradcheckTolerance));
  return Status::ok();
}

} // namespace ptc::rt::train

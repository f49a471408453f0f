//===- SpecTest.cpp - Tests of the JSON spec parser -----------------------===//
//
// Valid specs (defaults and derived values), every shipped model, and a table
// of malformed specs with the exact error line each must produce.
//
//===----------------------------------------------------------------------===//
#include "frontend/Spec.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#ifndef PTC_SOURCE_DIR
#error "PTC_SOURCE_DIR must name the source tree (for models/*.json)"
#endif

using namespace ptc;

namespace {

/// The smallest valid model section.
constexpr const char *kModel =
    R"("model": {"layers": 2, "hidden": 64, "heads": 4, "seq_len": 64,
                 "vocab_size": 256})";

/// A small valid spec with `patch` merged in (RFC 7386: null deletes a key).
std::string patched(const std::string &patch) {
  nlohmann::json base = nlohmann::json::parse("{" + std::string(kModel) + "}");
  base.merge_patch(nlohmann::json::parse(patch));
  return base.dump();
}

Spec parseOk(const std::string &text) {
  std::string error;
  std::optional<Spec> spec = parseSpec(text, "ok.json", error);
  EXPECT_TRUE(spec.has_value()) << error;
  return spec.value_or(Spec{});
}

std::string parseError(const std::string &text) {
  std::string error;
  std::optional<Spec> spec = parseSpec(text, "bad.json", error);
  EXPECT_FALSE(spec.has_value()) << "accepted: " << text;
  return error;
}

//===----------------------------------------------------------------------===//
// Valid specs
//===----------------------------------------------------------------------===//

TEST(SpecTest, GptDefaults) {
  Spec spec = parseOk("{" + std::string(kModel) + "}");
  EXPECT_EQ(spec.name, "ok");
  const ModelSpec &m = spec.model;
  EXPECT_EQ(m.family, ModelFamily::GPT);
  EXPECT_EQ(m.headDim, 16);
  EXPECT_EQ(m.kvHeads, 4);
  EXPECT_EQ(m.ffnHidden, 256);
  EXPECT_EQ(m.paddedVocab, 256);
  EXPECT_EQ(m.norm, NormKind::LayerNorm);
  EXPECT_EQ(m.activation, ActivationKind::GeluTanh);
  EXPECT_EQ(m.positions, PositionKind::Learned);
  EXPECT_TRUE(m.tiedEmbeddings);
  EXPECT_TRUE(m.bias);
  EXPECT_DOUBLE_EQ(m.normEps, 1e-5);
  EXPECT_DOUBLE_EQ(m.initStd, 0.02);

  const TrainingSpec &t = spec.training;
  EXPECT_EQ(t.microBatchSize, 1);
  EXPECT_EQ(t.globalBatchSize, 1);
  EXPECT_EQ(t.steps, 1000);
  EXPECT_EQ(t.lrSchedule.kind, LRScheduleKind::Cosine);
  EXPECT_EQ(t.lrSchedule.decaySteps, 1000);
  EXPECT_EQ(t.lrSchedule.warmupSteps, 0);
  EXPECT_DOUBLE_EQ(t.optimizer.lr, 6e-4);
  EXPECT_EQ(t.precision, Precision::BF16);
  EXPECT_EQ(t.seed, 1234u);
  EXPECT_EQ(t.evalEvery, 0);
  EXPECT_EQ(t.rampup.startBatch, 0);

  const ParallelSpec &p = spec.parallel;
  EXPECT_FALSE(p.automatic);
  EXPECT_EQ(p.tp * p.pp * p.dp, 1);
  EXPECT_EQ(p.schedule, PipelineSchedule::OneFOneB);
  EXPECT_EQ(p.recompute, RecomputePolicy::None);
}

TEST(SpecTest, LlamaDefaults) {
  Spec spec = parseOk(R"({"model": {"family": "llama", "layers": 2,
      "hidden": 4096, "heads": 32, "kv_heads": 8, "seq_len": 128,
      "vocab_size": 32000}})");
  const ModelSpec &m = spec.model;
  EXPECT_EQ(m.norm, NormKind::RMSNorm);
  EXPECT_EQ(m.activation, ActivationKind::SwiGLU);
  EXPECT_EQ(m.positions, PositionKind::Rope);
  EXPECT_FALSE(m.tiedEmbeddings);
  EXPECT_FALSE(m.bias);
  EXPECT_EQ(m.headDim, 128);
  EXPECT_EQ(m.kvHeads, 8);
  EXPECT_EQ(m.ffnHidden, 11008); // Llama-7B's width
  EXPECT_DOUBLE_EQ(m.ropeTheta, 10000.0);
}

TEST(SpecTest, SwigluWidthRoundsUpTo256) {
  Spec spec = parseOk(patched(R"({"model": {"hidden": 512,
      "heads": 8, "activation": "swiglu"}})"));
  EXPECT_EQ(spec.model.ffnHidden, 1536); // 8*512/3 = 1365 -> 1536
}

TEST(SpecTest, ParallelAndTrainingValues) {
  Spec spec = parseOk(patched(R"({
      "name": "custom",
      "model": {"layers": 4, "ffn_hidden": 100, "vocab_size": 50257,
                "vocab_pad_multiple": 128, "family": "llama",
                "norm": "layernorm", "positions": "none",
                "activation": "gelu", "bias": true},
      "training": {"micro_batch_size": 2, "global_batch_size": 24,
                   "steps": 10, "seed": 18446744073709551615,
                   "lr_schedule": {"type": "linear", "warmup_steps": 2},
                   "precision": "fp32"},
      "parallel": {"tp": 2, "pp": 2, "dp": 3, "schedule": "interleaved_1f1b",
                   "virtual_stages": 2, "zero_stage": 1,
                   "sequence_parallel": true, "recompute": "selective"}})"));
  EXPECT_EQ(spec.name, "custom");
  EXPECT_EQ(spec.model.ffnHidden, 100);
  // vocab_pad_multiple 128 x tp 2.
  EXPECT_EQ(spec.model.paddedVocab, 50432);
  EXPECT_EQ(spec.model.activation, ActivationKind::GeluErf);
  EXPECT_EQ(spec.model.norm, NormKind::LayerNorm);
  EXPECT_EQ(spec.model.positions, PositionKind::None);
  EXPECT_TRUE(spec.model.bias);
  EXPECT_FALSE(spec.model.tiedEmbeddings);
  EXPECT_EQ(spec.training.seed, 18446744073709551615u);
  EXPECT_EQ(spec.training.lrSchedule.decaySteps, 10);
  EXPECT_EQ(spec.training.lrSchedule.kind, LRScheduleKind::Linear);
  EXPECT_EQ(spec.training.precision, Precision::FP32);
  EXPECT_EQ(spec.parallel.virtualStages, 2);
  EXPECT_EQ(spec.parallel.zeroStage, 1);
  EXPECT_TRUE(spec.parallel.sequenceParallel);
  EXPECT_EQ(spec.parallel.recompute, RecomputePolicy::Selective);
}

TEST(SpecTest, GlobalBatchDefaultsToMicroTimesDp) {
  Spec spec = parseOk(patched(
      R"({"training": {"micro_batch_size": 4}, "parallel": {"dp": 8}})"));
  EXPECT_EQ(spec.training.globalBatchSize, 32);
}

TEST(SpecTest, ParallelAuto) {
  Spec spec = parseOk(patched(R"({"parallel": "auto"})"));
  EXPECT_TRUE(spec.parallel.automatic);
}

TEST(SpecTest, NameDefaultsToFileStem) {
  std::string error;
  auto spec =
      parseSpec("{" + std::string(kModel) + "}", "dir/my-model.json", error);
  ASSERT_TRUE(spec) << error;
  EXPECT_EQ(spec->name, "my-model");
}

TEST(SpecTest, ToStringIsTheJsonSpelling) {
  EXPECT_STREQ(toString(ModelFamily::Llama), "llama");
  EXPECT_STREQ(toString(NormKind::RMSNorm), "rmsnorm");
  EXPECT_STREQ(toString(ActivationKind::GeluTanh), "gelu_tanh");
  EXPECT_STREQ(toString(ActivationKind::GeluErf), "gelu");
  EXPECT_STREQ(toString(ActivationKind::SwiGLU), "swiglu");
  EXPECT_STREQ(toString(PositionKind::None), "none");
  EXPECT_STREQ(toString(LRScheduleKind::Constant), "constant");
  EXPECT_STREQ(toString(Precision::BF16), "bf16");
  EXPECT_STREQ(toString(PipelineSchedule::Interleaved1F1B), "interleaved_1f1b");
  EXPECT_STREQ(toString(PipelineSchedule::ZeroBubble), "zero_bubble");
  EXPECT_STREQ(toString(RecomputePolicy::Full), "full");
}

//===----------------------------------------------------------------------===//
// Shipped models
//===----------------------------------------------------------------------===//

Spec parseModelFile(const std::string &name) {
  std::string error;
  auto spec = parseSpecFile(PTC_SOURCE_DIR "/models/" + name, error);
  EXPECT_TRUE(spec.has_value()) << error;
  return spec.value_or(Spec{});
}

TEST(SpecTest, EveryShippedModelParses) {
  for (const char *name : {"tiny.json", "gpt2-124m.json", "gpt2-350m.json",
                           "gpt2-774m.json", "gpt2-1.5b.json", "gpt-1.3b.json",
                           "llama-small.json", "mt-nlg-530b.json"}) {
    SCOPED_TRACE(name);
    Spec spec = parseModelFile(name);
    EXPECT_EQ(spec.name + ".json", name);
  }
}

TEST(SpecTest, Gpt2Small) {
  Spec spec = parseModelFile("gpt2-124m.json");
  EXPECT_EQ(spec.model.paddedVocab, 50304);
  EXPECT_EQ(spec.model.headDim, 64);
  EXPECT_EQ(spec.model.ffnHidden, 3072);
  EXPECT_EQ(spec.training.globalBatchSize / spec.training.microBatchSize, 32);
  // nanoGPT's count for GPT-2 small with the padded vocabulary.
  EXPECT_EQ(parameterCount(spec.model), 124475904);
}

TEST(SpecTest, LlamaSmall) {
  Spec spec = parseModelFile("llama-small.json");
  EXPECT_EQ(spec.model.ffnHidden, 1536);
  EXPECT_EQ(spec.model.kvHeads, 4);
  EXPECT_EQ(spec.model.headDim, 64);
}

TEST(SpecTest, MtNlg530b) {
  Spec spec = parseModelFile("mt-nlg-530b.json");
  const ModelSpec &m = spec.model;
  const ParallelSpec &p = spec.parallel;
  EXPECT_EQ(m.paddedVocab, 51200);
  EXPECT_EQ(m.layers / p.pp, 3);
  EXPECT_EQ(p.tp * p.pp * p.dp, 2240);
  EXPECT_EQ(spec.training.globalBatchSize, 1920);
  EXPECT_EQ(spec.training.rampup.startBatch, 32);
  int64_t params = parameterCount(m);
  EXPECT_GT(params, 525'000'000'000);
  EXPECT_LT(params, 535'000'000'000);
}

//===----------------------------------------------------------------------===//
// Malformed specs
//===----------------------------------------------------------------------===//

struct BadSpec {
  const char *json; // a patch on the small valid spec, or a whole document
  const char *error;
  bool whole = false;
};

std::ostream &operator<<(std::ostream &os, const BadSpec &bad) {
  return os << bad.json;
}

class SpecErrorTest : public ::testing::TestWithParam<BadSpec> {};

TEST_P(SpecErrorTest, ExactMessage) {
  const BadSpec &bad = GetParam();
  std::string text = bad.whole ? bad.json : patched(bad.json);
  EXPECT_EQ(parseError(text), bad.error);
}

// clang-format off
const BadSpec kBadSpecs[] = {
  // Documents.
  {"", "bad.json: the spec is empty; expected a JSON object", true},
  {" \n\t ", "bad.json: the spec is empty; expected a JSON object", true},
  {"[1, 2]", "bad.json: expected a JSON object at the top level, got an array", true},
  {"\"model\"", "bad.json: expected a JSON object at the top level, got string \"model\"", true},
  {"{\n  \"model\": {\n    \"layers\": 2,,\n", "bad.json:3:17: invalid JSON: unexpected ','; expected string literal", true},
  {"{\"model\": {}", "bad.json:1:13: invalid JSON: unexpected end of input; expected '}'", true},
  {"{\"model\": {\"layers\": tru}}", "bad.json:1:25: invalid JSON: invalid literal; last read: '\"layers\": tru}'", true},
  {"{} x", "bad.json:1:4: invalid JSON: invalid literal; last read: '{} x'; expected end of input", true},
  {"{\"model\": {\"layers\": 2, \"layers\": 3}}", "bad.json: model.layers: duplicate key (a key may appear once per object)", true},
  {"{\"name\": \"a\", \"name\": \"b\"}", "bad.json: name: duplicate key (a key may appear once per object)", true},
  {"{\"training\": {\"optimizer\": {\"lr\": 1, \"lr\": 2}}}", "bad.json: training.optimizer.lr: duplicate key (a key may appear once per object)", true},
  {"{\"training\": {}}", "bad.json: missing required key \"model\"", true},
  {"{\"model\": {\"norm\": \"\xff\"}}", "bad.json:1:21: invalid JSON: invalid string: ill-formed UTF-8 byte", true},
  {"{\"name\": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}", "bad.json: name[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]: nested too deeply (at most 32 levels)", true},

  // Unknown keys at every level.
  {R"({"modle": {}})", "bad.json: modle: unknown key (allowed: name, model, training, parallel)"},
  {R"({"model": {"hiddn": 3}})", "bad.json: model.hiddn: unknown key (allowed: family, layers, hidden, heads, kv_heads, ffn_hidden, seq_len, vocab_size, vocab_pad_multiple, norm, norm_eps, activation, positions, rope_theta, tied_embeddings, bias, dropout, attention_dropout, init_std)"},
  {R"({"model": {"hidden": 1048576, "heads": 1, "vocab_pad_multiple": 65536}, "parallel": {"tp": 1048576}})", "bad.json: parallel.tp: padding the vocabulary to a multiple of model.vocab_pad_multiple * parallel.tp = 65536 * 1048576 gives 7.21e+16 parameters, too many (at most 2^50 = 1125899906842624)"},
  {R"({"training": {"keep_bf16_weights": "yes"}})", "bad.json: training.keep_bf16_weights: expected true or false, got string \"yes\""},
  {R"({"training": {"batch": 3}})", "bad.json: training.batch: unknown key (allowed: optimizer, lr_schedule, global_batch_size, micro_batch_size, batch_size_rampup, steps, precision, keep_bf16_weights, seed, grad_clip, data, eval, checkpoint)"},
  {R"({"training": {"optimizer": {"momentum": 0.9}}})", "bad.json: training.optimizer.momentum: unknown key (allowed: type, lr, beta1, beta2, eps, weight_decay, decay_embeddings)"},
  {R"({"training": {"lr_schedule": {"warmup": 3}}})", "bad.json: training.lr_schedule.warmup: unknown key (allowed: type, warmup_steps, decay_steps, min_lr)"},
  {R"({"training": {"data": {"test": "x"}}})", "bad.json: training.data.test: unknown key (allowed: train, val)"},
  {R"({"training": {"eval": {"interval": 3}}})", "bad.json: training.eval.interval: unknown key (allowed: every, steps)"},
  {R"({"training": {"checkpoint": {"path": "x"}}})", "bad.json: training.checkpoint.path: unknown key (allowed: dir, every, keep)"},
  {R"({"training": {"global_batch_size": 8, "batch_size_rampup": {"start": 2, "increment": 2, "samples": 9, "end": 8}}})", "bad.json: training.batch_size_rampup.end: unknown key (allowed: start, increment, samples)"},
  {R"({"parallel": {"cp": 2}})", "bad.json: parallel.cp: unknown key (allowed: tp, pp, dp, schedule, virtual_stages, pipeline_layout, schedule_file, sequence_parallel, zero_stage, grad_bucket_mb, recompute)"},
  {R"({"model": {"my key": 1}})", "bad.json: model[\"my key\"]: unknown key (allowed: family, layers, hidden, heads, kv_heads, ffn_hidden, seq_len, vocab_size, vocab_pad_multiple, norm, norm_eps, activation, positions, rope_theta, tied_embeddings, bias, dropout, attention_dropout, init_std)"},

  // Missing keys and wrong types.
  {R"({"model": {"hidden": null}})", "bad.json: model: missing required key \"hidden\""},
  {R"({"model": {"vocab_size": null}})", "bad.json: model: missing required key \"vocab_size\""},
  {R"({"model": [1]})", "bad.json: model: expected an object, got an array"},
  {R"({"training": 3})", "bad.json: training: expected an object, got 3"},
  {R"({"training": {"optimizer": {"lr": "abc"}}})", "bad.json: training.optimizer.lr: expected a number, got string \"abc\""},
  {R"({"model": {"layers": "12"}})", "bad.json: model.layers: expected a positive integer, got string \"12\""},
  {R"({"model": {"layers": true}})", "bad.json: model.layers: expected a positive integer, got boolean true"},
  {R"({"model": {"bias": "true"}})", "bad.json: model.bias: expected true or false, got string \"true\""},
  {R"({"model": {"tied_embeddings": 1}})", "bad.json: model.tied_embeddings: expected true or false, got 1"},
  {R"({"name": 7})", "bad.json: name: expected a string, got 7"},
  {R"({"name": ""})", "bad.json: name: expected a non-empty string"},
  {R"({"name": "my model"})", "bad.json: name: \"my model\" may only contain letters, digits, '.', '_' and '-'"},
  {R"({"training": {"data": {"train": 3}}})", "bad.json: training.data.train: expected a string, got 3"},
  {R"({"training": {"checkpoint": {"dir": ""}}})", "bad.json: training.checkpoint.dir: expected a non-empty string"},
  {R"({"training": {"checkpoint": {"keep": -1}}})", "bad.json: training.checkpoint.keep: expected a non-negative integer, got -1"},
  {"{\"model\": {\"layers\": null, \"hidden\": 64, \"heads\": 4, \"seq_len\": 64, \"vocab_size\": 256}}", "bad.json: model.layers: expected a positive integer, got null", true},
  {"{\"model\": {\"layers\": 2, \"hidden\": 64, \"heads\": 4, \"seq_len\": 64, \"vocab_size\": 256, \"dropout\": null}}", "bad.json: model.dropout: expected a number, got null", true},

  // Integers.
  {R"({"model": {"layers": 0}})", "bad.json: model.layers: expected a positive integer, got 0"},
  {R"({"model": {"hidden": -64}})", "bad.json: model.hidden: expected a positive integer, got -64"},
  {R"({"model": {"heads": 12.5}})", "bad.json: model.heads: expected a positive integer, got 12.5"},
  {R"({"model": {"heads": 4.0}})", "bad.json: model.heads: expected a positive integer, got 4.0"},
  {R"({"model": {"layers": 1e30}})", "bad.json: model.layers: expected a positive integer, got 1e+30"},
  {R"({"model": {"layers": 100001}})", "bad.json: model.layers: 100001 is too large (at most 100000)"},
  {R"({"model": {"hidden": 2097152}})", "bad.json: model.hidden: 2097152 is too large (at most 1048576)"},
  {R"({"model": {"heads": 65537}})", "bad.json: model.heads: 65537 is too large (at most 65536)"},
  {R"({"model": {"seq_len": 9223372036854775807}})", "bad.json: model.seq_len: 9223372036854775807 is too large (at most 1048576)"},
  {R"({"model": {"vocab_size": 18446744073709551615}})", "bad.json: model.vocab_size: 18446744073709551615 is too large (at most 16777216)"},
  {R"({"model": {"vocab_size": 99999999999999999999999}})", "bad.json: model.vocab_size: expected a positive integer, got 1e+23"},
  {R"({"model": {"ffn_hidden": 0}})", "bad.json: model.ffn_hidden: expected a positive integer, got 0"},
  {R"({"training": {"micro_batch_size": 4294967296}})", "bad.json: training.micro_batch_size: 4294967296 is too large (at most 2147483648)"},
  {R"({"training": {"lr_schedule": {"warmup_steps": -1}}})", "bad.json: training.lr_schedule.warmup_steps: expected a non-negative integer, got -1"},
  {R"({"training": {"seed": -1}})", "bad.json: training.seed: expected a non-negative integer, got -1"},
  {R"({"training": {"seed": 1.5}})", "bad.json: training.seed: expected a non-negative integer, got 1.5"},
  {R"({"parallel": {"tp": 0}})", "bad.json: parallel.tp: expected a positive integer, got 0"},
  {R"({"parallel": {"pp": -2}})", "bad.json: parallel.pp: expected a positive integer, got -2"},
  {R"({"parallel": {"tp": 1024, "pp": 1024, "dp": 1024}})", "bad.json: parallel: tp * pp * dp = 1073741824 ranks, too many (at most 16777216)"},
  {R"({"parallel": {"zero_stage": 2}})", "bad.json: parallel.zero_stage: expected 0 or 1 (ZeRO stages 2 and 3 are not supported yet), got 2"},
  {R"({"parallel": {"zero_stage": "1"}})", "bad.json: parallel.zero_stage: expected 0 or 1 (ZeRO stages 2 and 3 are not supported yet), got string \"1\""},

  // Reals.
  {R"({"model": {"dropout": 1}})", "bad.json: model.dropout: expected a number in [0, 1), got 1"},
  {R"({"model": {"attention_dropout": -0.1}})", "bad.json: model.attention_dropout: expected a number in [0, 1), got -0.1"},
  {R"({"model": {"norm_eps": 0}})", "bad.json: model.norm_eps: expected a number > 0, got 0"},
  {R"({"model": {"init_std": -0.02}})", "bad.json: model.init_std: expected a number > 0, got -0.02"},
  {R"({"model": {"positions": "rope", "rope_theta": 0.0}})", "bad.json: model.rope_theta: expected a number > 0, got 0.0"},
  {"{\"model\": {\"norm_eps\": 1e999}}", "bad.json: invalid JSON: number overflow parsing '1e999'", true},
  {R"({"training": {"optimizer": {"beta1": 1.0}}})", "bad.json: training.optimizer.beta1: expected a number in [0, 1), got 1.0"},
  {R"({"training": {"optimizer": {"beta2": 1.5}}})", "bad.json: training.optimizer.beta2: expected a number in [0, 1), got 1.5"},
  {R"({"training": {"optimizer": {"eps": 0}}})", "bad.json: training.optimizer.eps: expected a number > 0, got 0"},
  {R"({"training": {"optimizer": {"lr": -0.001}}})", "bad.json: training.optimizer.lr: expected a number >= 0, got -0.001"},
  {R"({"training": {"optimizer": {"weight_decay": -1}}})", "bad.json: training.optimizer.weight_decay: expected a number >= 0, got -1"},
  {R"({"training": {"grad_clip": -1.0}})", "bad.json: training.grad_clip: expected a number >= 0, got -1.0"},

  // Enumerations.
  {R"({"model": {"norm": "batchnorm"}})", "bad.json: model.norm: \"batchnorm\" is not one of \"layernorm\", \"rmsnorm\""},
  {R"({"model": {"family": "bert"}})", "bad.json: model.family: \"bert\" is not one of \"gpt\", \"llama\""},
  {R"({"model": {"activation": 3}})", "bad.json: model.activation: expected one of \"gelu_tanh\", \"gelu\", \"swiglu\", got 3"},
  {R"({"model": {"positions": "alibi"}})", "bad.json: model.positions: \"alibi\" is not one of \"learned\", \"rope\", \"none\""},
  {R"({"training": {"optimizer": {"type": "sgd"}}})", "bad.json: training.optimizer.type: \"sgd\" is not one of \"adamw\""},
  {R"({"training": {"lr_schedule": {"type": "step"}}})", "bad.json: training.lr_schedule.type: \"step\" is not one of \"cosine\", \"linear\", \"constant\""},
  {R"({"training": {"precision": "fp16"}})", "bad.json: training.precision: \"fp16\" is not one of \"bf16\", \"fp32\", \"fp64\""},
  {R"({"parallel": {"schedule": "pipedream"}})", "bad.json: parallel.schedule: \"pipedream\" is not one of \"gpipe\", \"1f1b\", \"interleaved_1f1b\", \"zero_bubble\""},
  {R"({"parallel": {"recompute": true}})", "bad.json: parallel.recompute: expected one of \"none\", \"selective\", \"full\", got boolean true"},
  {R"({"parallel": "manual"})", "bad.json: parallel: expected an object or \"auto\", got string \"manual\""},
  {R"({"parallel": 8})", "bad.json: parallel: expected an object or \"auto\", got 8"},

  // Model consistency.
  {R"({"model": {"hidden": 770, "heads": 12}})", "bad.json: model.heads: 12 does not divide model.hidden = 770"},
  {R"({"model": {"heads": 4, "kv_heads": 3}})", "bad.json: model.kv_heads: 3 does not divide model.heads = 4"},
  {R"({"model": {"hidden": 60, "heads": 4, "positions": "rope"}})", "bad.json: model.heads: the head dimension model.hidden / model.heads = 60 / 4 = 15 is odd, but \"rope\" positions need it even"},
  {R"({"model": {"layers": 100000, "hidden": 1048576, "heads": 16}})", "bad.json: model: the model has 1.32e+18 parameters, too many (at most 2^50 = 1125899906842624)"},

  // Training consistency.
  {R"({"training": {"global_batch_size": 10, "micro_batch_size": 4}})", "bad.json: training.global_batch_size: 10 is not divisible by micro_batch_size * parallel.dp = 4 * 1 = 4"},
  {R"({"training": {"global_batch_size": 16, "micro_batch_size": 4}, "parallel": {"dp": 8}})", "bad.json: training.global_batch_size: 16 is not divisible by micro_batch_size * parallel.dp = 4 * 8 = 32"},
  {R"({"training": {"steps": 100, "lr_schedule": {"warmup_steps": 200}}})", "bad.json: training.lr_schedule.warmup_steps: 200 exceeds training.steps = 100"},
  {R"({"training": {"lr_schedule": {"warmup_steps": 200, "decay_steps": 100}}})", "bad.json: training.lr_schedule.warmup_steps: 200 exceeds decay_steps = 100"},
  {R"({"training": {"optimizer": {"lr": 0.001}, "lr_schedule": {"min_lr": 0.01}}})", "bad.json: training.lr_schedule.min_lr: 0.01 exceeds training.optimizer.lr = 0.001"},
  {R"({"training": {"global_batch_size": 64, "batch_size_rampup": {"start": 8, "increment": 8}}})", "bad.json: training.batch_size_rampup: missing required key \"samples\""},
  {R"({"training": {"global_batch_size": 64, "batch_size_rampup": {"start": 64, "increment": 8, "samples": 100}}})", "bad.json: training.batch_size_rampup.start: 64 is not below global_batch_size = 64"},
  {R"({"training": {"global_batch_size": 64, "micro_batch_size": 4, "batch_size_rampup": {"start": 6, "increment": 8, "samples": 100}}})", "bad.json: training.batch_size_rampup.start: 6 is not divisible by micro_batch_size * parallel.dp = 4"},
  {R"({"training": {"global_batch_size": 64, "batch_size_rampup": {"start": 4, "increment": 7, "samples": 100}}})", "bad.json: training.batch_size_rampup.increment: 7 does not divide global_batch_size - start = 64 - 4 = 60"},

  // Parallel plan.
  {R"({"model": {"hidden": 96, "heads": 6}, "parallel": {"tp": 4}})", "bad.json: parallel.tp: 4 does not divide model.heads = 6"},
  {R"({"model": {"heads": 4, "kv_heads": 2}, "parallel": {"tp": 4}})", "bad.json: parallel.tp: 4 does not divide model.kv_heads = 2"},
  {R"({"model": {"ffn_hidden": 90}, "parallel": {"tp": 4}})", "bad.json: parallel.tp: 4 does not divide model.ffn_hidden = 90"},
  {R"({"model": {"seq_len": 62}, "parallel": {"tp": 4, "sequence_parallel": true}})", "bad.json: parallel.sequence_parallel: needs parallel.tp = 4 to divide model.seq_len = 62"},
  {R"({"model": {"layers": 10}, "parallel": {"pp": 4}})", "bad.json: parallel.pp: 4 does not divide model.layers = 10"},
  {R"({"model": {"layers": 12}, "training": {"global_batch_size": 8}, "parallel": {"pp": 4, "schedule": "interleaved_1f1b", "virtual_stages": 2}})", "bad.json: parallel.pp: pp * virtual_stages = 4 * 2 = 8 does not divide model.layers = 12"},
  {R"({"parallel": {"virtual_stages": 2}})", "bad.json: parallel.virtual_stages: 2 virtual stages need parallel.schedule \"interleaved_1f1b\", not \"1f1b\""},
  {R"({"parallel": {"pp": 2, "schedule": "interleaved_1f1b"}})", "bad.json: parallel.virtual_stages: schedule \"interleaved_1f1b\" needs at least 2 virtual stages per rank, got 1"},
  {R"({"parallel": {"schedule": "interleaved_1f1b", "virtual_stages": 2}})", "bad.json: parallel.schedule: \"interleaved_1f1b\" needs parallel.pp >= 2, got 1"},
  {R"({"model": {"layers": 8}, "training": {"global_batch_size": 6}, "parallel": {"pp": 2, "schedule": "interleaved_1f1b", "virtual_stages": 2, "dp": 2}})", "bad.json: parallel.schedule: \"interleaved_1f1b\" needs the micro-batches per step (global_batch_size / (micro_batch_size * dp) = 3) to be a multiple of parallel.pp = 2"},
  {R"({"model": {"vocab_size": 16777216, "seq_len": 1048576}, "training": {"micro_batch_size": 1024}})", "bad.json: training.micro_batch_size: 1024 makes the logits (micro_batch_size * seq_len * padded vocabulary) 1.8e+16 elements, too many (at most 2^50)"},
};
// clang-format on

INSTANTIATE_TEST_SUITE_P(Malformed, SpecErrorTest,
                         ::testing::ValuesIn(kBadSpecs));

TEST(SpecTest, MissingFile) {
  std::string error;
  EXPECT_FALSE(parseSpecFile("/nonexistent/nofile.json", error));
  EXPECT_EQ(error, "/nonexistent/nofile.json: cannot read spec file: No such "
                   "file or directory");
  EXPECT_FALSE(parseSpecFile(PTC_SOURCE_DIR "/models", error));
  EXPECT_EQ(error, PTC_SOURCE_DIR "/models: cannot read spec file: Is a "
                                  "directory");
}

} // namespace

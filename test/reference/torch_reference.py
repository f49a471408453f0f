#!/usr/bin/env python3
"""PyTorch reference of a ptc training run, step for step.

Given the spec a ptc binary was compiled from, the initial weights it saved
(--save-initial-weights) and its training data, this trains the same model
in PyTorch on the same batches in the same order with the same optimizer
step, and writes the same JSON-lines records ({"step", "loss", "lr",
"grad_norm"}), for compare_logs.py.

  python3 torch_reference.py --spec models/tiny.json --weights init.safetensors \\
      --data 'data/train_*.bin' --steps 20 --seed 1234 --precision fp32 \\
      --device cuda --log torch.jsonl

What is reproduced (read from the ptc sources):
  * the architecture of frontend/GraphBuilder.cpp: pre-norm blocks
    (LayerNorm or RMSNorm, eps = norm_eps), GPT-2's fused c_attn [q; k; v]
    or Llama's q/k/v projections, grouped-query attention (query head h uses
    KV head h / (heads / kv_heads)), rotate-half RoPE (runtime/cpu/rope.cpp),
    causal softmax attention scaled by 1/sqrt(head_dim), tanh or erf GELU or
    SwiGLU (silu(gate) * up), learned positions, tied or untied head,
    cross-entropy averaged over all tokens of the first vocab_size of the
    padded_vocab logits; dropout must be 0 (ptc's dropout masks come from its
    own generator and are not reproduced);
  * parameter names and [out, in] layouts of docs/weights.md, checked
    one-to-one (names, shapes) against the weights file;
  * the batch order of runtime/data/token_loader.cpp (token_loader.py, whose
    equality with the C++ loader test/reference/batch-order.test proves):
    step s, micro-batch m reads windows ((s-1)*accum + m)*B .. +B-1 of the
    stream shuffled with --seed;
  * the step of passes/Graph/Optimizer.cpp: each micro-batch's gradient is
    added scaled by 1/accum into an accumulator (axpy), the logged loss is the
    mean of the micro-batch losses; the global norm is the square root of the
    float64 sum of squares of the accumulated gradients, rounded to float32;
    the clip factor min(1, max_norm / (norm + 1e-6)) (1 when max_norm is 0)
    and the learning rate (runtime/cpu/schedule.cpp) are float32 scalars;
    AdamW (runtime/cpu/adamw.cpp) runs in float64 per element and stores
    float32: p -= lr*wd*p; m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g*g;
    p -= lr*(m/c1)/(sqrt(v/c2)+eps), g = grad*clip, c_i = 1 - b_i^step;
    weight decay only on linear weights, the untied head and, when
    decay_embeddings, the embedding tables.
    (torch.optim.AdamW is not used: it applies the decay as p *= 1 - lr*wd in
    the parameter's dtype and folds the bias corrections differently, which
    rounds differently.)

Precision: fp32 (TF32 off for matmuls and cuDNN), bf16 (autocast to
bfloat16 on CUDA with float32 master weights, as ../shared/bench/torch_gpt.py
does; attention through scaled_dot_product_attention) or fp64 (everything in
float64: against a ptc binary compiled with precision fp64 the losses agree
to ~1e-15). Default: the spec's training.precision.

--dry-run needs no torch: it reads the spec and the weights file's header,
checks the parameter table, and prints the plan of the first batches and the
learning rates (used by the lit test reference-dry-run.test).
"""

import argparse
import json
import math
import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from token_loader import LoaderError, TokenLoader  # noqa: E402


class ReferenceError(Exception):
    pass


# --------------------------------------------------------------------------
# The spec: the fields the training step depends on, with the defaults of
# frontend/Spec.cpp (docs/spec.md).
# --------------------------------------------------------------------------

def round_up(x, m):
    return (x + m - 1) // m * m


def load_spec(path):
    with open(path) as f:
        doc = json.load(f)
    model = doc.get("model")
    if not isinstance(model, dict):
        raise ReferenceError("%s: no \"model\" object" % path)
    training = doc.get("training", {})
    parallel = doc.get("parallel", {})
    family = model.get("family", "gpt")
    llama = family == "llama"
    c = {}
    c["name"] = doc.get("name", os.path.splitext(os.path.basename(path))[0])
    c["family"] = family
    for key in ("layers", "hidden", "heads", "seq_len", "vocab_size"):
        if key not in model:
            raise ReferenceError("%s: model: missing required key \"%s\"" % (path, key))
        c[key] = int(model[key])
    c["kv_heads"] = int(model.get("kv_heads", c["heads"]))
    c["vocab_pad_multiple"] = int(model.get("vocab_pad_multiple", 1))
    c["norm"] = model.get("norm", "rmsnorm" if llama else "layernorm")
    c["norm_eps"] = float(model.get("norm_eps", 1e-5))
    c["activation"] = model.get("activation", "swiglu" if llama else "gelu_tanh")
    c["positions"] = model.get("positions", "rope" if llama else "learned")
    c["rope_theta"] = float(model.get("rope_theta", 10000.0))
    c["tied_embeddings"] = bool(model.get("tied_embeddings", not llama))
    c["bias"] = bool(model.get("bias", not llama))
    c["dropout"] = float(model.get("dropout", 0.0))
    c["attention_dropout"] = float(model.get("attention_dropout", 0.0))
    if c["activation"] == "swiglu":
        default_ffn = round_up(8 * c["hidden"] // 3, 256)
    else:
        default_ffn = 4 * c["hidden"]
    c["ffn_hidden"] = int(model.get("ffn_hidden", default_ffn))
    c["head_dim"] = c["hidden"] // c["heads"]
    if parallel == "auto":
        raise ReferenceError("%s: parallel \"auto\" is not supported by the "
                             "reference (give tp = pp = dp = 1)" % path)
    dp = int(parallel.get("dp", 1))
    tp, pp = int(parallel.get("tp", 1)), int(parallel.get("pp", 1))
    c["dp"], c["tp"], c["pp"] = dp, tp, pp
    # frontend/Spec.cpp: padded to a multiple of vocab_pad_multiple x tp.
    c["padded_vocab"] = round_up(c["vocab_size"], c["vocab_pad_multiple"] * tp)
    c["micro_batch_size"] = int(training.get("micro_batch_size", 1))
    c["global_batch_size"] = int(training.get("global_batch_size",
                                              c["micro_batch_size"] * dp))
    c["steps"] = int(training.get("steps", 1000))
    c["precision"] = training.get("precision", "bf16")
    c["seed"] = int(training.get("seed", 1234))
    c["grad_clip"] = float(training.get("grad_clip", 1.0))
    c["batch_size_rampup"] = training.get("batch_size_rampup")
    opt = training.get("optimizer", {})
    if opt.get("type", "adamw") != "adamw":
        raise ReferenceError("%s: optimizer %r is not supported" % (path, opt.get("type")))
    c["lr"] = float(opt.get("lr", 6e-4))
    c["beta1"] = float(opt.get("beta1", 0.9))
    c["beta2"] = float(opt.get("beta2", 0.95))
    c["eps"] = float(opt.get("eps", 1e-8))
    c["weight_decay"] = float(opt.get("weight_decay", 0.1))
    c["decay_embeddings"] = bool(opt.get("decay_embeddings", True))
    sched = training.get("lr_schedule", {})
    c["schedule"] = sched.get("type", "cosine")
    c["warmup_steps"] = int(sched.get("warmup_steps", 0))
    # decay_steps defaults to the SPEC's steps, compiled in: --steps does not
    # change it.
    c["decay_steps"] = int(sched.get("decay_steps", c["steps"]))
    c["min_lr"] = float(sched.get("min_lr", 0.0))

    per = c["micro_batch_size"] * dp
    if c["global_batch_size"] % per:
        raise ReferenceError("%s: global_batch_size %d is not a multiple of "
                             "micro_batch_size x dp = %d"
                             % (path, c["global_batch_size"], per))
    c["accum"] = c["global_batch_size"] // per
    if c["hidden"] % c["heads"] or c["heads"] % c["kv_heads"]:
        raise ReferenceError("%s: heads must divide hidden and kv_heads heads" % path)
    return c


def check_supported(c):
    """What the reference cannot reproduce: an error, not a silent mismatch."""
    problems = []
    if c["dropout"] or c["attention_dropout"]:
        problems.append("dropout %g / attention_dropout %g: ptc's dropout masks "
                        "are not reproduced; use a spec with dropout 0"
                        % (c["dropout"], c["attention_dropout"]))
    if c["batch_size_rampup"]:
        problems.append("batch_size_rampup is not reproduced")
    if c["dp"] * c["tp"] * c["pp"] != 1:
        problems.append("parallel tp=%d pp=%d dp=%d: the reference is one "
                        "process (ptc's single-process loop reads rank 0 of "
                        "world 1); use tp = pp = dp = 1"
                        % (c["tp"], c["pp"], c["dp"]))
    if c["norm"] not in ("layernorm", "rmsnorm"):
        problems.append("norm %r" % c["norm"])
    if c["activation"] not in ("gelu_tanh", "gelu", "swiglu"):
        problems.append("activation %r" % c["activation"])
    if c["positions"] not in ("learned", "rope", "none"):
        problems.append("positions %r" % c["positions"])
    if problems:
        raise ReferenceError("the reference cannot reproduce this spec: " +
                             "; ".join(problems))


def param_table(c):
    """[(name, shape, role)] in GraphBuilder's declaration order (the order of
    the weights file). Roles as ParamRole: weight, bias, norm_scale,
    norm_bias, token_embedding, position_embedding, output_weight."""
    llama = c["family"] == "llama"
    h, kvw = c["hidden"], c["kv_heads"] * c["head_dim"]
    out = []

    def linear(name, o, i):
        out.append((name + ".weight", [o, i], "weight"))
        if c["bias"]:
            out.append((name + ".bias", [o], "bias"))

    def norm(name):
        out.append((name + ".weight", [h], "norm_scale"))
        if c["norm"] == "layernorm" and c["bias"]:
            out.append((name + ".bias", [h], "norm_bias"))

    out.append(("embed_tokens.weight" if llama else "wte.weight",
                [c["padded_vocab"], h], "token_embedding"))
    if c["positions"] == "learned":
        out.append(("wpe.weight", [c["seq_len"], h], "position_embedding"))
    for i in range(c["layers"]):
        p = ("layers.%d." if llama else "h.%d.") % i
        norm(p + ("input_layernorm" if llama else "ln_1"))
        if llama:
            linear(p + "self_attn.q_proj", h, h)
            linear(p + "self_attn.k_proj", kvw, h)
            linear(p + "self_attn.v_proj", kvw, h)
        else:
            linear(p + "attn.c_attn", h + 2 * kvw, h)
        linear(p + ("self_attn.o_proj" if llama else "attn.c_proj"), h, h)
        norm(p + ("post_attention_layernorm" if llama else "ln_2"))
        up = p + ("mlp.up_proj" if llama else "mlp.c_fc")
        if c["activation"] == "swiglu":
            linear(p + "mlp.gate_proj", c["ffn_hidden"], h)
        linear(up, c["ffn_hidden"], h)
        linear(p + ("mlp.down_proj" if llama else "mlp.c_proj"), h, c["ffn_hidden"])
    norm("norm" if llama else "ln_f")
    if not c["tied_embeddings"]:
        out.append(("lm_head.weight", [c["padded_vocab"], h], "output_weight"))
    return out


def decay_of(role, c):
    """passes/Graph/Optimizer.cpp: decays()."""
    if role in ("weight", "output_weight"):
        return c["weight_decay"]
    if role in ("token_embedding", "position_embedding"):
        return c["weight_decay"] if c["decay_embeddings"] else 0.0
    return 0.0


# --------------------------------------------------------------------------
# Scalars of the optimizer step, as ptc computes them.
# --------------------------------------------------------------------------

def f32(x):
    """Rounds a Python float to float32 (ptc stores lr, norm and clip factor
    as f32 scalars)."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


def learning_rate(step, c):
    """runtime/cpu/schedule.cpp: learning_rate (step is 1-based)."""
    lr, min_lr = c["lr"], c["min_lr"]
    warmup, decay = c["warmup_steps"], c["decay_steps"]
    if warmup > 0 and step <= warmup:
        return lr * float(step) / float(warmup)
    if c["schedule"] == "constant":
        return lr
    span = float(decay - warmup)
    progress = min(max(float(step - warmup) / span, 0.0), 1.0) if span > 0 else 1.0
    if c["schedule"] == "linear":
        return lr - (lr - min_lr) * progress
    return min_lr + (lr - min_lr) * 0.5 * (1.0 + math.cos(math.pi * progress))


def clip_factor(norm, max_norm):
    """runtime/cpu/global_norm.cpp: clip_factor."""
    if math.isnan(norm):
        return norm
    if max_norm <= 0:
        return 1.0
    return min(1.0, max_norm / (norm + 1e-6))


# --------------------------------------------------------------------------
# safetensors: the package when importable, else this reader.
# --------------------------------------------------------------------------

ST_DTYPES = {"F64": 8, "F32": 4, "BF16": 2, "F16": 2, "I64": 8, "I32": 4}


def read_safetensors_header(path):
    """(header dict without __metadata__, metadata dict, data offset)."""
    with open(path, "rb") as f:
        raw = f.read(8)
        if len(raw) != 8:
            raise ReferenceError("%s: not a safetensors file (too short)" % path)
        (n,) = struct.unpack("<Q", raw)
        size = os.path.getsize(path)
        if n > min(size - 8, 100 << 20):
            raise ReferenceError("%s: header length %d is too large" % (path, n))
        header = json.loads(f.read(n).decode("utf-8"))
    if not isinstance(header, dict):
        raise ReferenceError("%s: the header is not a JSON object" % path)
    meta = header.pop("__metadata__", {}) or {}
    for name, e in header.items():
        if e.get("dtype") not in ST_DTYPES:
            raise ReferenceError("%s: %s: unknown dtype %r" % (path, name, e.get("dtype")))
        b, end = e["data_offsets"]
        count = 1
        for d in e["shape"]:
            count *= d
        if end - b != count * ST_DTYPES[e["dtype"]]:
            raise ReferenceError("%s: %s: %d bytes for shape %s %s"
                                 % (path, name, end - b, e["shape"], e["dtype"]))
        if 8 + n + end > size:
            raise ReferenceError("%s: %s: data past the end of the file" % (path, name))
    return header, meta, 8 + n


def load_safetensors_torch(path, use_package=True):
    """{name: CPU tensor}. Uses the safetensors package when importable (and
    use_package), else the built-in reader."""
    import torch
    if use_package:
        try:
            from safetensors.torch import load_file
            return load_file(path, device="cpu"), "safetensors package"
        except ImportError:
            pass
    dtypes = {"F64": torch.float64, "F32": torch.float32, "BF16": torch.bfloat16,
              "F16": torch.float16, "I64": torch.int64, "I32": torch.int32}
    header, _, base = read_safetensors_header(path)
    out = {}
    with open(path, "rb") as f:
        for name, e in header.items():
            b, end = e["data_offsets"]
            f.seek(base + b)
            data = bytearray(f.read(end - b))
            t = torch.frombuffer(data, dtype=dtypes[e["dtype"]]) if data else \
                torch.empty(0, dtype=dtypes[e["dtype"]])
            if sys.byteorder != "little":
                raise ReferenceError("big-endian hosts are not supported")
            out[name] = t.reshape(e["shape"]).clone()
    return out, "built-in reader"


VOCAB_ROLES = ("token_embedding", "output_weight")


def checkpoint_shape(shape, role, c):
    """Checkpoints hold only the vocabulary's rows of the padded vocabulary
    tables (runtime/train/model_abi.h: ParamLayout::checkpointRows)."""
    return [c["vocab_size"]] + shape[1:] if role in VOCAB_ROLES else shape


def check_weights_header(path, table, c):
    """Names and shapes of the file against the parameter table."""
    header, meta, _ = read_safetensors_header(path)
    want = {name: checkpoint_shape(shape, role, c)
            for name, shape, role in table}
    missing = [n for n in want if n not in header]
    extra = [n for n in header if n not in want]
    wrong = ["%s: file %s, model %s" % (n, header[n]["shape"], want[n])
             for n in want if n in header and list(header[n]["shape"]) != want[n]]
    if missing or extra or wrong:
        raise ReferenceError(
            "%s does not match the spec's parameters: missing %s; extra %s; "
            "shapes %s" % (path, missing[:5], extra[:5], wrong[:5]))
    dtypes = sorted({header[n]["dtype"] for n in want})
    return meta, dtypes


# --------------------------------------------------------------------------
# The model (torch).
# --------------------------------------------------------------------------

def build_model_class():
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    class Linear(nn.Module):
        """y = x W^T + b, W [out, in] (torch.nn.Linear's layout)."""

        def __init__(self, out_f, in_f, bias):
            super().__init__()
            self.weight = nn.Parameter(torch.empty(out_f, in_f))
            self.bias = nn.Parameter(torch.empty(out_f)) if bias else None

        def forward(self, x):
            return F.linear(x, self.weight, self.bias)

    class Norm(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.rms = c["norm"] == "rmsnorm"
            self.eps = c["norm_eps"]
            self.weight = nn.Parameter(torch.empty(c["hidden"]))
            self.bias = (nn.Parameter(torch.empty(c["hidden"]))
                         if not self.rms and c["bias"] else None)

        def forward(self, x):
            if self.rms:
                # runtime/cpu/rmsnorm.cpp: x / sqrt(mean(x^2) + eps) * w,
                # computed in at least float32.
                xf = x.float() if x.dtype in (torch.bfloat16, torch.float16) else x
                s = torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.eps)
                return (xf * s).to(x.dtype) * self.weight
            return F.layer_norm(x, (x.shape[-1],), self.weight, self.bias, self.eps)

    class Attention(nn.Module):
        def __init__(self, c, attention_impl):
            super().__init__()
            self.c, self.impl = c, attention_impl
            h, kvw = c["hidden"], c["kv_heads"] * c["head_dim"]
            self.llama = c["family"] == "llama"
            if self.llama:
                self.q_proj = Linear(h, h, c["bias"])
                self.k_proj = Linear(kvw, h, c["bias"])
                self.v_proj = Linear(kvw, h, c["bias"])
                self.o_proj = Linear(h, h, c["bias"])
            else:
                self.c_attn = Linear(h + 2 * kvw, h, c["bias"])
                self.c_proj = Linear(h, h, c["bias"])

        def forward(self, x, rope):
            c = self.c
            B, T, h = x.shape
            H, Hkv, Dh = c["heads"], c["kv_heads"], c["head_dim"]
            if self.llama:
                q, k, v = self.q_proj(x), self.k_proj(x), self.v_proj(x)
            else:
                q, k, v = self.c_attn(x).split([h, Hkv * Dh, Hkv * Dh], dim=2)
            q = q.reshape(B, T, H, Dh).transpose(1, 2)
            k = k.reshape(B, T, Hkv, Dh).transpose(1, 2)
            v = v.reshape(B, T, Hkv, Dh).transpose(1, 2)
            if rope is not None:
                q, k = apply_rope(q, rope), apply_rope(k, rope)
            if Hkv != H:  # query head i uses KV head i // (H / Hkv)
                k = k.repeat_interleave(H // Hkv, dim=1)
                v = v.repeat_interleave(H // Hkv, dim=1)
            if self.impl == "sdpa":
                y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            else:  # the math of runtime/cpu/attention.cpp
                s = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(Dh))
                mask = torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1)
                s = s.masked_fill(mask, float("-inf"))
                p = torch.softmax(s.float() if s.dtype == torch.bfloat16 else s, dim=-1)
                y = p.to(v.dtype) @ v
            y = y.transpose(1, 2).reshape(B, T, h)
            return self.o_proj(y) if self.llama else self.c_proj(y)

    def apply_rope(x, rope):
        """rotate-half: (x1, x2) -> (x1 c - x2 s, x2 c + x1 s), x1 = x[:half]."""
        cos, sin = rope
        half = x.shape[-1] // 2
        x1, x2 = x[..., :half], x[..., half:]
        cos, sin = cos.to(x.dtype), sin.to(x.dtype)
        return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)

    class MLP(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.c = c
            h, f, b = c["hidden"], c["ffn_hidden"], c["bias"]
            self.llama = c["family"] == "llama"
            self.swiglu = c["activation"] == "swiglu"
            if self.swiglu:
                self.gate_proj = Linear(f, h, b)
            if self.llama:
                self.up_proj = Linear(f, h, b)
                self.down_proj = Linear(h, f, b)
            else:
                self.c_fc = Linear(f, h, b)
                self.c_proj = Linear(h, f, b)

        def forward(self, x):
            up = self.up_proj(x) if self.llama else self.c_fc(x)
            if self.swiglu:
                a = F.silu(self.gate_proj(x)) * up
            else:
                a = F.gelu(up, approximate="tanh"
                           if self.c["activation"] == "gelu_tanh" else "none")
            return self.down_proj(a) if self.llama else self.c_proj(a)

    class Block(nn.Module):
        def __init__(self, c, attention_impl):
            super().__init__()
            llama = c["family"] == "llama"
            self.n1 = "input_layernorm" if llama else "ln_1"
            self.n2 = "post_attention_layernorm" if llama else "ln_2"
            self.na = "self_attn" if llama else "attn"
            self.add_module(self.n1, Norm(c))
            self.add_module(self.na, Attention(c, attention_impl))
            self.add_module(self.n2, Norm(c))
            self.mlp = MLP(c)

        def forward(self, x, rope):
            x = x + getattr(self, self.na)(getattr(self, self.n1)(x), rope)
            return x + self.mlp(getattr(self, self.n2)(x))

    class Model(nn.Module):
        def __init__(self, c, attention_impl="math"):
            super().__init__()
            self.c = c
            llama = c["family"] == "llama"
            h, Vp = c["hidden"], c["padded_vocab"]
            self.tok_name = "embed_tokens" if llama else "wte"
            self.add_module(self.tok_name, nn.Embedding(Vp, h))
            if c["positions"] == "learned":
                self.wpe = nn.Embedding(c["seq_len"], h)
            blocks = nn.ModuleList(Block(c, attention_impl) for _ in range(c["layers"]))
            self.add_module("layers" if llama else "h", blocks)
            self.blocks = [blocks]  # a plain list: not registered twice
            self.final_name = "norm" if llama else "ln_f"
            self.add_module(self.final_name, Norm(c))
            if not c["tied_embeddings"]:
                self.lm_head = Linear(Vp, h, False)
            self.rope = None

        def rope_tables(self, device, dtype):
            """cos/sin [T, Dh/2] of angle t * theta^(-2i/Dh), in float64 first
            (runtime/cpu/rope.cpp)."""
            c = self.c
            Dh, T = c["head_dim"], c["seq_len"]
            i = torch.arange(Dh // 2, dtype=torch.float64)
            inv = torch.pow(torch.tensor(c["rope_theta"], dtype=torch.float64), -2.0 * i / Dh)
            ang = torch.arange(T, dtype=torch.float64)[:, None] * inv[None, :]
            return ang.cos().to(device=device, dtype=dtype), ang.sin().to(device=device, dtype=dtype)

        def forward(self, idx, targets):
            c = self.c
            wte = getattr(self, self.tok_name).weight
            x = F.embedding(idx, wte)
            if c["positions"] == "learned":
                x = x + self.wpe.weight[: idx.shape[1]]
            rope = None
            if c["positions"] == "rope":
                if self.rope is None or self.rope[0].device != x.device:
                    self.rope = self.rope_tables(x.device, wte.dtype)
                rope = self.rope
            for blk in self.blocks[0]:
                x = blk(x, rope)
            y = getattr(self, self.final_name)(x)
            w = wte if c["tied_embeddings"] else self.lm_head.weight
            logits = F.linear(y, w)[..., : c["vocab_size"]]
            if logits.dtype in (torch.bfloat16, torch.float16):
                logits = logits.float()
            return F.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                   targets.reshape(-1))

    return Model


# --------------------------------------------------------------------------
# Training.
# --------------------------------------------------------------------------

def batches_for_step(loader, c, step):
    """The accum micro-batches of a 1-based step (loader.position must be
    (step-1)*accum*B: the loop reads the stream in order)."""
    want = (step - 1) * c["accum"] * c["micro_batch_size"]
    if loader.position != want:
        raise ReferenceError("loader at position %d, step %d needs %d"
                             % (loader.position, step, want))
    return [loader.next(c["micro_batch_size"]) for _ in range(c["accum"])]


def open_loader(args, c):
    return TokenLoader(args.data, c["seq_len"], c["vocab_size"], seed=args.seed,
                       shuffle=True, rank=0, world=1)


def dry_run(args, c, table, out):
    meta, dtypes = check_weights_header(args.weights, table, c)
    n = sum(math.prod(s) for _, s, _ in table)
    out.write("spec %s: %s, %d layers, hidden %d, heads %d/%d, ffn %d, vocab %d "
              "(padded %d), seq %d\n" % (c["name"], c["family"], c["layers"], c["hidden"],
                                         c["heads"], c["kv_heads"], c["ffn_hidden"],
                                         c["vocab_size"], c["padded_vocab"], c["seq_len"]))
    out.write("weights %s: %d tensors, %d parameters, dtype %s, ptc_model %s, "
              "ptc_step %s: names and shapes match\n"
              % (os.path.basename(args.weights), len(table), n, ",".join(dtypes),
                 meta.get("ptc_model", "?"), meta.get("ptc_step", "?")))
    decayed = [name for name, _, role in table if decay_of(role, c) > 0]
    out.write("decay %g on %d of %d tensors\n" % (c["weight_decay"], len(decayed), len(table)))
    out.write("step: %d micro-batches of %d x %d tokens; precision %s\n"
              % (c["accum"], c["micro_batch_size"], c["seq_len"], args.precision))
    loader = open_loader(args, c)
    out.write("data: %d windows; seed %d\n" % (loader.num_windows, args.seed))
    for step in range(1, min(args.steps, args.dry_run_steps) + 1):
        micro = batches_for_step(loader, c, step)
        out.write("step %d lr %.9g windows %s\n"
                  % (step, f32(learning_rate(step, c)),
                     " | ".join(" ".join(map(str, w)) for _, _, w in micro)))
    return 0


def train(args, c, table, out):
    import torch

    device = torch.device(args.device)
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        raise ReferenceError("--device %s but torch sees no CUDA device" % args.device)
    # fp32 means fp32: no TF32 anywhere.
    if args.precision in ("fp32", "fp64"):
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        torch.set_float32_matmul_precision("highest")
    else:
        torch.backends.cuda.matmul.allow_tf32 = True  # as torch_gpt.py
        torch.backends.cudnn.allow_tf32 = True
    if args.deterministic:
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True, warn_only=True)
    autocast = args.precision == "bf16"
    if autocast and device.type != "cuda":
        out.write("note: bf16 autocast on %s\n" % device.type)
    pdtype = torch.float64 if args.precision == "fp64" else torch.float32
    attention = args.attention or ("sdpa" if autocast else "math")

    Model = build_model_class()
    model = Model(c, attention)
    # Self-check: the module's parameters are the spec's table.
    got = [(n, list(p.shape)) for n, p in model.named_parameters()]
    want = [(n, s) for n, s, _ in table]
    if sorted(got) != sorted(want):
        diff = sorted(set(map(str, got)) ^ set(map(str, want)))
        raise ReferenceError("internal: the torch module's parameters differ "
                             "from the spec's table: %s" % diff[:6])
    check_weights_header(args.weights, table, c)
    tensors, how = load_safetensors_torch(args.weights, not args.builtin_safetensors)
    params = dict(model.named_parameters())
    with torch.no_grad():
        for name, p in params.items():
            t = tensors[name].to(dtype=pdtype)
            if t.shape[0] < p.shape[0]:  # the vocabulary's padding rows: zero
                t = torch.cat([t, t.new_zeros((p.shape[0] - t.shape[0],) +
                                              tuple(t.shape[1:]))])
            p.data = t.clone()
    model.to(device)
    params = dict(model.named_parameters())
    roles = {n: r for n, _, r in table}
    step_fn = torch.compile(model) if args.compile else model
    out.write("reference: %s on %s (%s), precision %s, attention %s, weights via %s%s\n"
              % (c["name"], device, torch.cuda.get_device_name(device)
                 if device.type == "cuda" else "cpu", args.precision, attention, how,
                 ", torch.compile" if args.compile else ""))

    m_state = {n: torch.zeros_like(p) for n, p in params.items()}
    v_state = {n: torch.zeros_like(p) for n, p in params.items()}
    acc = {n: torch.zeros_like(p) for n, p in params.items()}
    loader = open_loader(args, c)
    log = open(args.log, "w") if args.log else None

    def write(record):
        if log:
            log.write(json.dumps(record) + "\n")
            log.flush()

    write({"event": "start", "model": c["name"], "target": "torch",
           "device": str(device), "precision": args.precision, "steps": args.steps,
           "seed": args.seed, "params": sum(p.numel() for p in params.values()),
           "micro_batch": c["micro_batch_size"], "seq_len": c["seq_len"],
           "grad_accum_steps": c["accum"], "attention": attention,
           "torch": torch.__version__})
    b1, b2, eps, clip = c["beta1"], c["beta2"], c["eps"], c["grad_clip"]
    scale = 1.0 / float(c["accum"])
    start = time.perf_counter()
    loss = float("nan")
    for step in range(1, args.steps + 1):
        t0 = time.perf_counter()
        loss_sum = 0.0
        for x, y, _ in batches_for_step(loader, c, step):
            xt = torch.tensor(x, dtype=torch.long, device=device)
            yt = torch.tensor(y, dtype=torch.long, device=device)
            with torch.autocast(device_type=device.type, dtype=torch.bfloat16,
                                enabled=autocast):
                micro_loss = step_fn(xt, yt)
            micro_loss.backward()
            with torch.no_grad():
                for n, p in params.items():
                    acc[n].add_(p.grad, alpha=scale)  # ptc's axpy
                    p.grad = None
            lv = float(micro_loss.item())
            if not math.isfinite(lv):
                raise ReferenceError("step %d: the loss is %r" % (step, lv))
            loss_sum += lv
        with torch.no_grad():
            ss = torch.zeros((), dtype=torch.float64, device=device)
            for n in params:
                ss += acc[n].double().square().sum()
            norm = f32(math.sqrt(float(ss.item())))
            factor = f32(clip_factor(norm, clip))
            lr = f32(learning_rate(step, c))
            c1 = 1.0 - math.pow(b1, float(step))
            c2 = 1.0 - math.pow(b2, float(step))
            for n, p in params.items():
                wd = decay_of(roles[n], c)
                g = acc[n].double() * factor
                pp = p.double()
                pp -= lr * wd * pp
                mi = m_state[n].double().mul_(b1).add_(g, alpha=1 - b1)
                vi = v_state[n].double().mul_(b2).add_(g * g, alpha=1 - b2)
                pp -= lr * (mi / c1) / ((vi / c2).sqrt_() + eps)
                m_state[n].copy_(mi)
                v_state[n].copy_(vi)
                p.copy_(pp)
                acc[n].zero_()
        if device.type == "cuda":
            torch.cuda.synchronize()
        ms = (time.perf_counter() - t0) * 1e3
        loss = loss_sum / c["accum"]
        write({"step": step, "loss": loss, "lr": lr, "grad_norm": norm, "ms": ms})
        if not args.quiet:
            out.write("step %5d/%d  loss %.6f  lr %.4e  grad_norm %.4f  %.1f ms\n"
                      % (step, args.steps, loss, lr, norm, ms))
            out.flush()
    seconds = time.perf_counter() - start
    write({"event": "end", "steps": args.steps, "seconds": seconds})
    out.write("trained %d steps in %.2f s; final loss %.4f\n" % (args.steps, seconds, loss))
    if log:
        log.close()
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split("\n\n", 1)[1])
    p.add_argument("--spec", required=True, help="the spec the ptc binary was compiled from")
    p.add_argument("--weights", required=True,
                   help="the ptc binary's --save-initial-weights file")
    p.add_argument("--data", action="append", required=True,
                   help="training shards (repeatable, globs), as given to the binary")
    p.add_argument("--steps", type=int, required=True)
    p.add_argument("--seed", type=int, default=None,
                   help="the binary's --seed (default: the spec's seed)")
    p.add_argument("--precision", choices=["fp32", "bf16", "fp64"], default=None,
                   help="default: the spec's training.precision")
    p.add_argument("--device", default="cuda")
    p.add_argument("--log", help="JSON-lines output")
    p.add_argument("--compile", action="store_true", help="torch.compile the model")
    p.add_argument("--attention", choices=["math", "sdpa"],
                   help="attention kernel (default: math for fp32/fp64, sdpa for bf16)")
    p.add_argument("--deterministic", action="store_true",
                   help="torch.use_deterministic_algorithms (warn only)")
    p.add_argument("--builtin-safetensors", action="store_true",
                   help="read the weights with the built-in reader even if the "
                        "safetensors package is installed")
    p.add_argument("--dry-run", action="store_true",
                   help="no torch: check the spec, weights header and data, and "
                        "print the batch plan")
    p.add_argument("--dry-run-steps", type=int, default=4)
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)
    try:
        c = load_spec(args.spec)
        check_supported(c)
        if args.seed is None:
            args.seed = c["seed"]
        if args.precision is None:
            args.precision = c["precision"]
        if args.steps < 1:
            raise ReferenceError("--steps must be positive")
        table = param_table(c)
        if args.dry_run:
            return dry_run(args, c, table, sys.stdout)
        return train(args, c, table, sys.stdout)
    except (ReferenceError, LoaderError) as e:
        print("torch_reference: error: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

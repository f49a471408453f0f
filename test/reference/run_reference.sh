#!/usr/bin/env bash
# The PyTorch reference check of ptc (docs/reference.md): trains one spec with
# a ptc binary and with torch_reference.py from the same initial weights on the
# same batches, and compares the two logs step by step (compare_logs.py).
#
#   test/reference/run_reference.sh BUILD_DIR
#
# BUILD_DIR holds a built bin/ptc. Settings, all from the environment:
#   SPEC        spec file (default models/tiny.json; relative to the source root
#               or the current directory)
#   STEPS       optimizer steps on both sides (default 20)
#   PRECISION   fp32 | bf16 | fp64 (default: the spec's training.precision);
#               when it differs from the spec's, both sides use a copy of the
#               spec with this precision
#   SPEC_OVERRIDES  a JSON object merged into the spec copy (RFC 7386), e.g.
#               '{"training": {"micro_batch_size": 2, "global_batch_size": 4}}'
#   TARGET      ptc compile --target (default cpu)
#   DEVICE      torch device (default cuda)
#   SEED        --seed of both (default: the spec's seed)
#   RTOL        loss tolerance (default fp64 1e-9, fp32 1e-5, bf16 1e-2)
#   GRAD_RTOL   grad_norm tolerance (default fp64 1e-9, fp32 1e-4; unused by
#               the curve mode)
#   CURVE       1: compare windowed means of the loss instead of each step
#               (default 1 for bf16, else 0); WINDOW steps each (default 25)
#   DATA        shard pattern to train on (default: shards that `ptc data`
#               makes from data/tinyshakespeare.txt in WORK)
#   BIN         a compiled model to run instead of compiling SPEC
#   TORCH_ARGS  more flags for torch_reference.py (e.g. --compile)
#   PYTHON      the Python with torch (default python3)
#   WORK        working directory (default BUILD_DIR/reference/NAME-PRECISION)
#   STAGES      which stages run (default "data compile ptc torch compare"):
#               e.g. STAGES="data compile ptc" on a machine without torch,
#               then STAGES="torch compare" with the same WORK where torch is.
# Exit status: compare_logs.py's (0 pass, 1 over tolerance, 2 unusable logs),
# or the first failing stage's.
set -euo pipefail

if [[ $# -ne 1 || ! -d "$1" ]]; then
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
BUILD=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
PTC="$BUILD/bin/ptc"
PYTHON=${PYTHON:-python3}
STEPS=${STEPS:-20}
TARGET=${TARGET:-cpu}
DEVICE=${DEVICE:-cuda}
STAGES=${STAGES:-data compile ptc torch compare}
SPEC=${SPEC:-models/tiny.json}
if [[ ! -f "$SPEC" && -f "$SRC/$SPEC" ]]; then SPEC="$SRC/$SPEC"; fi
[[ -f "$SPEC" ]] || { echo "run_reference: no spec $SPEC" >&2; exit 2; }
SPEC=$(cd "$(dirname "$SPEC")" && pwd)/$(basename "$SPEC")

# The spec's name and precision (python3 without torch is enough here).
read -r NAME SPEC_PRECISION < <("$PYTHON" - "$SPEC" <<'EOF'
import json, os, sys
d = json.load(open(sys.argv[1]))
print(d.get("name", os.path.splitext(os.path.basename(sys.argv[1]))[0]),
      d.get("training", {}).get("precision", "bf16"))
EOF
)
PRECISION=${PRECISION:-$SPEC_PRECISION}
case $PRECISION in
  fp64) RTOL=${RTOL:-1e-9}; GRAD_RTOL=${GRAD_RTOL:-1e-9}; CURVE=${CURVE:-0} ;;
  fp32) RTOL=${RTOL:-1e-5}; GRAD_RTOL=${GRAD_RTOL:-1e-4}; CURVE=${CURVE:-0} ;;
  bf16) RTOL=${RTOL:-1e-2}; GRAD_RTOL=${GRAD_RTOL:-1e-1}; CURVE=${CURVE:-1} ;;
  *) echo "run_reference: PRECISION must be fp32, bf16 or fp64, not $PRECISION" >&2; exit 2 ;;
esac
WINDOW=${WINDOW:-25}
WORK=${WORK:-$BUILD/reference/$NAME-$PRECISION}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)

# Both sides read the same spec: the given one, or a patched copy.
if [[ $PRECISION != "$SPEC_PRECISION" || -n ${SPEC_OVERRIDES:-} ]]; then
  "$PYTHON" - "$SPEC" "$WORK/spec.json" "$PRECISION" "${SPEC_OVERRIDES:-}" <<'EOF'
import json, sys
src, dst, precision, overrides = sys.argv[1:5]
spec = json.load(open(src))
def merge(a, b):  # RFC 7386 JSON merge patch
    if not isinstance(b, dict):
        return b
    a = dict(a) if isinstance(a, dict) else {}
    for k, v in b.items():
        if v is None:
            a.pop(k, None)
        else:
            a[k] = merge(a.get(k), v)
    return a
spec.setdefault("training", {})["precision"] = precision
if overrides:
    spec = merge(spec, json.loads(overrides))
json.dump(spec, open(dst, "w"), indent=2)
EOF
  SPEC="$WORK/spec.json"
fi

DATA=${DATA:-$WORK/data/train_*.bin}
MODEL=${BIN:-$WORK/model}
SEED_FLAG=()
if [[ -n ${SEED:-} ]]; then SEED_FLAG=(--seed "$SEED"); fi
has() { [[ " $STAGES " == *" $1 "* ]]; }
say() { echo "== run_reference: $*"; }

say "spec $SPEC ($NAME, $PRECISION), $STEPS steps, target $TARGET, device $DEVICE, work $WORK"
if has data && [[ $DATA == "$WORK/data/train_*.bin" ]]; then
  say "shards from data/tinyshakespeare.txt"
  rm -rf "$WORK/data"
  "$PTC" data "$SRC/data/tinyshakespeare.txt" -o "$WORK/data"
fi
if has compile && [[ -z ${BIN:-} ]]; then
  say "ptc compile"
  "$PTC" compile "$SPEC" -o "$MODEL" --target="$TARGET"
fi
if has ptc; then
  say "ptc training"
  "$MODEL" --data "$DATA" --steps "$STEPS" "${SEED_FLAG[@]}" \
    --save-initial-weights "$WORK/init.safetensors" --log "$WORK/ptc.jsonl" --quiet
fi
if has torch; then
  say "torch training"
  # shellcheck disable=SC2086
  "$PYTHON" "$HERE/torch_reference.py" --spec "$SPEC" --weights "$WORK/init.safetensors" \
    --data "$DATA" --steps "$STEPS" "${SEED_FLAG[@]}" --precision "$PRECISION" \
    --device "$DEVICE" --log "$WORK/torch.jsonl" --quiet ${TORCH_ARGS:-}
fi
if has compare; then
  say "compare"
  if [[ $CURVE == 1 ]]; then
    "$PYTHON" "$HERE/compare_logs.py" "$WORK/ptc.jsonl" "$WORK/torch.jsonl" \
      --steps "$STEPS" --curve --window "$WINDOW" --rtol "$RTOL"
  else
    "$PYTHON" "$HERE/compare_logs.py" "$WORK/ptc.jsonl" "$WORK/torch.jsonl" \
      --steps "$STEPS" --rtol "$RTOL" --grad-norm-rtol "$GRAD_RTOL"
  fi
fi

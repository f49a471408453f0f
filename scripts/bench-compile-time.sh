#!/usr/bin/env bash
# Compile-time benchmark: `ptc plan` and `ptc compile --emit=exec` of
# gpt2-124m widened to 125, 250, 500 and 1,000 layers (LAYERS overrides),
# wall and user seconds of each, the best of REPEAT runs (default 3), then
# mt-nlg-530b's plan. Time should grow linearly with the layers: twice the
# layers, about twice the seconds. Results go to docs/performance.md.
#
#   scripts/bench-compile-time.sh [PTC]   (default: build/bin/ptc)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ptc=${1:-$root/build/bin/ptc}
layers=${LAYERS:-125 250 500 1000}
repeat=${REPEAT:-3}
target=${TARGET:-cpu}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The best wall time of `repeat` runs of the command, with its user time.
best() {
  local best_wall="" best_user=""
  for ((i = 0; i < repeat; i++)); do
    /usr/bin/time -f "%e %U" -o "$work/time" "$@" > /dev/null 2> "$work/err" || {
      echo "failed: $*" >&2; cat "$work/err" >&2; exit 1; }
    read -r wall user < "$work/time"
    if [[ -z $best_wall ]] || awk "BEGIN{exit !($wall < $best_wall)}"; then
      best_wall=$wall best_user=$user
    fi
  done
  printf "%8s %8s" "$best_wall" "$best_user"
}

echo "ptc: $ptc ($("$ptc" --version | head -1)); target $target; $(nproc) cores;" \
     "best of $repeat; seconds"
printf "%-24s %8s %8s   %8s %8s\n" "" "plan" "" "compile" "(exec)"
printf "%-24s %8s %8s   %8s %8s\n" "spec" "wall" "user" "wall" "user"
for n in $layers; do
  spec=$work/gpt2-124m-$n.json
  python3 - "$root/models/gpt2-124m.json" "$spec" "$n" <<'PY'
import json, sys
spec = json.load(open(sys.argv[1]))
spec["name"] = f"gpt2-124m-{sys.argv[3]}-layers"
spec["model"]["layers"] = int(sys.argv[3])
json.dump(spec, open(sys.argv[2], "w"), indent=1)
PY
  printf "%-24s %s   %s\n" "gpt2-124m, $n layers" \
    "$(best "$ptc" plan "$spec" --target="$target")" \
    "$(best "$ptc" compile "$spec" --target="$target" --emit=exec -o /dev/null)"
done
printf "%-24s %s\n" "mt-nlg-530b (105 layers)" \
  "$(best "$ptc" plan "$root/models/mt-nlg-530b.json" --target="$target")"

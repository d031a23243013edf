#!/usr/bin/env bash
# Two rnmt binaries side by side (e.g. before and after a change that must not change speed):
# training (B1 on synthetic data, input feeding off and on) and translation (greedy and beam 5 of
# a model file), alternating the two binaries in every round so that drifts in machine speed hit
# both alike; optionally the PyTorch reference once per training mode for scale.
#   scripts/bench-compare.sh OLD_RNMT NEW_RNMT MODEL.rnmt RAW_SOURCE [ROUNDS] [--torch]
# Prints medians (single runs in brackets) and whether translations are identical.
# Run it on a quiet machine: nothing else may run beside it (not even a build).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ ${6:-} != --torch ]] || scripts/install-deps.sh --bench
(($# >= 4)) || { sed -n '2,8s/^# \{0,1\}//p' "$0" >&2; exit 2; }
old=$1 new=$2 model=$3 source=$4 rounds=${5:-2} torch=${6:-}
SECONDS_TRAIN=${SECONDS_TRAIN:-60}
# The PyTorch reference (torch_s2s.py) and its data generator (make_synthetic.py) are not part of
# rnmt: RNMT_BENCH_REFERENCE names their folder (default: shared/bench beside the clone).
shared=${RNMT_BENCH_REFERENCE:-$(cd .. && pwd)/shared/bench}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 "$shared/make_synthetic.py" "$work/syn" >/dev/null
median() { sort -n | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
row() {  # name, files of the old and new figures
  local a b
  a=$(median <"$2") b=$(median <"$3")
  echo "| $1 | $a ($(paste -sd/ "$2")) | $b ($(paste -sd/ "$3")) |" \
    "$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%+.1f%%", (b / a - 1) * 100}') |"
}

echo "| benchmark | old | new | new vs old |"
echo "|---|---|---|---|"
for feed in 0 1; do
  flag=(); ((feed)) && flag=(--input-feeding)
  : >"$work/old.train$feed"; : >"$work/new.train$feed"
  for ((r = 0; r < rounds; r++)); do
    for which in old new; do
      bin=$old; [[ $which == new ]] && bin=$new
      "$bin" bench train --src "$work/syn.src" --tgt "$work/syn.tgt" --threads 2 \
        --seconds "$SECONDS_TRAIN" "${flag[@]}" 2>/dev/null |
        sed -n 's/^target tokens\/s: //p' >>"$work/$which.train$feed"
    done
  done
  row "training B1, input feeding $( ((feed)) && echo on || echo off), target tokens/s" \
    "$work/old.train$feed" "$work/new.train$feed"
  if [[ $torch == --torch ]]; then
    /usr/bin/python3 "$shared/torch_s2s.py" train --train-src "$work/syn.src" \
      --train-tgt "$work/syn.tgt" --input-feed "$feed" --threads 2 --time-limit 1.5 \
      2>"$work/torch.log" >"$work/torch.out" || { cat "$work/torch.log" >&2; exit 1; }
    sed -n 's/.*tgt_tok\/s \([0-9.]*\).*/| PyTorch reference, same data: \1 target tokens\/s | | | |/p' \
      "$work/torch.out"
  fi
done
for beam in 1 5; do
  : >"$work/old.tr$beam"; : >"$work/new.tr$beam"
  for ((r = 0; r < rounds; r++)); do
    for which in old new; do
      bin=$old; [[ $which == new ]] && bin=$new
      "$bin" translate -m "$model" -i "$source" -o "$work/$which.out$beam" --beam "$beam" \
        --batch-size 64 --threads 2 --scores 2>"$work/log"
      sed -n 's/.* s: \([0-9.]*\) sentences\/s.*/\1/p' "$work/log" >>"$work/$which.tr$beam"
    done
  done
  row "translation, $( ((beam == 1)) && echo greedy || echo "beam $beam"), sentences/s" \
    "$work/old.tr$beam" "$work/new.tr$beam"
  cmp -s "$work/old.out$beam" "$work/new.out$beam" && same=identical || same=DIFFERENT
  echo "| translations (with scores), beam $beam | | | $same |"
done

#!/usr/bin/env bash
# Training speed of rnmt against the PyTorch reference (the PyTorch reference torch_s2s.py (RNMT_BENCH_REFERENCE)), side by side
# on the same machine and data, alternating the two so drifts in machine speed hit both alike.
#   scripts/bench-train.sh [ROUNDS]     (default 2 rounds per mode; about 3 minutes a round)
# Run it on a quiet machine: nothing else may run beside it (not even a build).
set -euo pipefail
cd "$(dirname "$0")/.."
name=bench-train
source scripts/bench-common.sh

echo "| input feeding | rnmt target tokens/s | PyTorch target tokens/s | ratio |"
echo "|---|---|---|---|"
for feed in 0 1; do
  flag=(); ((feed)) && flag=(--input-feeding)
  : >"$work/rnmt.$feed"; : >"$work/torch.$feed"
  for ((r = 0; r < ROUNDS; r++)); do
    "$BUILD/rnmt" bench train --src "$work/syn.src" --tgt "$work/syn.tgt" --threads 2 \
      --seconds "$SECONDS_RNMT" "${flag[@]}" 2>/dev/null | sed -n 's/^target tokens\/s: //p' >>"$work/rnmt.$feed"
    /usr/bin/python3 "$shared/torch_s2s.py" train --train-src "$work/syn.src" --train-tgt "$work/syn.tgt" \
      --input-feed "$feed" --threads 2 --time-limit "$MINUTES_TORCH" 2>/dev/null |
      sed -n 's/.*tgt_tok\/s \([0-9.]*\).*/\1/p' >>"$work/torch.$feed"
  done
  ours=$(median <"$work/rnmt.$feed"); theirs=$(median <"$work/torch.$feed")
  echo "| $( ((feed)) && echo on || echo off) | $ours ($(paste -sd/ "$work/rnmt.$feed")) |" \
    "$theirs ($(paste -sd/ "$work/torch.$feed")) | $(awk -v a="$ours" -v b="$theirs" 'BEGIN {printf "%.2fx", a / b}') |"
done

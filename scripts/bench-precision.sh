#!/usr/bin/env bash
# Training speed by precision, side by side with the PyTorch reference on the same machine and
# data: rnmt float32 and bfloat16 against PyTorch float32 and bf16 autocast, input feeding off and
# on, on the synthetic pairs of make_synthetic.py, or on pre-tokenized files given as SRC TGT (the
# Bible recipe's pieces, say). Reports medians (single runs in brackets) and rnmt bfloat16 over
# PyTorch's best setting. On a CPU without bf16, the bf16 columns say so.
#   scripts/bench-precision.sh [ROUNDS [SRC TGT]]   (SECONDS_RNMT, MINUTES_TORCH as bench-train.sh)
# Run it on a quiet machine: nothing else may run beside it (not even a build).
set -euo pipefail
cd "$(dirname "$0")/.."
name=bench-precision
SECONDS_RNMT=${SECONDS_RNMT:-30}
MINUTES_TORCH=${MINUTES_TORCH:-0.75}
source scripts/bench-common.sh
src=${2:-$work/syn.src}
tgt=${3:-$work/syn.tgt}
bf16=0
grep -qw 'avx512_bf16\|amx_bf16' /proc/cpuinfo && bf16=1

rnmt_run() {  # FEED PRECISION
  local flag=(); (($1)) && flag=(--input-feeding)
  "$BUILD/rnmt" bench train --src "$src" --tgt "$tgt" --threads 2 --seconds "$SECONDS_RNMT" \
    --precision "$2" "${flag[@]}" 2>/dev/null | sed -n 's/^target tokens\/s: //p'
}
torch_run() {  # FEED BF16
  /usr/bin/python3 "$shared/torch_s2s.py" train --train-src "$src" --train-tgt "$tgt" \
    --input-feed "$1" --threads 2 --time-limit "$MINUTES_TORCH" --warmup 5 --bf16 "$2" 2>/dev/null |
    sed -n 's/.*tgt_tok\/s \([0-9.]*\).*/\1/p'
}
cell() { echo "$(median <"$1") ($(paste -sd/ "$1"))"; }

echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), bf16: $( ((bf16)) && echo yes || echo no)"
echo "| input feeding | rnmt float32 | rnmt bfloat16 | PyTorch float32 | PyTorch bf16 autocast | rnmt best / PyTorch best |"
echo "|---|---|---|---|---|---|"
for feed in 0 1; do
  for f in r32 r16 t32 t16; do : >"$work/$f.$feed"; done
  for ((r = 0; r < ROUNDS; r++)); do
    rnmt_run "$feed" float32 >>"$work/r32.$feed"
    ((bf16)) && rnmt_run "$feed" bfloat16 >>"$work/r16.$feed"
    torch_run "$feed" 0 >>"$work/t32.$feed"
    ((bf16)) && torch_run "$feed" 1 >>"$work/t16.$feed"
  done
  best_ours=$(cat "$work/r32.$feed" "$work/r16.$feed" | sort -n | tail -1)
  best_theirs=$(cat "$work/t32.$feed" "$work/t16.$feed" | sort -n | tail -1)
  ours16="no bf16"; theirs16="no bf16"
  ((bf16)) && ours16=$(cell "$work/r16.$feed") && theirs16=$(cell "$work/t16.$feed")
  echo "| $( ((feed)) && echo on || echo off) | $(cell "$work/r32.$feed") | $ours16 |" \
    "$(cell "$work/t32.$feed") | $theirs16 |" \
    "$(awk -v a="$best_ours" -v b="$best_theirs" 'BEGIN {printf "%.2fx", a / b}') |"
done

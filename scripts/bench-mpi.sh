#!/usr/bin/env bash
# Data-parallel training on this machine: the all-reduce of B1's gradients over loopback, and B1's
# training throughput as 2 ranks x 1 thread (mpirun) against 1 process x 2 threads, side by side with
# the PyTorch reference (the PyTorch reference torch_s2s.py (RNMT_BENCH_REFERENCE), 2 threads), alternating so that drifts in
# machine speed hit all alike.
#   scripts/bench-mpi.sh [ROUNDS]     (default 2; about 4 minutes a round)
# Run it on a quiet machine: nothing else may run beside it (not even a build).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --bench  # PyTorch with OpenBLAS
name=bench-mpi
source scripts/bench-common.sh
mpirun=(mpirun --oversubscribe --allow-run-as-root)
((EUID == 0)) || mpirun=(mpirun --oversubscribe)
data=(--src "$work/syn.src" --tgt "$work/syn.tgt")

echo "## all-reduce of B1's gradients, 2 ranks over loopback (shared memory)"
"${mpirun[@]}" -np 2 --bind-to core "$BUILD/rnmt" bench allreduce --repeats 30 2>&1 | sed 's/^/    /'

: >"$work/alone"; : >"$work/ranks"; : >"$work/torch"
for ((r = 0; r < ROUNDS; r++)); do
  echo "round $((r + 1)) of $ROUNDS" >&2
  "$BUILD/rnmt" bench train "${data[@]}" --threads 2 --seconds "$SECONDS_RNMT" 2>/dev/null |
    sed -n 's/^target tokens\/s: //p' >>"$work/alone"
  "${mpirun[@]}" -np 2 --bind-to core "$BUILD/rnmt" bench train "${data[@]}" --threads 1 \
    --seconds "$SECONDS_RNMT" 2>/dev/null | sed -n 's/^target tokens\/s: //p' >>"$work/ranks"
  /usr/bin/python3 "$shared/torch_s2s.py" train --train-src "$work/syn.src" --train-tgt "$work/syn.tgt" \
    --input-feed 0 --threads 2 --time-limit "$MINUTES_TORCH" 2>/dev/null |
    sed -n 's/.*tgt_tok\/s \([0-9.]*\).*/\1/p' >>"$work/torch"
done
torch=$(median <"$work/torch")
echo
echo "## B1 training (input feeding off, global batch 64), target tokens/s"
echo "| setting | target tokens/s (median; runs) | vs PyTorch f32, 2 threads |"
echo "|---|---|---|"
for setting in alone ranks torch; do
  label=${setting/alone/1 process x 2 threads}; label=${label/ranks/2 ranks x 1 thread (mpirun)}
  label=${label/torch/PyTorch f32, 2 threads}
  m=$(median <"$work/$setting")
  echo "| $label | $m ($(paste -sd/ "$work/$setting")) | $(awk -v a="$m" -v b="$torch" 'BEGIN {printf "%.2fx", a / b}') |"
done

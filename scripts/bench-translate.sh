#!/usr/bin/env bash
# Translation speed of rnmt against the PyTorch reference (the PyTorch reference torch_s2s.py (RNMT_BENCH_REFERENCE) translate),
# side by side on the same machine and test set, greedy and beam 5, 2 threads, alternating the two.
#   scripts/bench-translate.sh RNMT_MODEL TORCH_MODEL RAW_SOURCE TOKENIZED_SOURCE [ROUNDS]
# RNMT_MODEL is an exported model.rnmt, TORCH_MODEL a torch_s2s.py --save file trained on the same
# split; TOKENIZED_SOURCE is RAW_SOURCE through `rnmt tokenize --bpe` (what the torch model reads;
# rnmt reads raw text and tokenizes it inside the timing). Both search with length penalty 1.0 and
# 64 sentences per batch; rnmt runs in float32 and in bfloat16. Reports sentences/s (medians), peak
# memory and output/source length.
# Run it on a quiet machine: nothing else may run beside it (not even a build).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
(($# >= 4)) || { sed -n '2,10s/^# \{0,1\}//p' "$0" >&2; exit 2; }
rnmt_model=$1 torch_model=$2 raw=$3 tokenized=$4 rounds=${5:-3}
# The PyTorch reference (torch_s2s.py) and its data generator (make_synthetic.py) are not part of
# rnmt: RNMT_BENCH_REFERENCE names their folder (default: shared/bench beside the clone).
shared=${RNMT_BENCH_REFERENCE:-$(cd .. && pwd)/shared/bench}
[[ -x /usr/bin/time ]] || scripts/install-deps.sh --tokenizer-bench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
median() { sort -n | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }

echo "| search | rnmt sentences/s | PyTorch sentences/s | ratio | peak RSS rnmt / PyTorch | output/source length rnmt / PyTorch |"
echo "|---|---|---|---|---|---|"
for beam in 1 5; do
  : >"$work/r"; : >"$work/b"; : >"$work/t"
  for ((i = 0; i < rounds; i++)); do
    /usr/bin/time -f "%M" -o "$work/r.mem" "$BUILD/rnmt" translate -m "$rnmt_model" -i "$raw" \
      -o "$work/r.out" --beam "$beam" --length-penalty 1.0 --batch-size 64 --threads 2 2>"$work/r.log"
    sed -n 's/.* s: \([0-9.]*\) sentences\/s.*/\1/p' "$work/r.log" >>"$work/r"
    /usr/bin/time -f "%M" -o "$work/b.mem" "$BUILD/rnmt" translate -m "$rnmt_model" -i "$raw" \
      -o "$work/b.out" --beam "$beam" --length-penalty 1.0 --batch-size 64 --threads 2 \
      --compute-type bfloat16 2>"$work/b.log"
    sed -n 's/.* s: \([0-9.]*\) sentences\/s.*/\1/p' "$work/b.log" >>"$work/b"
    /usr/bin/time -f "%M" -o "$work/t.mem" /usr/bin/python3 "$shared/torch_s2s.py" translate \
      --load "$torch_model" --input "$tokenized" --output "$work/t.out" --beam "$beam" \
      --batch-size 64 --threads 2 2>"$work/t.log"
    sed -n 's/.* sent\/s \([0-9.]*\) .*/\1/p' "$work/t.log" >>"$work/t"
  done
  theirs=$(median <"$work/t")
  t_ratio=$(sed -n 's/.*out\/src ratio \([0-9.]*\)).*/\1/p' "$work/t.log")
  for kind in r b; do
    ours=$(median <"$work/$kind")
    r_ratio=$(sed -n 's/.*(ratio \([0-9.]*\)).*/\1/p' "$work/$kind.log")
    name=$( ((beam == 1)) && echo greedy || echo "beam $beam")
    [[ $kind == b ]] && name="$name, rnmt bfloat16"
    echo "| $name | $ours ($(paste -sd/ "$work/$kind")) |" \
      "$theirs ($(paste -sd/ "$work/t")) | $(awk -v a="$ours" -v b="$theirs" 'BEGIN {printf "%.2fx", a / b}') |" \
      "$(($(cat "$work/$kind.mem") / 1024)) MB / $(($(cat "$work/t.mem") / 1024)) MB | $r_ratio / $t_ratio |"
  done
done

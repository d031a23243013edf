#!/usr/bin/env bash
# Translation speed of rnmt against the PyTorch reference (torch_s2s.py translate, from
# RNMT_BENCH_REFERENCE), side by side on the same machine and test set, greedy and beam 5,
# 2 threads, alternating the programs round by round.
#   scripts/bench-translate.sh RNMT_MODEL TORCH_MODEL RAW_SOURCE TOKENIZED_SOURCE [ROUNDS]
# RNMT_MODEL is an exported model.rnmt, TORCH_MODEL a torch_s2s.py --save file trained on the same
# split; TOKENIZED_SOURCE is RAW_SOURCE through `rnmt tokenize --bpe` (what the torch model reads;
# rnmt reads raw text and tokenizes it inside the timing). Both search with length penalty 1.0 and
# 64 sentences per batch. rnmt runs in float32 and int8, and in bfloat16 where the CPU has it;
# PyTorch in float32, and with its bfloat16 autocast where the CPU has bf16. Each rnmt row's ratio
# is against PyTorch's best setting in the same run. Reports sentences/s (medians, single runs in
# brackets), peak memory and output/source length.
# Run it on a quiet machine: nothing else may run beside it (not even a build).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
(($# >= 4)) || { sed -n '2,13s/^# \{0,1\}//p' "$0" >&2; exit 2; }
rnmt_model=$1 torch_model=$2 raw=$3 tokenized=$4 rounds=${5:-3}
# The PyTorch reference (torch_s2s.py) and its data generator (make_synthetic.py) are not part of
# rnmt: RNMT_BENCH_REFERENCE names their folder (default: shared/bench beside the clone).
shared=${RNMT_BENCH_REFERENCE:-$(cd .. && pwd)/shared/bench}
[[ -x /usr/bin/time ]] || scripts/install-deps.sh --tokenizer-bench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
median() { sort -n | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
rnmt_types=(float32 int8) torch_bf16=(0)
if grep -qw 'avx512_bf16\|amx_bf16' /proc/cpuinfo; then rnmt_types+=(bfloat16) torch_bf16+=(1); fi
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //') (family $(grep -m1 'cpu family' /proc/cpuinfo | sed 's/.*: //'))"

echo "| search | program | sentences/s | vs PyTorch's best | peak RSS | output/source length |"
echo "|---|---|---|---|---|---|"
for beam in 1 5; do
  for type in "${rnmt_types[@]}"; do : >"$work/rnmt.$type"; done
  for bf16 in "${torch_bf16[@]}"; do : >"$work/torch.$bf16"; done
  for ((i = 0; i < rounds; i++)); do
    for type in "${rnmt_types[@]}"; do
      /usr/bin/time -f "%M" -o "$work/rnmt.$type.mem" "$BUILD/rnmt" translate -m "$rnmt_model" \
        -i "$raw" -o "$work/rnmt.$type.out" --beam-size "$beam" --length-penalty 1.0 \
        --max-batch-size 64 --threads 2 --compute-type "$type" 2>"$work/rnmt.$type.log"
      sed -n 's/.* s: \([0-9.]*\) sentences\/s.*/\1/p' "$work/rnmt.$type.log" >>"$work/rnmt.$type"
    done
    for bf16 in "${torch_bf16[@]}"; do
      /usr/bin/time -f "%M" -o "$work/torch.$bf16.mem" /usr/bin/python3 "$shared/torch_s2s.py" \
        translate --load "$torch_model" --input "$tokenized" --output "$work/torch.$bf16.out" \
        --beam "$beam" --batch-size 64 --threads 2 --bf16 "$bf16" 2>"$work/torch.$bf16.log"
      sed -n 's/.* sent\/s \([0-9.]*\) .*/\1/p' "$work/torch.$bf16.log" >>"$work/torch.$bf16"
    done
  done
  best=0
  for bf16 in "${torch_bf16[@]}"; do
    m=$(median <"$work/torch.$bf16")
    best=$(awk -v a="$m" -v b="$best" 'BEGIN {print (a > b ? a : b)}')
  done
  name=$( ((beam == 1)) && echo greedy || echo "beam $beam")
  row() {  # program, figures file, log, memory file, length ratio
    local ours
    ours=$(median <"$2")
    echo "| $name | $1 | $ours ($(paste -sd/ "$2")) |" \
      "$(awk -v a="$ours" -v b="$best" 'BEGIN {printf "%.2fx", a / b}') |" \
      "$(($(cat "$4") / 1024)) MB | $5 |"
  }
  for type in "${rnmt_types[@]}"; do
    row "rnmt $type" "$work/rnmt.$type" "$work/rnmt.$type.log" "$work/rnmt.$type.mem" \
      "$(sed -n 's/.*(ratio \([0-9.]*\)).*/\1/p' "$work/rnmt.$type.log")"
  done
  for bf16 in "${torch_bf16[@]}"; do
    row "PyTorch $( ((bf16)) && echo 'bf16 autocast' || echo float32)" "$work/torch.$bf16" \
      "$work/torch.$bf16.log" "$work/torch.$bf16.mem" \
      "$(sed -n 's/.*out\/src ratio \([0-9.]*\)).*/\1/p' "$work/torch.$bf16.log")"
  done
done

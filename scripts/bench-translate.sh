#!/usr/bin/env bash
# Translation speed and BLEU of rnmt against the PyTorch reference (torch_s2s.py translate, from
# RNMT_BENCH_REFERENCE), side by side in one run on the same CPU, greedy and beam 5, 2 threads.
#   scripts/bench-translate.sh MODEL.rnmt RAW_SOURCE [RAW_REFERENCE] [ROUNDS]
# PyTorch runs the same network: scripts/rnmt-to-torch.py writes MODEL's weights as a torch_s2s.py
# checkpoint (the model must have its architecture: B1's), so both programs do the same work and
# their outputs can be compared. PyTorch reads RAW_SOURCE through rnmt's tokenizer (outside its
# timing); rnmt reads raw text and tokenizes inside its own. rnmt runs in float32 and in int8 (from
# `rnmt quantize`'s file) and in bfloat16 where the CPU has it, each with and without the model's
# lexical shortlist; PyTorch in float32 on 1 and 2 threads and with its bfloat16 autocast where
# the CPU has bf16. Each rnmt row's ratio is against PyTorch's best setting in the same run. Both
# search with length penalty 1.0 and 64 sentences per batch. Sentences/s are medians of ROUNDS (3)
# alternating rounds; BLEU (with RAW_REFERENCE) is sacreBLEU's, of the detokenized outputs.
# Run it on a quiet machine: nothing else may run beside it (not even a build).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
(($# >= 2)) || { sed -n '2,14s/^# \{0,1\}//p' "$0" >&2; exit 2; }
model=$1 raw=$2 reference=${3:-} rounds=${4:-3}
shared=${RNMT_BENCH_REFERENCE:-$(cd .. && pwd)/shared/bench}
[[ -f $shared/torch_s2s.py ]] || { echo "bench-translate: no PyTorch reference at $shared/torch_s2s.py (set RNMT_BENCH_REFERENCE)" >&2; exit 1; }
[[ -x /usr/bin/time ]] || scripts/install-deps.sh --tokenizer-bench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
median() { sort -n | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }

/usr/bin/python3 scripts/rnmt-to-torch.py "$model" "$work/torch.pt" "$work/src.tokenizer"
"$BUILD/rnmt" tokenize --bpe "$work/src.tokenizer" <"$raw" >"$work/src.pieces"
"$BUILD/rnmt" quantize "$model" "$work/int8.rnmt"
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //') (family $(grep -m1 'cpu family' /proc/cpuinfo | sed 's/.*: //')), $(ls -l "$model" | awk '{printf "%.1f", $5/1e6}') MB float32 / $(ls -l "$work/int8.rnmt" | awk '{printf "%.1f", $5/1e6}') MB int8 model file"

# rnmt settings: name, model file, extra flags
rnmt_names=("float32" "float32 + shortlist" "int8" "int8 + shortlist")
rnmt_args=("-m $model --compute-type float32" "-m $model --compute-type float32 --use-shortlist"
           "-m $work/int8.rnmt --compute-type int8" "-m $work/int8.rnmt --compute-type int8 --use-shortlist")
torch_names=("float32, 2 threads" "float32, 1 thread")
torch_args=("--threads 2 --bf16 0" "--threads 1 --bf16 0")
if grep -qw 'avx512_bf16\|amx_bf16' /proc/cpuinfo; then
  rnmt_names+=("bfloat16" "bfloat16 + shortlist")
  rnmt_args+=("-m $model --compute-type bfloat16" "-m $model --compute-type bfloat16 --use-shortlist")
  torch_names+=("bf16 autocast, 2 threads") torch_args+=("--threads 2 --bf16 1")
fi

bleu_of() {  # bleu_of FILE: its BLEU against the reference, or "" without one
  [[ -n $reference ]] || return 0
  "$BUILD/rnmt" bleu "$reference" "$1" | sed -n '1s/^BLEU = \([0-9.]*\).*/\1/p'
}

echo "| search | program | sentences/s | vs PyTorch's best | BLEU | peak RSS | output/source length |"
echo "|---|---|---|---|---|---|---|"
for beam in 1 5; do
  name=$( ((beam == 1)) && echo greedy || echo "beam $beam")
  for i in "${!rnmt_names[@]}"; do : >"$work/rnmt.$i"; done
  for i in "${!torch_names[@]}"; do : >"$work/torch.$i"; done
  for ((round = 0; round < rounds; round++)); do
    for i in "${!rnmt_names[@]}"; do
      # shellcheck disable=SC2086 # the flags are words
      /usr/bin/time -f "%M" -o "$work/rnmt.$i.mem" "$BUILD/rnmt" translate ${rnmt_args[$i]} \
        -i "$raw" -o "$work/rnmt.$i.out" --beam-size "$beam" --length-penalty 1.0 \
        --max-batch-size 64 --threads 2 2>"$work/rnmt.$i.log"
      sed -n 's/.* s: \([0-9.]*\) sentences\/s.*/\1/p' "$work/rnmt.$i.log" >>"$work/rnmt.$i"
    done
    for i in "${!torch_names[@]}"; do
      # shellcheck disable=SC2086
      /usr/bin/time -f "%M" -o "$work/torch.$i.mem" /usr/bin/python3 "$shared/torch_s2s.py" \
        translate --load "$work/torch.pt" --input "$work/src.pieces" --output "$work/torch.$i.out" \
        --beam "$beam" --alpha 1.0 --batch-size 64 ${torch_args[$i]} 2>"$work/torch.$i.log"
      sed -n 's/.* sent\/s \([0-9.]*\) .*/\1/p' "$work/torch.$i.log" >>"$work/torch.$i"
    done
  done
  best=0 best_name=
  for i in "${!torch_names[@]}"; do
    m=$(median <"$work/torch.$i")
    if awk -v a="$m" -v b="$best" 'BEGIN {exit !(a > b)}'; then best=$m best_name=${torch_names[$i]}; fi
  done
  row() {  # row PROGRAM FIGURES MEMORY OUTPUT LENGTH_RATIO
    local ours
    ours=$(median <"$2")
    echo "| $name | $1 | $ours ($(paste -sd/ "$2")) |" \
      "$(awk -v a="$ours" -v b="$best" 'BEGIN {printf "%.2fx", a / b}') | $(bleu_of "$4") |" \
      "$(($(cat "$3") / 1024)) MB | $5 |"
  }
  for i in "${!rnmt_names[@]}"; do
    row "rnmt ${rnmt_names[$i]}" "$work/rnmt.$i" "$work/rnmt.$i.mem" "$work/rnmt.$i.out" \
      "$(sed -n 's/.*(ratio \([0-9.]*\)).*/\1/p' "$work/rnmt.$i.log")"
  done
  for i in "${!torch_names[@]}"; do
    "$BUILD/rnmt" detokenize <"$work/torch.$i.out" >"$work/torch.$i.text"
    row "PyTorch ${torch_names[$i]}" "$work/torch.$i" "$work/torch.$i.mem" "$work/torch.$i.text" \
      "$(sed -n 's/.*out\/src ratio \([0-9.]*\)).*/\1/p' "$work/torch.$i.log")"
  done
  echo "| $name | PyTorch's best: $best_name | | | | | |"
  # the same network in both programs: how many lines come out the same (float32)
  same=$(paste -d '\t' "$work/rnmt.0.out" "$work/torch.0.text" | awk -F '\t' '$1 == $2' | wc -l)
  echo "| $name | rnmt float32 = PyTorch float32 on $same of $(wc -l <"$raw") lines | | | | | |"
done

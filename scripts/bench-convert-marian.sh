#!/usr/bin/env bash
# A real-sized Marian s2s model translated by marian-decoder and by rnmt after `rnmt convert`, side
# by side in one run on the same CPU: the Marian speed figure of docs/converting.md.
#   scripts/bench-convert-marian.sh MARIAN_BUILD_DIR [TRAIN_BATCHES] [ROUNDS]
# MARIAN_BUILD_DIR: a CPU-only build of Marian (marian-nmt/marian-dev) holding marian and
# marian-decoder. The data are the Bible recipe's (prepared by `rnmt run recipes/bible-en-es.yaml`,
# which leaves its text and tokenizers in runs/bible-en-es), as rnmt's BPE pieces, which Marian
# reads as pre-tokenized text with YAML vocabularies it makes. Marian trains its s2s model on them
# (--type s2s: a bidirectional GRU encoder and a cGRU decoder of 512 units, embeddings of 512) for
# TRAIN_BATCHES (200) batches of 64 sentences on 2 threads, then translates the 1,000 test verses
# with marian-decoder (its own "Total time", model loading excluded), beam 5 and greedy, 64
# sentences a batch, on 2 threads and on 1; rnmt translates the converted model in float32 and int8
# (rnmt quantize) with the same settings. Sentences/s are medians of ROUNDS (3) alternating rounds;
# each row says on how many lines its output equals Marian's (2 threads), and on how many more one
# of the two is the other cut short: their length limits differ (Marian's: 3 x the longest source
# of the batch; rnmt's: 3 x the sentence's own + 10), which matters where an undertrained model
# repeats itself until stopped; so output pieces/s are given too.
# MARIAN_MODEL=FILE (with its .decoder.yml and vocabularies beside it) skips the training.
# Run it on a quiet machine: nothing else may run beside the translations.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
(($# >= 1)) || { sed -n '2,17s/^# \{0,1\}//p' "$0" >&2; exit 2; }
marian=$(cd "$1" && pwd) batches=${2:-200} rounds=${3:-3}
data=runs/bible-en-es
[[ -f $data/prepare/src.tokenizer ]] || { echo "bench-convert-marian: run rnmt run recipes/bible-en-es.yaml first (its prepare stage)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
median() { sort -n | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }

for side in "src en" "tgt es"; do
  read -r name lang <<<"$side"
  for split in train test; do
    "$BUILD/rnmt" tokenize --bpe "$data/prepare/$name.tokenizer" <"$data/data/$split.$lang" >"$work/$split.$name"
  done
done
model=$work/model.npz
if [[ -n ${MARIAN_MODEL:-} ]]; then  # a model it trained before, its vocabularies beside it
  model=$MARIAN_MODEL
else
  start=$(date +%s)
  "$marian/marian" --type s2s --dim-emb 512 --dim-rnn 512 --enc-cell gru --dec-cell gru \
    --mini-batch 64 --after-batches "$batches" --learn-rate 0.001 --optimizer adam --seed 1 \
    --cpu-threads 2 --workspace 2048 --max-length 100 --disp-freq 50 --save-freq "$batches" \
    --valid-freq 1000000 --overwrite --quiet-translation --train-sets "$work/train.src" \
    "$work/train.tgt" --vocabs "$work/vocab.src.yml" "$work/vocab.tgt.yml" -m "$model" \
    >"$work/train.log" 2>&1 || { tail -20 "$work/train.log" >&2; exit 1; }
  echo "Marian trained $batches batches in $(($(date +%s) - start)) s ($(grep -o 'Cost [0-9.]*' "$work/train.log" | tail -1))"
fi
# the vocabularies from the model's decoder options (rnmt convert's default)
"$BUILD/rnmt" convert --from marian "$model" -o "$work/model.rnmt"
"$BUILD/rnmt" quantize "$work/model.rnmt" "$work/int8.rnmt"
vocabs=$(sed -n '/^vocabs:/,/^[a-z]/s/^ *- //p' "$model.decoder.yml" | while read -r v; do
  [[ -f $v ]] && echo "$v" || echo "$(dirname "$model")/$(basename "$v")"; done)
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //') (family $(grep -m1 'cpu family' /proc/cpuinfo | sed 's/.*: //'))"

names=("rnmt float32" "rnmt int8" "marian-decoder, 2 threads" "marian-decoder, 1 thread")
echo "| search | program | sentences/s | vs Marian's best | output pieces/s | output = Marian's (2 threads) |"
echo "|---|---|---|---|---|---|"
for beam in 5 1; do
  search=$( ((beam == 1)) && echo greedy || echo "beam $beam")
  for i in 0 1 2 3; do : >"$work/speed.$i"; done
  for ((round = 0; round < rounds; round++)); do
    for i in 0 1; do
      rnmt_model=$work/model.rnmt compute=float32
      ((i == 1)) && rnmt_model=$work/int8.rnmt compute=int8
      "$BUILD/rnmt" translate -m "$rnmt_model" --compute-type "$compute" -i "$work/test.src" \
        -o "$work/out.$i" --beam-size "$beam" --max-batch-size 64 --threads 2 2>"$work/log.$i"
      sed -n 's/.* s: \([0-9.]*\) sentences\/s.*/\1/p' "$work/log.$i" >>"$work/speed.$i"
    done
    for i in 2 3; do
      # shellcheck disable=SC2086 # the two vocabularies
      "$marian/marian-decoder" -m "$model" -v $vocabs --beam-size "$beam" --normalize 0 \
        --mini-batch 64 --maxi-batch 100 --maxi-batch-sort src --cpu-threads $((i == 2 ? 2 : 1)) \
        -i "$work/test.src" -o "$work/out.$i" >"$work/log.$i" 2>&1
      sed -n 's/.*Total time: \([0-9.]*\)s wall.*/\1/p' "$work/log.$i" |
        awk -v n="$(wc -l <"$work/test.src")" '{printf "%.2f\n", n / $1}' >>"$work/speed.$i"
    done
  done
  best=$(for i in 2 3; do median <"$work/speed.$i"; done | sort -n | tail -1)
  lines=$(wc -l <"$work/test.src")
  for i in 0 1 2 3; do
    ours=$(median <"$work/speed.$i")
    # equal lines, and lines where one output is the other's beginning (a length limit)
    read -r same cut < <(paste -d'\t' "$work/out.$i" "$work/out.2" | awk -F'\t' '
      $1 == $2 {same++; next}
      index($1 " ", $2 " ") == 1 || index($2 " ", $1 " ") == 1 {cut++}
      END {print same + 0, cut + 0}')
    pieces=$(wc -w <"$work/out.$i")
    echo "| $search | ${names[$i]} | $ours ($(paste -sd/ "$work/speed.$i")) |" \
      "$(awk -v a="$ours" -v b="$best" 'BEGIN {printf "%.2fx", a / b}') |" \
      "$(awk -v s="$ours" -v p="$pieces" -v n="$lines" 'BEGIN {printf "%.0f", s * p / n}') |" \
      "$same of $lines (and $cut cut short) |"
  done
done

#!/usr/bin/env bash
# A real-sized OpenNMT-py model translated by OpenNMT-py and by rnmt after `rnmt convert`, side by
# side in one run on the same CPU: the speed figure of docs/converting.md.
#   scripts/bench-convert.sh OPENNMT_PY_SOURCE [TRAIN_STEPS] [ROUNDS]
# OPENNMT_PY_SOURCE: OpenNMT-py v3.4.0's tree (git archive v3.4.0 onmt), run on Debian's
# python3-torch with scripts/opennmt-py-stand-ins.sh. The data are the Bible recipe's (prepared by
# `rnmt run recipes/bible-en-es.yaml`, which leaves its text and tokenizers in runs/bible-en-es),
# as rnmt's BPE pieces, which OpenNMT-py reads as pre-tokenized text. OpenNMT-py trains its classic
# RNN model on them (-encoder_type brnn, 2 layers of 500, input feeding, general attention, word
# vectors of 500) for TRAIN_STEPS (1500) steps of 64 sentences on 2 threads, then translates the
# 1,000 test verses with translate.py (-report_time: its own timing, model loading excluded), beam 5
# and greedy, 64 sentences a batch, on 2 threads and on 1; rnmt translates the converted model in
# float32 and int8 (rnmt quantize) with the same settings. Sentences/s are medians of ROUNDS (3)
# alternating rounds; each row says on how many lines its output equals OpenNMT-py's.
# ONMT_CHECKPOINT=FILE skips the training and translates with a checkpoint it trained before.
# Run it on a quiet machine: nothing else may run beside the translations.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
(($# >= 1)) || { sed -n '2,16s/^# \{0,1\}//p' "$0" >&2; exit 2; }
onmt=$(cd "$1" && pwd) steps=${2:-1500} rounds=${3:-3}
data=runs/bible-en-es
[[ -f $data/prepare/src.tokenizer ]] || { echo "bench-convert: run rnmt run recipes/bible-en-es.yaml first (its prepare stage)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
scripts/opennmt-py-stand-ins.sh "$work/stubs"
export PYTHONPATH=$work/stubs:$onmt
py=/usr/bin/python3
median() { sort -n | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }

for side in "src en" "tgt es"; do
  read -r name lang <<<"$side"
  for split in train test; do
    "$BUILD/rnmt" tokenize --bpe "$data/prepare/$name.tokenizer" <"$data/data/$split.$lang" >"$work/$split.$name"
  done
done
cat >"$work/config.yaml" <<YAML
save_data: $work/run
src_vocab: $work/vocab.src
tgt_vocab: $work/vocab.tgt
data:
  corpus_1:
    path_src: $work/train.src
    path_tgt: $work/train.tgt
overwrite: true
YAML
"$py" -m onmt.bin.build_vocab -config "$work/config.yaml" -n_sample -1 >"$work/vocab.log" 2>&1
checkpoint=$work/model_step_$steps.pt
if [[ -n ${ONMT_CHECKPOINT:-} ]]; then  # a model it trained before (its vocabularies are the same)
  checkpoint=$ONMT_CHECKPOINT
else
start=$(date +%s)
OMP_NUM_THREADS=2 "$py" -m onmt.bin.train -config "$work/config.yaml" -encoder_type brnn \
  -layers 2 -hidden_size 500 -word_vec_size 500 -input_feed 1 -global_attention general \
  -batch_size 64 -batch_type sents -train_steps "$steps" -save_checkpoint_steps "$steps" \
  -valid_steps 1000000 -optim adam -learning_rate 0.001 -dropout 0.2 -seed 1 -world_size 1 \
  -report_every 100 -save_model "$work/model" >"$work/train.log" 2>&1 || { tail -20 "$work/train.log" >&2; exit 1; }
echo "OpenNMT-py trained $steps steps in $(($(date +%s) - start)) s ($(grep -o 'acc: *[0-9.]*' "$work/train.log" | tail -1))"
fi
"$BUILD/rnmt" convert --from opennmt-py "$checkpoint" -o "$work/model.rnmt"
"$BUILD/rnmt" quantize "$work/model.rnmt" "$work/int8.rnmt"
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //') (family $(grep -m1 'cpu family' /proc/cpuinfo | sed 's/.*: //'))"

names=("rnmt float32" "rnmt int8" "OpenNMT-py, 2 threads" "OpenNMT-py, 1 thread")
echo "| search | program | sentences/s | vs OpenNMT-py's best | output = OpenNMT-py's (2 threads) |"
echo "|---|---|---|---|---|"
for beam in 5 1; do
  search=$( ((beam == 1)) && echo greedy || echo "beam $beam")
  for i in 0 1 2 3; do : >"$work/speed.$i"; done
  for ((round = 0; round < rounds; round++)); do
    for i in 0 1; do
      model=$work/model.rnmt compute=float32
      ((i == 1)) && model=$work/int8.rnmt compute=int8
      "$BUILD/rnmt" translate -m "$model" --compute-type "$compute" -i "$work/test.src" \
        -o "$work/out.$i" --beam-size "$beam" --max-batch-size 64 --threads 2 \
        --max-length-ratio 250 2>"$work/log.$i"  # as OpenNMT-py: at most 250 tokens, no ratio
      sed -n 's/.* s: \([0-9.]*\) sentences\/s.*/\1/p' "$work/log.$i" >>"$work/speed.$i"
    done
    for i in 2 3; do
      OMP_NUM_THREADS=$((i == 2 ? 2 : 1)) "$py" -m onmt.bin.translate -model "$checkpoint" \
        -src "$work/test.src" -output "$work/out.$i" -beam_size "$beam" -batch_size 64 \
        -batch_type sents -report_time >"$work/log.$i" 2>&1
      awk '/Total translation time/ {printf "%.2f\n", 1000 / $NF}' "$work/log.$i" >>"$work/speed.$i"
    done
  done
  best=$(for i in 2 3; do median <"$work/speed.$i"; done | sort -n | tail -1)
  for i in 0 1 2 3; do
    ours=$(median <"$work/speed.$i")
    same=$(paste -d'\t' "$work/out.$i" "$work/out.2" | awk -F'\t' '$1 == $2' | wc -l)
    echo "| $search | ${names[$i]} | $ours ($(paste -sd/ "$work/speed.$i")) |" \
      "$(awk -v a="$ours" -v b="$best" 'BEGIN {printf "%.2fx", a / b}') | $same of $(wc -l <"$work/test.src") |"
  done
done

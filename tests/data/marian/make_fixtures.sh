#!/usr/bin/env bash
# Makes the Marian fixtures of rnmt's Marian converter: real s2s models that Marian trains here in
# seconds on the corpus of the OpenNMT-py fixtures (../opennmt-py/make_corpus.py), and Marian's own
# n-best lists with scores for its test.src, which rnmt's translations of the converted models must
# equal. Run once by hand (the outputs are committed) with a Marian built CPU-only from its source
# (marian-nmt/marian-dev; nothing of it is committed, nor how to build it):
#   tests/data/marian/make_fixtures.sh MARIAN_BUILD_DIR [NAME ...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$1" && pwd)
shift
selected=" $* "
wanted() { [[ $selected == "  " || $selected == *" $1 "* ]]; }
[[ -x $bin/marian && -x $bin/marian-decoder ]] || { echo "make_fixtures: no marian in $bin" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

/usr/bin/python3 "$here/../opennmt-py/make_corpus.py" "$work"
cp "$here/../opennmt-py/test.src" "$here/test.src"

# Each model: a name and its options (amun: the s2s GRU model saved under the parameter names of
# Amun and Nematus, as Marian's --type amun does). All are small (16-dimensional embeddings, 32 units) and
# trained for 1,500 batches of 16 pairs on one CPU thread. The vocabularies are Marian's own YAML
# files, made from the training data on the first run and shared by every model.
common=(--dim-emb 16 --dim-rnn 32 --enc-depth 1 --dec-depth 1 --mini-batch 16
  --after-batches 1500 --learn-rate 0.01 --optimizer adam --seed 3 --cpu-threads 1 --workspace 256
  --max-length 50 --disp-freq 500 --save-freq 1500 --valid-freq 100000 --overwrite --quiet-translation
  --train-sets "$work/train.src" "$work/train.tgt" --vocabs "$here/vocab.src.yml" "$here/vocab.tgt.yml")
models=(
  "s2s-gru:--type s2s --enc-cell gru --dec-cell gru"
  "s2s-lstm:--type s2s --enc-cell lstm --dec-cell lstm"
  "amun:--type amun --enc-cell gru --dec-cell gru"
)
for entry in "${models[@]}"; do
  name=${entry%%:*}
  wanted "$name" || continue
  read -ra options <<<"${entry#*:}"
  "$bin/marian" "${common[@]}" "${options[@]}" -m "$work/$name.npz" >"$work/$name.log" 2>&1 ||
    { tail -20 "$work/$name.log" >&2; exit 1; }
  cp "$work/$name.npz" "$here/$name.npz"
  # Its n-best lists with scores (beam 3, its default: no length normalisation, <unk> never output)
  "$bin/marian-decoder" -m "$here/$name.npz" -v "$here/vocab.src.yml" "$here/vocab.tgt.yml" \
    --beam-size 3 --n-best --cpu-threads 1 --quiet <"$here/test.src" >"$here/$name.nbest" 2>"$work/$name.decode.log" ||
    { tail -20 "$work/$name.decode.log" >&2; exit 1; }
  echo "$name: $(grep -o 'Cost [0-9.]*' "$work/$name.log" | tail -1), $(ls -l "$here/$name.npz" | awk '{print $5}') bytes"
done

#!/usr/bin/env bash
# Makes the OpenNMT-py fixtures of rnmt convert's tests: real checkpoints that OpenNMT-py v3.4.0
# trains here in seconds on a small corpus of our own (make_corpus.py), and OpenNMT-py's own
# n-best lists with scores for test.src, which rnmt's translations of the converted models must
# equal. Run once by hand (the outputs are committed); needs Debian 12's python3-torch,
# python3-configargparse and python3-yaml, and OpenNMT-py's source, of which nothing is committed:
#   git -C OpenNMT-py archive v3.4.0 onmt | tar -x -C /tmp/onmt-3.4.0
#   tests/data/opennmt-py/make_fixtures.sh /tmp/onmt-3.4.0
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
onmt=$(cd "$1" && pwd)
[[ -f $onmt/onmt/bin/train.py ]] || { echo "make_fixtures: no OpenNMT-py source at $onmt" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Stand-ins for the imports OpenNMT-py needs and Debian 12 lacks (scripts/opennmt-py-stand-ins.sh)
"$here/../../../scripts/opennmt-py-stand-ins.sh" "$work/stubs"
export PYTHONPATH=$work/stubs:$onmt
py=/usr/bin/python3

/usr/bin/python3 "$here/make_corpus.py" "$work"
cp "$work/test.src" "$here/test.src"
cat >"$work/base.yaml" <<EOF
save_data: $work/run
src_vocab: $work/vocab.src
tgt_vocab: $work/vocab.tgt
data:
  corpus_1:
    path_src: $work/train.src
    path_tgt: $work/train.tgt
overwrite: true
EOF
"$py" -m onmt.bin.build_vocab -config "$work/base.yaml" -n_sample -1 >"$work/vocab.log" 2>&1 || { tail -20 "$work/vocab.log" >&2; exit 1; }
"$py" -m onmt.bin.build_vocab -config "$work/base.yaml" -n_sample -1 -share_vocab \
  -src_vocab "$work/vocab.shared" >>"$work/vocab.log" 2>&1

# Each model: a name and its options. All are small (16-dimensional embeddings, 32 units), trained
# for 600 steps of 16 pairs on one CPU thread: enough to translate the corpus's task in part.
common=(-config "$work/base.yaml" -encoder_type brnn -word_vec_size 16 -hidden_size 32
  -batch_size 16 -batch_type sents -train_steps 600 -valid_steps 100000 -save_checkpoint_steps 600
  -optim adam -learning_rate 0.01 -dropout 0 -seed 3 -world_size 1 -report_every 200)
models=(
  "lstm-general-feed:-layers 1 -global_attention general -input_feed 1"
  "lstm-dot-2layers:-layers 2 -global_attention dot -input_feed 0"
  "lstm-mlp-bridge:-layers 1 -global_attention mlp -input_feed 1 -bridge"
  "gru-general-2layers-bridge:-rnn_type GRU -layers 2 -global_attention general -input_feed 0 -bridge"
  "lstm-shared:-layers 1 -global_attention general -input_feed 1 -share_vocab -share_embeddings -share_decoder_embeddings -word_vec_size 32"
)
for entry in "${models[@]}"; do
  name=${entry%%:*}
  read -ra options <<<"${entry#*:}"
  vocab=()
  if [[ " ${options[*]} " == *" -share_vocab "* ]]; then vocab=(-src_vocab "$work/vocab.shared" -tgt_vocab "$work/vocab.shared"); fi
  OMP_NUM_THREADS=1 "$py" -m onmt.bin.train "${common[@]}" "${vocab[@]}" "${options[@]}" \
    -save_model "$work/$name" >"$work/$name.log" 2>&1 || { tail -20 "$work/$name.log" >&2; exit 1; }
  cp "$work/${name}_step_600.pt" "$here/$name.pt"
  # Its n-best lists with scores (beam 3, 3 best, length penalty avg), <unk> banned.
  OMP_NUM_THREADS=1 "$py" -m onmt.bin.translate -model "$here/$name.pt" -src "$here/test.src" \
    -output "$here/$name.nbest" -beam_size 3 -n_best 3 -with_score -ban_unk_token \
    -max_length 30 >"$work/$name.translate.log" 2>&1 || { tail -20 "$work/$name.translate.log" >&2; exit 1; }
  echo "$name: $(grep -o 'acc: *[0-9.]*' "$work/$name.log" | tail -1), $(ls -l "$here/$name.pt" | awk '{print $5}') bytes"
done

# Checkpoints whose options rnmt refuses: lstm-general-feed's options with one changed, and no
# weights (the options are checked first).
"$py" - "$here" <<'EOF'
import sys
import torch
here = sys.argv[1]
base = torch.load(f"{here}/lstm-general-feed.pt", map_location="cpu")
for name, option, value in [("transformer", "encoder_type", "transformer"),
                            ("copy-attn", "copy_attn", True),
                            ("sparsemax", "global_attention_function", "sparsemax"),
                            ("sru", "rnn_type", "SRU")]:
    opt = type(base["opt"])(**vars(base["opt"]))
    setattr(opt, option, value)
    torch.save({"model": {}, "generator": {}, "vocab": base["vocab"], "opt": opt},
               f"{here}/refused-{name}.pt")
EOF

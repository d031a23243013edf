#!/usr/bin/env bash
# Makes the OpenNMT-py fixtures of rnmt convert's tests: real checkpoints that OpenNMT-py v3.4.0
# trains here in seconds on a small corpus of our own (make_corpus.py), and OpenNMT-py's own
# n-best lists with scores for test.src, which rnmt's translations of the converted models must
# equal. Run once by hand (the outputs are committed); needs Debian 12's python3-torch,
# python3-configargparse and python3-yaml, and OpenNMT-py's source, of which nothing is committed:
#   git -C OpenNMT-py archive v3.4.0 onmt | tar -x -C /tmp/onmt-3.4.0
#   tests/data/opennmt-py/make_fixtures.sh /tmp/onmt-3.4.0 [NAME ...]
# NAMEs (default: all) make only those fixtures. The SentencePiece fixture also needs Debian's
# sentencepiece (spm_train) and python3-sentencepiece (OpenNMT-py's sentencepiece transform).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
onmt=$(cd "$1" && pwd)
shift
selected=" $* "
wanted() { [[ $selected == "  " || $selected == *" $1 "* ]]; }
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
  wanted "$name" || continue
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

# A model trained on SentencePiece pieces, as OpenNMT-py's sentencepiece transform makes them from
# raw text: one joint SentencePiece model of 100 pieces (unigram, nmt_nfkc normalization, so that
# the full-width letters and runs of spaces of test-raw.src test the normalization too).
if wanted lstm-sentencepiece; then
  spm_train --input="$work/train.src,$work/train.tgt" --model_prefix="$here/joint" --vocab_size=100 \
    --character_coverage=1.0 --model_type=unigram --seed_sentencepiece_size=10000 \
    --num_threads=1 >"$work/spm.log" 2>&1 || { tail -20 "$work/spm.log" >&2; exit 1; }
  rm "$here/joint.vocab"
  awk 'NR == 1 { gsub(/sun/, "ｓｕｎ") }
    NR == 2 { gsub(/ /, "   ") } NR == 3 { $0 = "\t" $0 "  " } { print }' "$here/test.src" >"$here/test-raw.src"
  # Longer pieces sequences than the other fixtures' words: trained for 1,500 steps. The model is
  # named relative to the fixtures' folder, as a model shipped with its SentencePiece model is: the
  # checkpoint's options record the path as given (rnmt convert looks beside the checkpoint too).
  cd "$here"
  subword=(-transforms sentencepiece -src_subword_model joint.model -tgt_subword_model joint.model)
  sed -e "s|^src_vocab: .*|src_vocab: $work/vocab-spm.src|" -e "s|^tgt_vocab: .*|tgt_vocab: $work/vocab-spm.tgt|" \
    "$work/base.yaml" >"$work/spm.yaml"
  "$py" -m onmt.bin.build_vocab -config "$work/spm.yaml" -n_sample -1 "${subword[@]}" \
    >"$work/vocab-spm.log" 2>&1 || { tail -20 "$work/vocab-spm.log" >&2; exit 1; }
  name=lstm-sentencepiece
  common[1]=$work/spm.yaml
  OMP_NUM_THREADS=1 "$py" -m onmt.bin.train "${common[@]}" "${subword[@]}" -layers 1 \
    -global_attention general -input_feed 1 -train_steps 1500 -save_checkpoint_steps 1500 \
    -save_model "$work/$name" >"$work/$name.log" 2>&1 || { tail -20 "$work/$name.log" >&2; exit 1; }
  cp "$work/${name}_step_1500.pt" "$here/$name.pt"
  OMP_NUM_THREADS=1 "$py" -m onmt.bin.translate -model "$here/$name.pt" -src "$here/test-raw.src" \
    "${subword[@]}" -output "$here/$name.nbest" -beam_size 3 -n_best 3 -with_score -ban_unk_token \
    -max_length 60 >"$work/$name.translate.log" 2>&1 || { tail -20 "$work/$name.translate.log" >&2; exit 1; }
  echo "$name: $(grep -o 'acc: *[0-9.]*' "$work/$name.log" | tail -1), $(ls -l "$here/$name.pt" | awk '{print $5}') bytes"
fi

wanted lstm-general-feed || exit 0
# lstm-general-feed's n-best lists under GNMT's length penalty (-length_penalty wu -alpha 0.6)
OMP_NUM_THREADS=1 "$py" -m onmt.bin.translate -model "$here/lstm-general-feed.pt" -src "$here/test.src" \
  -output "$here/lstm-general-feed.wu.nbest" -beam_size 3 -n_best 3 -with_score -ban_unk_token \
  -max_length 30 -length_penalty wu -alpha 0.6 >"$work/wu.translate.log" 2>&1 ||
  { tail -20 "$work/wu.translate.log" >&2; exit 1; }

# lstm-general-feed as OpenNMT-py 1.x-2.x (v2-vocab.pt) and 0.x (0x-vocab.pt) saved it: vocabularies
# as torchtext objects (each side's TextMultiField holding a Field holding a Vocab, whose `itos`
# lists the tokens; 0.x: a list of (side, Vocab) pairs), options named as then (rnn_size), the
# generator as its Sequential's "0.". Neither torchtext nor OpenNMT-py 2 is on Debian 12, so the
# objects are stand-ins with their classes' module names and attributes, pickled by Python as the
# real ones are (as OpenNMT-py's own tools/convertv2_v3.py reads them). Source vocabularies then
# had no <s> and </s>, so their embedding rows go too. Translations: lstm-general-feed.nbest's.
"$py" - "$here" <<'EOF'
import collections
import functools
import sys
import types
import torch

here = sys.argv[1]


def module(name):
    m = types.ModuleType(name)
    sys.modules[name] = m
    return m


onmt = module("onmt"); onmt.inputters = module("onmt.inputters")
text_dataset = module("onmt.inputters.text_dataset"); onmt.inputters.text_dataset = text_dataset
torchtext = module("torchtext"); torchtext.data = module("torchtext.data")
field_module = module("torchtext.data.field"); torchtext.data.field = field_module
vocab_module = module("torchtext.vocab"); torchtext.vocab = vocab_module


def _feature_tokenize(string, layer=0, tok_delim=None, feat_delim=None, truncate=None):
    return string.split(tok_delim)


class RawField:
    pass


class Vocab:  # torchtext's __getstate__ gives stoi as a plain dict
    def __init__(self, itos):
        self.freqs = collections.Counter({t: 1 for t in itos if not t.startswith("<")})
        self.itos = list(itos)
        self.unk_index = 0
        self.stoi = {t: i for i, t in enumerate(itos)}
        self.vectors = None


class Field(RawField):  # torchtext 0.4's __getstate__: dtype by its name, tokenize kept
    def __init__(self, itos, init_token, eos_token):
        self.sequential, self.use_vocab, self.init_token, self.eos_token = True, True, init_token, eos_token
        self.unk_token, self.pad_token, self.fix_length, self.lower = "<unk>", "<blank>", None, False
        self.include_lengths, self.batch_first, self.pad_first, self.truncate_first = False, False, False, False
        self.preprocessing, self.postprocessing, self.stop_words, self.is_target = None, None, None, False
        self.tokenize = functools.partial(_feature_tokenize, layer=0, truncate=None, feat_delim=None)
        self.dtype = "int64"
        self.vocab = Vocab(itos)


class TextMultiField(RawField):
    def __init__(self, name, field):
        self.preprocessing, self.postprocessing, self.is_target = None, None, False
        self.fields = [(name, field)]


for cls, m in [(RawField, field_module), (Field, field_module), (TextMultiField, text_dataset),
               (Vocab, vocab_module)]:
    cls.__module__ = m.__name__
    setattr(m, cls.__name__, cls)
_feature_tokenize.__module__ = text_dataset.__name__
text_dataset._feature_tokenize = _feature_tokenize

base = torch.load(f"{here}/lstm-general-feed.pt", map_location="cpu")
src, tgt = base["vocab"]["src"], base["vocab"]["tgt"]
kept = [i for i, t in enumerate(src) if t not in ("<s>", "</s>")]
model = collections.OrderedDict(base["model"])
emb = "encoder.embeddings.make_embedding.emb_luts.0.weight"
model[emb] = model[emb][kept].clone()
generator = collections.OrderedDict(("0." + k, v) for k, v in base["generator"].items())
opt = type(base["opt"])(**vars(base["opt"]))
for new, old in [("hidden_size", "rnn_size"), ("enc_hid_size", "enc_rnn_size"),
                 ("dec_hid_size", "dec_rnn_size")]:
    setattr(opt, old, getattr(opt, new))
    delattr(opt, new)
src_itos = [src[i] for i in kept]
fields = {"src": TextMultiField("src", Field(src_itos, None, None)),
          "tgt": TextMultiField("tgt", Field(tgt, "<s>", "</s>"))}
torch.save({"model": model, "generator": generator, "vocab": fields, "opt": opt},
           f"{here}/v2-vocab.pt")
torch.save({"model": model, "generator": generator, "opt": opt,
            "vocab": [("src", Vocab(src_itos)), ("tgt", Vocab(tgt))]}, f"{here}/0x-vocab.pt")
EOF

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
# data transforms rnmt cannot reproduce, and the sentencepiece transform without its model
for name, transforms, subword in [("onmt-tokenize", ["onmt_tokenize"], None),
                                  ("prefix", ["filtertoolong", "prefix"], None),
                                  ("sentencepiece-no-model", ["sentencepiece"], None)]:
    opt = type(base["opt"])(**vars(base["opt"]))
    opt.transforms, opt._all_transform = transforms, set(transforms)
    opt.src_subword_model = opt.tgt_subword_model = subword
    torch.save({"model": {}, "generator": {}, "vocab": base["vocab"], "opt": opt},
               f"{here}/refused-{name}.pt")
# source features as OpenNMT-py 1.x-2.x held them: a second source embedding, whatever the options
torch.save({"model": {"encoder.embeddings.make_embedding.emb_luts.1.weight": torch.zeros(3, 4)},
            "generator": {}, "vocab": base["vocab"], "opt": base["opt"]},
           f"{here}/refused-features.pt")
EOF

#!/usr/bin/env bash
# Writes into DIR the stand-ins for the modules OpenNMT-py v3.4.0 imports at start and Debian 12
# lacks, so that its train.py, build_vocab.py and translate.py run on Debian's python3-torch with
# PYTHONPATH=DIR:OPENNMT_PY_SOURCE (the fixtures of rnmt convert, the conversion benchmark).
#   scripts/opennmt-py-stand-ins.sh DIR
set -euo pipefail
dir=$1
mkdir -p "$dir"
# Of them only pyonmttok's vocabulary is used by what runs here (special tokens first, then the
# vocabulary file's tokens in order, up to a maximum size); regex stands in as Python's re.
cat >"$dir/pyonmttok.py" <<'EOF'
class Vocab:
    def __init__(self, tokens):
        self.ids_to_tokens = []
        self.tokens_to_ids = {}
        self.default_id = 0
        for t in tokens:
            self.add_token(t)

    def add_token(self, token):
        if token not in self.tokens_to_ids:
            self.tokens_to_ids[token] = len(self.ids_to_tokens)
            self.ids_to_tokens.append(token)

    def __getitem__(self, token):
        return self.tokens_to_ids.get(token, self.default_id)

    def __contains__(self, token):
        return token in self.tokens_to_ids

    def __len__(self):
        return len(self.ids_to_tokens)

    def lookup_token(self, token):
        return self[token]

    def lookup_index(self, index):
        return self.ids_to_tokens[index]

    def __call__(self, tokens):
        return [self[t] for t in tokens]


def build_vocab_from_tokens(tokens, maximum_size=0, minimum_frequency=1, special_tokens=None):
    vocab = Vocab(list(special_tokens or []) + list(tokens))
    if maximum_size:
        vocab = Vocab(vocab.ids_to_tokens[:maximum_size])
    return vocab


def set_random_seed(seed):
    pass
EOF
echo 'fuzz = process = None' >"$dir/rapidfuzz.py"
echo 'corpus_bleu = corpus_ter = None' >"$dir/sacrebleu.py"
echo 'from re import *' >"$dir/regex.py"
for module in spacy ahocorasick fasttext; do : >"$dir/$module.py"; done

#!/usr/bin/env bash
# Tokenize + BPE-encode speed against SentencePiece's spm_encode, same machine, same run.
# Corpus: 200,000 non-empty lines of the Debian changelogs on this machine, repeated to 1M lines;
# both models are BPE with an 8,000-piece vocabulary learned from the 200,000 lines.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
command -v spm_encode >/dev/null || scripts/install-deps.sh --tokenizer-bench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
set +o pipefail  # head stops reading early on purpose
find /usr/share/doc -name 'changelog*.gz' -print0 | sort -z | xargs -0 zcat 2>/dev/null |
  grep -v '^\s*$' | head -200000 >"$work/corpus"
set -o pipefail
for _ in 1 2 3 4 5; do cat "$work/corpus"; done >"$work/big"
"$BUILD/rnmt" learn-bpe --merges 8000 -i "$work/corpus" -o "$work/rnmt.model" 2>&1 | sed 's/^/  /'
spm_train --input="$work/corpus" --model_prefix="$work/spm" --vocab_size=8000 --model_type=bpe \
  --minloglevel=2 >/dev/null 2>&1
time_of() { /usr/bin/time -f %e "$@" 2>&1 >/dev/null | tail -1; }
echo "lines: $(wc -l <"$work/big")"
echo "rnmt tokenize --bpe:  $(time_of "$BUILD/rnmt" tokenize --bpe "$work/rnmt.model" <"$work/big") s"
echo "spm_encode:           $(time_of spm_encode --model="$work/spm.model" <"$work/big") s"

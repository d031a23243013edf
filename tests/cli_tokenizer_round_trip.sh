#!/usr/bin/env bash
# learn-bpe on a small corpus, then tokenize | detokenize must give the input back byte for byte,
# with one output line per input line (empty lines included); invalid UTF-8 follows the policy.
set -euo pipefail
rnmt=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
printf 'The quick brown fox  jumps.\n\n\tTabs, \\back\\slashes and \xe2\x96\x81 markers\nnaïve café 1234\n  leading and trailing  \n' >"$dir/corpus"
for i in 1 2 3 4 5; do cat "$dir/corpus"; done >"$dir/big"
"$rnmt" learn-bpe --merges 50 -i "$dir/big" -o "$dir/model" 2>"$dir/log"
grep -q "^learn-bpe: 25 lines, .* -> 50 merges" "$dir/log"
"$rnmt" tokenize --bpe "$dir/model" <"$dir/corpus" >"$dir/tok"
[[ $(wc -l <"$dir/tok") == $(wc -l <"$dir/corpus") ]] || { echo "line count differs"; exit 1; }
"$rnmt" detokenize <"$dir/tok" | cmp - "$dir/corpus"
# BPE-dropout changes the pieces, never the text
"$rnmt" tokenize --bpe "$dir/model" --dropout 0.5 --seed 3 <"$dir/corpus" | "$rnmt" detokenize | cmp - "$dir/corpus"
# invalid UTF-8: replaced (and reported) by default, an error naming the line with --invalid-utf8 fail
printf 'ok\nbad \xff byte\n' | "$rnmt" tokenize 2>"$dir/err" | "$rnmt" detokenize >"$dir/out"
[[ $(sed -n 2p "$dir/out") == $'bad \xef\xbf\xbd byte' ]] || { echo "no replacement"; exit 1; }
grep -q "1 invalid UTF-8 sequences replaced" "$dir/err"
if printf 'ok\nbad \xff\n' | "$rnmt" tokenize --invalid-utf8 fail >/dev/null 2>"$dir/err"; then exit 1; fi
grep -q "line 2: invalid UTF-8 at byte 5" "$dir/err"
echo "tokenizer round trip: ok"

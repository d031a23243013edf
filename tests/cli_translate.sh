#!/usr/bin/env bash
# rnmt translate on the quickstart model that cli_run.sh trained: it translates the held-out set as
# well as the evaluation did, keeps one output line per input line whatever the input, gives the
# same output however it batches, and writes n-best lists, scores and alignments in their formats.
set -euo pipefail
rnmt=$1
dir=$2  # model.rnmt, test.en, test.es
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
model=$dir/model.rnmt

# the held-out numbers: at least 90% exact matches, as in the recipe's evaluation
"$rnmt" translate -m "$model" -i "$dir/test.en" -o out.es 2>log.txt
[[ $(wc -l <out.es) == $(wc -l <"$dir/test.en") ]]
grep -q "^translate: 1000 lines (0 empty, 0 truncated)" log.txt || { cat log.txt; exit 1; }
matches=$(paste -d '\t' out.es "$dir/test.es" | awk -F '\t' '$1 == $2' | wc -l)
(( matches >= 900 )) || { echo "only $matches of 1000 exact matches"; exit 1; }

# stdin to stdout; the same output with other batchings and with greedy search as beam 1
head -200 "$dir/test.en" >in.txt
"$rnmt" translate -m "$model" <in.txt >a.txt 2>/dev/null
"$rnmt" translate -m "$model" -i in.txt --batch-size 1 >b.txt 2>/dev/null
"$rnmt" translate -m "$model" -i in.txt --batch-tokens 50 >c.txt 2>/dev/null
cmp a.txt b.txt
cmp a.txt c.txt
cmp a.txt <(head -200 out.es)
# batches shared out among workers (one per thread) change nothing either
"$rnmt" translate -m "$model" -i in.txt --threads 2 --batch-size 8 >d.txt 2>/dev/null
"$rnmt" translate -m "$model" -i in.txt --threads 1 --batch-size 8 >e.txt 2>/dev/null
cmp a.txt d.txt
cmp a.txt e.txt

# one line out per line in: empty lines, invalid UTF-8 (replaced), an over-long line (truncated)
long=$(for _ in $(seq 80); do printf 'one '; done)
printf 'twenty one\n\n\xff\xfe seven\n%s\n\nthree\n' "$long" >odd.txt
"$rnmt" translate -m "$model" -i odd.txt -o odd.out 2>odd.log
[[ $(wc -l <odd.out) == 6 ]]
[[ -z $(sed -n 2p odd.out) && -z $(sed -n 5p odd.out) ]]
grep -q "warning: line 4 is longer than the model's 60 pieces" odd.log || { cat odd.log; exit 1; }
grep -q "(2 empty, 1 truncated)" odd.log

# n-best: N lines per input line 'LINE ||| text ||| score', best first, the best is the 1-best
"$rnmt" translate -m "$model" -i in.txt --beam 3 --n-best 3 >nbest.txt 2>/dev/null
[[ $(wc -l <nbest.txt) == 600 ]]
grep -qvE '^[0-9]+ \|\|\| .* \|\|\| -?[0-9]+\.[0-9]{4}$' nbest.txt && exit 1
awk -F ' [|][|][|] ' '$1 == prev && $3 > last + 1e-9 { bad = 1 } { prev = $1; last = $3 }
  END { exit bad }' nbest.txt
"$rnmt" translate -m "$model" -i in.txt --beam 3 >beam3.txt 2>/dev/null
cmp beam3.txt <(awk -F ' [|][|][|] ' 'NR == 1 || $1 != prev { print $2 } { prev = $1 }' nbest.txt)

# scores and alignments: 'text ||| score ||| s-t ...' with one pair per output piece
"$rnmt" translate -m "$model" -i in.txt --scores --alignments >al.txt 2>/dev/null
[[ $(wc -l <al.txt) == 200 ]]
grep -qvE '^.* \|\|\| -?[0-9]+\.[0-9]{4} \|\|\| ([0-9]+-[0-9]+( [0-9]+-[0-9]+)*)?$' al.txt && exit 1
cmp a.txt <(awk -F ' [|][|][|] ' '{ print $1 }' al.txt)

# -o to a special file (a FIFO here; /dev/null alike) writes into it: renaming a finished file over
# it would replace it (as root, /dev/null itself)
mkfifo out.fifo
cat out.fifo >fifo.txt &
"$rnmt" translate -m "$model" -i in.txt -o out.fifo 2>/dev/null
wait $!
[[ -p out.fifo && ! -e out.fifo.tmp ]]
cmp a.txt fifo.txt

# errors: a damaged model, an impossible n-best, a missing input
head -c 1000 "$model" >short.rnmt
if "$rnmt" translate -m short.rnmt <in.txt >/dev/null 2>err.txt; then exit 1; fi
grep -q "short.rnmt" err.txt || { cat err.txt; exit 1; }
if "$rnmt" translate -m "$model" --beam 2 --n-best 3 <in.txt >/dev/null 2>err.txt; then exit 1; fi
grep -q "between 1 and the beam size (2)" err.txt || { cat err.txt; exit 1; }
if "$rnmt" translate -m "$model" -i missing.txt 2>err.txt; then exit 1; fi
grep -q "cannot open 'missing.txt'" err.txt
refused() {  # refused OPTION... MESSAGE: the options are an error whose message says MESSAGE
  local message=${*: -1}
  if "$rnmt" translate -m "$model" "${@:1:$#-1}" <in.txt >/dev/null 2>err.txt; then exit 1; fi
  grep -q "$message" err.txt || { cat err.txt; exit 1; }
}
refused --batch-tokens -5 "batch token limit must not be negative"
refused --batch-size 0 "batch size must be at least 1"
refused --threads -1 "thread count must not be negative"
refused --max-length-ratio 0 "maximum length ratio must be positive"
refused --compute-type float16 "unknown compute type 'float16'"
# the lexical shortlist the export stored (export.shortlist): the quickstart's 104 target pieces
# are all on it (the 100 most frequent and the specials), so the outputs are float32's exactly
"$rnmt" translate -m "$model" -i "$dir/test.en" -o listed.es --use-shortlist 2>/dev/null
cmp listed.es out.es || { echo "--use-shortlist over the whole vocabulary changed outputs"; exit 1; }
"$rnmt" translate -m "$model" -i "$dir/test.en" -o listed.es --shortlist 2>/dev/null  # Marian's
cmp listed.es out.es
echo "rnmt translate: ok"

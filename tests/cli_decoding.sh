#!/usr/bin/env bash
# rnmt score, rnmt average, sampling and ensembles on the quickstart model that cli_run.sh trained: scoring a
# translation gives back the score translate reported, averaging a model with itself changes
# nothing, samples are reproducible by seed and follow their options, and bad input is refused.
set -euo pipefail
rnmt=$1
dir=$2  # model.rnmt, test.en, test.es
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
model=$dir/model.rnmt
head -n 200 "$dir/test.en" >src.txt

# score: with length penalty 0 translate's score is log p, which scoring the output gives back
# (for an output cut at the length limit, without </s>: the total less the </s> term)
"$rnmt" translate -m "$model" -i src.txt --beam 1 --length-penalty 0 --scores >greedy.txt 2>/dev/null
sed 's/ ||| .*//' greedy.txt >hyp.txt
"$rnmt" score -m "$model" --src src.txt --tgt hyp.txt -o scores.txt --per-token 2>score.log
[[ $(wc -l <scores.txt) == 200 ]]
grep -q "^score: 200 pairs" score.log
paste -d '\n' greedy.txt scores.txt | awk -F ' [|][|][|] ' 'NR % 2 { want = $2; next }
  { n = split($2, tokens, " "); sum = 0; for (i = 1; i <= n; i++) sum += tokens[i]
    d = $1 - want; if (d < 0) d = -d
    cut = $1 - tokens[n] - want; if (cut < 0) cut = -cut
    if (d > 2e-4 && cut > 2e-4) far++
    if (sum - $1 > 0.01 || $1 - sum > 0.01) badsum++ }
  END { printf "score: %d of 200 beyond 2e-4 of translate, %d per-token sums off\n", far, badsum
        exit far > 0 || badsum > 0 }'
# a reference translation scores higher than a wrong one
head -n 200 "$dir/test.es" >ref.txt
"$rnmt" score -m "$model" --src src.txt --tgt ref.txt >ref.scores 2>/dev/null
sed 's/$/ uno/' ref.txt >wrong.txt
"$rnmt" score -m "$model" --src src.txt --tgt wrong.txt >wrong.scores 2>/dev/null
paste ref.scores wrong.scores | awk '$1 > $2 { better++ } END { exit better < 190 }'
head -n 5 hyp.txt >short.txt
if "$rnmt" score -m "$model" --src src.txt --tgt short.txt >/dev/null 2>err.txt; then exit 1; fi
grep -q "'short.txt' ends after 5 lines, 'src.txt' has more" err.txt || { cat err.txt; exit 1; }
printf '\nthree\n' >empty_src.txt; printf 'x\ntres\n' >empty_tgt.txt
"$rnmt" score -m "$model" --src empty_src.txt --tgt empty_tgt.txt 2>/dev/null | head -n 1 | grep -qx nan

# average: a model with itself is the same model
"$rnmt" average -o same.rnmt "$model" "$model" 2>avg.log
grep -q "the mean of 2 models" avg.log
"$rnmt" translate -m same.rnmt -i src.txt --beam 1 --length-penalty 0 --scores >same.txt 2>/dev/null
cmp same.txt greedy.txt
if "$rnmt" average -o x.rnmt "$model" 2>err.txt; then exit 1; fi
grep -q "two or more" err.txt

# sampling: seeded samples repeat exactly under other batching and threads, top-k 1 and
# temperature 0 are greedy, and samples differ from one another
opts=(--beam 1 --length-penalty 0 --scores)
"$rnmt" translate -m "$model" -i src.txt "${opts[@]}" --sampling-topk 0 --seed 5 --n-best 3 \
  >s1.txt 2>s1.log
grep -q ", sampling, " s1.log
[[ $(wc -l <s1.txt) == 600 ]]
"$rnmt" translate -m "$model" -i src.txt "${opts[@]}" --sampling-topk 0 --seed 5 --n-best 3 \
  --batch-size 7 --threads 1 >s2.txt 2>/dev/null
# the same samples; their scores to float rounding (other batches sum in another order, and a
# score on a rounding boundary of its 4 printed decimals may print 1e-4 apart)
cmp <(awk -F ' [|][|][|] ' '{ print $1 FS $2 }' s1.txt) <(awk -F ' [|][|][|] ' '{ print $1 FS $2 }' s2.txt)
paste -d '\t' <(awk -F ' [|][|][|] ' '{ print $3 }' s1.txt) <(awk -F ' [|][|][|] ' '{ print $3 }' s2.txt) |
  awk -F '\t' '{ d = $1 - $2; if (d < 0) d = -d; if (d > 2e-4) { print "score " NR ": " $1 " vs " $2; bad = 1 } }
    END { exit bad }'
"$rnmt" translate -m "$model" -i src.txt "${opts[@]}" --sampling-topk 0 --seed 6 --n-best 3 \
  >s3.txt 2>/dev/null
if cmp -s s1.txt s3.txt; then echo "seeds 5 and 6 drew the same samples"; exit 1; fi
"$rnmt" translate -m "$model" -i src.txt "${opts[@]}" --sampling-topk 0 \
  --sampling-temperature 0 >t0.txt 2>/dev/null
cmp t0.txt greedy.txt
# at temperature 1 over the whole vocabulary, samples of a line differ from greedy somewhere
differ=$(paste -d '\t' <(awk -F ' [|][|][|] ' 'NR % 3 == 1 { print $2 }' s1.txt) hyp.txt |
  awk -F '\t' '$1 != $2' | wc -l)
((differ > 0)) || { echo "sampling never left the greedy output"; exit 1; }
if "$rnmt" translate -m "$model" -i src.txt --sampling-topk 0 --beam 4 >/dev/null 2>err.txt; then
  exit 1
fi
grep -q "use beam size 1" err.txt
# target prefixes: each output starts with its line's prefix; a prefix file of another length fails.
# Line i's prefix is the first word the model gave line i+1 (words it knows, mostly not line i's).
awk 'NR > 1 { print $1 } END { print "noventa" }' hyp.txt >prefix.txt
"$rnmt" translate -m "$model" -i src.txt --target-prefix prefix.txt --max-decoding-length 12 \
  >prefixed.txt 2>/dev/null
paste -d '\t' prefixed.txt prefix.txt | awk -F '\t' 'index($1, $2) != 1 { bad++ }
  { n = split($1, words, " "); if (n > 12) bad++ } END { exit bad > 0 }'
head -n 3 prefix.txt >short_prefix.txt
if "$rnmt" translate -m "$model" -i src.txt --target-prefix short_prefix.txt >/dev/null 2>err.txt; then
  exit 1
fi
grep -q "'short_prefix.txt' ends after 3 lines, the input has more" err.txt || { cat err.txt; exit 1; }
head -n 3 src.txt >src3.txt
if "$rnmt" translate -m "$model" -i src3.txt --target-prefix prefix.txt >/dev/null 2>err.txt; then
  exit 1
fi
grep -q "'prefix.txt' has more lines than the input" err.txt || { cat err.txt; exit 1; }

# logit processors: with --no-repeat-ngram-size 1 no output repeats a piece (a word may come back
# spelt in other pieces); a prohibitive --word-penalty ends every output at once
"$rnmt" translate -m "$model" -i src.txt --no-repeat-ngram-size 1 --repetition-penalty 1.2 \
  --output-format json >norepeat.json 2>/dev/null
[[ $(wc -l <norepeat.json) == 200 ]]
awk '{ match($0, /"tokens":\[[^]]*\]/); list = substr($0, RSTART + 10, RLENGTH - 11)
       n = split(list, pieces, ","); delete seen
       for (i = 1; i <= n; i++) if (seen[pieces[i]]++) bad++ } END { exit bad > 0 }' norepeat.json
"$rnmt" translate -m "$model" -i src.txt --beam 3 --word-penalty 1000 >silent.txt 2>/dev/null
[[ $(wc -l <silent.txt) == 200 && -z $(tr -d '\n' <silent.txt) ]]

# JSON output: one object per input line, the same best text as the text output, escaping done
"$rnmt" translate -m "$model" -i src.txt --beam 2 --n-best 2 --alignments --output-format json \
  >out.json 2>/dev/null
[[ $(wc -l <out.json) == 200 ]]
"$rnmt" translate -m "$model" -i src.txt --beam 2 >best.txt 2>/dev/null
awk '{ match($0, /"hypotheses":\[\{"text":"[^"]*"/); t = substr($0, RSTART, RLENGTH)
       sub(/^"hypotheses":\[\{"text":"/, "", t); sub(/"$/, "", t); print t }' out.json | cmp - best.txt
awk -v n=0 'index($0, "{\"line\":" NR - 1 ",\"source_tokens\":[") != 1 { bad++ }
  !/"alignment":\[\[/ { bad++ } END { exit bad > 0 }' out.json
printf 'say "hi"\\there\n' | "$rnmt" translate -m "$model" --output-format json 2>/dev/null |
  grep -qF '"\"' || { echo "a quote in the source is not escaped"; exit 1; }
# soft alignments: every output piece's weights over the source pieces, in the JSON
"$rnmt" translate -m "$model" -i src.txt --return-attention >attention.json 2>/dev/null
[[ $(wc -l <attention.json) == 200 ]]
grep -c '"attention":\[\[' attention.json | grep -qx 200
if "$rnmt" translate -m "$model" -i src.txt --output-format xml >/dev/null 2>err.txt; then exit 1; fi
grep -q "output-format must be text or json" err.txt

# ensembles: a model with itself translates as it does alone (equal weights: the same scores);
# with --weights 1 1 the scores double; the weights must match the models
"$rnmt" translate -m "$model" -i src.txt --beam 3 --scores >alone.txt 2>/dev/null
"$rnmt" translate -m "$model" -m "$model" -i src.txt --beam 3 --scores >pair.txt 2>pair.log
grep -q "^translate: 200 lines.*, beam 3, ensemble of 2 models, " pair.log
paste -d '\n' alone.txt pair.txt | awk -F ' [|][|][|] ' 'NR % 2 { text = $1; want = $2; next }
  { d = $2 - want; if (d < 0) d = -d; if ($1 != text || d > 2e-4) bad++ }
  END { printf "ensemble: %d of 200 lines differ from the model alone\n", bad; exit bad > 0 }'
"$rnmt" translate -m "$model" -m "$model" --weights 1 1 -i src.txt --beam 3 --scores \
  >doubled.txt 2>/dev/null
paste -d '\n' alone.txt doubled.txt | awk -F ' [|][|][|] ' 'NR % 2 { text = $1; want = 2 * $2; next }
  { d = $2 - want; if (d < 0) d = -d; if ($1 != text || d > 5e-4) bad++ } END { exit bad > 0 }'
"$rnmt" score -m "$model" -m "$model" --src src.txt --tgt hyp.txt >pair.scores 2>/dev/null
"$rnmt" score -m "$model" --src src.txt --tgt hyp.txt >alone.scores 2>/dev/null
paste alone.scores pair.scores | awk '{ d = $1 - $2; if (d < 0) d = -d; if (d > 2e-4) bad++ }
  END { exit bad > 0 }'
if "$rnmt" translate -m "$model" -m "$model" --weights 0.5 -i src.txt >/dev/null 2>err.txt; then
  exit 1
fi
grep -q "one per model (2 models, 1 weights)" err.txt || { cat err.txt; exit 1; }
echo "cli_decoding: score, average, sampling, JSON output and ensemble checks passed"

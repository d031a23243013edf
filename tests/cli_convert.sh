#!/usr/bin/env bash
# A model converted from OpenNMT-py (tests/data/opennmt-py) or Marian (tests/data/marian) works in
# every rnmt command as a native one does: rnmt convert writes it (and refuses what it cannot map, naming the option), translate
# gives OpenNMT-py's own best hypotheses with its scores, and in int8, with sampling, as an
# ensemble; score gives the log-probabilities translate's scores come from; inspect draws it;
# rnmt serve serves it.
#   tests/cli_convert.sh RNMT FIXTURES_DIR
set -euo pipefail
rnmt=$1
fixtures=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail() { echo "cli_convert: $*" >&2; exit 1; }

"$rnmt" convert --from opennmt-py "$fixtures/lstm-general-feed.pt" -o a.rnmt 2>convert.log ||
  fail "convert failed: $(cat convert.log)"
grep -q "OpenNMT-py input-feeding LSTM model" convert.log || fail "no summary: $(cat convert.log)"
"$rnmt" convert --from opennmt-py "$fixtures/lstm-dot-2layers.pt" -o b.rnmt 2>/dev/null

# refusals name the file and the option, and write nothing
status=0
"$rnmt" convert --from opennmt-py "$fixtures/refused-copy-attn.pt" -o refused.rnmt 2>refused.log ||
  status=$?
((status == 1)) || fail "a refused option exited $status"
grep -q "refused-copy-attn.pt: OpenNMT-py option -copy_attn" refused.log || fail "$(cat refused.log)"
[[ ! -e refused.rnmt ]] || fail "a refused conversion wrote a file"
status=0
"$rnmt" convert --from nematus x.npz -o m.rnmt 2>from.log || status=$?
((status == 1)) && grep -q "\-\-from nematus: rnmt converts opennmt-py and marian" from.log ||
  fail "--from nematus: $(cat from.log)"

# translate (the model's defaults are OpenNMT-py's: beam 5, length penalty avg) = OpenNMT-py's
# best hypotheses (make_fixtures.sh: beam 3, so beam 3 here), its scores to 4 decimals
"$rnmt" translate -m a.rnmt -i "$fixtures/test.src" --beam-size 3 --scores -o best.txt 2>/dev/null
lines=$(wc -l <"$fixtures/test.src")
(($(wc -l <best.txt) == lines)) || fail "not one output per line"
awk -F'\t' 'NR % 3 == 1 {print $1}' "$fixtures/lstm-general-feed.nbest" >theirs.txt
sed 's/ ||| .*//' best.txt | diff - theirs.txt >/dev/null || fail "best hypotheses differ from OpenNMT-py's"
paste -d'\t' <(sed 's/.* ||| //' best.txt) <(awk -F'\t' 'NR % 3 == 1 {print $2}' "$fixtures/lstm-general-feed.nbest") |
  awk -F'\t' '{d = $1 - $2; if (d < 0) d = -d; if (d > 1e-4) bad = 1} END {exit bad}' ||
  fail "scores differ from OpenNMT-py's"

# SentencePiece: raw text in (full-width letters, runs of spaces), raw text out, as OpenNMT-py's
# sentencepiece transform gives it; the model named on the command line, from another folder
cp "$fixtures/lstm-sentencepiece.pt" spm.pt
"$rnmt" convert --from opennmt-py spm.pt --src-tokenizer "$fixtures/joint.model" \
  --tgt-tokenizer "$fixtures/joint.model" -o spm.rnmt 2>spm.log || fail "$(cat spm.log)"
grep -q "source text: SentencePiece model .*joint.model (--src-tokenizer)" spm.log || fail "$(cat spm.log)"
"$rnmt" translate -m spm.rnmt -i "$fixtures/test-raw.src" --beam-size 3 -o spm.txt 2>/dev/null
awk -F'\t' 'NR % 3 == 1 {print $1}' "$fixtures/lstm-sentencepiece.nbest" | diff - spm.txt >/dev/null ||
  fail "SentencePiece: best hypotheses differ from OpenNMT-py's"
status=0
"$rnmt" convert --from opennmt-py spm.pt -o nospm.rnmt 2>nospm.log || status=$?
((status == 1)) && grep -q "give it with --src-tokenizer FILE" nospm.log || fail "$(cat nospm.log)"

# score: forced decoding of those outputs gives the log-probabilities behind the scores
sed 's/ ||| .*//' best.txt >outputs.txt
"$rnmt" score -m a.rnmt --src "$fixtures/test.src" --tgt outputs.txt >scores.txt 2>/dev/null
(($(wc -l <scores.txt) == lines)) || fail "score: not one line per pair"
paste -d'\t' scores.txt <(sed 's/.* ||| //' best.txt) outputs.txt | awk -F'\t' '{
    n = split($3, tokens, " "); normalised = $1 / (n + 2);  # its length: tokens, <s> and </s>
    d = normalised - $2; if (d < 0) d = -d; if (d > 1e-3) bad = 1 } END {exit bad}' ||
  fail "score's log-probabilities do not give translate's scores"

# int8 (on a CPU without AVX2 it is refused, which cli_translate_int8 checks), sampling, ensemble
if grep -qw avx2 /proc/cpuinfo; then
  "$rnmt" translate -m a.rnmt -i "$fixtures/test.src" --compute-type int8 -o int8.txt 2>/dev/null
  (($(wc -l <int8.txt) == lines)) || fail "int8: not one output per line"
  same=$(paste -d'\t' int8.txt theirs.txt | awk -F'\t' '$1 == $2' | wc -l)
  ((same * 2 >= lines)) || fail "int8 agrees with float32 on only $same of $lines lines"
fi
"$rnmt" translate -m a.rnmt -i "$fixtures/test.src" --sampling-topk 0 --num-hypotheses 2 \
  --beam-size 1 --random-seed 3 -o samples.txt 2>/dev/null
(($(wc -l <samples.txt) == 2 * lines)) || fail "sampling: not 2 outputs per line"
"$rnmt" translate -m a.rnmt -m b.rnmt -i "$fixtures/test.src" -o ensemble.txt 2>/dev/null
(($(wc -l <ensemble.txt) == lines)) || fail "ensemble: not one output per line"

# Marian (tests/data/marian): its s2s models converted with their YAML vocabularies translate as
# marian-decoder does (beam 3 here, as make_fixtures.sh), score, run in int8 and as an ensemble
marian=$fixtures/../marian
for name in gru lstm; do
  "$rnmt" convert --from marian "$marian/s2s-$name.npz" --vocabs "$marian/vocab.src.yml" \
    "$marian/vocab.tgt.yml" -o "marian-$name.rnmt" 2>marian.log || fail "marian: $(cat marian.log)"
  grep -q "Marian s2s model ($name encoder, c$name decoder)" marian.log || fail "$(cat marian.log)"
  "$rnmt" translate -m "marian-$name.rnmt" -i "$marian/test.src" --beam-size 3 --scores \
    -o "marian-$name.txt" 2>/dev/null
  awk -F' [|][|][|] ' 'NR % 3 == 1 {print $2 "\t" $4}' "$marian/s2s-$name.nbest" >marian-theirs.txt
  paste -d'\t' <(sed 's/ ||| /\t/' "marian-$name.txt") marian-theirs.txt | awk -F'\t' '{
      d = $2 - $4; if (d < 0) d = -d; if ($1 != $3 || d > 1e-4) bad = 1 } END {exit bad}' ||
    fail "marian $name: best hypotheses or scores differ from Marian's"
  sed 's/ ||| .*//' "marian-$name.txt" >marian-outputs.txt
  "$rnmt" score -m "marian-$name.rnmt" --src "$marian/test.src" --tgt marian-outputs.txt \
    >marian-scores.txt 2>/dev/null
  paste -d'\t' marian-scores.txt <(sed 's/.* ||| //' "marian-$name.txt") |
    awk -F'\t' '{d = $1 - $2; if (d < 0) d = -d; if (d > 1e-3) bad = 1} END {exit bad}' ||
    fail "marian $name: score's log-probabilities are not translate's scores"
done
if grep -qw avx2 /proc/cpuinfo; then
  "$rnmt" translate -m marian-lstm.rnmt -i "$marian/test.src" --compute-type int8 \
    -o marian-int8.txt 2>/dev/null
  same=$(paste -d'\t' marian-int8.txt <(sed 's/ ||| .*//' marian-lstm.txt) | awk -F'\t' '$1 == $2' | wc -l)
  ((same * 2 >= $(wc -l <"$marian/test.src"))) || fail "marian int8 agrees on only $same lines"
fi
"$rnmt" translate -m marian-gru.rnmt -m marian-lstm.rnmt -i "$marian/test.src" \
  -o marian-ensemble.txt 2>/dev/null
(($(wc -l <marian-ensemble.txt) == $(wc -l <"$marian/test.src"))) ||
  fail "marian ensemble: not one output per line"
status=0
"$rnmt" convert --from marian "$marian/s2s-gru.npz" -o nowhere.rnmt 2>novocab.log || status=$?
((status == 1)) && grep -q "give its vocabularies with --vocabs SRC TGT" novocab.log ||
  fail "marian without vocabularies: $(cat novocab.log)"
head -2 "$marian/test.src" | "$rnmt" inspect -m marian-gru.rnmt -o marian-inspect.html 2>/dev/null
grep -q "<html" marian-inspect.html || fail "inspect wrote no page of a Marian model"

# inspect: a page of the converted network on two lines
head -2 "$fixtures/test.src" | "$rnmt" inspect -m a.rnmt -o inspect.html 2>/dev/null
grep -q "<html" inspect.html || fail "inspect wrote no page"
# serve (loopback, a free port): the served translations are translate's
"$rnmt" serve -m a.rnmt --port 0 2>server.log &
pid=$!
trap 'kill -KILL "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 600); do grep -q "^serve: ready on " server.log && break; sleep 0.1; done
port=$(sed -n 's|^serve: ready on http://127.0.0.1:\([0-9]*\) .*|\1|p' server.log)
[[ -n $port ]] || fail "the server did not become ready: $(cat server.log)"
{ printf '{"options": {"beam_size": 3}, "text": ['
  sed 's/.*/"&"/' "$fixtures/test.src" | paste -sd, | tr -d '\n'
  printf ']}'; } >request.json
curl -sf -H 'Content-Type: application/json' -XPOST "http://127.0.0.1:$port/translate" \
  --data-binary @request.json >answer.json || fail "the server did not answer"
grep -o '"hypotheses":\[{"text":"[^"]*"' answer.json | sed 's/.*"text":"//; s/"$//' >served.txt
diff served.txt outputs.txt >/dev/null || fail "served translations differ from translate's"
kill -TERM "$pid"
wait "$pid" || fail "the server did not stop cleanly on SIGTERM"
echo "cli_convert: converted, translated as OpenNMT-py on $lines lines and as Marian, scored, int8, sampled, ensembled, inspected, served"

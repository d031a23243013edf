#!/usr/bin/env bash
# rnmt run end to end on the quickstart recipe, in a temporary folder: it must learn the held-out
# task, skip what is up to date, resume after SIGINT, and refuse bad recipes with file, line, key.
set -euo pipefail
rnmt=$1
recipe=$2
keep=${3:-}  # where to keep the trained model and the test set for the translation tests
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
# Bounded by steps, not time, so the result does not depend on the machine's speed.
# inspect_every: gradients through time at steps 0, 400, 800 and 1200, for the report tests.
args=(--set training.max_time=0 --set training.max_steps=1200 --set validation.every=400
  --set training.inspect_every=400)

# --dump-config prints the resolved recipe (with overrides) before any data exists
"$rnmt" run "$recipe" "${args[@]}" --dump-config | grep -q "max_steps: 1200"

# learning: at least 90% exact matches on the 1,000 held-out numbers
"$rnmt" run "$recipe" "${args[@]}" 2>log.txt
match=$(sed -n 's/^exact match: \([0-9.]*\)%.*/\1/p' log.txt)
awk -v m="$match" 'BEGIN { exit !(m >= 90) }' || { cat log.txt; echo "exact match $match% < 90%"; exit 1; }
grep -q "^BLEU = " log.txt
grep -q "^nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp" log.txt
[[ -s runs/quickstart/model.rnmt && -s runs/quickstart/train/metrics.jsonl ]]
if [[ -n $keep ]]; then
  mkdir -p "$keep"
  cp runs/quickstart/model.rnmt runs/quickstart/data/test.en runs/quickstart/data/test.es "$keep"/
  mkdir -p "$keep/run/train"  # the training logs rnmt report reads
  cp runs/quickstart/train/metrics.jsonl runs/quickstart/train/inspect.jsonl "$keep/run/train/"
fi
[[ $(wc -l <runs/quickstart/train/inspect.jsonl) == 4 ]]
grep -q "^inspect at step 1200: |dL/dh| of encoder 1 left-to-right" log.txt || { cat log.txt; exit 1; }
# validations at steps 400, 800, 1200 with keep 3 (default): three step checkpoints, last = newest
[[ $(ls runs/quickstart/train/step-*.ckpt | wc -l) == 3 ]]
cmp runs/quickstart/train/last.ckpt runs/quickstart/train/step-1200.ckpt

# a second run has nothing to do
"$rnmt" run "$recipe" "${args[@]}" 2>log2.txt
[[ $(grep -c "up to date, skipped" log2.txt) == 4 ]] || { cat log2.txt; exit 1; }

# SIGINT during training writes a checkpoint and exits 130; the same command resumes from it.
# Meanwhile the workdir is locked: a second run on it is refused, naming the first one's pid, and
# leaves the first run's files alone.
"$rnmt" run "$recipe" --set training.max_time=0 --set training.max_steps=100000 --from train 2>int.txt &
pid=$!
# the event: the first step's line in the log (a minute at most, or the test fails here)
for _ in $(seq 600); do grep -q "^step " int.txt && break; sleep 0.1; done
grep -q "^step " int.txt || { cat int.txt; echo "training never logged a step"; exit 1; }
cp runs/quickstart/recipe.yaml recipe_before.yaml
if "$rnmt" run "$recipe" --set training.lr=0.5 2>second.txt; then echo "a second run shared the workdir"; exit 1; fi
grep -q "the workdir 'runs/quickstart' is in use by another rnmt (pid $pid: .*rnmt run $recipe --set training.max_time=0" second.txt ||
  { cat second.txt; exit 1; }
cmp runs/quickstart/recipe.yaml recipe_before.yaml  # the refused run wrote nothing
kill -INT "$pid"
status=0; wait "$pid" || status=$?
[[ $status == 130 ]] || { cat int.txt; echo "exit status $status, expected 130"; exit 1; }
grep -q "interrupted; run the same command again to resume" int.txt
stopped=$(sed -n 's/^train: stopped at step \([0-9]*\) (interrupted).*/\1/p' int.txt)
[[ -n $stopped ]] || { cat int.txt; echo "no stopping step in the log"; exit 1; }
# resume up to the next validation (every 300 steps): it keeps one step checkpoint, and exits 0
until=$(((stopped / 300 + 1) * 300))
"$rnmt" run "$recipe" --set training.max_time=0 --set training.max_steps=$until \
  --set validation.keep=1 2>resume.txt || { cat resume.txt; exit 1; }
grep -q "train: resuming from runs/quickstart/train/last.ckpt at step $stopped$" resume.txt ||
  { cat resume.txt; exit 1; }
grep -q "train: stopped at step $until (max_steps reached)" resume.txt || { cat resume.txt; exit 1; }
[[ $(ls runs/quickstart/train/step-*.ckpt) == runs/quickstart/train/step-$until.ckpt ]]

# pretrained embeddings: word2vec text vectors for the source words, placed and frozen (a short run
# in another workdir over the same data); vectors of the wrong size are refused naming the file
# vectors TEXT: word2vec text vectors (64 values) for every word of TEXT
vectors() {
  awk '{ for (i = 1; i <= NF; i++) seen[$i] = 1 } END {
    n = 0; for (w in seen) n++; print n, 64
    for (w in seen) { printf "%s", w
      for (d = 1; d <= 64; d++) printf " %.4f", ((length(w) * 7 + d * 13) % 17 - 8) / 20; print "" } }' "$1"
}
vectors runs/quickstart/data/train.en >words.vec
pre=(--set workdir=pre --set training.max_time=0 --set training.max_steps=20
  --set validation.every=20 --set model.pretrained_embeddings.src=words.vec)
"$rnmt" run "$recipe" "${pre[@]}" --set model.pretrained_embeddings.freeze=true 2>pre.txt ||
  { cat pre.txt; exit 1; }
grep -qE "^train: source embeddings from words.vec \([0-9]+ vectors\): [0-9]+% of the source \
vocabulary's [0-9]+ pieces placed \([1-9][0-9]* by their word, [0-9]+ by the words containing \
them\); frozen$" pre.txt ||
  { cat pre.txt; exit 1; }
# the target side too: vectors for the Spanish words land on the target table
vectors runs/quickstart/data/train.es >words_es.vec
"$rnmt" run "$recipe" "${pre[@]}" --set workdir=pre_tgt --set model.pretrained_embeddings.src= \
  --set model.pretrained_embeddings.tgt=words_es.vec 2>pre_tgt.txt || { cat pre_tgt.txt; exit 1; }
grep -qE "^train: target embeddings from words_es.vec \([0-9]+ vectors\): [0-9]+% of the target \
vocabulary's [0-9]+ pieces placed \([1-9][0-9]* by their word, [0-9]+ by the words containing them\)$" \
  pre_tgt.txt || { cat pre_tgt.txt; exit 1; }
if grep -q "^train: source embeddings" pre_tgt.txt; then cat pre_tgt.txt; exit 1; fi
# Marian's s2s network (conditional GRU decoder, mean bridge, sources ending with </s>) through
# every stage: its model file translates, and its sources end with </s>
"$rnmt" run "$recipe" --set workdir=marian --set training.max_time=0 --set training.max_steps=20 \
  --set validation.every=20 --set model.encoder.cell=gru --set model.encoder.source_eos=true \
  --set model.decoder.cell=cgru --set model.decoder.bridge=mean --set model.attention=additive \
  2>marian.txt || { cat marian.txt; exit 1; }
echo "twenty one" | "$rnmt" translate -m marian/model.rnmt --output-format json 2>/dev/null |
  grep -q '"source_tokens":\[[^]]*"</s>"\]' || { echo "a Marian-style model's source lacks </s>"; exit 1; }
printf '1 3\nthe 0.1 0.2 0.3\n' >small.vec
pre+=(--set model.pretrained_embeddings.src=small.vec)
if "$rnmt" run "$recipe" "${pre[@]}" 2>err.txt; then exit 1; fi  # not resumed from other vectors
grep -q "last.ckpt' started from other pretrained embeddings" err.txt || { cat err.txt; exit 1; }
if "$rnmt" run "$recipe" "${pre[@]}" --from train 2>err.txt; then exit 1; fi
grep -q "small.vec: vectors of dimension 3, but model.embedding is 64" err.txt || { cat err.txt; exit 1; }

# a run bounded by time says so when the cap fires: its model depends on the machine's speed
"$rnmt" run "$recipe" --set workdir=capped --set training.max_time=1 --set training.max_steps=0 \
  --set validation.every=100000 2>capped.txt || { cat capped.txt; exit 1; }
grep -q "^train: stopped at step [0-9]* (max_time reached)" capped.txt || { cat capped.txt; exit 1; }
grep -q "^train: the time cap fired (training.max_time), not max_steps" capped.txt || { cat capped.txt; exit 1; }
if grep -q "time cap fired" log.txt; then echo "the step-bounded run blamed the time cap"; exit 1; fi

# bad recipes: a misspelt key, then parallel files of different lengths
printf 'workdir: x\ntrainng:\n  lr: 1\n' >bad.yaml
if "$rnmt" run bad.yaml 2>err.txt; then exit 1; fi
grep -q "bad.yaml:2: trainng: unknown key (did you mean 'training'?)" err.txt
printf 'a\nb\n' >s.txt; printf 'a\n' >t.txt
printf 'workdir: w\ndata:\n  train: {src: s.txt, tgt: t.txt}\n  valid: {src: s.txt, tgt: s.txt}\n' >uneven.yaml
if "$rnmt" run uneven.yaml 2>err.txt; then exit 1; fi
grep -q "'s.txt' has 2 lines, 't.txt' has 1" err.txt || { cat err.txt; exit 1; }
echo "rnmt run: ok"

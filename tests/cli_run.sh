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
args=(--set training.max_time=0 --set training.max_steps=1200 --set validation.every=400)

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
fi
# validations at steps 400, 800, 1200 with keep 3 (default): three step checkpoints, last = newest
[[ $(ls runs/quickstart/train/step-*.ckpt | wc -l) == 3 ]]
cmp runs/quickstart/train/last.ckpt runs/quickstart/train/step-1200.ckpt

# a second run has nothing to do
"$rnmt" run "$recipe" "${args[@]}" 2>log2.txt
[[ $(grep -c "up to date, skipped" log2.txt) == 4 ]] || { cat log2.txt; exit 1; }

# SIGINT during training writes a checkpoint and exits 130; the same command resumes from it
"$rnmt" run "$recipe" --set training.max_time=0 --set training.max_steps=100000 --from train 2>int.txt &
pid=$!
for _ in $(seq 100); do grep -q "^step " int.txt 2>/dev/null && break; sleep 0.2; done
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

# bad recipes: a misspelt key, then parallel files of different lengths
printf 'workdir: x\ntrainng:\n  lr: 1\n' >bad.yaml
if "$rnmt" run bad.yaml 2>err.txt; then exit 1; fi
grep -q "bad.yaml:2: trainng: unknown key (did you mean 'training'?)" err.txt
printf 'a\nb\n' >s.txt; printf 'a\n' >t.txt
printf 'workdir: w\ndata:\n  train: {src: s.txt, tgt: t.txt}\n  valid: {src: s.txt, tgt: s.txt}\n' >uneven.yaml
if "$rnmt" run uneven.yaml 2>err.txt; then exit 1; fi
grep -q "'s.txt' has 2 lines, 't.txt' has 1" err.txt || { cat err.txt; exit 1; }
echo "rnmt run: ok"

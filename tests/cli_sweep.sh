#!/usr/bin/env bash
# rnmt sweep end to end on the quickstart recipe, shrunk (2,000 pairs, a tiny network, tens of
# steps): a grid runs every combination once and ranks them by the metric each recorded; random
# search is reproducible by seed; successive halving promotes exactly the best third; a sweep killed
# mid-trial and started again re-runs no finished trial and resumes the interrupted one; a time
# budget stops training with a checkpoint; a bad space file is refused with its line before any work.
set -euo pipefail
rnmt=$1
recipe=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
trap 'echo "FAILED at line $LINENO: $BASH_COMMAND"' ERR
cd "$work"
"$rnmt" quickstart-data data --train 2000 --valid 60 --test 60 2>/dev/null
small=(--set data.prepare= --set training.max_time=0 --set training.max_steps=40
  --set validation.every=20 --set validation.metric=loss --set model.embedding=16
  --set model.encoder.hidden=32 --set model.decoder.hidden=32 --set tokenizer.bpe.merges=100)
for split in train valid test; do
  small+=(--set "data.$split.src=data/$split.en" --set "data.$split.tgt=data/$split.es")
done
fail() { echo "FAILED: $*"; exit 1; }
# score TRIAL_DIR RUNG: the score (minus the loss) a trial recorded for a rung
score() { sed -n 's/.*"score":\([-0-9.e]*\).*/\1/p' "$1/rung-$2.json"; }
# table DIR: a sweep's results.csv without its seconds column (times differ from run to run)
table() { awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "seconds") skip = i }
  { line = ""; for (i = 1; i <= NF; i++) if (i != skip) line = line $i ","; print line }' "$1/results.csv"; }

# --- a grid over two keys: 2 x 2 trials, each trained once, ranked by the loss it recorded
cat >grid.yaml <<'YAML'
model.dropout: [0.0, 0.2]
training:
  lr: [0.001, 0.01]
YAML
"$rnmt" sweep "$recipe" --space grid.yaml --workdir grid "${small[@]}" 2>grid.log ||
  { cat grid.log; fail "grid sweep"; }
[[ $(ls -d grid/trials/* | wc -l) == 4 ]] || fail "4 trial workdirs"
for t in grid/trials/*; do
  [[ $(grep -c "^train: stopped at step 40 (max_steps reached)" "$t/run.log") == 1 ]] ||
    { cat "$t/run.log"; fail "$t trained once to step 40"; }
done
# every combination exactly once
[[ $(sed 1d grid/results.csv | cut -d, -f3,4 | sort -u | wc -l) == 4 ]] || fail "4 combinations"
# sorted by loss, and each row's loss is what its trial recorded
sed 1d grid/results.csv | cut -d, -f7 | sort -c -g || { cat grid/results.csv; fail "sorted"; }
while IFS=, read -r _ trial _ _ _ _ loss _; do
  recorded=$(score "grid/trials/$(printf %03d "$trial")" 0)
  awk -v a="$loss" -v b="$recorded" 'BEGIN { exit !(a + b < 1e-4 && a + b > -1e-4) }' ||
    fail "trial $trial: table $loss, recorded $recorded"
done < <(sed 1d grid/results.csv | tr -d '\r')
best=$(sed -n '2p' grid/results.csv | cut -d, -f2)
grep -q "^sweep: the best trial is $best " grid.log || { cat grid.log; fail "best trial $best"; }
# learning happened: the best trial's validation loss at step 40 is below its loss at step 20
losses=($(sed -n 's/^validation at step [0-9]*: loss \([0-9.]*\).*/\1/p' \
  "grid/trials/$(printf %03d "$best")/run.log"))
awk -v a="${losses[0]}" -v b="${losses[1]}" 'BEGIN { exit !(b < a) }' || fail "no learning: ${losses[*]}"
# best.yaml is the best trial's resolved recipe: running it finds every stage up to date
"$rnmt" run grid/best.yaml 2>best.log
[[ $(grep -c "up to date, skipped" best.log) == 4 ]] || { cat best.log; fail "best.yaml up to date"; }
printf 'seven\nnine hundred\n\n' | "$rnmt" translate -m grid/best.rnmt >out.txt 2>/dev/null
[[ $(wc -l <out.txt) == 3 ]] || fail "best.rnmt translates one line per line"
grep -q "^<!doctype html>" grid/results.html
grep -q '"keys":\["model.dropout","training.lr"\]' grid/results.html || fail "results.html data"
# trials after the first share its tokenizers (hard links), trained under their own settings
[[ $(stat -c %h grid/trials/002/prepare/src.tokenizer) -ge 2 ]] || fail "shared tokenizers"
grep -q "^prepare: up to date, skipped" grid/trials/004/run.log || fail "prepare skipped"

# the same command again runs nothing: every trial is done
"$rnmt" sweep "$recipe" --space grid.yaml --workdir grid "${small[@]}" 2>again.log
[[ $(grep -c "done before" again.log) == 4 ]] || { cat again.log; fail "4 done before"; }
for t in grid/trials/*; do
  [[ $(grep -c "^train: stopped at" "$t/run.log") == 1 ]] || fail "$t trained again"
done
# another space in the same workdir is refused
echo "model.dropout: [0.1]" >other.yaml
if "$rnmt" sweep "$recipe" --space other.yaml --workdir grid "${small[@]}" 2>err.log; then
  fail "another sweep in the same workdir"
fi
grep -q "'grid' holds another sweep" err.log || { cat err.log; fail "another sweep message"; }

# --- random search: the same seed draws the same trials, another seed others
cat >random.yaml <<'YAML'
training.lr: {log_uniform: [1e-4, 3e-2]}
model.dropout: {uniform: [0.0, 0.4]}
model.decoder.cell: [lstm, gru]
YAML
few=("${small[@]}" --set training.max_steps=20)
for run in a b; do
  "$rnmt" sweep "$recipe" --space random.yaml --trials 3 --seed 7 --workdir "seed7$run" "${few[@]}" \
    2>/dev/null
done
"$rnmt" sweep "$recipe" --space random.yaml --trials 3 --seed 8 --workdir seed8 "${few[@]}" 2>/dev/null
settings() { sed 1d "$1/results.csv" | cut -d, -f2-5 | sort; }
[[ $(settings seed7a) == "$(settings seed7b)" ]] || fail "same seed, other trials"
[[ $(settings seed7a) != "$(settings seed8)" ]] || fail "another seed, the same trials"
[[ $(settings seed7a | wc -l) == 3 ]] || fail "3 random trials"

# --- successive halving: 9 trials to 20 steps, the best 3 to 60, the best of those to 180
"$rnmt" sweep "$recipe" --space random.yaml --trials 9 --halving --min-steps 20 --eta 3 \
  --workdir halving "${small[@]}" --set training.max_steps=0 2>halving.log ||
  { cat halving.log; fail "halving"; }
rung0=$(for t in halving/trials/*; do echo "$(score "$t" 0) ${t##*/}"; done | sort -g -r | head -3 |
  cut -d' ' -f2 | sort)
rung1=$(for t in halving/trials/*; do if [[ -f $t/rung-1.json ]]; then echo "${t##*/}"; fi; done | sort)
[[ $rung0 == "$rung1" ]] || fail "rung 1 ran $rung1, the best of rung 0 are $rung0"
[[ $(ls halving/trials/*/rung-2.json | wc -l) == 1 ]] || fail "one trial in rung 2"
winner=$(dirname "$(ls halving/trials/*/rung-2.json)")
best1=$(for t in $rung1; do echo "$(score "halving/trials/$t" 1) $t"; done | sort -g -r | head -1 |
  cut -d' ' -f2)
[[ ${winner##*/} == "$best1" ]] || fail "rung 2 ran ${winner##*/}, the best of rung 1 is $best1"
grep -q '"steps":180' "$winner/rung-2.json" || fail "the winner trained to 180 steps"
# promoted trials resumed from their checkpoints rather than starting again
grep -q "^train: resuming from .*last.ckpt at step 60$" "$winner/run.log" || fail "resumed"
[[ $(sed -n '2p' halving/results.csv | cut -d, -f2) == $((10#${winner##*/})) ]] || fail "ranked first"

# --- successive halving killed where a random kill rarely lands (SIGKILL from a crash point):
# half way through writing the fifth trial's rung-0 result, and at the rung boundary, as the
# first result of rung 1 is about to be renamed into place. Each, started again, ends as the
# sweep above that was never killed: the same table (but the seconds), and every trial's last
# checkpoint byte for byte (the model files name their workdirs, which differ).
for point in file.half-written@rung-0.json:5 file.before-rename@rung-1.json:1; do
  status=0
  RNMT_CRASH_AT=$point "$rnmt" sweep "$recipe" --space random.yaml --trials 9 --halving \
    --min-steps 20 --eta 3 --workdir cut "${small[@]}" --set training.max_steps=0 2>cut.log || status=$?
  [[ $status == 137 ]] || { cat cut.log; fail "$point: exit status $status, expected 137"; }
  "$rnmt" sweep "$recipe" --space random.yaml --trials 9 --halving --min-steps 20 --eta 3 \
    --workdir cut "${small[@]}" --set training.max_steps=0 2>cut.log || { cat cut.log; fail "$point: resumed"; }
  [[ $(table cut) == "$(table halving)" ]] || { diff <(table cut) <(table halving); fail "$point: table"; }
  for t in halving/trials/*; do
    cmp "$t/train/last.ckpt" "cut/trials/${t##*/}/train/last.ckpt" || fail "$point: trial ${t##*/} differs"
  done
  [[ -s cut/best.rnmt ]] || fail "$point: no best model"
  rm -rf cut
done

# --- killed mid-trial (SIGKILL before trial 2's step 25, after its checkpoint at 20), started again
cat >kill.yaml <<'YAML'
model.dropout: [0.0, 0.1, 0.2]
YAML
status=0
RNMT_CRASH_AT=train.step:65 "$rnmt" sweep "$recipe" --space kill.yaml --workdir killed \
  "${small[@]}" 2>killed.log || status=$?
[[ $status == 137 ]] || { cat killed.log; fail "exit status $status, expected 137 (SIGKILL)"; }
[[ -f killed/trials/001/rung-0.json && ! -f killed/trials/002/rung-0.json ]] || fail "state"
"$rnmt" sweep "$recipe" --space kill.yaml --workdir killed "${small[@]}" 2>resumed.log ||
  { cat resumed.log; fail "resumed sweep"; }
grep -q "^sweep: trial 1 of 3: done before" resumed.log || fail "trial 1 done before"
grep -q "^train: resuming from .*last.ckpt at step 20$" killed/trials/002/run.log ||
  { cat killed/trials/002/run.log; fail "trial 2 resumed"; }
for t in 1 2 3; do
  [[ $(grep -c "^train: stopped at" "killed/trials/00$t/run.log") == 1 ]] || fail "trial $t ran once"
done
[[ $(sed 1d killed/results.csv | wc -l) == 3 ]] || fail "3 trials in the table"
# ... and ends as the sweep that was never killed: the same table (all but the seconds) and every
# trial's last checkpoint, byte for byte
"$rnmt" sweep "$recipe" --space kill.yaml --workdir whole "${small[@]}" 2>whole.log ||
  { cat whole.log; fail "uninterrupted sweep"; }
[[ $(table killed) == "$(table whole)" ]] || { diff <(table killed) <(table whole); fail "table"; }
for t in whole/trials/*; do
  cmp "$t/train/last.ckpt" "killed/trials/${t##*/}/train/last.ckpt" || fail "trial ${t##*/} differs"
done

# --- a time budget: training stops with a checkpoint when it is spent, and the next run resumes
long=("${small[@]}" --set training.max_steps=1000000)
"$rnmt" sweep "$recipe" --space kill.yaml --workdir budget --budget 2s "${long[@]}" 2>budget.log ||
  { cat budget.log; fail "budget sweep"; }
grep -q "^sweep: the time budget is spent (0 of 3 trials finished)" budget.log ||
  { cat budget.log; fail "budget message"; }
grep -q "^train: stopped at step [0-9]* (the sweep's time budget is spent)" \
  budget/trials/001/run.log || { cat budget/trials/001/run.log; fail "stopped by the budget"; }
[[ ! -e budget/trials/001/rung-0.json && ! -e budget/trials/002 ]] || fail "budget: trial state"
"$rnmt" sweep "$recipe" --space kill.yaml --workdir budget --budget 2s "${long[@]}" 2>budget2.log
grep -q "^train: resuming from .*last.ckpt" budget/trials/001/run.log || fail "budget: resumed"

# --- one sweep per workdir: a second sweep on a running sweep's workdir is refused, naming the
# first one's pid; SIGINT then stops the first with a checkpoint, writes its tables and exits 130
"$rnmt" sweep "$recipe" --space kill.yaml --workdir locked "${long[@]}" 2>locked.log &
first=$!
for _ in $(seq 600); do grep -qs "^step " locked/trials/001/run.log && break; sleep 0.1; done
grep -qs "^step " locked/trials/001/run.log || { cat locked.log; fail "the first sweep never trained"; }
if "$rnmt" sweep "$recipe" --space kill.yaml --workdir locked "${long[@]}" 2>second.log; then
  fail "two sweeps shared a workdir"
fi
grep -q "the sweep workdir 'locked' is in use by another rnmt (pid $first: .*rnmt sweep $recipe" \
  second.log || { cat second.log; fail "the second sweep's message"; }
kill -INT "$first"
status=0
wait "$first" || status=$?
[[ $status == 130 ]] || { cat locked.log; fail "SIGINT: exit status $status, expected 130"; }
grep -q "^train: stopped at step [0-9]* (interrupted)" locked/trials/001/run.log ||
  { cat locked/trials/001/run.log; fail "trial 1 stopped with a checkpoint"; }
[[ -s locked/results.csv ]] || fail "no tables after SIGINT"

# --- a trial that fails is recorded as failed, and the sweep goes on to the others
printf 'model.pretrained_embeddings.src: ["", nowhere.vec]\n' >fails.yaml
"$rnmt" sweep "$recipe" --space fails.yaml --workdir fails "${small[@]}" 2>fails.log ||
  { cat fails.log; fail "a failing trial ended the sweep"; }
grep -q "^sweep: trial 2 of 2: failed (cannot open word vectors 'nowhere.vec'; the sweep goes on)" \
  fails.log || { cat fails.log; fail "failed trial's line"; }
grep -q "^2,2,nowhere.vec,0,0,-,0,.*,failed: cannot open word vectors 'nowhere.vec'" fails/results.csv ||
  { cat fails/results.csv; fail "failed trial in the table"; }
[[ -s fails/best.rnmt ]] || fail "the trial that worked is exported"

# --- a bad space file is refused with its line, before any work
printf 'model.dropout: [0.1, 0.2]\nmodel.decoder.cell: [lstm, rnn]\n' >bad.yaml
if "$rnmt" sweep "$recipe" --space bad.yaml --workdir bad "${small[@]}" 2>err.log; then fail "bad"; fi
grep -q "^rnmt: error: bad.yaml:2: model.decoder.cell: expects one of lstm, gru, clstm, cgru, found 'rnn'" err.log ||
  { cat err.log; fail "bad space message"; }
[[ ! -e bad ]] || fail "work started before the space was checked"
# a setting that fits its key but not the recipe: export.average beyond validation.keep
printf 'export.average: [1, 5]\n' >clash.yaml
if "$rnmt" sweep "$recipe" --space clash.yaml --workdir bad "${small[@]}" 2>err.log; then fail "clash"; fi
grep -q "clash.yaml: trial 2 (export.average=5): .*averages the last 5 checkpoints" err.log ||
  { cat err.log; fail "clash message"; }
echo "cli_sweep: grid, random, halving, kill and resume, bad spaces: all as expected"

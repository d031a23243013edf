#!/usr/bin/env bash
# rnmt run under mpirun, 2 ranks on loopback: it trains and exports as one process does; a rank
# that dies stops the whole job with a message, no hang; running the same command again resumes
# from the last checkpoint and ends with the weights of the run that was never stopped.
set -euo pipefail
rnmt=$1
recipe=$2
shift 2
mpirun=("$@")  # mpiexec with its options
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
# One thread per rank: each rank's sums in a fixed order, so two runs agree bit for bit.
args=(--set training.max_time=0 --set training.max_steps=300 --set validation.every=100
  --set training.threads=1)

# an uninterrupted run: rank 0 alone logs, validates, writes checkpoints and exports
timeout 300 "${mpirun[@]}" -np 2 "$rnmt" run "$recipe" "${args[@]}" --set workdir=straight 2>straight.log
[[ -s straight/model.rnmt ]] || { cat straight.log; exit 1; }
[[ $(grep -c "^train: stopped at step 300" straight.log) == 1 ]] || { cat straight.log; exit 1; }
[[ $(grep -c "^validation at step" straight.log) == 3 ]] || { cat straight.log; exit 1; }
# learning happened: the validation loss at step 300 is below half the one at step 100
losses=($(sed -n 's/^validation at step [0-9]*: loss \([0-9.]*\).*/\1/p' straight.log))
awk -v a="${losses[0]}" -v b="${losses[2]}" 'BEGIN { exit !(b < a / 2) }' ||
  { cat straight.log; echo "validation loss ${losses[*]}: no learning"; exit 1; }

# rank 1 is killed (SIGKILL) before its 250th step: mpirun ends the job and says why
status=0
timeout 300 "${mpirun[@]}" -np 1 "$rnmt" run "$recipe" "${args[@]}" --set workdir=killed : \
  -np 1 env RNMT_CRASH_AT=train.step:250 "$rnmt" run "$recipe" "${args[@]}" --set workdir=killed \
  >killed.log 2>&1 || status=$?
((status != 0 && status != 124)) || { cat killed.log; echo "exit status $status"; exit 1; }
grep -q "exited on signal 9" killed.log || { cat killed.log; exit 1; }
grep -q "^validation at step 200" killed.log
grep -q "^train: stopped" killed.log && { cat killed.log; echo "training went on"; exit 1; }

# resumed on another number of ranks (one process alone, a copy of the killed workdir): it goes
# on from the checkpoint of step 200 with the same global batch and keeps learning: its validation
# loss at step 300 is below the one at step 200, and within 10% of the 2-rank run's (not equal:
# one process draws one stream of dropout masks where two ranks drew two)
cp -r killed alone1
"$rnmt" run "$recipe" "${args[@]}" --set workdir=alone1 2>alone1.log || { cat alone1.log; exit 1; }
grep -q "^train: resuming from alone1/train/last.ckpt at step 200" alone1.log || { cat alone1.log; exit 1; }
grep -q "^train: stopped at step 300" alone1.log || { cat alone1.log; exit 1; }
ours=$(sed -n 's/^validation at step 300: loss \([0-9.]*\).*/\1/p' alone1.log)
theirs=$(sed -n 's/^validation at step 300: loss \([0-9.]*\).*/\1/p' straight.log)
before=$(sed -n 's/^validation at step 200: loss \([0-9.]*\).*/\1/p' straight.log)
awk -v a="$ours" -v b="$theirs" -v c="$before" \
  'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a > 0 && a < c && d < 0.1 * b) }' ||
  { echo "resumed alone: validation loss $ours at 300 ($before at 200), 2 ranks $theirs"; exit 1; }

# the same command again resumes from step 200 and ends where the uninterrupted run ended
timeout 300 "${mpirun[@]}" -np 2 "$rnmt" run "$recipe" "${args[@]}" --set workdir=killed 2>resumed.log
grep -q "^train: resuming from killed/train/last.ckpt at step 200" resumed.log || { cat resumed.log; exit 1; }
cmp straight/train/last.ckpt killed/train/last.ckpt
cmp straight/train/best.params killed/train/best.params  # the exported weights (the model file names its workdir)
[[ -s killed/model.rnmt ]]

# an error on one rank (injected on rank 1 at its 50th step) ends every rank at once, no hang, and
# says which rank failed and why
status=0
timeout 300 "${mpirun[@]}" -np 1 "$rnmt" run "$recipe" "${args[@]}" --set workdir=failed : \
  -np 1 env RNMT_CRASH_AT=train.step:50=error "$rnmt" run "$recipe" "${args[@]}" --set workdir=failed \
  >failed.log 2>&1 || status=$?
((status != 0 && status != 124)) || { cat failed.log; echo "exit status $status"; exit 1; }
grep -q "rnmt: error (rank 1 of 2): an error injected at train.step (RNMT_CRASH_AT)" failed.log ||
  { cat failed.log; exit 1; }
if grep -q "^train: stopped" failed.log; then cat failed.log; echo "training went on"; exit 1; fi

# rnmt sweep under mpirun: two groups of one rank take a grid of 4 trials side by side, and end with
# the table one process makes (one thread per trial: the same sums in the same order)
"$rnmt" quickstart-data sdata --train 2000 --valid 60 --test 60 2>/dev/null
sweep=(--set data.prepare= --set training.max_time=0 --set training.max_steps=40 --set training.threads=1
  --set validation.every=20 --set validation.metric=loss --set model.embedding=16
  --set model.encoder.hidden=32 --set model.decoder.hidden=32 --set tokenizer.bpe.merges=100)
for split in train valid test; do
  sweep+=(--set "data.$split.src=sdata/$split.en" --set "data.$split.tgt=sdata/$split.es")
done
printf 'model.dropout: [0.0, 0.2]\ntraining.lr: [0.001, 0.01]\n' >grid.yaml
timeout 300 "${mpirun[@]}" -np 2 "$rnmt" sweep "$recipe" --space grid.yaml --workdir side "${sweep[@]}" \
  2>side.log || { cat side.log; exit 1; }
grep -q "2 side by side" side.log || { cat side.log; exit 1; }
for t in side/trials/*; do
  [[ $(grep -c "^train: stopped at step 40" "$t/run.log") == 1 ]] || { cat "$t/run.log"; exit 1; }
done
[[ -s side/best.rnmt ]]
"$rnmt" sweep "$recipe" --space grid.yaml --workdir alone "${sweep[@]}" 2>alone.log
diff <(cut -d, -f2-7 side/results.csv) <(cut -d, -f2-7 alone/results.csv) ||
  { echo "2 groups and one process ranked the trials differently"; exit 1; }
# one group of both ranks: each trial trained data-parallel, and one progress line per trial
printf 'model.dropout: [0.0, 0.2]\n' >pair.yaml
timeout 300 "${mpirun[@]}" -np 2 "$rnmt" sweep "$recipe" --space pair.yaml --workdir pair \
  --ranks-per-trial 2 "${sweep[@]}" 2>pair.log || { cat pair.log; exit 1; }
[[ $(grep -c "^sweep: trial [12] of 2: loss" pair.log) == 2 ]] || { cat pair.log; exit 1; }
grep -q "2 side by side" pair.log && { cat pair.log; exit 1; }
[[ -s pair/best.rnmt ]]
# ranks that do not divide into groups are refused
if timeout 60 "${mpirun[@]}" -np 2 "$rnmt" sweep "$recipe" --space pair.yaml --workdir odd \
  --ranks-per-trial 3 "${sweep[@]}" 2>odd.log; then exit 1; fi
grep -q "ranks-per-trial 3 does not divide the 2 ranks" odd.log || { cat odd.log; exit 1; }

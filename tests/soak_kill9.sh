#!/usr/bin/env bash
# Never lose work: `rnmt run` killed with SIGKILL again and again, at random moments and inside
# file writes, each time started again with the same command, must end with a model file identical
# byte for byte to the one an uninterrupted run writes (one thread, so training is deterministic).
# Then: a file-size limit while writing a checkpoint is a clear error that keeps the previous
# checkpoint loadable; a workdir trained with another model shape is refused; `rnmt translate -o`
# killed mid-way leaves no file that looks complete.
# Usage: soak_kill9.sh RNMT QUICKSTART_RECIPE [KILLS]
set -euo pipefail
rnmt=$1
recipe=$2
kills=${3:-24}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
# A small model on the quickstart data: one thread, bounded by steps, a checkpoint every 40 steps.
# The 20,000 pairs in 4 token-id shards, shuffled 2 at a time: the 480 steps (of 625 an epoch)
# cross from the epoch's first window into its second.
args=(--set training.threads=1 --set training.max_time=0 --set training.max_steps=480
  --set validation.every=40 --set validation.keep=2 --set validation.patience=0
  --set model.embedding=24 --set model.encoder.hidden=32 --set model.decoder.hidden=32
  --set training.batch.sentences=32 --set data.shard_pairs=5000 --set training.shuffle_window=2)

# The reference: one uninterrupted run.
mkdir ref
start=$(date +%s%N)
(cd ref && "$rnmt" run "$recipe" "${args[@]}" 2>log.txt) || { cat ref/log.txt; exit 1; }
grep -q "^train: stopped at step 480" ref/log.txt || { cat ref/log.txt; exit 1; }
echo "uninterrupted run: $((($(date +%s%N) - start) / 1000000)) ms"

# The soak, in rounds. A round starts from an empty workdir and repeats the same command until it
# finishes; its model must then equal the reference byte for byte. Each start runs in its own
# process group and the whole group is killed (the run and any data.prepare child, as a terminal
# or a job scheduler would): after a random delay, or from inside the process at its k-th file
# write or in the write of a chosen file (half written, or just before its rename) via
# RNMT_CRASH_AT. The stage each kill hit is read from the run's last log line. Rounds go on until
# `kills` kills have landed.
mkdir soak
cd soak
declare -A hit=()
landed=0 rounds=0
# files written in every stage: tokenizers, shards, checkpoints, best weights, evaluation, model,
# stamps
targets=(prepare/src.tokenizer prepare/tgt.tokenizer shards/manifest .ckpt best.params
  evaluate/test.hyp evaluate/scores.txt model.rnmt train.done export.done recipe.yaml)
shards=(00000.shard 00001.shard 00002.shard 00003.shard)
RANDOM=7
while ((landed < kills)); do
  rounds=$((rounds + 1))
  rm -rf runs
  for ((cycle = 1; ; cycle++)); do
    ((cycle <= 200)) || { echo "round $rounds does not finish"; exit 1; }
    points=(file.half-written file.before-rename shard.writing shard.before-rename)
    point=${points[RANDOM % 4]}
    crash=""
    case $((RANDOM % 3)) in
      0) crash="$point:$((1 + RANDOM % 3))" ;;  # the k-th file the run writes
      1) if [[ $point == shard.* ]]; then
           crash="$point@${shards[RANDOM % 4]}"
         else
           crash="$point@${targets[RANDOM % ${#targets[@]}]}"
         fi ;;
    esac
    RNMT_CRASH_AT=$crash setsid "$rnmt" run "$recipe" "${args[@]}" 2>cycle.log &
    pid=$!
    if [[ -z $crash ]]; then
      sleep "0.$((100 + RANDOM % 900))"
      kill -9 -- -"$pid" 2>/dev/null || kill -9 "$pid" 2>/dev/null || true
    fi
    status=0
    wait "$pid" 2>/dev/null || status=$?
    cat cycle.log >>all.log
    ((status == 0)) && break  # finished (a crash point it never reached, or killed too late)
    ((status == 137)) || { cat cycle.log; echo "exit status $status, expected 137 (SIGKILL)"; exit 1; }
    landed=$((landed + 1))
    last=$( (grep -v '^$' cycle.log || true) | tail -1 | cut -c1-60)
    case $last in
      "") stage="start-up" ;;
      prepare:*|quickstart-data:*) stage="prepare" ;;
      train:*|step*) stage="training" ;;
      validation*) stage="validation, checkpoint" ;;
      evaluate:*|"  "*|"    "*|BLEU*|nrefs*|exact*) stage="evaluation, export" ;;
      export:*) stage="export" ;;
      *) stage="other: $last" ;;
    esac
    case $crash in
      *@*) stage="writing ${crash#*@} (${crash%%@*})" ;;
      ?*) stage="$stage (${crash%%:*})" ;;
    esac
    hit[$stage]=$((${hit[$stage]:-0} + 1))
  done
  cmp runs/quickstart/model.rnmt ../ref/runs/quickstart/model.rnmt ||
    { echo "round $rounds: the model after its kills differs from the uninterrupted run's"; exit 1; }
  cmp runs/quickstart/evaluate/test.hyp ../ref/runs/quickstart/evaluate/test.hyp
done
echo "kill -9 soak: $landed kills in $rounds rounds survived, each round's model identical to the"
echo "uninterrupted run's ($(wc -c <runs/quickstart/model.rnmt) bytes). Where the kills landed:"
for stage in "${!hit[@]}"; do printf '  %3d  %s\n' "${hit[$stage]}" "$stage"; done | sort -rn
cd ..

# A file-size limit (ulimit -f, in KiB) smaller than a checkpoint while training continues: a clear
# error naming the reason, and the previous checkpoint still loads (the next run resumes from it).
cp -r ref limited
cd limited
ckpt_kib=$(($(stat -c %s runs/quickstart/train/last.ckpt) / 1024))
if (ulimit -f $((ckpt_kib / 2)) && "$rnmt" run "$recipe" "${args[@]}" \
  --set training.max_steps=520 2>limit.log); then
  echo "a run over the file-size limit succeeded"; exit 1
fi
grep -q "rnmt: error: cannot write '.*\.ckpt\.tmp': File too large" limit.log || { cat limit.log; exit 1; }
[[ -z $(find runs -name '*.tmp') ]] || { echo "a temporary file was left behind"; exit 1; }
"$rnmt" run "$recipe" "${args[@]}" --set training.max_steps=520 2>resume.log
grep -q "train: resuming from runs/quickstart/train/last.ckpt at step 480" resume.log ||
  { cat resume.log; exit 1; }
echo "file-size limit: refused with 'File too large', previous checkpoint resumed"

# The same workdir with another model shape: refused, and the workdir is left as it was.
if "$rnmt" run "$recipe" "${args[@]}" --set training.max_steps=560 --set model.decoder.hidden=48 \
  2>shape.log; then
  echo "a changed model shape was trained on the old checkpoint"; exit 1
fi
grep -q "was trained with another model section than this recipe's" shape.log ||
  { cat shape.log; exit 1; }
cmp runs/quickstart/train/last.ckpt runs/quickstart/train/step-520.ckpt
echo "changed model shape: refused"
cd ..

# rnmt translate -o killed mid-way: no output file (only OUT.tmp); an earlier OUT is kept intact.
for _ in 1 2 3; do cat soak/runs/quickstart/data/train.en; done >big.en
echo "old" >out.es
setsid "$rnmt" translate -m ref/runs/quickstart/model.rnmt -i big.en -o out.es --threads 1 \
  2>translate.log &
pid=$!
for _ in $(seq 300); do [[ -s out.es.tmp ]] && break; sleep 0.1; done
[[ -s out.es.tmp ]] || { cat translate.log; echo "no translation was written"; exit 1; }
kill -9 -- -"$pid"
wait "$pid" || true
[[ $(cat out.es) == old ]] || { echo "a killed translation replaced the output file"; exit 1; }
[[ -f out.es.tmp ]]
echo "translate -o killed: the previous output file is intact, the partial one is out.es.tmp"
echo "soak: ok"

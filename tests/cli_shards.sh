#!/usr/bin/env bash
# Training pairs in token-id shards, through rnmt run on the quickstart recipe: a kill -9 while the
# shards are written leaves no shard set that looks complete and the next run makes it whole; four
# shards, shuffled two at a time, train and resume after a kill -9 in the middle of an epoch's
# second window with the weights of the run that never stopped, bit for bit; a damaged shard is
# named and made again.
set -euo pipefail
rnmt=$1
recipe=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
# 20,000 pairs in 4 shards of 5,000 (2 windows of about 157 batches an epoch), a small model, one
# thread (deterministic); 400 steps cross into the second epoch
args=(--set training.max_time=0 --set training.max_steps=400 --set validation.every=100
  --set validation.patience=0 --set training.threads=1 --set data.shard_pairs=5000
  --set training.shuffle_window=2 --set model.embedding=24 --set model.encoder.hidden=32
  --set model.decoder.hidden=32)

# killed (SIGKILL) writing the first shard, and just before the last one's rename
for crash in shard.writing:1 shard.before-rename@00003; do
  status=0
  RNMT_CRASH_AT=$crash "$rnmt" run "$recipe" "${args[@]}" --set workdir=killed-prepare \
    2>prepare.log || status=$?
  ((status == 137)) || { cat prepare.log; echo "$crash: exit status $status, expected 137"; exit 1; }
  [[ ! -e killed-prepare/prepare/shards/manifest ]] ||
    { echo "$crash: a shard set looks complete after a kill"; exit 1; }
  [[ ! -e killed-prepare/prepare.done ]]
done
# the second kill left three whole shards, and no manifest listing them
[[ -e killed-prepare/prepare/shards/00002.shard && ! -e killed-prepare/prepare/shards/00003.shard ]]
"$rnmt" run "$recipe" "${args[@]}" --set workdir=killed-prepare --set training.max_steps=1 \
  2>again.log || { cat again.log; exit 1; }
grep -q "^prepare: [0-9]* of 20000 pairs in 4 token-id shards" again.log || { cat again.log; exit 1; }

# the uninterrupted run
"$rnmt" run "$recipe" "${args[@]}" --set workdir=straight 2>straight.log || { cat straight.log; exit 1; }
grep -q "^train: stopped at step 400" straight.log || { cat straight.log; exit 1; }
# learning happened: the validation loss at step 400 is below 80% of the one at step 100
losses=($(sed -n 's/^validation at step [0-9]*: loss \([0-9.]*\).*/\1/p' straight.log))
awk -v a="${losses[0]}" -v b="${losses[3]}" 'BEGIN { exit !(b < 0.8 * a) }' ||
  { cat straight.log; echo "validation loss ${losses[*]}: no learning"; exit 1; }

# killed before its 250th step (the epoch's second window), then the same command resumes from
# the checkpoint of step 200 and ends with the uninterrupted run's weights, byte for byte
status=0
RNMT_CRASH_AT=train.step:250 "$rnmt" run "$recipe" "${args[@]}" --set workdir=killed 2>killed.log ||
  status=$?
((status == 137)) || { cat killed.log; echo "exit status $status, expected 137"; exit 1; }
"$rnmt" run "$recipe" "${args[@]}" --set workdir=killed 2>resumed.log || { cat resumed.log; exit 1; }
grep -q "^train: resuming from killed/train/last.ckpt at step 200" resumed.log ||
  { cat resumed.log; exit 1; }
cmp straight/train/last.ckpt killed/train/last.ckpt
cmp straight/train/best.params killed/train/best.params

# a damaged shard: named, and made again before training
byte=$(od -An -tu1 -j200 -N1 killed/prepare/shards/00001.shard | tr -d ' ')
printf "\\x$(printf %02x $((255 - byte)))" |
  dd of=killed/prepare/shards/00001.shard bs=1 seek=200 conv=notrunc status=none
"$rnmt" run "$recipe" "${args[@]}" --set workdir=killed --set training.max_steps=1 --from train \
  2>damaged.log || { cat damaged.log; exit 1; }
grep -q "^prepare: shard 'killed/prepare/shards/00001.shard' is damaged: its checksum does not match (corrupted); making the shards again" \
  damaged.log || { cat damaged.log; exit 1; }
grep -q "^prepare: [0-9]* of 20000 pairs in 4 token-id shards" damaged.log || { cat damaged.log; exit 1; }
echo "shards: ok"

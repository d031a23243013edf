#!/usr/bin/env bash
# rnmt run in bfloat16 (training.precision) on the quickstart recipe: it learns the held-out task
# as float32 does (cli_run.sh), its checkpoint resumes in float32, and its model translates in
# every compute type. On a CPU without bf16 instructions, bfloat16 must be refused naming them and
# auto must train in float32 and say so; the test then reports itself skipped (77).
#   tests/cli_train_bf16.sh RNMT RECIPE
set -euo pipefail
rnmt=$1
recipe=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
args=(--set training.max_time=0 --set validation.every=400)

if ! grep -qw 'avx512_bf16\|amx_bf16' /proc/cpuinfo; then
  status=0
  "$rnmt" run "$recipe" "${args[@]}" --set training.precision=bfloat16 2>refused.txt || status=$?
  ((status != 0)) || { echo "bfloat16 trained on a CPU without bf16"; exit 1; }
  grep -q "training.precision bfloat16 needs a CPU with AVX-512 BF16 or AMX" refused.txt ||
    { cat refused.txt; exit 1; }
  "$rnmt" run "$recipe" "${args[@]}" --set training.precision=auto --set training.max_steps=20 \
    2>auto.txt
  grep -q "^train: precision float32 (auto: this CPU has no AVX-512 BF16 or AMX" auto.txt ||
    { cat auto.txt; exit 1; }
  echo "skipped: this CPU has no bf16 instructions; bfloat16 is refused and auto trains in float32"
  exit 77
fi

# learning: at least 90% exact matches on the 1,000 held-out numbers, as in float32
"$rnmt" run "$recipe" "${args[@]}" --set training.max_steps=1200 \
  --set training.precision=bfloat16 2>log.txt
grep -q "^train: precision bfloat16; float32 weights" log.txt || { cat log.txt; exit 1; }
match=$(sed -n 's/^exact match: \([0-9.]*\)%.*/\1/p' log.txt)
awk -v m="$match" 'BEGIN { exit !(m >= 90) }' || { cat log.txt; echo "bf16: exact match $match% < 90%"; exit 1; }

# the float32 checkpoint resumes in another precision (the train stage is out of date: its
# precision changed) and goes on from step 1200
"$rnmt" run "$recipe" "${args[@]}" --set training.max_steps=1300 \
  --set training.precision=float32 2>resume.txt
grep -q "^train: resuming from .*last.ckpt at step 1200" resume.txt || { cat resume.txt; exit 1; }
grep -q "^train: precision float32" resume.txt || { cat resume.txt; exit 1; }

# the model a bf16 run trained translates in every compute type, one line per input line
head -100 runs/quickstart/data/test.en >in.txt
for type in float32 bfloat16 int8; do
  "$rnmt" translate -m runs/quickstart/model.rnmt -i in.txt --compute-type "$type" >out.$type 2>/dev/null
  [[ $(wc -l <out.$type) == 100 ]] || { echo "$type: $(wc -l <out.$type) lines"; exit 1; }
done
matches=$(paste -d '\t' out.float32 <(head -100 runs/quickstart/data/test.es) | awk -F '\t' '$1 == $2' | wc -l)
((matches >= 85)) || { echo "float32 translation of the resumed model: $matches of 100"; exit 1; }
echo "bf16 training: exact match $match%; resumed in float32; translates in float32, bfloat16, int8"

#!/usr/bin/env bash
# rnmt translate --compute-type bfloat16 on the quickstart model that cli_run.sh trained: as good on
# the held-out numbers as float32, scores within bf16 rounding of float32's and not all equal to
# them (so the option is not ignored). On a CPU without bf16 (no AVX-512 BF16, no AMX) it must be
# refused with a message naming what is missing, and the test then reports itself skipped (77):
# bf16 itself could not be checked here.
set -euo pipefail
rnmt=$1
dir=$2  # model.rnmt, test.en, test.es
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
model=$dir/model.rnmt

status=0
"$rnmt" translate -m "$model" -i "$dir/test.en" -o bf16.es --compute-type bfloat16 --scores \
  2>bf16.log || status=$?
if ! grep -qw 'avx512_bf16\|amx_bf16' /proc/cpuinfo; then
  ((status != 0)) || { echo "bfloat16 ran on a CPU without bf16"; exit 1; }
  grep -q "bfloat16 computation needs a CPU with AVX-512 BF16 or AMX" bf16.log || { cat bf16.log; exit 1; }
  echo "skipped: this CPU has no bf16 matmul (AVX-512 BF16 or AMX); it refuses bfloat16 as it should"
  exit 77
fi
((status == 0)) || { cat bf16.log; echo "bfloat16 failed on a CPU with bf16"; exit 1; }
matches=$(paste -d '\t' <(sed 's/ ||| .*//' bf16.es) "$dir/test.es" | awk -F '\t' '$1 == $2' | wc -l)
((matches >= 900)) || { echo "bfloat16: only $matches of 1000 exact matches"; exit 1; }
"$rnmt" translate -m "$model" -i "$dir/test.en" --scores >f32.es 2>/dev/null
paste -d '\n' f32.es bf16.es | awk -F ' [|][|][|] ' 'NR % 2 { text = $1; score = $2; next }
  $1 == text { same++; d = $2 - score; if (d < 0) d = -d; if (d > 0.05) far++; if (d > 0) moved++ }
  END { printf "bfloat16: %d lines as float32, %d scores moved, %d beyond 0.05\n", same, moved, far
        exit !(same >= 900 && moved > 0 && far == 0) }'

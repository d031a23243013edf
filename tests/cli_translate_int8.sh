#!/usr/bin/env bash
# rnmt translate --compute-type int8 on the quickstart model that cli_run.sh trained: as good on the
# held-out numbers as float32, scores near float32's and not all equal to them (so the option is not
# ignored), and the same through n-best lists, sampling and scoring. On a CPU without oneDNN's s8
# matmul it must be refused with a message naming what is missing, and the test then reports
# itself skipped (77).
set -euo pipefail
rnmt=$1
dir=$2  # model.rnmt, test.en, test.es
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
model=$dir/model.rnmt

status=0
"$rnmt" translate -m "$model" -i "$dir/test.en" -o int8.es --compute-type int8 --scores \
  2>int8.log || status=$?
if ((status != 0)) && grep -q "int8 computation needs a CPU with AVX2" int8.log; then
  if grep -qw avx2 /proc/cpuinfo; then cat int8.log; echo "int8 refused on a CPU with AVX2"; exit 1; fi
  echo "skipped: this CPU has no s8 matmul in oneDNN; it refuses int8 as it should"
  exit 77
fi
((status == 0)) || { cat int8.log; exit 1; }
matches=$(paste -d '\t' <(sed 's/ ||| .*//' int8.es) "$dir/test.es" | awk -F '\t' '$1 == $2' | wc -l)
((matches >= 900)) || { echo "int8: only $matches of 1000 exact matches"; exit 1; }
"$rnmt" translate -m "$model" -i "$dir/test.en" --scores >f32.es 2>/dev/null
paste -d '\n' f32.es int8.es | awk -F ' [|][|][|] ' 'NR % 2 { text = $1; score = $2; next }
  $1 == text { same++; d = $2 - score; if (d < 0) d = -d; if (d > 0.1) far++; if (d > 0) moved++ }
  END { printf "int8: %d lines as float32, %d scores moved, %d beyond 0.1\n", same, moved, far
        exit !(same >= 900 && moved > 0 && far <= 10) }'
# the other modes take it too: n-best with beam search, sampling, forced decoding
head -50 "$dir/test.en" >in.txt
"$rnmt" translate -m "$model" -i in.txt --compute-type int8 --beam-size 3 --num-hypotheses 2 \
  >nbest.txt 2>/dev/null
[[ $(wc -l <nbest.txt) == 100 ]]
"$rnmt" translate -m "$model" -i in.txt --compute-type int8 --sampling-topk 5 --random-seed 2 \
  >samples.txt 2>/dev/null
[[ $(wc -l <samples.txt) == 50 ]]
head -50 f32.es | sed 's/ ||| .*//' >out.txt
"$rnmt" score -m "$model" --src in.txt --tgt out.txt --compute-type int8 >int8.scores 2>/dev/null
"$rnmt" score -m "$model" --src in.txt --tgt out.txt >f32.scores 2>/dev/null
paste f32.scores int8.scores | awk '{ d = $1 - $2; if (d < 0) d = -d; if (d > 0.2) far++ }
  END { exit far > 2 }'
echo "int8: ok"

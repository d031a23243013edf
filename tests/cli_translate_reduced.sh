#!/usr/bin/env bash
# rnmt translate in reduced precision (--compute-type bfloat16 or int8) on the quickstart model
# that cli_run.sh trained: as good on the held-out numbers as float32, scores near float32's and not
# all equal to them (so the option is not ignored), and the same through n-best lists, sampling and
# scoring. On a CPU without the instructions (bf16: AVX-512 BF16 or AMX; int8: oneDNN's s8
# products) it must be refused with a message naming what is missing, and the test then reports
# itself skipped (77): the reduced arithmetic itself could not be checked here. In int8, also
# `rnmt quantize`'s file.
#   tests/cli_translate_reduced.sh RNMT QUICKSTART_DIR bfloat16|int8
set -euo pipefail
rnmt=$1
dir=$2  # model.rnmt, test.en, test.es
type=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
model=$dir/model.rnmt
case $type in
  bfloat16) refusal="bfloat16 computation needs a CPU with AVX-512 BF16 or AMX"
    has_cpu() { grep -qw 'avx512_bf16\|amx_bf16' /proc/cpuinfo; }
    tolerance=0.05 beyond=0 ;;  # bf16 rounding: 8 significant bits
  int8) refusal="int8 computation needs a CPU with AVX2"
    has_cpu() { grep -qw avx2 /proc/cpuinfo; }
    tolerance=0.1 beyond=10 ;;  # 127 levels per row and per call
  *) echo "usage: $0 RNMT DIR bfloat16|int8" >&2; exit 2 ;;
esac

status=0
"$rnmt" translate -m "$model" -i "$dir/test.en" -o reduced.es --compute-type "$type" --scores \
  2>reduced.log || status=$?
if ! has_cpu; then
  ((status != 0)) || { echo "$type ran on a CPU without the instructions for it"; exit 1; }
  grep -q "$refusal" reduced.log || { cat reduced.log; exit 1; }
  echo "skipped: this CPU has not the instructions for $type; it refuses $type as it should"
  exit 77
fi
((status == 0)) || { cat reduced.log; echo "$type failed on a CPU made for it"; exit 1; }
matches=$(paste -d '\t' <(sed 's/ ||| .*//' reduced.es) "$dir/test.es" | awk -F '\t' '$1 == $2' | wc -l)
((matches >= 900)) || { echo "$type: only $matches of 1000 exact matches"; exit 1; }
"$rnmt" translate -m "$model" -i "$dir/test.en" --scores >f32.es 2>/dev/null
paste -d '\n' f32.es reduced.es |
  awk -F ' [|][|][|] ' -v type="$type" -v tolerance="$tolerance" -v beyond="$beyond" '
  NR % 2 { text = $1; score = $2; next }
  $1 == text { same++; d = $2 - score; if (d < 0) d = -d; if (d > tolerance) far++; if (d > 0) moved++ }
  END { printf "%s: %d lines as float32, %d scores moved, %d beyond %s\n", type, same, moved, far,
                tolerance
        exit !(same >= 900 && moved > 0 && far <= beyond) }'
# the other modes take it too: n-best with beam search, sampling, forced decoding
head -50 "$dir/test.en" >in.txt
"$rnmt" translate -m "$model" -i in.txt --compute-type "$type" --beam-size 3 --num-hypotheses 2 \
  >nbest.txt 2>/dev/null
[[ $(wc -l <nbest.txt) == 100 ]]
"$rnmt" translate -m "$model" -i in.txt --compute-type "$type" --sampling-topk 5 --random-seed 2 \
  >samples.txt 2>/dev/null
[[ $(wc -l <samples.txt) == 50 ]]
head -50 f32.es | sed 's/ ||| .*//' >out.txt
"$rnmt" score -m "$model" --src in.txt --tgt out.txt --compute-type "$type" >reduced.scores \
  2>/dev/null
"$rnmt" score -m "$model" --src in.txt --tgt out.txt >f32.scores 2>/dev/null
paste f32.scores reduced.scores | awk '{ d = $1 - $2; if (d < 0) d = -d; if (d > 0.2) far++ }
  END { exit far > 2 }'
if [[ $type == int8 ]]; then
  # rnmt quantize: int8 weights in the file, under a third of its size, as good on the held-out set
  "$rnmt" quantize "$model" q8.rnmt 2>quantize.log
  grep -q "quantize: wrote q8.rnmt" quantize.log || { cat quantize.log; exit 1; }
  (($(stat -c %s q8.rnmt) * 3 < $(stat -c %s "$model"))) || { ls -l q8.rnmt "$model"; exit 1; }
  "$rnmt" translate -m q8.rnmt -i "$dir/test.en" -o q8.es --compute-type int8 2>/dev/null
  matches=$(paste -d '\t' q8.es "$dir/test.es" | awk -F '\t' '$1 == $2' | wc -l)
  ((matches >= 900)) || { echo "quantised file: only $matches of 1000 exact matches"; exit 1; }
  if "$rnmt" quantize q8.rnmt again.rnmt 2>err.txt; then exit 1; fi
  grep -q "is quantised already" err.txt
fi
echo "$type: ok"

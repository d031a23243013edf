#!/usr/bin/env bash
# The Python module's cost against the command line: the same model, lines and options, each a
# whole process (start, model load, translation, output), alternating so that drifts in machine
# speed hit both alike; the outputs must be identical.
#   scripts/bench-python.sh MODEL LINES [ROUNDS]   (default 3 rounds)
# Run it on a quiet machine: nothing else may run beside it (not even a build).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
model=$1
lines=$2
rounds=${3:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
median() { sort -n | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
seconds() {  # seconds COMMAND...: the wall time of one run
  local start end
  start=$(date +%s.%N)
  "$@"
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f\n", b - a }'
}
python_translate() {
  PYTHONPATH=$BUILD/python /usr/bin/python3 -c '
import sys, rnmt
lines = open(sys.argv[2], encoding="utf-8").read().splitlines()
with open(sys.argv[3], "w", encoding="utf-8") as out:
    for r in rnmt.Translator(sys.argv[1]).translate(lines, threads=2):
        out.write(r.text + "\n")' "$model" "$lines" "$work/python.txt"
}
for ((r = 0; r < rounds; r++)); do
  echo "round $((r + 1)) of $rounds" >&2
  seconds "$BUILD/rnmt" translate -m "$model" -i "$lines" -o "$work/cli.txt" --threads 2 2>/dev/null >>"$work/cli.s"
  seconds python_translate >>"$work/python.s"
done
cmp "$work/cli.txt" "$work/python.txt" || { echo "bench-python: the outputs differ" >&2; exit 1; }
cli=$(median <"$work/cli.s"); python=$(median <"$work/python.s")
echo "| $(wc -l <"$lines") lines | rnmt translate: $cli s ($(paste -sd/ "$work/cli.s")) |" \
  "import rnmt: $python s ($(paste -sd/ "$work/python.s")) |" \
  "$(awk -v a="$python" -v b="$cli" 'BEGIN {printf "%+.1f%%", 100 * (a - b) / b}') |"

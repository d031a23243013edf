#!/usr/bin/env bash
# rnmt inspect and rnmt report on the quickstart model and run that cli_run.sh kept: the pages and
# their JSON are written, the inspected translations are translate's, and bad input is refused.
set -euo pipefail
rnmt=$1
dir=$2  # model.rnmt, test.en, run/train/{metrics,inspect}.jsonl
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
model=$dir/model.rnmt
head -n 5 "$dir/test.en" >lines.txt

"$rnmt" inspect -m "$model" -i lines.txt --beam 1 -o inspect.html --json inspect.json 2>log.txt ||
  { cat log.txt; exit 1; }
grep -q "^inspect: wrote inspect.html ([0-9]* KiB) and inspect.json$" log.txt
grep -q "^inspect: 5 lines, 3 recurrent layers, [0-9]* weight matrices$" log.txt
grep -q '^{"kind":"inspection"' inspect.json
grep -q '<script id="rnmt-data" type="application/json">{"kind":"inspection"' inspect.html
# every translation in the page is translate's (same model, same beam)
"$rnmt" translate -m "$model" -i lines.txt --beam 1 >translations.txt 2>/dev/null
while IFS= read -r line; do
  grep -qF "\"translation\":\"$line\"" inspect.json || { echo "not inspected: $line"; exit 1; }
done <translations.txt
[[ $(grep -o '"name":"encoder 1 left-to-right"' inspect.json | wc -l) == 5 ]]
[[ $(grep -o '"name":"decoder 1"' inspect.json | wc -l) == 5 ]]
# stdin, and a cap on the lines
"$rnmt" inspect -m "$model" --max-lines 2 -o two.html <lines.txt 2>log.txt
grep -q "^inspect: the first 2 of 5 lines (raise --max-lines for more)$" log.txt
grep -q "^inspect: 2 lines" log.txt

# a special file (a FIFO) as the page is written in place, not replaced
mkfifo page.fifo
cat page.fifo >page.html &
"$rnmt" inspect -m "$model" -i lines.txt --beam 1 -o page.fifo 2>/dev/null
wait $!
[[ -p page.fifo ]] || { echo "the FIFO was replaced by a file"; exit 1; }
grep -q '"kind":"inspection"' page.html || { echo "no inspection in the page"; exit 1; }

# rnmt report: the run's training log and its four inspections
"$rnmt" report "$dir/run" -o training.html --json training.json 2>log.txt || { cat log.txt; exit 1; }
grep -q "^report: [0-9]* training entries, 3 validations, 4 inspections$" log.txt || { cat log.txt; exit 1; }
grep -q '"inspections":\[{"step":0,' training.json
grep -q '"step":1200,"loss":' training.json

# bad input: each refused with its reason, no page written
if "$rnmt" inspect -m missing.rnmt -i lines.txt -o x.html 2>err.txt; then exit 1; fi
grep -q "missing.rnmt" err.txt || { cat err.txt; exit 1; }
: >empty.txt
if "$rnmt" inspect -m "$model" -i empty.txt -o x.html 2>err.txt; then exit 1; fi
grep -q "inspect: no input lines" err.txt
if "$rnmt" inspect -m "$model" -i lines.txt 2>err.txt; then exit 1; fi
grep -q "output" err.txt
if "$rnmt" report nowhere -o x.html 2>err.txt; then exit 1; fi
grep -q "'nowhere' has no training log (nowhere/train/metrics.jsonl)" err.txt || { cat err.txt; exit 1; }
[[ ! -e x.html ]]
echo "rnmt inspect and report: ok"
